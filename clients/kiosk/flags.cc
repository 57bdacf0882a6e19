#include "clients/kiosk/flags.h"

#include <cstdlib>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "common/command_line.h"

namespace timeledger::kiosk {
namespace {

constexpr char kDescription[] =
    "timeledger-kiosk: the member kiosk. Serves one page and its JSON calls (a touch screen's "
    "browser in kiosk mode opens it) and asks timeledgerd over gRPC. The page is served over "
    "plain HTTP only on loopback, unless --insecure-plaintext; otherwise over HTTPS.";

std::string FromEnvironment(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

void AddPageFlags(CLI::App& app, Flags* flags) {
  app.add_option("--listen", flags->listen, "where the page is served")
      ->type_name("HOST:PORT")
      ->capture_default_str()
      ->group("The page");
  app.add_option("--host", flags->hosts,
                 "a name (or address) the touch screen's browser opens the page by; only "
                 "requests to these are answered. Repeat for more. Without a port, the one of "
                 "--listen. Default: the --listen address and localhost")
      ->type_name("NAME[:PORT]")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->group("The page");
  app.add_option("--https-cert", flags->https_cert,
                 "serve HTTPS with this PEM certificate (then any intermediates)")
      ->type_name("FILE")
      ->group("The page");
  app.add_option("--https-key", flags->https_key, "its unencrypted PEM private key")
      ->type_name("FILE")
      ->group("The page");
  app.add_flag("--insecure-plaintext", flags->insecure_plaintext,
               "serve plain HTTP on an address that is not loopback (127.0.0.0/8, [::1]); "
               "without HTTPS, the kiosk refuses to start there")
      ->group("The page");
}

void AddLedgerFlags(CLI::App& app, Flags* flags) {
  app.add_option("--server", flags->server,
                 "timeledgerd's gRPC address (default $TIMELEDGER_SERVER or 127.0.0.1:50051)")
      ->type_name("HOST:PORT")
      ->group("The ledger");
  app.add_option("--bank", flags->bank, "the bank whose members sign in here")
      ->type_name("BANK")
      ->capture_default_str()
      ->group("The ledger");
  app.add_option("--token-file", flags->token_file,
                 "the file holding this kiosk's token, a kiosk principal of the bank (default "
                 "$TIMELEDGER_TOKEN_FILE; make one with 'timeledger token create --role kiosk "
                 "--bank BANK --name NAME --out FILE')")
      ->type_name("FILE")
      ->group("The ledger");
  app.add_flag("--tls", flags->security.tls,
               "talk TLS to timeledgerd, checking its certificate against the system's CAs")
      ->group("The ledger");
  app.add_option("--tls-ca", flags->security.ca_file,
                 "talk TLS, trusting the PEM CAs in FILE (default $TIMELEDGER_TLS_CA)")
      ->type_name("FILE")
      ->group("The ledger");
  app.add_option("--tls-cert", flags->security.cert_file,
                 "present this PEM client certificate to timeledgerd ($TIMELEDGER_TLS_CERT)")
      ->type_name("FILE")
      ->group("The ledger");
  app.add_option("--tls-key", flags->security.key_file,
                 "its PEM private key (default $TIMELEDGER_TLS_KEY)")
      ->type_name("FILE")
      ->group("The ledger");
}

}  // namespace

std::optional<int> ParseFlags(int argc, char** argv, Flags* flags) {
  flags->server = FromEnvironment("TIMELEDGER_SERVER", "127.0.0.1:50051");
  flags->token_file = FromEnvironment("TIMELEDGER_TOKEN_FILE", "");
  flags->security = clients::ChannelSecurityFromEnvironment();

  std::unique_ptr<CLI::App> app = common::NewCommandLine(kDescription, "timeledger-kiosk");
  AddPageFlags(*app, flags);
  AddLedgerFlags(*app, flags);
  common::AddConfigFile(*app, "bank = \"holy-cross\"");
  return common::ParseCommandLine(*app, argc, argv);
}

}  // namespace timeledger::kiosk
