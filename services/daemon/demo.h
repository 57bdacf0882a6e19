// The demo time bank that timeledgerd loads into an empty ledger with --demo: a community centre
// with a café, a handful of members, volunteers and staff, a catalogue of qualifications,
// activities and offers, an award with its reward, a course bought with credits, and a few weeks
// of exchanges, so that a new user has something to look at. Blocking; call before serving.
#ifndef TIMELEDGER_LEDGER_DEMO_H_
#define TIMELEDGER_LEDGER_DEMO_H_

#include "absl/status/status.h"

#include "ledger/engine/ledger.h"

namespace timeledger::ledger {

inline constexpr char kDemoBankId[] = "holy-cross";

// Loads the demo bank if the ledger has no bank at all; does nothing otherwise.
absl::Status LoadDemoBankIfEmpty(Ledger& ledger);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_DEMO_H_
