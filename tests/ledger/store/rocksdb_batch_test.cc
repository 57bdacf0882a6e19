// RocksDbBatch::SortedByKey: the batch the memtable is given holds the same writes in key order,
// and a key written twice keeps its writes in the order they were made.
#include "ledger/store/rocksdb_batch.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <rocksdb/write_batch.h>

namespace timeledger::ledger {
namespace {

struct Seen {
  std::string key;
  std::string value;
  bool is_delete = false;
  bool operator==(const Seen&) const = default;
};

class Reader : public rocksdb::WriteBatch::Handler {
 public:
  rocksdb::Status PutCF(uint32_t, const rocksdb::Slice& key, const rocksdb::Slice& value) override {
    writes.push_back({key.ToString(), value.ToString(), false});
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(uint32_t, const rocksdb::Slice& key) override {
    writes.push_back({key.ToString(), "", true});
    return rocksdb::Status::OK();
  }
  std::vector<Seen> writes;
};

std::vector<Seen> WritesOf(rocksdb::WriteBatch* batch) {
  Reader reader;
  EXPECT_TRUE(batch->Iterate(&reader).ok());
  return reader.writes;
}

Account AccountNamed(const std::string& id, int64_t balance) {
  Account account;
  account.bank_id = "camden";
  account.account_id = id;
  account.display_name = id;
  account.balance_minutes = balance;
  return account;
}

TEST(RocksDbBatchTest, SortedByKeyHoldsEveryWriteInKeyOrderAndRepeatsInTheirOrder) {
  RocksDbBatch batch;
  batch.PutAccount(AccountNamed("zoe", 1));
  batch.PutAccount(AccountNamed("ali", 2));
  batch.PutCardAttempts("camden", "card-2", CardAttempts{.failed = 1});
  batch.PutAccount(AccountNamed("zoe", 3));  // the same key again: this one must win
  batch.PutCardAttempts("camden", "card-2", CardAttempts{});  // and this delete after its put
  batch.SetSavePoint();
  batch.PutAccount(AccountNamed("bea", 4));
  batch.RollbackToSavePoint();  // not written
  batch.PutAccount(AccountNamed("mia", 5));

  const std::vector<Seen> made = WritesOf(batch.batch());
  ASSERT_EQ(made.size(), 6u);
  const std::vector<Seen> sorted = WritesOf(batch.SortedByKey());
  ASSERT_EQ(sorted.size(), made.size());
  for (size_t i = 1; i < sorted.size(); ++i) {
    EXPECT_LE(sorted[i - 1].key, sorted[i].key) << "write " << i << " is out of key order";
  }
  // The same writes, and for each key the same sequence of them.
  for (const Seen& write : made) {
    std::vector<Seen> of_key_made;
    std::vector<Seen> of_key_sorted;
    for (const Seen& w : made) {
      if (w.key == write.key) of_key_made.push_back(w);
    }
    for (const Seen& w : sorted) {
      if (w.key == write.key) of_key_sorted.push_back(w);
    }
    EXPECT_EQ(of_key_made, of_key_sorted) << write.key;
  }
  const auto last_of = [&](const std::string& account_id) {
    Seen last;
    for (const Seen& w : sorted) {
      if (w.key.find(account_id) != std::string::npos && w.key[0] == 'a') last = w;
    }
    return last;
  };
  EXPECT_EQ(last_of("zoe").value, EncodeAccount(AccountNamed("zoe", 3)));
  // A second call (the store commits the batch once, but a retry may ask again) is the same.
  EXPECT_EQ(WritesOf(batch.SortedByKey()), sorted);
}

}  // namespace
}  // namespace timeledger::ledger
