// Migrations of the store's layout, run once at open, before any write, on a writable instance.
// Each is idempotent: a crash midway only means doing it again at the next open. Internal to
// ledger/store/.
#ifndef TIMELEDGER_LEDGER_STORE_MIGRATIONS_H_
#define TIMELEDGER_LEDGER_STORE_MIGRATIONS_H_

#include "absl/status/status.h"
#include <rocksdb/db.h>

namespace timeledger::ledger {

// Brings a store written by an older timeledgerd up to the current layout (keys.h).
absl::Status MigrateStore(rocksdb::DB* db);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_MIGRATIONS_H_
