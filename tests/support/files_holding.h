// The files under a directory that hold some bytes, as someone with the disk would find them:
// every file read raw, and each RocksDB table file also read through RocksDB, key by key and
// value by value, since its blocks are compressed (LZ4) and a raw search of them can miss what
// they hold. For the tests of erasure (docs/PRIVACY.md).
#ifndef TIMELEDGER_TESTS_SUPPORT_FILES_HOLDING_H_
#define TIMELEDGER_TESTS_SUPPORT_FILES_HOLDING_H_

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>

namespace timeledger::testing {

// Whether the table file at `path`, decoded, holds `bytes` in a key or a value. A file RocksDB
// cannot read counts as holding it (so that a search never passes by not looking).
inline bool TableHolds(const std::string& path, const std::string& bytes) {
  rocksdb::Options options;
  rocksdb::SstFileReader reader(options);
  if (!reader.Open(path).ok()) return true;
  std::unique_ptr<rocksdb::Iterator> it(reader.NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().ToString().find(bytes) != std::string::npos ||
        it->value().ToString().find(bytes) != std::string::npos) {
      return true;
    }
  }
  return !it->status().ok();
}

// The regular files under `dir` that hold `bytes`, raw or (table files) decoded.
inline std::vector<std::string> FilesHolding(const std::string& dir, const std::string& bytes) {
  std::vector<std::string> found;
  for (const auto& file : std::filesystem::recursive_directory_iterator(dir)) {
    if (!file.is_regular_file()) continue;
    const std::string path = file.path().string();
    std::ifstream in(path, std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    if (content.find(bytes) != std::string::npos ||
        (file.path().extension() == ".sst" && TableHolds(path, bytes))) {
      found.push_back(path);
    }
  }
  return found;
}

}  // namespace timeledger::testing

#endif  // TIMELEDGER_TESTS_SUPPORT_FILES_HOLDING_H_
