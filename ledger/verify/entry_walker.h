// EntryWalker: the entry side of a bank's verification (verify.h), defined in entry_walker.cc.
// Internal to ledger/verify/.
#ifndef TIMELEDGER_LEDGER_VERIFY_ENTRY_WALKER_H_
#define TIMELEDGER_LEDGER_VERIFY_ENTRY_WALKER_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"

#include "ledger/core/sha256.h"
#include "ledger/core/types.h"
#include "ledger/store/store.h"
#include "ledger/verify/findings.h"

namespace timeledger::ledger::verify_internal {

// The entry side: walks the stored entries in seq order and checks their hash chain, then the
// postings and reversal markers they imply. It needs nothing from the journal side while it runs,
// so neither side waits for the other: Reconcile() then checks that each stored entry is the
// entry the journal holds, and places the entry side's findings in the journal.
class EntryWalker {
 public:
  EntryWalker(StoreReader& snapshot, const std::string& bank_id, const ChainHead& head)
      : snapshot_(snapshot), id_(bank_id), head_(head) {
    if (head.has_account_count) {  // as JournalWalker's accounts
      ids_.reserve(std::min<uint64_t>(head.account_count, kAccountsPerBankMax));
    }
  }

  // Walks the entries and reads their stored journal positions, then (if the entries are in
  // order) walks the postings and reversal markers.
  void Run();

  // Returns the first inconsistency of the entry side given what the journal holds (`refs`, by
  // seq - 1), and sets failed_at() to the journal position it concerns (kNoPosition if none is
  // known) and count() to the entries that passed every check.
  absl::Status Reconcile(const std::vector<EntryRef>& refs);

  uint64_t count() const { return checked_; }
  const StoredPositions& positions() const { return positions_; }
  Digest last_hash() const { return checked_ == 0 ? Digest{} : hashes_[checked_ - 1]; }
  uint64_t failed_at() const { return failed_at_; }

 private:
  struct Move {
    uint32_t from = 0;
    uint32_t to = 0;
    int64_t minutes = 0;
  };

  // Checks each stored entry on its own and against the one before it, up to the first that
  // fails (entry_finding_) or a read error (read_status_).
  void WalkEntries();
  // Reads the stored journal positions of the entries, for JournalWalker::Settle.
  void ReadPositions();
  // The postings and the reversal markers, against the entries walked.
  absl::Status CheckTail();
  absl::Status CheckPostings();
  absl::Status CheckReversals();
  // Reads postings a few ahead of the one checked and prefetches the entries they name: the
  // postings come in account order, the entries they name are scattered over moves_.
  class PostingReader;

  // The index of an account in posting_counts_, given on first sight.
  uint32_t Intern(const std::string& account_id);
  // Records how far the entries passed (count(), failed_at()) and returns `status`.
  absl::Status Stop(size_t checked, uint64_t failed_at, absl::Status status);

  StoreReader& snapshot_;
  const std::string id_;
  const ChainHead& head_;

  Sha256 hasher_;
  std::vector<Digest> hashes_;  // of the entries that passed WalkEntries, by seq - 1
  StoredPositions positions_;
  std::optional<EntryFinding> entry_finding_;
  absl::Status read_status_;
  absl::Status tail_status_;  // the postings' and reversal markers' finding
  uint64_t checked_ = 0;
  uint64_t failed_at_ = kNoPosition;
  absl::flat_hash_map<std::string, uint32_t> ids_;
  std::vector<uint64_t> posting_counts_;  // by account index: postings its entries imply
  std::vector<Move> moves_;               // by seq - 1
  std::vector<std::pair<uint64_t, uint64_t>> reversals_;  // (reversed seq, reversal seq)
};

}  // namespace timeledger::ledger::verify_internal

#endif  // TIMELEDGER_LEDGER_VERIFY_ENTRY_WALKER_H_
