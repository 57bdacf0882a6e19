// The Merkle node source of the RocksDB store (StoreReader::MerkleNodes): the nodes a proof needs,
// read from the store. Internal to ledger/store/.
#ifndef TIMELEDGER_LEDGER_STORE_MERKLE_NODE_SOURCE_H_
#define TIMELEDGER_LEDGER_STORE_MERKLE_NODE_SOURCE_H_

#include <memory>

#include "absl/strings/string_view.h"

#include "ledger/core/merkle.h"
#include "ledger/store/rocksdb_reader.h"

namespace timeledger::ledger {

// The Merkle nodes of bank `bank_id` as `at` reads them, for one proof. Holds the instance open
// while it lives and borrows the snapshot `at` reads, if any. Not thread-safe.
std::unique_ptr<MerkleNodeSource> NewStoreNodeSource(ReadAt at, absl::string_view bank_id);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_MERKLE_NODE_SOURCE_H_
