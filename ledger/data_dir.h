// The ledger's directories on disk: the data directory and its backups are its owner's alone.
//
// The data directory holds the store (PIN hashes, card numbers, token digests), the token files
// and, by default, the backups. Every directory the ledger makes is 0700 and every file it finds
// is made 0600 (group and other bits cleared), whatever the process umask; timeledgerd sets umask
// 077 as well, so that RocksDB's new files are 0600 from the start.
//
// Functions of the file system only; thread-safe as far as the file system is. None follows a
// symbolic link below the directory it is given.
#ifndef TIMELEDGER_LEDGER_DATA_DIR_H_
#define TIMELEDGER_LEDGER_DATA_DIR_H_

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace timeledger::ledger {

inline constexpr mode_t kPrivateDirMode = 0700;
inline constexpr mode_t kPrivateFileMode = 0600;
// The store's directory inside a data directory.
inline constexpr char kStoreDirName[] = "ledger";

// Creates `dir` and any missing parents with mode 0700, and clears the group and other bits of
// `dir` itself if it exists. Unavailable (reason FILE_MODE) if it cannot.
absl::Status CreatePrivateDir(const std::string& dir);

// Clears the group and other permission bits of `dir` and of everything below it, so that
// directories are 0700 and files 0600 (symbolic links are neither followed nor changed). Returns
// how many paths it changed; Unavailable (reason FILE_MODE) if one cannot be read or changed.
absl::StatusOr<size_t> MakePrivate(const std::string& dir);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_DATA_DIR_H_
