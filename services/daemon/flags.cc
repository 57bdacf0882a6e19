#include "services/daemon/flags.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include <CLI/CLI.hpp>

#include "common/command_line.h"
#include "common/log.h"
#include "common/version.h"
#include "services/daemon/backup_scheduler.h"
#include "services/daemon/token_files.h"
#include "services/metrics_endpoint.h"
#include "services/tls.h"

namespace timeledger::daemon {
namespace {

constexpr char kDescription[] =
    "timeledgerd: the Timeledger server. Opens (or creates) the ledger in --data-dir, optionally "
    "loads the demo bank into an empty ledger and serves gRPC on --listen; on SIGTERM or SIGINT "
    "it finishes the calls in flight and closes the ledger cleanly.";

// A validator of decimal whole numbers from `low` to `high`: "takes <what> from <low> to <high>".
CLI::Validator NumberFrom(int64_t low, int64_t high, const std::string& what) {
  const std::string refusal = absl::StrCat("takes ", what, " from ", low, " to ", high);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        int64_t number = 0;
        if (absl::SimpleAtoi(text, &number) && number >= low && number <= high) return "";
        return refusal;
      },
      "");
}

// Adds `name` N, a decimal number checked by NumberFrom, stored into *out once checked. (Read
// here rather than by CLI11, which would take "010" as octal.)
template <typename Int>
CLI::Option* AddNumber(CLI::App& app, const std::string& name, Int* out, int64_t low, int64_t high,
                       const std::string& what, const std::string& help) {
  return app
      .add_option_function<std::string>(
          name, [out](const std::string& text) { (void)absl::SimpleAtoi(text, out); }, help)
      ->check(NumberFrom(low, high, what))
      ->type_name("N")
      ->default_str(std::to_string(*out));
}

void AddServingFlags(CLI::App& app, Flags* flags) {
  app.add_option("--listen", flags->listen, "where to serve gRPC")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  app.add_option("--tls-cert", flags->tls_cert,
                 "serve TLS with this PEM certificate (then any intermediates)")
      ->type_name("FILE");
  app.add_option("--tls-key", flags->tls_key, "the certificate's PEM private key, unencrypted")
      ->type_name("FILE");
  app.add_option("--tls-client-ca", flags->tls_client_ca,
                 "ask clients for a certificate and verify one presented against the PEM CAs "
                 "in FILE (partners' mTLS)")
      ->type_name("FILE");
  app.add_flag("--tls-require-client-cert", flags->tls_require_client_cert,
               "with --tls-client-ca: refuse clients without a valid certificate");
  app.add_flag("--insecure-plaintext", flags->insecure_plaintext,
               "allow plaintext on an address that is not loopback (127.0.0.0/8, [::1], "
               "localhost); without TLS, timeledgerd refuses to start there");
}

void AddMetricsFlags(CLI::App& app, Flags* flags) {
  app.add_option("--metrics-address", flags->metrics_address,
                 "serve Prometheus metrics (GET /metrics) on HOST:PORT, e.g. 127.0.0.1:9464; off "
                 "unless given. Loopback only (127.0.0.0/8, [::1], localhost) unless "
                 "--metrics-allow-remote")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            std::string why;
            return services::ParseHostPort(text, &why).has_value() ? "" : why;
          },
          ""))
      ->type_name("HOST:PORT");
  app.add_flag("--metrics-allow-remote", flags->metrics_allow_remote,
               "allow --metrics-address on an address other machines can reach: anyone who can "
               "connect then sees how busy the ledger is and why it may not serve");
}

// Nothing if the metrics address is allowed, or the status to exit with after saying why.
std::optional<int> CheckMetricsAddress(const Flags& flags) {
  if (flags.metrics_address.empty() || flags.metrics_allow_remote ||
      services::IsLoopbackAddress(flags.metrics_address)) {
    return std::nullopt;
  }
  std::cerr << "timeledgerd: --metrics-address " << flags.metrics_address
            << " is not a loopback address; listen on 127.0.0.1 (and let a local Prometheus or a "
               "proxy reach it), or add --metrics-allow-remote if the network is trusted\n"
            << "Run 'timeledgerd --help' for the options.\n";
  return kExitUsage;
}

