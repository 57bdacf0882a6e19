#include "ledger/store/rocksdb_status.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"

namespace timeledger::ledger {

void Invariant(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "timeledger store: invariant broken: %s\n", what);
  std::abort();
}

absl::Status FromRocks(const rocksdb::Status& status, RocksOp op) {
  if (status.ok()) return absl::OkStatus();
  const std::string detail = status.ToString();
  if (status.IsCorruption()) {
    return Refuse(Reason::kStoreCorrupt, absl::StrCat("the ledger's store is damaged: ", detail));
  }
  if (status.IsNoSpace()) {
    return Refuse(Reason::kStoreFull,
                  absl::StrCat("the ledger's disk is full; writes resume by themselves once "
                               "there is space again: ",
                               detail));
  }
  if (op == RocksOp::kWrite) {
    return Refuse(Reason::kStoreFailed,
                  absl::StrCat("the ledger's disk failed a write; writes resume by "
                               "themselves once it takes writes again: ",
                               detail));
  }
  return Refuse(Reason::kStoreUnavailable, absl::StrCat("the ledger's store failed: ", detail));
}

absl::Status Corrupt(absl::string_view what) {
  return Refuse(Reason::kCorruptRecord, absl::StrCat("a stored ", what, " is damaged"));
}

namespace {

// The process holding RocksDB's lock on <store>/LOCK (a POSIX record lock, which F_GETLK reports
// with its holder's pid), if it can be told.
std::optional<pid_t> LockHolder(absl::string_view store_path) {
  const std::string lock_file = absl::StrCat(store_path, "/LOCK");
  const int fd = open(lock_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock probe = {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  const bool asked = fcntl(fd, F_GETLK, &probe) == 0;
  close(fd);
  if (!asked || probe.l_type == F_UNLCK || probe.l_pid <= 0) return std::nullopt;
  return probe.l_pid;
}

}  // namespace

absl::Status OpenFailed(absl::string_view path, const rocksdb::Status& status) {
  if (status.IsCorruption()) {
    return Refuse(Reason::kStoreCorrupt,
                  absl::StrCat("the ledger at ", path, " is damaged: ", status.ToString()),
                  {{"path", std::string(path)}});
  }
  // RocksDB holds a POSIX record lock on <store>/LOCK while a DB is open: another process has
  // it open.
  if (status.IsIOError() && absl::StrContains(status.ToString(), "lock file")) {
    const std::optional<pid_t> holder = LockHolder(path);
    const std::string who = holder.has_value() ? absl::StrCat("another timeledgerd (pid ", *holder,
                                                              ", or another program with that pid)")
                                               : "another timeledgerd (or another program)";
    absl::Status locked = Refuse(Reason::kStoreLocked,
                                 absl::StrCat("the ledger at ", path, " is in use by ", who,
                                              "; stop it, or give this server another --data-dir"),
                                 {{"path", std::string(path)}});
    if (holder.has_value()) locked = WithFigure(locked, "pid", std::to_string(*holder));
    return locked;
  }
  return Refuse(Reason::kStoreOpenFailed,
                absl::StrCat("cannot open the ledger at ", path, ": ", status.ToString()),
                {{"path", std::string(path)}});
}

}  // namespace timeledger::ledger
