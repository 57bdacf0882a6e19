#include "ledger/store/rocksdb_batch.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "ledger/store/rocksdb_status.h"

namespace timeledger::ledger {
namespace {

// One write of a batch, pointing into the batch's bytes.
struct Write {
  rocksdb::Slice key;
  rocksdb::Slice value;
  uint32_t order;  // its place in the batch
  bool is_delete;
};

class WriteCollector : public rocksdb::WriteBatch::Handler {
 public:
  explicit WriteCollector(std::vector<Write>* writes) : writes_(writes) {}

  rocksdb::Status PutCF(uint32_t column_family, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    return Add(column_family, key, value, false);
  }
  rocksdb::Status DeleteCF(uint32_t column_family, const rocksdb::Slice& key) override {
    return Add(column_family, key, rocksdb::Slice(), true);
  }

 private:
  rocksdb::Status Add(uint32_t column_family, const rocksdb::Slice& key,
                      const rocksdb::Slice& value, bool is_delete) {
    Invariant(column_family == 0, "the store writes one column family");
    writes_->push_back(Write{key, value, static_cast<uint32_t>(writes_->size()), is_delete});
    return rocksdb::Status::OK();
  }

  std::vector<Write>* writes_;
};

uint8_t TagOf(const Write& write) {
  return write.key.empty() ? 0 : static_cast<uint8_t>(write.key[0]);
}

bool Before(const Write& a, const Write& b) {
  const int by_key = a.key.compare(b.key);
  return by_key != 0 ? by_key < 0 : a.order < b.order;
}

}  // namespace

rocksdb::WriteBatch* RocksDbBatch::SortedByKey() {
  std::vector<Write> writes;
  writes.reserve(count_);
  WriteCollector collector(&writes);
  const rocksdb::Status iterated = batch_.Iterate(&collector);
  Invariant(iterated.ok(), "a batch the store built is read back whole");
  // By tag first (a counting sort, in batch order within a tag), then each tag's writes by
  // key, where they are not in order already: most ranges (journal, entry positions, time
  // index, personal values) are written in order, and sorting only the others (postings,
  // accounts, idempotency keys) halves the comparisons.
  std::array<uint32_t, 257> starts{};
  for (const Write& write : writes) ++starts[TagOf(write) + 1];
  for (size_t tag = 1; tag < starts.size(); ++tag) starts[tag] += starts[tag - 1];
  std::vector<Write> by_tag(writes.size());
  std::array<uint32_t, 256> next{};
  std::copy(starts.begin(), starts.end() - 1, next.begin());
  for (const Write& write : writes) by_tag[next[TagOf(write)]++] = write;
  for (size_t tag = 0; tag < 256; ++tag) {
    const auto begin = by_tag.begin() + starts[tag];
    const auto end = by_tag.begin() + starts[tag + 1];
    if (!std::is_sorted(begin, end, Before)) std::sort(begin, end, Before);
  }
  writes.swap(by_tag);
  sorted_.Clear();
  for (const Write& write : writes) {
    const rocksdb::Status added =
        write.is_delete ? sorted_.Delete(write.key) : sorted_.Put(write.key, write.value);
    Invariant(added.ok(), "a write of a batch fits a batch again");
  }
  Invariant(sorted_.Count() == batch_.Count(), "the sorted batch holds every write");
  return &sorted_;
}

}  // namespace timeledger::ledger
