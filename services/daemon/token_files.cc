#include "services/daemon/token_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include <sys/stat.h>

#include "common/log.h"
#include "ledger/rules/access.h"
#include "services/daemon/demo.h"

namespace timeledger::daemon {
namespace {

// Writes `bearer` to `path` with mode 0600 (a new file, synced, then renamed over the old one).
absl::Status WriteTokenFile(const std::filesystem::path& path, const std::string& bearer) {
  const std::string temp = path.string() + ".new";
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return absl::UnavailableError(absl::StrCat("cannot write ", temp, ": ", strerror(errno)));
  const std::string line = bearer + "\n";
  const bool written = fchmod(fd, 0600) == 0 &&
                       write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                       fsync(fd) == 0;
  const int saved = errno;
  close(fd);
  if (!written || rename(temp.c_str(), path.c_str()) != 0) {
    unlink(temp.c_str());
    return absl::UnavailableError(
        absl::StrCat("cannot write ", path.string(), ": ", strerror(written ? errno : saved)));
  }
  return absl::OkStatus();
}

// Makes sure `path` holds a live token of `principal`: if it is missing, or its token is not live
// or is another principal's, issues a new one and writes it. Returns whether it wrote one.
absl::StatusOr<bool> EnsureTokenFile(ledger::Ledger& ledger, const std::filesystem::path& path,
                                     const ledger::Principal& principal) {
  std::ifstream in(path);
  std::string bearer;
  if (in && std::getline(in, bearer)) {
    auto holder = ledger.tokens().Authenticate(absl::StripAsciiWhitespace(bearer));
    if (holder.ok() && holder->name == principal.name && holder->role == principal.role &&
        holder->bank_id == principal.bank_id) {
      return false;
    }
  }
  ledger::Principal server;
  server.name = ledger::kServerPrincipal;
  server.role = ledger::PrincipalRole::kAdmin;
  auto issued = ledger.IssueToken(principal, server);
  if (!issued.ok()) return issued.status();
  if (auto s = WriteTokenFile(path, issued->bearer); !s.ok()) return s;
  return true;
}

// How the CLI finds the admin token at `path`: by itself only if it is ./var/admin.token of the
// directory the CLI runs in, which timeledgerd cannot know; so it names the default's condition.
std::string TokenFileHint(const std::filesystem::path& path) {
  std::error_code error;
  const auto here =
      std::filesystem::weakly_canonical(std::filesystem::path("var") / kAdminTokenFile, error);
  const auto there = std::filesystem::weakly_canonical(path, error);
  if (!error && here == there) return "the CLI run from this directory reads it by itself";
  return absl::StrCat("give it to the CLI with --token-file ", path.string(),
                      " or TIMELEDGER_TOKEN_FILE");
}

}  // namespace

bool EnsureTokenFiles(ledger::Ledger& ledger, const std::string& data_dir, bool demo) {
  const std::filesystem::path dir(data_dir);
  ledger::Principal admin;
  admin.name = "admin";
  admin.role = ledger::PrincipalRole::kAdmin;
  auto made = EnsureTokenFile(ledger, dir / kAdminTokenFile, admin);
  if (!made.ok()) {
    common::LogLine(common::LogLevel::kError, "token_file_failed")
        .Add("msg", absl::StrCat("cannot make the admin token: ", made.status().message()))
        .Write();
    return false;
  }
  std::cout << "timeledgerd: " << (*made ? "made an admin token; it is" : "the admin token is")
            << " in " << (dir / kAdminTokenFile).string() << " (mode 0600; "
            << TokenFileHint(dir / kAdminTokenFile) << ")" << std::endl;
  if (!demo || !ledger.GetBank(ledger::BankId(ledger::kDemoBankId)).ok()) return true;
  ledger::Principal kiosk;
  kiosk.name = kDemoKioskName;
  kiosk.role = ledger::PrincipalRole::kKiosk;
  kiosk.bank_id = ledger::kDemoBankId;
  made = EnsureTokenFile(ledger, dir / kDemoKioskTokenFile, kiosk);
  if (!made.ok()) {
    common::LogLine(common::LogLevel::kError, "token_file_failed")
        .Add("msg", absl::StrCat("cannot make the demo kiosk's token: ", made.status().message()))
        .Write();
    return false;
  }
  return true;
}

}  // namespace timeledger::daemon
