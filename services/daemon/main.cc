// timeledgerd: the Timeledger server. Opens (or creates) the ledger in --data-dir, optionally
// loads the demo bank into an empty ledger, serves gRPC on --listen, and on SIGTERM or SIGINT
// stops taking calls, finishes those in flight, and closes the ledger cleanly.
//
// This file only wires the units of services/daemon/ together: flags, verification, restore,
// demo, token_files, expiry_sweeper and backup_scheduler.
#include <signal.h>

#include <cstring>
#include <iostream>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include <sys/stat.h>

#include "common/log.h"
#include "common/malloc_arenas.h"
#include "common/systemd_notify.h"
#include "ledger/engine/ledger.h"
#include "services/daemon/backup_scheduler.h"
#include "services/daemon/demo.h"
#include "services/daemon/expiry_sweeper.h"
#include "services/daemon/flags.h"
#include "services/daemon/restore.h"
#include "services/daemon/token_files.h"
#include "services/daemon/verification.h"
#include "services/server.h"
#include "services/tls.h"

namespace timeledger::daemon {
namespace {

// --restore-from, before anything is served. Returns the status to exit with, or nothing if the
// restored ledger is to be served (--serve).
std::optional<int> Restore(const Flags& flags) {
  if (!RestoreFrom(flags.restore_from, flags.backup_id, flags.data_dir)) return 1;
  if (flags.serve_restored) return std::nullopt;
  // A restore is not a second server: the one on --listen may well be running.
  std::cout << "timeledgerd: restored and verified into " << flags.data_dir
            << ". To serve it, stop the server that serves the old ledger (if any), then "
               "start: timeledgerd --data-dir "
            << flags.data_dir << std::endl;
  return 0;
}

// Logs a failure that stops timeledgerd (common/log.h), with the sentence a person reads.
void LogFailure(absl::string_view event, absl::string_view message) {
  common::LogLine(common::LogLevel::kError, event).Add("msg", message).Write();
}

// The ledger of --data-dir, open, with the demo bank (--demo) and the token files in place; null
// if it could not be made ready (said on stderr).
std::unique_ptr<ledger::Ledger> OpenLedger(const Flags& flags) {
  auto ledger = ledger::Ledger::Open(LedgerOptionsOf(flags));
  if (!ledger.ok()) {
    LogFailure("open_failed", ledger.status().message());
    return nullptr;
  }
  ReportOpenChecks(**ledger, flags.data_dir);
  if (flags.demo) {
    if (auto s = ledger::LoadDemoBankIfEmpty(**ledger); !s.ok()) {
      LogFailure("demo_failed", absl::StrCat("cannot load the demo bank: ", s.message()));
      return nullptr;
    }
  }
  if (!EnsureTokenFiles(**ledger, flags.data_dir, flags.demo)) return nullptr;
  return *std::move(ledger);
}

// Serves `ledger` until SIGTERM or SIGINT (blocked in every thread by the caller). Returns the
// exit status.
int Serve(const Flags& flags, ledger::Ledger* ledger, const sigset_t& stop_signals) {
  const services::ServerOptions server_options = ServerOptionsOf(flags);
  auto server = services::Server::Start(ledger, server_options);
  if (!server.ok()) {
    LogFailure("serve_failed", server.status().message());
    return 1;
  }
  std::cout << "timeledgerd listening on " << flags.listen << " (port " << (*server)->port()
            << ") over " << services::DescribeTransport(server_options) << ", ledger in "
            << flags.data_dir << std::endl;
  common::LogLine(common::LogLevel::kInfo, "serving")
      .Add("listen", flags.listen)
      .Add("port", static_cast<int64_t>((*server)->port()))
      .Add("transport", services::DescribeTransport(server_options))
      .Add("metrics_port", static_cast<int64_t>((*server)->metrics_port()))
      .Write();
  // Under systemd (Type=notify) the unit is started only now, when calls are answered.
  if (auto told = common::NotifySystemd(absl::StrCat("READY=1\nSTATUS=serving on ", flags.listen));
      !told.ok()) {
    common::LogLine(common::LogLevel::kWarn, "systemd_notify_failed")
        .Add("msg", told.message())
        .Write();
  }
  auto sweeper = std::make_unique<ExpirySweeper>(ledger, flags.expiry_sweep_hours);
  auto backups = std::make_unique<BackupScheduler>(ledger, flags.backup_every);
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cout << "timeledgerd: " << strsignal(signal_number) << " received; finishing calls in flight"
            << std::endl;
  const char* signal_name = sigabbrev_np(signal_number);
  common::LogLine(common::LogLevel::kInfo, "stopping")
      .Add("signal", absl::StrCat("SIG", signal_name == nullptr ? "?" : signal_name))
      .Write();
  common::NotifySystemd("STOPPING=1\nSTATUS=finishing calls in flight").IgnoreError();
  sweeper.reset();  // before the ledger goes; a backup in progress is finished first
  backups.reset();
  (*server)->Shutdown(absl::Seconds(10));
  return 0;
}

int Main(int argc, char** argv) {
  Flags flags;
  if (std::optional<int> exit = ParseFlags(argc, argv, &flags)) return *exit;
  if (flags.verify_only) return VerifyStopped(flags.data_dir);
  if (flags.migrate) return MigrateStopped(flags.data_dir);
  // A bad TLS file or a refused plaintext address stops here, before a restore or the
  // ledger's verification.
  if (auto checked = services::MakeServerCredentials(ServerOptionsOf(flags)); !checked.ok()) {
    LogFailure("start_refused", checked.status().message());
    return 1;
  }
  if (!flags.restore_from.empty()) {
    if (std::optional<int> exit = Restore(flags)) return *exit;
  }

  // Block the stop signals in every thread; Serve waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  LogStart(flags);
  std::unique_ptr<ledger::Ledger> ledger = OpenLedger(flags);
  if (ledger == nullptr) return 1;
  const int status = Serve(flags, ledger.get(), stop_signals);
  if (status != 0) return status;
  ledger.reset();  // drains the writer: every accepted write is committed or refused
  std::cout << "timeledgerd: stopped cleanly" << std::endl;
  common::LogLine(common::LogLevel::kInfo, "stop").Add("clean", true).Write();
  return 0;
}

}  // namespace
}  // namespace timeledger::daemon

int main(int argc, char** argv) {
  // Everything timeledgerd writes (the store's files, tokens, backups, a restored ledger) is its
  // user's alone: PIN hashes and card numbers are in there. Ledger::Open also fixes the modes of
  // what an older version or another umask left.
  umask(077);
  // Debian builds Abseil without NDEBUG, which leaves absl::Mutex's deadlock detection on: every
  // lock taken, the ledger's and gRPC's, would update one global lock-order graph, and a cycle
  // once seen in it would abort the server. The tests keep it on to find such a cycle; the server
  // does not pay for it (docs/PERFORMANCE.md, 5).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Malloc arenas by cores, not eight per core (common/malloc_arenas.h): less peak RSS.
  timeledger::common::LimitMallocArenas();
  return timeledger::daemon::Main(argc, argv);
}
