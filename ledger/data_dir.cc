#include "ledger/data_dir.h"

#include <errno.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "ledger/errors.h"

namespace timeledger::ledger {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kGroupAndOtherBits = 077;

absl::Status ModeFailed(const fs::path& path, absl::string_view what, int error) {
  return Unavailable("FILE_MODE",
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

}  // namespace

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

}  // namespace timeledger::ledger