void AddLedgerFlags(CLI::App& app, Flags* flags) {
  app.add_option("--data-dir", flags->data_dir,
                 "where the ledger lives; created if missing. It and everything in it are made "
                 "readable by timeledgerd's user only (0700 folders, 0600 files)")
      ->type_name("DIR")
      ->capture_default_str();
  app.add_option("--backup-dir", flags->backup_dir,
                 "the only directory CreateBackup writes to, and below (default "
                 "DATA_DIR/backups); not the data directory, nor inside its ledger")
      ->type_name("DIR");
  app.add_flag("--demo", flags->demo, "load the demo time bank if the ledger is empty");
  AddNumber(app, "--expiry-sweep-hours", &flags->expiry_sweep_hours, 0, 24 * 366,
            "a number of hours",
            "run the credit expiry sweep of every bank every N hours (0: never; only banks "
            "whose policy has expiry on)");
  AddNumber(app, "--backups-keep,--backup-keep", &flags->backups_keep, 1, 100'000, "a number",
            "backups kept (made by CreateBackup or --backup-every), older ones deleted");
  AddNumber(app, "--watch-streams-per-token", &flags->watch_streams_per_token, 1, 1000, "a number",
            "change feed (Audit.WatchJournal) streams one token may hold open at once");
  app.add_option_function<std::string>(
         "--backup-every",
         [flags](const std::string& text) {
           (void)absl::ParseDuration(text, &flags->backup_every);
         },
         "back up the whole ledger into the backup directory every DURATION (e.g. 24h, 6h, "
         "90m), and verify each backup after it is written; 0: never")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            absl::Duration every;
            if (absl::ParseDuration(text, &every) &&
                (every == absl::ZeroDuration() || every >= kBackupEveryMin)) {
              return "";
            }
            return "takes a duration of at least 1s, such as 24h, 90m or 30s, or 0 for never";
          },
          ""))
      ->type_name("DURATION")
      ->default_str("0");
  AddNumber(app, "--account-cache", &flags->account_cache, 1, 100'000'000, "a number of accounts",
            "accounts the writer keeps in memory (about 1 KB each); the others are read from the "
            "ledger when a write needs them, so memory does not grow with the number of accounts");
  AddNumber(app, "--read-account-cache", &flags->read_account_cache, 0, 100'000'000,
            "a number of accounts",
            "accounts kept for reads as the last synced writes left them (about 0.5 KB each), so "
            "that GetAccount answers from memory; the others are read from the ledger; 0: none");
  app.add_flag_callback(
      "--no-verify-on-start", [flags] { flags->verify_on_start = false; },
      "skip the check of every bank's journal since its last checkpoint when opening (the cheap "
      "checks of each bank's heads still run)");
  app.add_flag("--full-verify-on-start", flags->full_verify_on_start,
               "verify every bank in full before serving, not only what it wrote since its last "
               "checkpoint (a clean shutdown or check); `timeledger audit verify` does the same "
               "while serving");
  // Checked once both are read: a config file may say "= false" of either.
  app.final_callback([flags] {
    if (flags->full_verify_on_start && !flags->verify_on_start) {
      throw CLI::ValidationError("--full-verify-on-start",
                                 "asks for the full check that --no-verify-on-start skips; "
                                 "give one of them");
    }
  });
}

