#include "services/daemon/restore.h"

#include <iostream>

#include "ledger/store/data_dir.h"
#include "ledger/verify/verify.h"

namespace timeledger::daemon {

bool RestoreFrom(const std::string& backup_dir, uint32_t backup_id, const std::string& data_dir) {
  std::cout << "timeledgerd: restoring " << backup_dir << " into " << data_dir << std::endl;
  auto report = ledger::RestoreVerified(backup_dir, backup_id, data_dir);
  if (!report.ok()) {
    std::cerr << "timeledgerd: cannot restore: " << report.status().message() << "\n";
    return false;
  }
  std::cout << ledger::FormatVerifyReport(*report);
  if (!report->ok()) {
    std::cerr << "timeledgerd: the restored ledger does not verify; it is left in "
              << ledger::StorePathOf(data_dir)
              << ".restoring for inspection and will not be served\n";
    return false;
  }
  return true;
}

}  // namespace timeledger::daemon
