// The two snapshot readers of the RocksDB store (store.h says which is for what): the ReadView
// (rocksdb_read_view.cc) and the StoreSnapshot (rocksdb_snapshot.cc). Internal to ledger/store/.
#ifndef TIMELEDGER_LEDGER_STORE_ROCKSDB_READERS_H_
#define TIMELEDGER_LEDGER_STORE_ROCKSDB_READERS_H_

#include <memory>

#include <rocksdb/db.h>

#include "ledger/store/store.h"

namespace timeledger::ledger {

// A view of `db` as it is now, released with the ReadView; holds `db` open meanwhile.
std::unique_ptr<ReadView> NewRocksDbReadView(std::shared_ptr<rocksdb::DB> db);

// A snapshot of `db` as it is now, released with the StoreSnapshot; holds `db` open meanwhile.
std::unique_ptr<StoreSnapshot> NewRocksDbSnapshot(std::shared_ptr<rocksdb::DB> db);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_ROCKSDB_READERS_H_
