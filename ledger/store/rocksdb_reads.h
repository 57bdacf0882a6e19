// RocksReads: the reads of one RocksDB instance as one rocksdb::ReadOptions sees them, at a
// snapshot or at the latest committed state. Every reader of the store (the StoreReader of
// rocksdb_reader.h, the migrations) reads through it, so that a scan, a point read and a decoded
// record are written once. Internal to ledger/store/.
//
// Borrows the DB, whatever the ReadOptions point at (a snapshot) and the KeptIterator; the caller
// keeps them alive. Thread-safe as RocksDB is: const, no state of its own.
#ifndef TIMELEDGER_LEDGER_STORE_ROCKSDB_READS_H_
#define TIMELEDGER_LEDGER_STORE_ROCKSDB_READS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include <rocksdb/db.h>

#include "ledger/store/keys.h"
#include "ledger/store/rocksdb_status.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

inline absl::string_view AsView(const rocksdb::Slice& slice) {
  return absl::string_view(slice.data(), slice.size());
}

using RawVisitor = std::function<absl::Status(absl::string_view key, absl::string_view value)>;

// Point reads of a snapshot through one iterator kept for it, rather than DB::Get: a report makes
// thousands of point reads (reversals, statements), and a Get consults the table's whole-key
// filter, which a large table may not keep in the block cache. Thread-safe: one read at a time.
// Borrows the DB and the snapshot; destroy it before releasing them.
class KeptIterator {
 public:
  KeptIterator(rocksdb::DB* db, rocksdb::ReadOptions options)
      : db_(db), options_(std::move(options)) {}

  // The value at `key`, or nullopt.
  absl::StatusOr<std::optional<std::string>> Get(const std::string& key);

 private:
  rocksdb::DB* const db_;
  const rocksdb::ReadOptions options_;
  absl::Mutex mu_;
  std::unique_ptr<rocksdb::Iterator> it_ ABSL_GUARDED_BY(mu_);  // made by the first read
};

class RocksReads {
 public:
  // Point reads go through `point` if it is not null, else to DB::Get.
  RocksReads(rocksdb::DB* db, rocksdb::ReadOptions options, KeptIterator* point = nullptr)
      : db_(db), options_(std::move(options)), point_(point) {}

  // Visits the keys in [start, end), at most `limit` of them, in key order.
  absl::Status Scan(const std::string& start, const std::string& end, const RawVisitor& visit,
                    size_t limit = SIZE_MAX) const;
  // Visits the keys that start with `prefix`.
  absl::Status ScanPrefix(const std::string& prefix, const RawVisitor& visit) const {
    return Scan(prefix, keys::PrefixEnd(prefix), visit);
  }
  // The value at `key`, or nullopt.
  absl::StatusOr<std::optional<std::string>> Get(const std::string& key) const;

  // The record at `key` decoded, or nullopt.
  template <typename T>
  absl::StatusOr<std::optional<T>> GetDecoded(
      const std::string& key, absl::StatusOr<T> (*decode)(absl::string_view)) const {
    auto value = Get(key);
    if (!value.ok()) return value.status();
    if (!value->has_value()) return std::optional<T>();
    auto record = decode(**value);
    if (!record.ok()) return record.status();
    return std::optional<T>(*std::move(record));
  }

  // Visits the records under `prefix`, decoded, in key order.
  template <typename T>
  absl::Status ForEachDecoded(const std::string& prefix,
                              absl::StatusOr<T> (*decode)(absl::string_view),
                              const std::function<absl::Status(const T&)>& visit) const {
    return ScanPrefix(prefix, [&](absl::string_view, absl::string_view value) -> absl::Status {
      auto record = decode(value);
      if (!record.ok()) return record.status();
      return visit(*record);
    });
  }

  // The records under `prefix` from key `start`, decoded, at most `limit`.
  template <typename T>
  absl::StatusOr<std::vector<T>> ListDecoded(const std::string& prefix, const std::string& start,
                                             size_t limit,
                                             absl::StatusOr<T> (*decode)(absl::string_view)) const {
    std::vector<T> records;
    auto status = Scan(
        start, keys::PrefixEnd(prefix),
        [&](absl::string_view, absl::string_view value) -> absl::Status {
          auto record = decode(value);
          if (!record.ok()) return record.status();
          records.push_back(*std::move(record));
          return absl::OkStatus();
        },
        limit);
    if (!status.ok()) return status;
    return records;
  }

 private:
  rocksdb::DB* db_;
  rocksdb::ReadOptions options_;
  KeptIterator* point_;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_ROCKSDB_READS_H_
