// The state checks of a bank's verification (verify.h): the stored accounts, open pending
// entries, policy, member cards and qualifications against the journal's model. Internal to
// ledger/verify/.
#ifndef TIMELEDGER_LEDGER_VERIFY_STATE_CHECKS_H_
#define TIMELEDGER_LEDGER_VERIFY_STATE_CHECKS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"

#include "ledger/store/store.h"
#include "ledger/verify/journal_walker.h"

namespace timeledger::ledger::verify_internal {

// Compares the stored accounts, open pending entries and policy with the journal's model, and
// sets *account_count to the accounts compared.
absl::Status CompareState(StoreReader& snapshot, const std::string& id,
                          const JournalWalker& journal, const Policy& stored_policy,
                          size_t* account_count);

}  // namespace timeledger::ledger::verify_internal

#endif  // TIMELEDGER_LEDGER_VERIFY_STATE_CHECKS_H_
