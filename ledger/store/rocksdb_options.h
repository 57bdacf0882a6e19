// How the store opens RocksDB: the options of every instance, the record of a writable
// instance's first failure (WriteFault), and the informational LOG written without RocksDB's
// asserting writer. Internal to ledger/store/.
#ifndef TIMELEDGER_LEDGER_STORE_ROCKSDB_OPTIONS_H_
#define TIMELEDGER_LEDGER_STORE_ROCKSDB_OPTIONS_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/status.h>

#include "ledger/store/store.h"

namespace timeledger::ledger {

// The first failed write, sync, flush or compaction of one open writable RocksDB instance: once
// there is one, the store writes nothing more to that instance. Thread-safe.
class WriteFault {
 public:
  // Keeps `status` if it is the first failure.
  void Record(const rocksdb::Status& status) {
    if (status.ok()) return;
    absl::MutexLock lock(&mu_);
    if (first_.ok()) first_ = status;
  }
  // OK, or the first failure.
  rocksdb::Status first() const {
    absl::MutexLock lock(&mu_);
    return first_;
  }

 private:
  mutable absl::Mutex mu_;
  rocksdb::Status first_ ABSL_GUARDED_BY(mu_);
};

// The options of every instance of the store at `store_options`, reading and writing through
// `env` (null: rocksdb::Env::Default()).
rocksdb::Options MakeOptions(const StoreOptions& store_options, rocksdb::Env* env);

// Options of a writable instance whose failures go to `fault`. RocksDB's own retries of
// retryable I/O errors are off, as its recovery from a full disk is (the store reopens instead).
rocksdb::Options MakeWritableOptions(const StoreOptions& store_options, rocksdb::Env* env,
                                     std::shared_ptr<rocksdb::Logger> info_log,
                                     std::shared_ptr<WriteFault> fault);

// RocksDB's statistics with its tickers only (stalls, block cache hits and misses, read by
// Store::Stats): no histograms or timers, whose clock reads would cost every write and read.
// rocksdb_stats.cc.
std::shared_ptr<rocksdb::Statistics> NewTickerStatistics();

// RocksDB's informational LOG at `path`, written with stdio (see StoreInfoLog in the .cc).
std::shared_ptr<rocksdb::Logger> NewStoreInfoLog(std::string path);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_ROCKSDB_OPTIONS_H_
