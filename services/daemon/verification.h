// What timeledgerd says about the state of a ledger: --verify-only, the full audit of a stopped
// ledger, and the report of the checks made when it opens one to serve (banks that did not
// verify and are served degraded, modes made private).
#ifndef TIMELEDGER_SERVICES_DAEMON_VERIFICATION_H_
#define TIMELEDGER_SERVICES_DAEMON_VERIFICATION_H_

#include <string>

#include "ledger/engine/ledger.h"

namespace timeledger::daemon {

// Verifies the ledger in `data_dir` (the server stopped) and prints the report on stdout.
// Returns the exit status: 0 if it is consistent, 1 if it is damaged or cannot be read.
int VerifyStopped(const std::string& data_dir);

// Brings the store in `data_dir` (the server stopped) up to the current layout, as a writable open
// does (ledger/store/keys.h), and prints what it did. Returns 0 if it is now current, 1 if there
// is no ledger, it is refused (copies that disagree, a newer layout) or it cannot be opened.
int MigrateStopped(const std::string& data_dir);

// Says what opening `ledger` (in `data_dir`) found: a warning on stderr for each degraded bank,
// and on stdout how many paths it made private.
void ReportOpenChecks(const ledger::Ledger& ledger, const std::string& data_dir);

}  // namespace timeledger::daemon

#endif  // TIMELEDGER_SERVICES_DAEMON_VERIFICATION_H_
