// The layout of a store (ledger/store/keys.h, "layout"): what a writable open did to it, and the
// migration on its own, for `timeledgerd --migrate`. Opening a store for writing
// (OpenRocksDbStore, store.h) migrates it as well; a read-only open refuses an older layout.
#ifndef TIMELEDGER_LEDGER_STORE_LAYOUT_H_
#define TIMELEDGER_LEDGER_STORE_LAYOUT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace timeledger::ledger {

// What opening a store for writing did to its layout: nothing (from_version == to_version), a
// new store given the current version (from_version 0), or a migration from an older layout.
struct StoreMigration {
  uint64_t from_version = 0;
  uint64_t to_version = 0;
  uint64_t entries_checked = 0;  // second copies of entries found equal to their facts, dropped
  uint64_t bytes_dropped = 0;    // their keys and values
};

// Opens the store at `path` (which must hold one) for writing, brings it up to the current
// layout, closes it and says what it did. The refusals of OpenRocksDbStore: FAILED_PRECONDITION
// STORE_OPEN_FAILED for a newer layout, DATA_LOSS ENTRY_MISMATCH for copies that disagree.
absl::StatusOr<StoreMigration> MigrateStoreAt(const std::string& path);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_LAYOUT_H_
