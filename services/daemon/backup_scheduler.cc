#include "services/daemon/backup_scheduler.h"

#include <chrono>
#include <iostream>

#include "absl/strings/str_cat.h"

#include "common/log.h"
#include "ledger/core/errors.h"
#include "ledger/verify/verify.h"

namespace timeledger::daemon {

BackupScheduler::BackupScheduler(ledger::Ledger* ledger, absl::Duration every) : ledger_(ledger) {
  if (every > absl::ZeroDuration()) {
    worker_ = std::make_unique<ledger::Worker>(
        /*waiting_max=*/0, absl::ToChronoMilliseconds(every), [this] { BackUpAndVerify(); });
  }
}

bool BackupScheduler::BackUpAndVerify() {
  const absl::Time started = absl::Now();
  auto made = ledger_->CreateBackup("");
  if (!made.ok()) {
    common::LogLine(common::LogLevel::kError, "backup_failed")
        .Add("reason", ledger::ReasonOf(made.status()))
        .Add("msg", absl::StrCat("scheduled backup failed: ", made.status().message()))
        .Write();
    return false;
  }
  ledger::StoreOptions backup;
  backup.backup_dir = made->dir;
  backup.backup_id = made->info.backup_id;
  const ledger::VerifyReport report = ledger::VerifyStoreOffline(backup);
  if (!report.ok()) {
    common::LogLine(common::LogLevel::kError, "backup_failed")
        .Add("backup_id", static_cast<int64_t>(made->info.backup_id))
        .Add("msg", absl::StrCat("scheduled backup ", made->info.backup_id, " in ", made->dir,
                                 " does NOT verify; it is kept for investigation: ",
                                 ledger::FormatVerifyReport(report)))
        .Write();
    return false;
  }
  std::cout << "timeledgerd: scheduled backup " << made->info.backup_id << " made in " << made->dir
            << " and verified (" << made->info.size_bytes << " bytes, "
            << absl::FormatDuration(absl::Trunc(absl::Now() - started, absl::Milliseconds(1)))
            << ")" << std::endl;
  return true;
}

}  // namespace timeledger::daemon
