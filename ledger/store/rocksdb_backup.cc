#include "ledger/store/rocksdb_backup.h"

#include <algorithm>
#include <filesystem>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include <rocksdb/utilities/backup_engine.h>

#include "ledger/core/errors.h"
#include "ledger/store/rocksdb_status.h"

namespace timeledger::ledger {
namespace {

BackupInfo FromRocksBackup(const rocksdb::BackupInfo& info) {
  BackupInfo out;
  out.backup_id = info.backup_id;
  out.created_at = absl::FromUnixSeconds(info.timestamp);
  out.size_bytes = info.size;
  out.file_count = info.number_files;
  return out;
}

absl::Status BackupFailed(absl::string_view backup_dir, const rocksdb::Status& status) {
  if (status.IsCorruption()) {
    return Refuse(Reason::kBackupCorrupt,
                  absl::StrCat("the backup in ", backup_dir, " is damaged: ", status.ToString()),
                  {{"backup_dir", std::string(backup_dir)}});
  }
  return Refuse(
      Reason::kBackupFailed,
      absl::StrCat("cannot use the backup directory ", backup_dir, ": ", status.ToString()),
      {{"backup_dir", std::string(backup_dir)}});
}

// RocksDB wants absolute paths inside a backup directory.
std::string Absolute(const std::string& path) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenBackupsReadOnly(
    const std::string& given_dir) {
  const std::string backup_dir = Absolute(given_dir);
  if (!std::filesystem::is_directory(backup_dir)) {
    return Refuse(Reason::kBackupNotFound,
                  absl::StrCat("there is no backup directory ", backup_dir),
                  {{"backup_dir", backup_dir}});
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  auto status = rocksdb::BackupEngineReadOnly::Open(rocksdb::Env::Default(),
                                                    rocksdb::BackupEngineOptions(backup_dir), &raw);
  if (!status.ok()) return BackupFailed(backup_dir, status);
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(raw);
}

// Returns `backup_id`, or the newest backup's id if it is 0; NotFound if there is none.
absl::StatusOr<uint32_t> ChooseBackup(rocksdb::BackupEngineReadOnly& engine,
                                      const std::string& backup_dir, uint32_t backup_id) {
  std::vector<rocksdb::BackupInfo> infos;
  engine.GetBackupInfo(&infos);
  uint32_t newest = 0;
  for (const auto& info : infos) {
    if (info.backup_id == backup_id) return backup_id;
    newest = std::max(newest, info.backup_id);
  }
  if (backup_id == 0 && newest != 0) return newest;
  return Refuse(Reason::kBackupNotFound,
                backup_id == 0 ? absl::StrCat(backup_dir, " holds no backup")
                               : absl::StrCat(backup_dir, " holds no backup ", backup_id),
                {{"backup_dir", backup_dir}, {"backup_id", std::to_string(backup_id)}});
}

}  // namespace

absl::StatusOr<BackupInfo> CreateRocksDbBackup(rocksdb::DB* db, const std::string& given_dir,
                                               size_t keep) {
  const std::string backup_dir = Absolute(given_dir);
  std::error_code error;
  std::filesystem::create_directories(backup_dir, error);
  if (error) {
    return Refuse(Reason::kBackupFailed,
                  absl::StrCat("cannot create ", backup_dir, ": ", error.message()),
                  {{"backup_dir", backup_dir}});
  }
  rocksdb::BackupEngineOptions engine_options(backup_dir);
  engine_options.sync = true;
  rocksdb::BackupEngine* raw = nullptr;
  auto status = rocksdb::BackupEngine::Open(engine_options, rocksdb::Env::Default(), &raw);
  if (!status.ok()) return BackupFailed(backup_dir, status);
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  // The live WAL is copied with the table files, so unflushed commits are in the backup too.
  rocksdb::CreateBackupOptions create_options;
  create_options.flush_before_backup = false;
  rocksdb::BackupID backup_id = 0;
  status = engine->CreateNewBackup(create_options, db, &backup_id);
  if (!status.ok()) return BackupFailed(backup_dir, status);
  status = engine->PurgeOldBackups(static_cast<uint32_t>(std::max<size_t>(keep, 1)));
  if (!status.ok()) return BackupFailed(backup_dir, status);
  rocksdb::BackupInfo info;
  const rocksdb::Status read = engine->GetBackupInfo(backup_id, &info);
  if (!read.ok()) return BackupFailed(backup_dir, read);
  return FromRocksBackup(info);
}

absl::StatusOr<OpenedBackup> OpenRocksDbBackupInPlace(const StoreOptions& options,
                                                      rocksdb::Options db_options) {
  auto engine = OpenBackupsReadOnly(options.backup_dir);
  if (!engine.ok()) return engine.status();
  auto chosen = ChooseBackup(**engine, options.backup_dir, options.backup_id);
  if (!chosen.ok()) return chosen.status();
  rocksdb::BackupInfo info;
  auto status = (*engine)->GetBackupInfo(*chosen, &info, /*include_file_details=*/true);
  if (!status.ok()) return BackupFailed(options.backup_dir, status);
  db_options.env = info.env_for_open.get();
  db_options.create_if_missing = false;
  rocksdb::DB* raw = nullptr;
  status = rocksdb::DB::OpenForReadOnly(db_options, info.name_for_open, &raw);
  if (!status.ok()) return OpenFailed(options.backup_dir, status);
  return OpenedBackup{info.env_for_open, std::shared_ptr<rocksdb::DB>(raw)};
}

absl::StatusOr<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir) {
  auto engine = OpenBackupsReadOnly(backup_dir);
  if (!engine.ok()) return engine.status();
  std::vector<rocksdb::BackupInfo> infos;
  (*engine)->GetBackupInfo(&infos);
  std::vector<BackupInfo> backups;
  for (const auto& info : infos) backups.push_back(FromRocksBackup(info));
  return backups;
}

absl::Status RestoreBackup(const std::string& backup_dir, uint32_t backup_id,
                           const std::string& target_path) {
  if (std::filesystem::exists(std::filesystem::path(target_path) / "CURRENT")) {
    return Refuse(
        Reason::kRestoreTargetNotEmpty,
        absl::StrCat(target_path, " already holds a ledger; restore into an empty directory"),
        {{"path", target_path}});
  }
  auto engine = OpenBackupsReadOnly(backup_dir);
  if (!engine.ok()) return engine.status();
  auto chosen = ChooseBackup(**engine, backup_dir, backup_id);
  if (!chosen.ok()) return chosen.status();
  const std::string target = Absolute(target_path);
  auto status = (*engine)->RestoreDBFromBackup(rocksdb::RestoreOptions(), *chosen, target, target);
  if (!status.ok()) return BackupFailed(backup_dir, status);
  return absl::OkStatus();
}

}  // namespace timeledger::ledger
