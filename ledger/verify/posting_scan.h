// PostingScan: the postings of a bank's verification (verify.h), defined in posting_scan.cc.
// Internal to ledger/verify/.
//
// The postings ('p': account, seq -> balance after) come in account order, the entries in seq
// order: checking each posting against its entry needed every entry's accounts and minutes in
// memory (16 bytes an entry). Instead, this reads the postings on a thread of its own while the
// journal is walked, keeping per account only their number and the sum of the PostingPrint of
// each (seq, balance after); the journal's walk sums the same for the postings each account's
// entries imply (AccountFigures). Where the two differ, that account alone is checked posting by
// posting, as before, to name the first wrong one.
//
// Memory: one small record per account that has postings: bounded by the accounts.
// Thread-safety: Run on one thread, then Compare on another after it returned.
#ifndef TIMELEDGER_LEDGER_VERIFY_POSTING_SCAN_H_
#define TIMELEDGER_LEDGER_VERIFY_POSTING_SCAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

#include "ledger/store/store.h"
#include "ledger/verify/account_models.h"

namespace timeledger::ledger::verify_internal {

class PostingScan {
 public:
  PostingScan(StoreReader& snapshot, const std::string& bank_id, const PostingPrint& print)
      : snapshot_(snapshot), id_(bank_id), print_(print) {}

  // Reads the bank's postings.
  void Run();

  // Returns the first inconsistency of the postings, in their key order, against the journal's
  // accounts and its `entries` entries (seqs 1 to entries): a posting for an account no entry
  // touches, for no entry or one that does not touch the account, a wrong running balance, too
  // few or too many postings; then an account with entries but no postings.
  absl::Status Compare(const AccountModels& accounts, uint64_t entries) const;

 private:
  // The postings of one account, as read.
  struct Posted {
    std::string account_id;
    uint64_t first_seq = 0;
    uint64_t last_seq = 0;
    uint64_t count = 0;
    uint64_t print = 0;     // the sum of the PostingPrint of each
    bool ascending = true;  // seqs from 1 up, each above the one before
  };

  // The check of one account's postings one by one against the entries that touch it, for an
  // account whose summary differs from the journal's; `close`: also their number.
  absl::Status CheckExactly(const Posted& posted, const AccountFigures& figures, uint64_t entries,
                            bool close) const;

  StoreReader& snapshot_;
  const std::string id_;
  const PostingPrint& print_;
  std::vector<Posted> posted_;  // in key (account) order
  absl::Status status_;         // the read's
};

}  // namespace timeledger::ledger::verify_internal

#endif  // TIMELEDGER_LEDGER_VERIFY_POSTING_SCAN_H_
