// The files under a directory that hold some bytes, as someone with the disk would find them:
// every file read raw, and each RocksDB table file also read through RocksDB, key by key and
// value by value, since its blocks are compressed (LZ4) and a raw search of them can miss what
// they hold (TableHolds says what it cannot see and how it counts that). For the tests of
// erasure (docs/PRIVACY.md).
#ifndef TIMELEDGER_TESTS_SUPPORT_FILES_HOLDING_H_
#define TIMELEDGER_TESTS_SUPPORT_FILES_HOLDING_H_

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>

namespace timeledger::testing {

// The first bytes of the keys that can hold personal data (ledger/store/keys.h kPersonalKeyTags;
// the store's layout is not linked into this header).
inline constexpr char kPersonalKeyTagBytes[] = "DaknqQti";

// Whether the table file at `path`, decoded, holds `bytes` in a key or a value, or cannot be
// ruled out: RocksDB's reader shows only the newest version of each key and hides deletions, so a
// file with entries it does not show (an older version, a deletion whose key may be a card
// number) counts as holding `bytes` when its keys reach into the personal ranges. A file RocksDB
// cannot read counts as holding it too (so that a search never passes by not looking).
inline bool TableHolds(const std::string& path, const std::string& bytes) {
  rocksdb::Options options;
  rocksdb::SstFileReader reader(options);
  if (!reader.Open(path).ok()) return true;
  std::unique_ptr<rocksdb::Iterator> it(reader.NewIterator(rocksdb::ReadOptions()));
  uint64_t shown = 0;
  std::string first, last;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString();
    if (key.find(bytes) != std::string::npos ||
        it->value().ToString().find(bytes) != std::string::npos) {
      return true;
    }
    if (shown++ == 0) first = key;
    last = key;
  }
  if (!it->status().ok()) return true;
  const auto properties = reader.GetTableProperties();
  if (properties == nullptr) return true;
  if (properties->num_entries + properties->num_range_deletions <= shown) return false;
  if (shown == 0) return true;  // only hidden entries: their keys are unknown
  for (const char* tag = kPersonalKeyTagBytes; *tag != '\0'; ++tag) {
    if (first[0] <= *tag && *tag <= last[0]) return true;
  }
  return false;
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
