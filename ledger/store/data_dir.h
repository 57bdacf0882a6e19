// The ledger's directories on disk: the data directory and its backups are its owner's alone,
// and backups go only where the operator said.
//
// The data directory holds the store (PIN hashes, card numbers, token digests), the token files
// and, by default, the backups. Every directory the ledger makes is 0700 and every file it finds
// is made 0600 (group and other bits cleared), whatever the process umask; timeledgerd sets umask
// 077 as well, so that RocksDB's new files are 0600 from the start.
//
// A backup is written only inside one backup directory (timeledgerd --backup-dir, default
// <data dir>/backups). A request names a directory relative to it, or an absolute one inside it;
// ResolveBackupDir refuses `..`, symbolic links anywhere below the backup directory, a path that
// is not a directory, and the live data directory.
//
// Functions of the file system only; thread-safe as far as the file system is. None follows a
// symbolic link below the directory it is given.
#ifndef TIMELEDGER_LEDGER_DATA_DIR_H_
#define TIMELEDGER_LEDGER_DATA_DIR_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include <sys/types.h>

namespace timeledger::ledger {

inline constexpr mode_t kPrivateDirMode = 0700;
inline constexpr mode_t kPrivateFileMode = 0600;
// Bytes of a backup directory named in a request, at most (Linux's PATH_MAX is 4096).
inline constexpr size_t kBackupDirLengthMax = 1024;
// Bytes of one folder name in it, at most (NAME_MAX).
inline constexpr size_t kBackupDirNameLengthMax = 255;
// The store's directory inside a data directory.
inline constexpr char kStoreDirName[] = "ledger";
// The default backup directory inside a data directory.
inline constexpr char kBackupDirName[] = "backups";

// The store directory of a ledger's data directory: <data_dir>/ledger, or data_dir itself if it
// is a store (holds a CURRENT file).
std::string StorePathOf(const std::string& data_dir);

// Creates `dir` and any missing parents with mode 0700, and clears the group and other bits of
// `dir` itself if it exists. Unavailable (reason FILE_MODE) if it cannot.
absl::Status CreatePrivateDir(const std::string& dir);

// Clears the group and other permission bits of `dir` and of everything below it, so that
// directories are 0700 and files 0600 (symbolic links are neither followed nor changed). Returns
// how many paths it changed; Unavailable (reason FILE_MODE) if one cannot be read or changed.
absl::StatusOr<size_t> MakePrivate(const std::string& dir);

// The absolute, symlink-free form of the backup directory `backup_dir` (<data_dir>/backups if
// empty) of the ledger in `data_dir`. InvalidArgument (INVALID_BACKUP_DIR) if it is the data
// directory, holds it, or lies inside its store.
absl::StatusOr<std::string> BackupRootOf(const std::string& data_dir,
                                         const std::string& backup_dir);

// Resolves `requested` (empty: `root` itself; relative: below `root`; absolute: must lie inside
// `root`) to an absolute directory inside `root`, the result of BackupRootOf. With `create`,
// makes the missing directories (mode 0700); without it, a missing one is NotFound
// (BACKUP_NOT_FOUND). Refusals are InvalidArgument, reason INVALID_BACKUP_DIR, with the figure
// `rule`: too_long (the path or one name in it), control_character, dot_dot, outside, data_dir,
// symlink, not_a_directory.
absl::StatusOr<std::string> ResolveBackupDir(const std::string& root, const std::string& data_dir,
                                             const std::string& requested, bool create);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_DATA_DIR_H_
