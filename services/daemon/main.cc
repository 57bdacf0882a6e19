// timeledgerd: the Timeledger server. Opens (or creates) the ledger in --data-dir, optionally
// loads the demo bank into an empty ledger, serves gRPC on --listen, and on SIGTERM or SIGINT
// stops taking calls, finishes those in flight, and closes the ledger cleanly.
#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ledger/rules/access.h"
#include "services/daemon/demo.h"
#include "ledger/engine/ledger.h"
#include "ledger/store/data_dir.h"
#include "ledger/verify/verify.h"
#include "services/server.h"
#include "services/tls.h"

namespace {

constexpr char kUsage[] =
    "usage: timeledgerd [--listen HOST:PORT] [--data-dir DIR] [--demo]\n"
    "                   [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE\n"
    "                    [--tls-require-client-cert]]] [--insecure-plaintext]\n"
    "\n"
    "  --listen HOST:PORT  where to serve gRPC (default 127.0.0.1:50051)\n"
    "  --tls-cert FILE     serve TLS with this PEM certificate (then any intermediates)\n"
    "  --tls-key FILE      the certificate's PEM private key, unencrypted\n"
    "  --tls-client-ca FILE  ask clients for a certificate and verify one presented against\n"
    "                      the PEM CAs in FILE (partners' mTLS)\n"
    "  --tls-require-client-cert  with --tls-client-ca: refuse clients without a valid\n"
    "                      certificate\n"
    "  --insecure-plaintext  allow plaintext on an address that is not loopback (127.0.0.0/8,\n"
    "                      [::1], localhost); without TLS, timeledgerd refuses to start there\n"
    "  --data-dir DIR      where the ledger lives; created if missing (default ./var). It and\n"
    "                      everything in it are made readable by timeledgerd's user only\n"
    "                      (0700 folders, 0600 files)\n"
    "  --backup-dir DIR    the only directory CreateBackup writes to, and below (default\n"
    "                      DATA_DIR/backups); not the data directory, nor inside its ledger\n"
    "  --demo              load the demo time bank if the ledger is empty\n"
    "  --expiry-sweep-hours N  run the credit expiry sweep of every bank every N hours\n"
    "                      (default 24; 0: never; only banks whose policy has expiry on)\n"
    "  --verify-only       verify the ledger in --data-dir with the server stopped, print the\n"
    "                      result and exit (0: consistent, 1: damaged or unreadable)\n"
    "  --restore-from DIR  restore the newest backup of DIR (a backup directory) into\n"
    "                      --data-dir, which must hold no ledger yet, verify the restored copy,\n"
    "                      and exit (0: restored and verified; 1: not restored, or it does not\n"
    "                      verify)\n"
    "  --serve             with --restore-from: serve the restored ledger once it verifies,\n"
    "                      instead of exiting\n"
    "  --backup-id N       with --restore-from: restore backup N instead of the newest\n"
    "  --backups-keep N    backups kept by CreateBackup, older ones deleted (default 10)\n"
    "  --no-verify-on-start  skip the full verification of every bank when opening (the\n"
    "                      cheap checks of each bank's heads still run)\n";

struct Flags {
  std::string listen = "127.0.0.1:50051";
  std::string data_dir = "./var";
  bool demo = false;
  int expiry_sweep_hours = 24;
  bool verify_only = false;
  std::string restore_from;
  bool serve_restored = false;
  uint32_t backup_id = 0;
  size_t backups_keep = timeledger::ledger::kBackupsKeptDefault;
  std::string backup_dir;  // empty: DATA_DIR/backups
  bool verify_on_start = true;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  bool tls_require_client_cert = false;
  bool insecure_plaintext = false;
};

// Returns false (having said why) if the arguments are not understood.
bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) {
        std::cerr << "timeledgerd: " << arg << " needs a value\n";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    if (arg == "--listen") {
      if (!value(&flags->listen)) return false;
    } else if (arg == "--data-dir") {
      if (!value(&flags->data_dir)) return false;
    } else if (arg == "--demo") {
      flags->demo = true;
    } else if (arg == "--expiry-sweep-hours") {
      std::string hours;
      if (!value(&hours)) return false;
      if (!absl::SimpleAtoi(hours, &flags->expiry_sweep_hours) || flags->expiry_sweep_hours < 0 ||
          flags->expiry_sweep_hours > 24 * 366) {
        std::cerr << "timeledgerd: --expiry-sweep-hours takes a number of hours from 0 to 8784\n";
        return false;
      }
    } else if (arg == "--verify-only") {
      flags->verify_only = true;
    } else if (arg == "--backup-dir") {
      if (!value(&flags->backup_dir)) return false;
    } else if (arg == "--restore-from") {
      if (!value(&flags->restore_from)) return false;
    } else if (arg == "--serve") {
      flags->serve_restored = true;
    } else if (arg == "--backup-id" || arg == "--backups-keep") {
      std::string number;
      uint32_t parsed = 0;
      if (!value(&number)) return false;
      if (!absl::SimpleAtoi(number, &parsed) || parsed == 0 || parsed > 100'000) {
        std::cerr << "timeledgerd: " << arg << " takes a number from 1 to 100000\n";
        return false;
      }
      if (arg == "--backup-id") {
        flags->backup_id = parsed;
      } else {
        flags->backups_keep = parsed;
      }
    } else if (arg == "--tls-cert") {
      if (!value(&flags->tls_cert)) return false;
    } else if (arg == "--tls-key") {
      if (!value(&flags->tls_key)) return false;
    } else if (arg == "--tls-client-ca") {
      if (!value(&flags->tls_client_ca)) return false;
    } else if (arg == "--tls-require-client-cert") {
      flags->tls_require_client_cert = true;
    } else if (arg == "--insecure-plaintext") {
      flags->insecure_plaintext = true;
    } else if (arg == "--no-verify-on-start") {
      flags->verify_on_start = false;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else {
      std::cerr << "timeledgerd: unknown argument " << arg << "\n" << kUsage;
      return false;
    }
  }
  return true;
}

