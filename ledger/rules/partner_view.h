// What a partner is told of the entries it records: only what concerns its own account.
//
// A partner (ledger/rules/access.h) is an outside system, a cafe's till, bound to one organisation
// account. It reads only that account (docs/SECURITY.md), so the answers to the entries it
// records are cut down here, in one place, before they leave the ledger's side of a service:
// - a receipt keeps the entry (the partner named both accounts itself) and the partner's own
//   account's side: its balance after the entry, and the payer's figures only where the payer is
//   the partner; a warning about the other account keeps its reason and a plain message, no name
//   and no figures of that account;
// - a refusal keeps its code and stable reason, says it in a plain sentence that names no one
//   (OVERDRAFT_LIMIT: "the member does not have enough time for this") and keeps only the figures
//   of the request itself (attempted_minutes, and a batch item's index or a field's name).
// A refusal of a malformed request (INVALID_ARGUMENT) speaks only of the partner's own input and
// keeps its message; so does one of the partner's own rights (OUT_OF_SCOPE, PARTNER_SPEND_ONLY).
//
// Everyone else is told everything. Pure functions; thread-safe.
#ifndef TIMELEDGER_LEDGER_PARTNER_VIEW_H_
#define TIMELEDGER_LEDGER_PARTNER_VIEW_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "ledger/core/types.h"
#include "ledger/rules/access.h"

namespace timeledger::ledger {

// Returns `receipt` as `by` may see it: unchanged unless `by` is a partner.
Receipt ReceiptAsSeenBy(const Principal& by, Receipt receipt);

// Returns `refusal` as `by` may see it: unchanged unless `by` is a partner. OK stays OK.
absl::Status RefusalAsSeenBy(const Principal& by, const absl::Status& refusal);

// Either of the above, as the ledger's answer to a write is one or the other.
absl::StatusOr<Receipt> AsSeenBy(const Principal& by, absl::StatusOr<Receipt> result);

// The plain sentence a partner is told for a refusal with `reason` (a generic one for a reason
// without a sentence of its own).
const char* PlainReasonForPartner(absl::string_view reason);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_PARTNER_VIEW_H_
