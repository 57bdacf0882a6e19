// Migrations of the store's layout, run once at open, before any write, on a writable instance.
// Each is idempotent: a crash midway only means doing it again at the next open. Internal to
// ledger/store/.
#ifndef TIMELEDGER_LEDGER_STORE_MIGRATIONS_H_
#define TIMELEDGER_LEDGER_STORE_MIGRATIONS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include <rocksdb/db.h>

#include "ledger/store/store.h"

namespace timeledger::ledger {

// Brings a store written by an older timeledgerd up to the current layout (keys.h), and gives a
// new store the current layout version; says what it did in *done. Refuses a store of a newer
// layout (STORE_TOO_NEW), and a layout-1 store whose second copy of an entry differs from the
// entry in its journal fact (DataLoss ENTRY_MISMATCH, naming the seq: nothing is deleted).
absl::Status MigrateStore(rocksdb::DB* db, StoreMigration* done);

// OK if code of the current layout can read the store as it is, without migrating it (a
// read-only open): STORE_NEEDS_MIGRATION for an older layout, STORE_TOO_NEW for a newer one.
absl::Status CheckLayoutReadable(rocksdb::DB* db, absl::string_view path);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_MIGRATIONS_H_
