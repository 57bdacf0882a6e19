#include "ledger/store/data_dir.h"

#include <errno.h>

#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include <sys/stat.h>

#include "ledger/core/errors.h"

namespace timeledger::ledger {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kGroupAndOtherBits = 077;

absl::Status ModeFailed(const fs::path& path, absl::string_view what, int error) {
  return Refuse(Reason::kFileMode,
                absl::StrCat("cannot ", what, " ", path.string(), ": ", strerror(error)),
                {{"path", path.string()}});
}

// `path` in lexically normal form without a trailing separator ("/a/b/" -> "/a/b").
fs::path Normal(const fs::path& path) {
  fs::path normal = path.lexically_normal();
  if (!normal.has_filename() && normal.has_parent_path() && normal != normal.root_path()) {
    normal = normal.parent_path();
  }
  return normal;
}

// The absolute form of `path` with every symbolic link of its existing part resolved.
fs::path Canonical(const fs::path& path) {
  std::error_code error;
  fs::path absolute = fs::absolute(path, error);
  if (error) absolute = path;
  fs::path canonical = fs::weakly_canonical(absolute, error);
  return Normal(error ? absolute : canonical);
}

// Whether `path` is `base` or lies below it, component by component (both normal).
bool IsWithin(const fs::path& path, const fs::path& base) {
  auto p = path.begin();
  for (auto b = base.begin(); b != base.end(); ++b, ++p) {
    if (p == path.end() || *p != *b) return false;
  }
  return true;
}

absl::Status BadBackupDir(absl::string_view rule, absl::string_view message) {
  return Refuse(Reason::kInvalidBackupDir, message,
                {{"field", "dir"}, {"rule", std::string(rule)}});
}

// Why `target` may not hold backups of the ledger in `data_dir` (both canonical), or OK.
absl::Status CheckNotLive(const fs::path& target, const fs::path& data_dir,
                          absl::string_view shown) {
  if (target == data_dir || IsWithin(target, data_dir / kStoreDirName) ||
      IsWithin(data_dir, target)) {
    return BadBackupDir(
        "data_dir", absl::StrCat(shown,
                                 " is the live data directory, holds it or lies inside its store; "
                                 "backups go to a directory of their own"));
  }
  return absl::OkStatus();
}

// Makes the directory `path` (0700) unless it exists; refuses a symbolic link or a non-directory
// there. With !create a missing directory is NotFound.
absl::Status EnterDir(const fs::path& path, bool create, absl::string_view shown) {
  struct stat info;
  if (lstat(path.c_str(), &info) != 0) {
    if (errno != ENOENT) return ModeFailed(path, "read", errno);
    if (!create) {
      return Refuse(Reason::kBackupNotFound, absl::StrCat("there is no backup directory ", shown),
                    {{"backup_dir", path.string()}});
    }
    if (mkdir(path.c_str(), kPrivateDirMode) != 0 && errno != EEXIST) {
      return Refuse(Reason::kBackupFailed,
                    absl::StrCat("cannot create ", path.string(), ": ", strerror(errno)),
                    {{"backup_dir", path.string()}});
    }
    if (lstat(path.c_str(), &info) != 0) return ModeFailed(path, "read", errno);
  }
  if (S_ISLNK(info.st_mode)) {
    return BadBackupDir(
        "symlink", absl::StrCat(shown, " passes through the symbolic link ", EchoOf(path.string()),
                                "; backups do not follow links"));
  }
  if (!S_ISDIR(info.st_mode)) {
    return BadBackupDir("not_a_directory", absl::StrCat(shown, " names ", EchoOf(path.string()),
                                                        ", which is not a directory"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string StorePathOf(const std::string& data_dir) {
  const std::filesystem::path dir(data_dir);
  std::error_code error;
  if (std::filesystem::exists(dir / "CURRENT", error)) return data_dir;
  return (dir / kStoreDirName).string();
}

absl::Status CreatePrivateDir(const std::string& dir) {
  const fs::path path = Normal(dir);
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT) return ModeFailed(path, "read", errno);
    if (path.has_parent_path() && path.parent_path() != path) {
      if (auto s = CreatePrivateDir(path.parent_path().string()); !s.ok()) return s;
    }
    if (mkdir(path.c_str(), kPrivateDirMode) != 0 && errno != EEXIST) {
      return ModeFailed(path, "create", errno);
    }
    if (stat(path.c_str(), &info) != 0) return ModeFailed(path, "read", errno);
  }
  if (!S_ISDIR(info.st_mode)) return ModeFailed(path, "use as a directory", ENOTDIR);
  // Parents that existed keep their modes: they are the operator's.
  if ((info.st_mode & kGroupAndOtherBits) != 0 &&
      chmod(path.c_str(), info.st_mode & 07777 & ~kGroupAndOtherBits) != 0) {
    return ModeFailed(path, "change the mode of", errno);
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> MakePrivate(const std::string& dir) {
  size_t changed = 0;
  // A path gone meanwhile (RocksDB deletes obsolete files) is no error.
  auto make_private = [&changed](const fs::path& path, bool follow) -> absl::Status {
    struct stat info;
    if ((follow ? stat(path.c_str(), &info) : lstat(path.c_str(), &info)) != 0) {
      return errno == ENOENT ? absl::OkStatus() : ModeFailed(path, "read", errno);
    }
    if (S_ISLNK(info.st_mode) || (info.st_mode & kGroupAndOtherBits) == 0) {
      return absl::OkStatus();
    }
    if (chmod(path.c_str(), info.st_mode & 07777 & ~kGroupAndOtherBits) != 0) {
      return errno == ENOENT ? absl::OkStatus() : ModeFailed(path, "change the mode of", errno);
    }
    ++changed;
    return absl::OkStatus();
  };
  if (auto s = make_private(dir, /*follow=*/true); !s.ok()) return s;
  std::error_code error;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (auto s = make_private(it->path(), /*follow=*/false); !s.ok()) return s;
  }
  if (error && error != std::errc::no_such_file_or_directory) {
    return ModeFailed(dir, "read", error.value());
  }
  return changed;
}

absl::StatusOr<std::string> BackupRootOf(const std::string& data_dir,
                                         const std::string& backup_dir) {
  const fs::path data = Canonical(data_dir);
  const fs::path root = backup_dir.empty() ? data / kBackupDirName : Canonical(backup_dir);
  if (auto s = CheckNotLive(root, data, absl::StrCat("the backup directory ", root.string()));
      !s.ok()) {
    return s;
  }
  return root.string();
}

absl::StatusOr<std::string> ResolveBackupDir(const std::string& root_dir,
                                             const std::string& data_dir,
                                             const std::string& requested, bool create) {
  if (requested.size() > kBackupDirLengthMax) {
    return Refuse(Reason::kInvalidBackupDir,
                  absl::StrCat("a backup directory may be ", kBackupDirLengthMax,
                               " bytes long at most; ", "this one is ", requested.size()),
                  {{"field", "dir"},
                   {"rule", "too_long"},
                   {"length", std::to_string(requested.size())},
                   {"length_max", std::to_string(kBackupDirLengthMax)}});
  }
  const fs::path given(requested);
  for (const fs::path& part : given) {
    if (part.native().size() > kBackupDirNameLengthMax) {
      return Refuse(
          Reason::kInvalidBackupDir,
          absl::StrCat("a folder name in a backup directory may be ", kBackupDirNameLengthMax,
                       " bytes long at most; one is ", part.native().size()),
          {{"field", "dir"},
           {"rule", "too_long"},
           {"length", std::to_string(part.native().size())},
           {"length_max", std::to_string(kBackupDirNameLengthMax)}});
    }
  }
  for (unsigned char c : requested) {
    if (c < 0x20 || c == 0x7f) {
      return BadBackupDir("control_character",
                          "a backup directory may not hold control characters");
    }
  }
  const std::string shown = absl::StrCat("the backup directory ", EchoOf(requested));
  for (const fs::path& part : given) {
    if (part == "..") {
      return BadBackupDir(
          "dot_dot", absl::StrCat(shown, " climbs with '..'; name a directory inside ", root_dir));
    }
  }
  const fs::path root(root_dir);
  const fs::path target = requested.empty()     ? root
                          : given.is_absolute() ? Normal(given)
                                                : Normal(root / given);
  // The data directory as given and with its links resolved: a request may name either.
  std::error_code error;
  for (const fs::path& data : {Canonical(data_dir), Normal(fs::absolute(data_dir, error))}) {
    if (auto s = CheckNotLive(target, data, shown); !s.ok()) return s;
  }
  if (!IsWithin(target, root)) {
    return BadBackupDir("outside", absl::StrCat(shown, " is outside ", root_dir,
                                                "; name a directory inside it, or a path "
                                                "relative to it"));
  }
  // The root (made with its parents if missing: the operator chose it), then each directory
  // below it down to the target: none may be a link.
  struct stat info;
  if (create && lstat(root.c_str(), &info) != 0 && errno == ENOENT) {
    if (auto s = CreatePrivateDir(root_dir); !s.ok()) return s;
  }
  fs::path at = root;
  if (auto s = EnterDir(at, create, shown); !s.ok()) return s;
  if (create) {
    if (auto s = CreatePrivateDir(root_dir); !s.ok()) return s;  // a real directory: 0700
  }
  for (auto part = std::next(target.begin(), std::distance(root.begin(), root.end()));
       part != target.end(); ++part) {
    at /= *part;
    if (auto s = EnterDir(at, create, shown); !s.ok()) return s;
  }
  return target.string();
}

}  // namespace timeledger::ledger
