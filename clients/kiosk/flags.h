// The command line of timeledger-kiosk: the page's address, names and HTTPS files, and how it
// reaches timeledgerd. Parsed with CLI11, which also writes --help from the same description.
// Defaults that the environment may set ($TIMELEDGER_SERVER, $TIMELEDGER_TOKEN_FILE,
// $TIMELEDGER_TLS_*) are read when parsing.
#ifndef TIMELEDGER_CLIENTS_KIOSK_FLAGS_H_
#define TIMELEDGER_CLIENTS_KIOSK_FLAGS_H_

#include <optional>
#include <string>
#include <vector>

#include "clients/common/channel.h"

namespace timeledger::kiosk {

struct Flags {
  // The page.
  std::string listen = "127.0.0.1:8080";
  std::vector<std::string> hosts;  // empty: the --listen address and localhost
  std::string https_cert;
  std::string https_key;
  bool insecure_plaintext = false;
  // The ledger.
  std::string server;  // default $TIMELEDGER_SERVER, else 127.0.0.1:50051
  std::string bank = "holy-cross";
  std::string token_file;             // default $TIMELEDGER_TOKEN_FILE
  clients::ChannelSecurity security;  // defaults from $TIMELEDGER_TLS_*
};

// Exit status of a command line or setting that the kiosk does not accept.
inline constexpr int kExitUsage = 2;

// Parses argv into *flags. Returns nothing if the kiosk should go on, or the status to exit with
// at once: 0 after printing --help, kExitUsage after saying on stderr what is wrong, naming the
// flag.
std::optional<int> ParseFlags(int argc, char** argv, Flags* flags);

}  // namespace timeledger::kiosk

#endif  // TIMELEDGER_CLIENTS_KIOSK_FLAGS_H_
