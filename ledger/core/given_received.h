// Time given and time received: which entries count as an account giving time (its earner) or
// receiving it (its payer), and what one entry adds to an account's two sums. One definition
// for the rules (reciprocity, daily limits), the writer's day activity, reports, statements and
// the kiosk's months.
#ifndef TIMELEDGER_LEDGER_CORE_GIVEN_RECEIVED_H_
#define TIMELEDGER_LEDGER_CORE_GIVEN_RECEIVED_H_

#include <cstdint>

#include "absl/strings/string_view.h"

#include "ledger/core/types.h"

namespace timeledger::ledger {

// An exchange or an award: the entry's earner (to_account_id) gave time.
bool IsTimeGiven(EntryKind kind);
// An exchange or a spend: the entry's payer (from_account_id) received time or an offer.
bool IsTimeReceived(EntryKind kind);

struct GivenReceived {
  int64_t given_minutes = 0;
  int64_t received_minutes = 0;
};

// What `entry` adds to the time `account_id` gave and received. A reversal (`original`: the
// entry it undoes, null for any other entry) takes its minutes back out of the sums its original
// added to: the original's earner's given, its payer's received.
GivenReceived GivenReceivedBy(const Entry& entry, const Entry* original,
                              absl::string_view account_id);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_CORE_GIVEN_RECEIVED_H_
