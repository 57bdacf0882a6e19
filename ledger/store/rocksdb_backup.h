// Backups of the RocksDB store (RocksDB's BackupEngine): making one, listing them, restoring
// one, and opening one in place. Store::CreateBackup, ListBackups and RestoreBackup (store.h)
// are these. Internal to ledger/store/.
#ifndef TIMELEDGER_LEDGER_STORE_ROCKSDB_BACKUP_H_
#define TIMELEDGER_LEDGER_STORE_ROCKSDB_BACKUP_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include <rocksdb/db.h>
#include <rocksdb/env.h>

#include "ledger/store/store.h"

namespace timeledger::ledger {

// Store::CreateBackup of `db`. Not thread-safe: the caller makes one backup at a time.
absl::StatusOr<BackupInfo> CreateRocksDbBackup(rocksdb::DB* db, const std::string& backup_dir,
                                               size_t keep);

// A backup opened in place, read-only: the instance and the Env it reads through, which must
// outlive it.
struct OpenedBackup {
  std::shared_ptr<rocksdb::Env> env;
  std::shared_ptr<rocksdb::DB> db;
};

// Opens backup options.backup_id (0: the newest) of options.backup_dir, read-only, with
// `db_options` (made for the store; its env is replaced by the backup's).
absl::StatusOr<OpenedBackup> OpenRocksDbBackupInPlace(const StoreOptions& options,
                                                      rocksdb::Options db_options);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_ROCKSDB_BACKUP_H_
