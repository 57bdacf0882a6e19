// The Merkle node source of the RocksDB store (Store::MerkleNodes): the nodes a proof needs, read
// from the store. Internal to ledger/store/.
#ifndef TIMELEDGER_LEDGER_STORE_MERKLE_NODE_SOURCE_H_
#define TIMELEDGER_LEDGER_STORE_MERKLE_NODE_SOURCE_H_

#include <memory>

#include "absl/strings/string_view.h"
#include <rocksdb/db.h>

#include "ledger/core/merkle.h"

namespace timeledger::ledger {

// The Merkle nodes of bank `bank_id` in `db` (the latest committed state), for one proof. Holds
// `db` open while it lives. Not thread-safe.
std::unique_ptr<MerkleNodeSource> NewStoreNodeSource(std::shared_ptr<rocksdb::DB> db,
                                                     absl::string_view bank_id);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_MERKLE_NODE_SOURCE_H_
