// Scheduled backups of timeledgerd (--backup-every): every period it makes an online backup of the
// whole ledger into the backup directory (Ledger::CreateBackup, which keeps the newest
// --backups-keep), then verifies the backup just written as timeledger-verify would (every hash
// chain, balance and zero sum recomputed from the backup's own files), and says on stdout which
// backup it made and that it verifies, or on stderr what failed. A backup that does not verify is
// kept (for whoever investigates) and reported; the next period tries again.
//
// Borrows the Ledger, which must outlive it; destroying it lets a backup in progress finish and
// stops the schedule.
#ifndef TIMELEDGER_SERVICES_DAEMON_BACKUP_SCHEDULER_H_
#define TIMELEDGER_SERVICES_DAEMON_BACKUP_SCHEDULER_H_

#include <memory>

#include "absl/time/time.h"

#include "ledger/core/worker.h"
#include "ledger/engine/ledger.h"

namespace timeledger::daemon {

// The shortest period accepted: a backup copies the whole ledger and verifies it.
inline constexpr absl::Duration kBackupEveryMin = absl::Seconds(1);

class BackupScheduler {
 public:
  // Backs up every `every`, the first time one period after now; never if `every` is zero.
  BackupScheduler(ledger::Ledger* ledger, absl::Duration every);

  // One backup and its verification, now. True if both succeeded.
  bool BackUpAndVerify();

 private:
  ledger::Ledger* ledger_;
  std::unique_ptr<ledger::Worker> worker_;  // null: no schedule
};

}  // namespace timeledger::daemon

#endif  // TIMELEDGER_SERVICES_DAEMON_BACKUP_SCHEDULER_H_
