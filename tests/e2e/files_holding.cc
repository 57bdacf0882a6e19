// files_holding DIR TEXT: prints each file under DIR that holds TEXT, read raw and, for RocksDB
// table files, decoded (tests/support/files_holding.h); exits 0 if none does, 1 if some do, 2 on
// bad arguments. For erasure_scenario_test.sh.
#include <cstdio>
#include <filesystem>
#include <string>

#include "tests/support/files_holding.h"

int main(int argc, char** argv) {
  if (argc != 3 || !std::filesystem::is_directory(argv[1])) {
    std::fprintf(stderr, "usage: files_holding DIR TEXT\n");
    return 2;
  }
  const auto found = timeledger::testing::FilesHolding(argv[1], argv[2]);
  for (const std::string& path : found) std::printf("%s\n", path.c_str());
  return found.empty() ? 0 : 1;
}
