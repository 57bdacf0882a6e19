// The one place a rocksdb::Status becomes an absl::Status (FromRocks), and the store's other
// error values. Internal to ledger/store/.
#ifndef TIMELEDGER_LEDGER_STORE_ROCKSDB_STATUS_H_
#define TIMELEDGER_LEDGER_STORE_ROCKSDB_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include <rocksdb/status.h>

namespace timeledger::ledger {

// What the store was doing when RocksDB answered: a failed write stops every later write until
// Recover (STORE_FAILED), a failed read is just that read's (STORE_UNAVAILABLE).
enum class RocksOp { kRead, kWrite };

// OK, or DataLoss STORE_CORRUPT, Unavailable STORE_FULL, STORE_FAILED (a write) or
// STORE_UNAVAILABLE (a read).
absl::Status FromRocks(const rocksdb::Status& status, RocksOp op = RocksOp::kRead);

// DataLoss CORRUPT_RECORD: a stored `what` is damaged (a malformed key or value).
absl::Status Corrupt(absl::string_view what);

// Why the store at `path` (or a backup, opened in place) cannot be opened: STORE_CORRUPT,
// STORE_LOCKED or STORE_OPEN_FAILED.
absl::Status OpenFailed(absl::string_view path, const rocksdb::Status& status);

// An invariant of the store, checked in production builds too: one that does not hold stops the
// process before anything more is written.
void Invariant(bool holds, const char* what);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_ROCKSDB_STATUS_H_
