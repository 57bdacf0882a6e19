// What the change feed reads (services/journal_feed.h serves it): a bank's facts from a position
// on, in journal order, cut down to the ones a watcher asked for and may be told. Implemented in
// journal_feed.cc as Ledger::ReadFeed. Plain values; copy them between threads.
//
// A fact skipped by the filter still moves next_position on, and its chain hash still reaches
// the watcher as the prior hash of the next fact it is sent: a watcher checks that every fact it
// gets hangs on the chain, without being told the facts in between.
#ifndef TIMELEDGER_LEDGER_ENGINE_JOURNAL_FEED_H_
#define TIMELEDGER_LEDGER_ENGINE_JOURNAL_FEED_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "ledger/core/types.h"
#include "ledger/journal/journal.h"
#include "ledger/rules/access.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

// Which facts a watcher is sent.
struct FeedFilter {
  std::vector<FactType> types;  // empty: every type
  std::string account_id;       // empty: every account; else only facts that touch it
};

// Returns the filter `by` is served with when it asks for `asked`: as asked, but a partner's is
// always its own account's (PermissionDenied PARTNER_OWN_ACCOUNT_ONLY if it asks for another);
// a kiosk is refused (ROLE_NOT_ALLOWED), as the gate already does.
absl::StatusOr<FeedFilter> FeedFilterFor(const Principal& by, FeedFilter asked);

// True if `fact` names `account_id` as one of its own: an entry or pending entry paid from or to
// it, its opening, status, card, PIN, language or erasure, its award or redemption. A pending
// entry's resolution names only the entry: `resolved` is that pending entry (nullptr: unknown).
bool FactTouchesAccount(const Fact& fact, absl::string_view account_id,
                        const PendingEntry* resolved);

// The accounts `fact` names as its own (the ones FactTouchesAccount is true for), at most two;
// the views point into `fact` or `resolved`.
struct AccountsTouched {
  std::array<absl::string_view, 2> ids;
  size_t count = 0;
  bool Contains(absl::string_view account_id) const {
    for (size_t i = 0; i < count; ++i) {
      if (ids[i] == account_id) return true;
    }
    return false;
  }
};
AccountsTouched AccountsTouchedBy(const Fact& fact, const PendingEntry* resolved);

// One read of the feed.
struct FeedPage {
  std::vector<JournalRecord> records;  // the facts the filter let through, in position order
  std::vector<Fact> facts;             // records[i] decoded
  std::vector<Digest> prior_hashes;    // the chain hash of the fact before records[i]
  uint64_t next_position = 0;          // every fact below it was read (sent or skipped)
  Digest journal_hash{};               // the chain hash of fact next_position - 1 (zeros at 0)
  uint64_t tree_size = 0;              // the journal's size when read
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_ENGINE_JOURNAL_FEED_H_
