// The token bootstrap of timeledgerd: the files in the data directory that hold the tokens a
// fresh installation needs before anyone can issue one. admin.token, made on first start, is how
// the first administrator gets in; with --demo, demo-kiosk.token is the demo kiosk's, which
// scripts/run.sh hands to timeledger-kiosk. Each file is mode 0600 and holds one bearer token.
#ifndef TIMELEDGER_SERVICES_DAEMON_TOKEN_FILES_H_
#define TIMELEDGER_SERVICES_DAEMON_TOKEN_FILES_H_

#include <string>

#include "ledger/engine/ledger.h"

namespace timeledger::daemon {

inline constexpr char kAdminTokenFile[] = "admin.token";
inline constexpr char kDemoKioskTokenFile[] = "demo-kiosk.token";
inline constexpr char kDemoKioskName[] = "kiosk-1";

// Makes sure DATA_DIR/admin.token (and with `demo`, if the demo bank exists,
// DATA_DIR/demo-kiosk.token) holds a live token of its principal, issuing and writing a new one
// if it is missing, no longer live, or another principal's. Says on stdout where the admin token
// is. Returns false, having said why on stderr, if a token could not be made or written.
bool EnsureTokenFiles(ledger::Ledger& ledger, const std::string& data_dir, bool demo);

}  // namespace timeledger::daemon

#endif  // TIMELEDGER_SERVICES_DAEMON_TOKEN_FILES_H_