void AddOfflineFlags(CLI::App& app, Flags* flags) {
  // Each of these is a whole run of its own: one at a time.
  CLI::Option* verify_only =
      app.add_flag("--verify-only", flags->verify_only,
                   "verify the ledger in --data-dir with the server stopped, print the result and "
                   "exit (0: consistent, 1: damaged or unreadable)");
  CLI::Option* migrate =
      app.add_flag("--migrate", flags->migrate,
                   "bring the store in --data-dir (the server stopped) up to this timeledgerd's "
                   "layout, as starting the server would, print what was done and exit (0: done or "
                   "nothing to do, 1: refused or unreadable)");
  CLI::Option* restore_from =
      app.add_option("--restore-from", flags->restore_from,
                     "restore the newest backup of DIR (a backup directory) into --data-dir, "
                     "which must hold no ledger yet, verify the restored copy, and exit (0: "
                     "restored and verified; 1: not restored, or it does not verify)")
          ->type_name("DIR")
          ->excludes(verify_only)
          ->excludes(migrate);
  migrate->excludes(verify_only);
  app.add_flag("--serve", flags->serve_restored,
               "with --restore-from: serve the restored ledger once it verifies, instead of "
               "exiting")
      ->needs(restore_from);
  AddNumber(app, "--backup-id", &flags->backup_id, 1, 100'000, "a number",
            "with --restore-from: restore backup N instead of the newest")
      ->default_str("");
}

}  // namespace

std::optional<int> ParseFlags(int argc, char** argv, Flags* flags) {
  std::unique_ptr<CLI::App> app = common::NewCommandLine(kDescription, "timeledgerd");
  AddServingFlags(*app, flags);
  AddMetricsFlags(*app, flags);
  AddLedgerFlags(*app, flags);
  AddOfflineFlags(*app, flags);
  common::AddConfigFile(*app, "data-dir = \"/var/lib/timeledger\"");
  if (std::optional<int> exit = common::ParseCommandLine(*app, argc, argv)) return exit;
  return CheckMetricsAddress(*flags);
}

services::ServerOptions ServerOptionsOf(const Flags& flags) {
  services::ServerOptions options;
  options.listen_address = flags.listen;
  options.tls_cert_file = flags.tls_cert;
  options.tls_key_file = flags.tls_key;
  options.tls_client_ca_file = flags.tls_client_ca;
  options.tls_require_client_cert = flags.tls_require_client_cert;
  options.allow_insecure_plaintext = flags.insecure_plaintext;
  options.metrics_address = flags.metrics_address;
  options.feed.streams_per_token_max = flags.watch_streams_per_token;
  return options;
}

void LogStart(const Flags& flags) {
  const std::filesystem::path data_dir(flags.data_dir);
  common::LogLine(common::LogLevel::kInfo, "start")
      .Add("version", common::kVersion)
      .Add("pid", static_cast<int64_t>(getpid()))
      .Add("listen", flags.listen)
      .Add("data_dir", flags.data_dir)
      .Add("admin_token_file", (data_dir / kAdminTokenFile).string())
      .Add("demo", flags.demo)
      .Add("backup_dir",
           flags.backup_dir.empty() ? (data_dir / "backups").string() : flags.backup_dir)
      .Add("backup_every", absl::FormatDuration(flags.backup_every))
      .Add("backups_keep", static_cast<int64_t>(flags.backups_keep))
      .Add("watch_streams_per_token", static_cast<int64_t>(flags.watch_streams_per_token))
      .Add("expiry_sweep_hours", static_cast<int64_t>(flags.expiry_sweep_hours))
      .Add("verify_on_start", flags.verify_on_start)
      .Add("tls_cert", flags.tls_cert)
      .Add("tls_key", flags.tls_key)
      .Add("tls_client_ca", flags.tls_client_ca)
      .Add("tls_require_client_cert", flags.tls_require_client_cert)
      .Add("insecure_plaintext", flags.insecure_plaintext)
      .Add("metrics_address", flags.metrics_address.empty() ? "off" : flags.metrics_address)
      .Add("metrics_allow_remote", flags.metrics_allow_remote)
      .Add("account_cache", static_cast<int64_t>(flags.account_cache))
      .Add("read_account_cache", static_cast<int64_t>(flags.read_account_cache))
      .Write();
}

ledger::LedgerOptions LedgerOptionsOf(const Flags& flags) {
  ledger::LedgerOptions options;
  options.data_dir = flags.data_dir;
  options.verify_on_open = flags.verify_on_start;
  options.full_verify_on_open = flags.full_verify_on_start;
  options.account_cache_max = flags.account_cache;
  options.published_accounts_max = flags.read_account_cache;
  options.backups_keep = flags.backups_keep;
  options.backup_dir = flags.backup_dir;
  return options;
}

}  // namespace timeledger::daemon
