// EntryWalker: the entry side of a bank's verification (verify.h), defined in entry_walker.cc.
// Internal to ledger/verify/.
#ifndef TIMELEDGER_LEDGER_VERIFY_ENTRY_WALKER_H_
#define TIMELEDGER_LEDGER_VERIFY_ENTRY_WALKER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

#include "ledger/core/sha256.h"
#include "ledger/core/types.h"
#include "ledger/store/store.h"
#include "ledger/verify/findings.h"
#include "ledger/verify/journal_reader.h"
#include "ledger/verify/journal_walker.h"
#include "ledger/verify/posting_scan.h"

namespace timeledger::ledger::verify_internal {

// The entry side: takes the entry facts of the journal in order, as the journal side takes the
// facts, and checks the stored entries on their own: dense seqs, each decodes and names its bank
// and seq, the entry hash chain (hashed by the reader). It goes on after the journal side stops,
// up to its own first finding, so that Reconcile() can place the two in journal order; then the
// postings (posting_scan.h) and reversal markers against the entries.
class EntryWalker {
 public:
  EntryWalker(StoreReader& snapshot, const std::string& bank_id, const ChainHead& head,
              const PostingPrint& print)
      : snapshot_(snapshot), id_(bank_id), head_(head), print_(print) {}

  bool running() const { return running_; }
  // Takes the record `read`; `decoded` is its entry if the journal side decoded it (else null).
  void Take(const ReadRecord& read, const Entry* decoded);
  // The journal ended after the records taken; `read_status` says why.
  void Finish(const absl::Status& read_status);

  // Returns the first inconsistency of the entry side, given the journal side's walk and the
  // postings read, and sets failed_at() to the journal position it concerns (kNoPosition if
  // none is known) and count() to the entries that passed every check. The postings and
  // reversal markers are compared only when the journal side found nothing: a finding of theirs
  // names no position, so it would come after the journal side's.
  absl::Status Reconcile(const JournalWalker& journal, const PostingScan& postings);

  uint64_t count() const { return checked_; }
  const Digest& last_hash() const { return last_hash_; }
  uint64_t failed_at() const { return failed_at_; }

 private:
  void Stop(EntryFinding finding);
  // The stored journal position of entry `seq` ('x' read again: only for a finding), as far as
  // the positions run in seq order; kNoPosition if they do not reach it.
  uint64_t StoredPositionOf(uint64_t seq);
  // The reversal markers against the reversal entries: their count and keyed sums, and where
  // those differ, one by one.
  absl::Status CheckReversals();
  absl::Status CheckReversalsExactly();
  // Records how far the entries passed (count(), failed_at()) and returns `status`.
  absl::Status Stopped(uint64_t checked, uint64_t failed_at, absl::Status status);

  StoreReader& snapshot_;
  const std::string id_;
  const ChainHead& head_;
  const PostingPrint& print_;

  bool running_ = true;
  Entry entry_;  // decoded here when the journal side did not
  uint64_t expected_ = 1;
  uint64_t passed_ = 0;
  Digest passed_hash_{};  // of the last entry passed
  std::optional<EntryFinding> entry_finding_;
  absl::Status read_status_;
  // The reversal entries passed, and the sum of the PostingPrint of each (reversed seq, seq).
  uint64_t reversals_ = 0;
  uint64_t reversals_print_ = 0;

  uint64_t checked_ = 0;
  Digest last_hash_{};
  uint64_t failed_at_ = kNoPosition;
};

}  // namespace timeledger::ledger::verify_internal

#endif  // TIMELEDGER_LEDGER_VERIFY_ENTRY_WALKER_H_
