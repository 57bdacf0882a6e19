// The store of a closed ledger, opened directly in RocksDB, for tests that damage stored records
// as a disk fault or a tamperer would. Keys as ledger/store/keys.h builds them.
#ifndef TIMELEDGER_TESTS_SUPPORT_RAW_STORE_H_
#define TIMELEDGER_TESTS_SUPPORT_RAW_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

namespace timeledger::ledger {

inline std::string Fixed64(uint64_t value) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  return out;
}

inline std::string Scoped(char tag, const std::string& bank, const std::string& rest) {
  return std::string(1, tag) + bank + std::string(1, '\0') + rest;
}

class RawStore {
 public:
  explicit RawStore(const std::string& data_dir) {
    rocksdb::Options options;
    rocksdb::DB* db = nullptr;
    const auto status = rocksdb::DB::Open(options, data_dir + "/ledger", &db);
    EXPECT_TRUE(status.ok()) << status.ToString();
    db_.reset(db);
  }

  bool Has(const std::string& key) {
    std::string value;
    return db_->Get(rocksdb::ReadOptions(), key, &value).ok();
  }
  std::string Get(const std::string& key) {
    std::string value;
    EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), key, &value).ok()) << "missing key";
    return value;
  }
  void Put(const std::string& key, const std::string& value) {
    rocksdb::WriteOptions options;
    options.sync = true;
    ASSERT_TRUE(db_->Put(options, key, value).ok());
  }
  void Delete(const std::string& key) {
    ASSERT_TRUE(db_->Delete(rocksdb::WriteOptions(), key).ok());
  }
  void Edit(const std::string& key, const std::function<void(std::string*)>& edit) {
    std::string value = Get(key);
    edit(&value);
    Put(key, value);
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_TESTS_SUPPORT_RAW_STORE_H_
