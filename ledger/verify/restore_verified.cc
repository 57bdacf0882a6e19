// RestoreVerified (verify.h): a backup restored beside the data directory, verified, and only
// then put in place.
#include <filesystem>

#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "ledger/store/data_dir.h"
#include "ledger/verify/verify.h"

namespace timeledger::ledger {

absl::StatusOr<VerifyReport> RestoreVerified(const std::string& backup_dir, uint32_t backup_id,
                                             const std::string& data_dir) {
  const std::filesystem::path target = std::filesystem::path(data_dir) / kStoreDirName;
  const std::filesystem::path restoring = target.string() + ".restoring";
  std::error_code error;
  if (std::filesystem::exists(target / "CURRENT", error)) {
    return Refuse(
        Reason::kRestoreTargetNotEmpty,
        absl::StrCat(data_dir, " already holds a ledger; restore into a new data directory"),
        {{"data_dir", data_dir}});
  }
  if (auto s = CreatePrivateDir(data_dir); !s.ok()) return s;
  std::filesystem::remove_all(restoring, error);  // a restore that stopped halfway
  if (error) {
    return Refuse(Reason::kRestoreFailed,
                  absl::StrCat("cannot prepare ", restoring.string(), ": ", error.message()));
  }
  if (auto s = RestoreBackup(backup_dir, backup_id, restoring.string()); !s.ok()) return s;
  StoreOptions options;
  options.path = restoring.string();
  // A backup made by an older timeledgerd has an older layout: the restored copy (never served
  // yet) is brought up to date as a writable open does, then verified as it will be served.
  {
    auto migrated = OpenRocksDbStore(options);
    if (!migrated.ok()) return migrated.status();
  }
  // The restored files are as private as the ledger they came from, umask or not.
  if (auto made = MakePrivate(restoring.string()); !made.ok()) return made.status();
  VerifyReport report = VerifyStoreOffline(options);
  if (!report.ok()) return report;
  std::filesystem::remove_all(target, error);  // an empty directory at most (checked above)
  std::filesystem::rename(restoring, target, error);
  if (error) {
    return Refuse(Reason::kRestoreFailed, absl::StrCat("cannot move the restored ledger to ",
                                                       target.string(), ": ", error.message()));
  }
  return report;
}

}  // namespace timeledger::ledger
