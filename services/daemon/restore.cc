#include "services/daemon/restore.h"

#include <iostream>

#include "absl/strings/str_cat.h"

#include "common/log.h"
#include "ledger/core/errors.h"
#include "ledger/store/data_dir.h"
#include "ledger/verify/verify.h"

namespace timeledger::daemon {

bool RestoreFrom(const std::string& backup_dir, uint32_t backup_id, const std::string& data_dir) {
  std::cout << "timeledgerd: restoring " << backup_dir << " into " << data_dir << std::endl;
  auto report = ledger::RestoreVerified(backup_dir, backup_id, data_dir);
  if (!report.ok()) {
    common::LogLine(common::LogLevel::kError, "restore_failed")
        .Add("msg", absl::StrCat("cannot restore: ", report.status().message()))
        .Write();
    return false;
  }
  std::cout << ledger::FormatVerifyReport(*report);
  if (!report->ok()) {
    common::LogLine(common::LogLevel::kError, "restore_failed")
        .Add("msg", absl::StrCat("the restored ledger does not verify; it is left in ",
                                 ledger::StorePathOf(data_dir),
                                 ".restoring for inspection and will not be served"))
        .Write();
    return false;
  }
  return true;
}

}  // namespace timeledger::daemon
