#include "ledger/verify/posting_scan.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

#include "ledger/core/records.h"
#include "ledger/verify/findings.h"

namespace timeledger::ledger::verify_internal {
namespace {

// An entry as it touches one account.
struct Touch {
  uint64_t seq = 0;
  bool from = false;  // the account pays (else it is paid)
  int64_t minutes = 0;

  bool operator<(uint64_t other) const { return seq < other; }
};

// The entries that touch `account_id`, in seq order, read from the journal's entry facts.
std::vector<Touch> TouchesOf(StoreReader& snapshot, const std::string& bank_id,
                             const std::string& account_id) {
  std::vector<Touch> touches;
  auto cursor = snapshot.Entries(bank_id);
  EntryRecord record;
  Entry entry;
  while (cursor->Next(&record)) {
    if (!DecodeEntryInto(record.bytes, &entry).ok()) continue;
    if (entry.from_account_id == account_id || entry.to_account_id == account_id) {
      touches.push_back(Touch{entry.seq, entry.from_account_id == account_id, entry.minutes});
    }
  }
  return touches;
}

}  // namespace

void PostingScan::Run() {
  auto cursor = snapshot_.Postings(id_);
  PostingRecord posting;
  while (cursor->Next(&posting)) {
    if (posted_.empty() || posted_.back().account_id != posting.account_id) {
      Posted& added = posted_.emplace_back();
      added.account_id = posting.account_id;
      added.first_seq = posting.seq;
    }
    Posted& posted = posted_.back();
    if (posting.seq <= posted.last_seq || posting.seq == 0) posted.ascending = false;
    posted.last_seq = std::max(posted.last_seq, posting.seq);
    ++posted.count;
    posted.print += print_(posting.seq, posting.balance_after_minutes);
  }
  status_ = cursor->status();
}

absl::Status PostingScan::Compare(const AccountModels& accounts, uint64_t entries) const {
  std::vector<bool> seen(accounts.size(), false);
  for (size_t i = 0; i < posted_.size(); ++i) {
    const Posted& posted = posted_[i];
    const uint32_t index = accounts.Find(posted.account_id);
    if (index == AccountModels::kNone || accounts.figures(index).postings == 0) {
      return Finding(id_, Reason::kPostingMismatch,
                     Where{kNoPosition, posted.first_seq, posted.account_id},
                     "a posting exists for an account that no entry touches");
    }
    seen[index] = true;
    const AccountFigures& figures = accounts.figures(index);
    // After a failed read the last account's postings are checked as far as they were read,
    // and not counted: the read's error comes first.
    const bool cut = i + 1 == posted_.size() && !status_.ok();
    if (cut || !posted.ascending || posted.last_seq > entries || figures.posted_to_itself ||
        posted.count != figures.postings || posted.print != figures.postings_print) {
      if (auto s = CheckExactly(posted, figures, entries, !cut); !s.ok()) return s;
    }
  }
  if (!status_.ok()) return ReadFailed(id_, Where{}, "the postings", status_);
  for (uint32_t index = 0; index < accounts.size(); ++index) {
    if (accounts.figures(index).postings > 0 && !seen[index]) {
      return Finding(id_, Reason::kPostingMissing, Where{kNoPosition, 0, accounts.id(index)},
                     "the account has entries but no postings");
    }
  }
  return absl::OkStatus();
}

absl::Status PostingScan::CheckExactly(const Posted& posted, const AccountFigures& figures,
                                       uint64_t entries, bool close) const {
  const std::string& account_id = posted.account_id;
  const std::vector<Touch> touches = TouchesOf(snapshot_, id_, account_id);
  auto cursor = snapshot_.Postings(id_);
  PostingRecord posting;
  int64_t running = 0;
  uint64_t count = 0, last_seq = 0;
  while (count < posted.count && cursor->Next(&posting)) {
    if (posting.account_id != account_id) continue;
    const Where where{kNoPosition, posting.seq, account_id};
    if (posting.seq == 0 || posting.seq > entries || posting.seq <= last_seq) {
      return Finding(id_, Reason::kPostingMismatch, where, "the posting is for no stored entry");
    }
    auto touch = std::lower_bound(touches.begin(), touches.end(), posting.seq);
    if (touch == touches.end() || touch->seq != posting.seq) {
      return Finding(id_, Reason::kPostingMismatch, where,
                     "the posting is for an entry that does not touch the account");
    }
    running += touch->from ? -touch->minutes : touch->minutes;
    if (running != posting.balance_after_minutes) {
      return Finding(id_, Reason::kPostingMismatch, where,
                     "the running balance after the entry differs from the entries",
                     absl::StrCat(running, " minutes"),
                     absl::StrCat(posting.balance_after_minutes, " minutes"));
    }
    ++count;
    last_seq = posting.seq;
  }
  if (close && count != figures.postings) {
    return Finding(id_, Reason::kPostingMissing, Where{kNoPosition, 0, account_id},
                   "the account's postings do not match its entries",
                   absl::StrCat(figures.postings, " postings"), absl::StrCat(count, " postings"));
  }
  return absl::OkStatus();
}

}  // namespace timeledger::ledger::verify_internal
