// Migrations of the store's layout, run once at open, before any write, on a writable instance.
// Each is idempotent: a crash midway only means doing it again at the next open. Internal to
// ledger/store/.
#ifndef TIMELEDGER_LEDGER_STORE_MIGRATIONS_H_
#define TIMELEDGER_LEDGER_STORE_MIGRATIONS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include <rocksdb/db.h>

#include "ledger/store/layout.h"

namespace timeledger::ledger {

// Brings a store written by an older timeledgerd up to the current layout (keys.h), and gives a
// new store the current layout version; says what it did in *done. Refuses a store of a newer
// layout (FAILED_PRECONDITION STORE_OPEN_FAILED, naming both versions), and a layout-1 store whose
// second copy of an entry differs from the entry in its journal fact (DataLoss ENTRY_MISMATCH,
// naming the seq: nothing is deleted).
absl::Status MigrateStore(rocksdb::DB* db, StoreMigration* done);

// OK if code of the current layout can read the store as it is, without migrating it (a
// read-only open): FAILED_PRECONDITION STORE_OPEN_FAILED for an older or a newer layout, saying
// which and what to do.
absl::Status CheckLayoutReadable(rocksdb::DB* db, absl::string_view path);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_MIGRATIONS_H_
