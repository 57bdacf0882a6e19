// The check at open: the journal a bank appended since a chain head that was checked before (its
// checkpoint), rather than the whole ledger.
//
// A ledger is checked in full (verify.h) at its first open by this version and whenever asked
// (`timeledger audit verify`, or timeledgerd --full-verify-on-start). Afterwards each bank keeps a
// checkpoint: its chain head when it was last checked or cleanly shut down. At open only the
// facts after the checkpoint are walked: positions dense, every fact in canonical form at its
// position, the journal chain hashes, the Merkle frontier grown from the checkpoint's to the
// stored head's, and the entries' seqs and entry chain hashes; then the stored head must be where
// the walk ended. After a clean shutdown the tail is empty and the open costs a few reads per
// bank; after a crash it is what the bank wrote since its last checkpoint.
//
// What this does not see: a change to a fact before the checkpoint, or to the derived state
// (balances, postings, indexes) that the full check replays. Those are the full check's work.
#ifndef TIMELEDGER_LEDGER_VERIFY_TAIL_H_
#define TIMELEDGER_LEDGER_VERIFY_TAIL_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

#include "ledger/core/records.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

// What the check of a bank's tail found.
struct TailCheck {
  // OK, or the first inconsistency: DataLoss with a reason and figures, as verify.h reports them.
  absl::Status status;
  uint64_t facts = 0;    // facts walked (the tail's length)
  uint64_t entries = 0;  // entries among them
};

// Walks bank `bank_id`'s journal in `reader` from `checkpoint` (a head checked before) to `head`
// (the head stored now).
TailCheck VerifyTail(StoreReader& reader, const std::string& bank_id, const ChainHead& checkpoint,
                     const ChainHead& head);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_VERIFY_TAIL_H_
