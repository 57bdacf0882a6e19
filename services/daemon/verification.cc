#include "services/daemon/verification.h"

#include <iostream>

#include "absl/strings/str_cat.h"

#include "common/log.h"
#include "ledger/core/errors.h"
#include "ledger/store/data_dir.h"
#include "ledger/store/layout.h"
#include "ledger/verify/verify.h"

namespace timeledger::daemon {

int VerifyStopped(const std::string& data_dir) {
  ledger::StoreOptions options;
  options.path = ledger::StorePathOf(data_dir);
  const ledger::VerifyReport report = ledger::VerifyStoreOffline(options);
  std::cout << ledger::FormatVerifyReport(report);
  return report.ok() ? 0 : 1;
}

int MigrateStopped(const std::string& data_dir) {
  auto migration = ledger::MigrateStoreAt(ledger::StorePathOf(data_dir));
  if (!migration.ok()) {
    std::cerr << "timeledgerd: " << migration.status().message() << "\n";
    return 1;
  }
  if (migration->from_version == migration->to_version) {
    std::cout << "timeledgerd: " << data_dir << " already has layout version "
              << migration->to_version << "; nothing to do" << std::endl;
  } else {
    std::cout << "timeledgerd: migrated " << data_dir << " from layout version "
              << migration->from_version << " to " << migration->to_version << ": "
              << migration->entries_checked
              << " second copies of entries found equal to their journal facts and dropped ("
              << migration->bytes_dropped << " bytes)" << std::endl;
  }
  return 0;
}

void ReportOpenChecks(const ledger::Ledger& ledger, const std::string& data_dir) {
  for (const absl::Status& degraded : ledger.DegradedBanks()) {
    common::LogLine(common::LogLevel::kWarn, "bank_degraded")
        .Add("reason", ledger::ReasonOf(degraded))
        .Add("msg", absl::StrCat("warning: ", degraded.message()))
        .Write();
  }
  if (const size_t fixed = ledger.paths_made_private(); fixed > 0) {
    std::cout << "timeledgerd: " << data_dir
              << " was readable by other users; made it and what it holds private (0700 "
                 "folders, 0600 files): "
              << fixed << " changed" << std::endl;
  }
}

}  // namespace timeledger::daemon