timeledger::services::ServerOptions ServerOptionsOf(const Flags& flags) {
  timeledger::services::ServerOptions options;
  options.listen_address = flags.listen;
  options.tls_cert_file = flags.tls_cert;
  options.tls_key_file = flags.tls_key;
  options.tls_client_ca_file = flags.tls_client_ca;
  options.tls_require_client_cert = flags.tls_require_client_cert;
  options.allow_insecure_plaintext = flags.insecure_plaintext;
  return options;
}

// Runs every bank's expiry sweep every `hours` until stopped. A bank whose policy has expiry
// off is left alone by the sweep itself.
class ExpirySweeper {
 public:
  ExpirySweeper(timeledger::ledger::Ledger* ledger, int hours) : ledger_(ledger), hours_(hours) {
    if (hours_ > 0) thread_ = std::thread([this] { Loop(); });
  }
  ~ExpirySweeper() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::hours(hours_), [this] { return stopping_; })) {
      lock.unlock();
      SweepAll();
      lock.lock();
    }
  }

  void SweepAll() {
    std::string token;
    do {
      auto page = ledger_->ListBanks(0, token);
      if (!page.ok()) return;
      for (const auto& summary : page->items) {
        auto result = timeledger::ledger::Await<timeledger::ledger::ExpirySweepResult>(
            [&](auto done) {
              ledger_->RunExpirySweep(summary.bank.bank_id, "timeledgerd", std::move(done));
            });
        if (result.ok() && result->accounts_expired > 0) {
          std::cout << "timeledgerd: expiry sweep of " << summary.bank.bank_id << " returned "
                    << result->minutes_returned << " minutes from " << result->accounts_expired
                    << " accounts to the pool" << std::endl;
        }
      }
      token = page->next_page_token;
    } while (!token.empty());
  }

  timeledger::ledger::Ledger* ledger_;
  const int hours_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

// The files timeledgerd keeps tokens in, in the data directory: the admin's, made on first start,
// and with --demo the demo kiosk's, which scripts/run.sh hands to timeledger-kiosk.
constexpr char kAdminTokenFile[] = "admin.token";
constexpr char kDemoKioskTokenFile[] = "demo-kiosk.token";
constexpr char kDemoKioskName[] = "kiosk-1";

