// The command line of timeledgerd: its flags, their defaults, and the options of the ledger and
// the server they make. Parsed with CLI11, which also writes --help from the same description.
#ifndef TIMELEDGER_SERVICES_DAEMON_FLAGS_H_
#define TIMELEDGER_SERVICES_DAEMON_FLAGS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"

#include "ledger/engine/audit.h"
#include "ledger/engine/ledger.h"
#include "services/server.h"

namespace timeledger::daemon {

struct Flags {
  std::string listen = "127.0.0.1:50051";
  std::string data_dir = "./var";
  bool demo = false;
  int expiry_sweep_hours = 24;
  bool verify_only = false;
  bool migrate = false;
  std::string restore_from;
  bool serve_restored = false;
  uint32_t backup_id = 0;  // 0: the newest
  size_t backups_keep = ledger::kBackupsKeptDefault;
  absl::Duration backup_every = absl::ZeroDuration();  // zero: no scheduled backups
  std::string backup_dir;                              // empty: DATA_DIR/backups
  bool verify_on_start = true;
  bool full_verify_on_start = false;
  size_t account_cache = ledger::LedgerOptions().account_cache_max;
  size_t read_account_cache = ledger::LedgerOptions().published_accounts_max;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  bool tls_require_client_cert = false;
  bool insecure_plaintext = false;
  std::string metrics_address;  // empty: no metrics endpoint
  bool metrics_allow_remote = false;
  size_t watch_streams_per_token = services::FeedOptions().streams_per_token_max;
};

// Exit status of a command line that timeledgerd does not understand.
inline constexpr int kExitUsage = 2;

// Parses argv into *flags. Returns nothing if timeledgerd should go on, or the status to exit with
// at once: 0 after printing --help to stdout, kExitUsage after saying on stderr what is wrong
// (an unknown argument, a flag without its value, a value out of range, a metrics address that is
// not loopback without --metrics-allow-remote), naming the flag.
std::optional<int> ParseFlags(int argc, char** argv, Flags* flags);

services::ServerOptions ServerOptionsOf(const Flags& flags);
ledger::LedgerOptions LedgerOptionsOf(const Flags& flags);

// Logs the "start" line (common/log.h): the version, the pid and every effective setting. Paths
// of token and TLS files, never what they hold.
void LogStart(const Flags& flags);

}  // namespace timeledger::daemon

#endif  // TIMELEDGER_SERVICES_DAEMON_FLAGS_H_
