// timeledgerd --restore-from: a backup restored into an empty data directory and verified
// before anything may serve it.
#ifndef TIMELEDGER_SERVICES_DAEMON_RESTORE_H_
#define TIMELEDGER_SERVICES_DAEMON_RESTORE_H_

#include <cstdint>
#include <string>

namespace timeledger::daemon {

// Restores backup `backup_id` (0: the newest) of the backup directory `backup_dir` into
// `data_dir`, which must hold no ledger yet, verifies the copy and prints the report on stdout.
// Returns false, having said why on stderr, if it could not restore or the copy does not verify
// (it is then left beside the store for inspection, never served).
bool RestoreFrom(const std::string& backup_dir, uint32_t backup_id, const std::string& data_dir);

}  // namespace timeledger::daemon

#endif  // TIMELEDGER_SERVICES_DAEMON_RESTORE_H_
