// make_test_certs DIR: writes the test certificates of tests/support/test_certs.h into DIR, for
// the end-to-end TLS test (no `openssl` program needed).
#include <cstdio>
#include <filesystem>

#include "tests/support/test_certs.h"

int main(int argc, char** argv) {
  if (argc != 2 || !std::filesystem::is_directory(argv[1])) {
    std::fprintf(stderr, "usage: make_test_certs DIR (an existing directory)\n");
    return 2;
  }
  timeledger::testing::WriteTestCertificates(argv[1]);
  return 0;
}
