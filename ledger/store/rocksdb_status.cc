#include "ledger/store/rocksdb_status.h"

#include <cstdio>
#include <cstdlib>
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

absl::Status OpenFailed(absl::string_view path, const rocksdb::Status& status) {
  if (status.IsCorruption()) {
    return Refuse(Reason::kStoreCorrupt,
                  absl::StrCat("the ledger at ", path, " is damaged: ", status.ToString()),
                  {{"path", std::string(path)}});
  }
  // RocksDB holds an flock on <store>/LOCK while a DB is open: another process has it open.
  if (status.IsIOError() && absl::StrContains(status.ToString(), "lock file")) {
    return Refuse(Reason::kStoreLocked,
                  absl::StrCat("the ledger at ", path,
                               " is in use by another timeledgerd (or another program); stop "
                               "it, or give this server another --data-dir"),
                  {{"path", std::string(path)}});
  }
  return Refuse(Reason::kStoreOpenFailed,
                absl::StrCat("cannot open the ledger at ", path, ": ", status.ToString()),
                {{"path", std::string(path)}});
}

}  // namespace timeledger::ledger