// Writes `bearer` to `path` with mode 0600 (a new file, synced, then renamed over the old one).
absl::Status WriteTokenFile(const std::filesystem::path& path, const std::string& bearer) {
  const std::string temp = path.string() + ".new";
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot write ", temp, ": ", strerror(errno)));
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
absl::StatusOr<bool> EnsureTokenFile(timeledger::ledger::Ledger& ledger,
                                     const std::filesystem::path& path,
                                     const timeledger::ledger::Principal& principal) {
  std::ifstream in(path);
  std::string bearer;
  if (in && std::getline(in, bearer)) {
    auto holder = ledger.tokens().Authenticate(absl::StripAsciiWhitespace(bearer));
    if (holder.ok() && holder->name == principal.name && holder->role == principal.role &&
        holder->bank_id == principal.bank_id) {
      return false;
    }
  }
  timeledger::ledger::Principal server;
  server.name = timeledger::ledger::kServerPrincipal;
  server.role = timeledger::ledger::PrincipalRole::kAdmin;
  auto issued = ledger.IssueToken(principal, server);
  if (!issued.ok()) return issued.status();
  if (auto s = WriteTokenFile(path, issued->bearer); !s.ok()) return s;
  return true;
}

// How the CLI finds the admin token at `path`: by itself only if it is ./var/admin.token of the
// directory the CLI runs in, which timeledgerd cannot know; so it names the default's condition.
std::string TokenFileHint(const std::filesystem::path& path) {
  std::error_code error;
  const auto here = std::filesystem::weakly_canonical(std::filesystem::path("var") / kAdminTokenFile, error);
  const auto there = std::filesystem::weakly_canonical(path, error);
  if (!error && here == there) return "the CLI run from this directory reads it by itself";
  return absl::StrCat("give it to the CLI with --token-file ", path.string(),
                      " or TIMELEDGER_TOKEN_FILE");
}

// The admin token on first start (and the demo kiosk's with --demo). False if it failed.
bool EnsureTokenFiles(timeledger::ledger::Ledger& ledger, const Flags& flags) {
  const std::filesystem::path dir(flags.data_dir);
  timeledger::ledger::Principal admin;
  admin.name = "admin";
  admin.role = timeledger::ledger::PrincipalRole::kAdmin;
  auto made = EnsureTokenFile(ledger, dir / kAdminTokenFile, admin);
  if (!made.ok()) {
    std::cerr << "timeledgerd: cannot make the admin token: " << made.status().message() << "\n";
    return false;
  }
  std::cout << "timeledgerd: " << (*made ? "made an admin token; it is" : "the admin token is")
            << " in " << (dir / kAdminTokenFile).string() << " (mode 0600; "
            << TokenFileHint(dir / kAdminTokenFile) << ")" << std::endl;
  if (!flags.demo || !ledger.GetBank(timeledger::ledger::kDemoBankId).ok()) return true;
  timeledger::ledger::Principal kiosk;
  kiosk.name = kDemoKioskName;
  kiosk.role = timeledger::ledger::PrincipalRole::kKiosk;
  kiosk.bank_id = timeledger::ledger::kDemoBankId;
  made = EnsureTokenFile(ledger, dir / kDemoKioskTokenFile, kiosk);
  if (!made.ok()) {
    std::cerr << "timeledgerd: cannot make the demo kiosk's token: " << made.status().message()
              << "\n";
    return false;
  }
  return true;
}

// --verify-only: the offline audit of a stopped ledger. Returns the exit code.
int VerifyOnly(const Flags& flags) {
  timeledger::ledger::StoreOptions options;
  options.path = timeledger::ledger::StorePathOf(flags.data_dir);
  const timeledger::ledger::VerifyReport report =
      timeledger::ledger::VerifyStoreOffline(options);
  std::cout << timeledger::ledger::FormatVerifyReport(report);
  return report.ok() ? 0 : 1;
}

// --restore-from: restores and verifies before anything is served. Returns false if it failed.
bool RestoreFrom(const Flags& flags) {
  std::cout << "timeledgerd: restoring " << flags.restore_from << " into " << flags.data_dir
            << std::endl;
  auto report =
      timeledger::ledger::RestoreVerified(flags.restore_from, flags.backup_id, flags.data_dir);
  if (!report.ok()) {
    std::cerr << "timeledgerd: cannot restore: " << report.status().message() << "\n";
    return false;
  }
  std::cout << timeledger::ledger::FormatVerifyReport(*report);
  if (!report->ok()) {
    std::cerr << "timeledgerd: the restored ledger does not verify; it is left in "
              << timeledger::ledger::StorePathOf(flags.data_dir)
              << ".restoring for inspection and will not be served\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // Everything timeledgerd writes (the store's files, tokens, backups, a restored ledger) is its
  // user's alone: PIN hashes and card numbers are in there. Ledger::Open also fixes the modes of
  // what an older version or another umask left.
  umask(077);
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) return 2;
  if (flags.verify_only) return VerifyOnly(flags);
  const timeledger::services::ServerOptions server_options = ServerOptionsOf(flags);
  // A bad TLS file or a refused plaintext address stops here, before a restore or the
  // ledger's verification.
  if (auto checked = timeledger::services::MakeServerCredentials(server_options); !checked.ok()) {
    std::cerr << "timeledgerd: " << checked.status().message() << "\n";
    return 1;
  }
  if (flags.serve_restored && flags.restore_from.empty()) {
    std::cerr << "timeledgerd: --serve goes with --restore-from\n";
    return 2;
  }
  if (!flags.restore_from.empty()) {
    if (!RestoreFrom(flags)) return 1;
    if (!flags.serve_restored) {
      // A restore is not a second server: the one on --listen may well be running.
      std::cout << "timeledgerd: restored and verified into " << flags.data_dir
                << ". To serve it, stop the server that serves the old ledger (if any), then "
                   "start: timeledgerd --data-dir "
                << flags.data_dir << std::endl;
      return 0;
    }
  }

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  timeledger::ledger::LedgerOptions options;
  options.data_dir = flags.data_dir;
  options.verify_on_open = flags.verify_on_start;
  options.backups_keep = flags.backups_keep;
  options.backup_dir = flags.backup_dir;
  auto ledger = timeledger::ledger::Ledger::Open(options);
  if (!ledger.ok()) {
    std::cerr << "timeledgerd: " << ledger.status().message() << "\n";
    return 1;
  }
  for (const absl::Status& degraded : (*ledger)->DegradedBanks()) {
    std::cerr << "timeledgerd: warning: " << degraded.message() << "\n";
  }
  if (const size_t fixed = (*ledger)->paths_made_private(); fixed > 0) {
    std::cout << "timeledgerd: " << flags.data_dir
              << " was readable by other users; made it and what it holds private (0700 "
                 "folders, 0600 files): "
              << fixed << " changed" << std::endl;
  }
  if (flags.demo) {
    if (auto s = timeledger::ledger::LoadDemoBankIfEmpty(**ledger); !s.ok()) {
      std::cerr << "timeledgerd: cannot load the demo bank: " << s.message() << "\n";
      return 1;
    }
  }
  if (!EnsureTokenFiles(**ledger, flags)) return 1;
  auto server = timeledger::services::Server::Start(ledger->get(), server_options);
  if (!server.ok()) {
    std::cerr << "timeledgerd: " << server.status().message() << "\n";
    return 1;
  }
  std::cout << "timeledgerd listening on " << flags.listen << " (port " << (*server)->port()
            << ") over " << timeledger::services::DescribeTransport(server_options)
            << ", ledger in " << flags.data_dir << std::endl;

  auto sweeper = std::make_unique<ExpirySweeper>(ledger->get(), flags.expiry_sweep_hours);
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  sweeper.reset();  // before the ledger goes
  std::cout << "timeledgerd: " << strsignal(signal_number)
            << " received; finishing calls in flight" << std::endl;
  (*server)->Shutdown(absl::Seconds(10));
  server->reset();
  ledger->reset();  // drains the writer: every accepted write is committed or refused
  std::cout << "timeledgerd: stopped cleanly" << std::endl;
  return 0;
}
