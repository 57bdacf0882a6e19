// timeledger-kiosk: the member kiosk. Serves one page and its JSON calls (a touch screen's
// browser in kiosk mode opens it) and asks timeledgerd over gRPC.
//
//   timeledger-kiosk [--listen 127.0.0.1:8080] [--host NAME[:PORT]]...
//                    [--https-cert FILE --https-key FILE] [--insecure-plaintext]
//                    [--server 127.0.0.1:50051] [--bank holy-cross] --token-file FILE
//                    [--tls] [--tls-ca FILE] [--tls-cert FILE --tls-key FILE]
//
// The page is served over plain HTTP only on loopback, unless --insecure-plaintext; otherwise over
// HTTPS. Only requests to an allowed host name, and changes only from an allowed origin, are
// answered (clients/kiosk/host_guard.h). Every setting is checked before anything listens.
//
// SIGINT or SIGTERM stops it. A ledger that is down is not an error: the page says so calmly and
// the kiosk goes on trying.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <stdexcept>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "clients/common/channel.h"
#include "clients/kiosk/host_guard.h"
#include "clients/kiosk/http_server.h"
#include "clients/kiosk/kiosk_api.h"
#include "clients/kiosk/page_html.h"
#include "clients/kiosk/transport.h"

namespace {

constexpr int kServerThreads = 4;

void Usage() {
  std::fputs(
      "usage: timeledger-kiosk [--listen HOST:PORT] [--host NAME[:PORT]]...\n"
      "                        [--https-cert FILE --https-key FILE] [--insecure-plaintext]\n"
      "                        [--server HOST:PORT] [--bank BANK] --token-file FILE\n"
      "                        [--tls] [--tls-ca FILE] [--tls-cert FILE --tls-key FILE]\n"
      "The page:\n"
      "  --listen    where the page is served (default 127.0.0.1:8080)\n"
      "  --host      a name (or address) the touch screen's browser opens the page by; only\n"
      "              requests to these are answered. Repeat for more. Without a port, the one\n"
      "              of --listen. Default: the --listen address and localhost\n"
      "  --https-cert  serve HTTPS with this PEM certificate (then any intermediates)\n"
      "  --https-key   its unencrypted PEM private key\n"
      "  --insecure-plaintext  serve plain HTTP on an address that is not loopback (127.0.0.0/8,\n"
      "              [::1]); without HTTPS, the kiosk refuses to start there\n"
      "The ledger:\n"
      "  --server    timeledgerd's gRPC address (default $TIMELEDGER_SERVER or 127.0.0.1:50051)\n"
      "  --bank      the bank whose members sign in here (default holy-cross)\n"
      "  --token-file  the file holding this kiosk's token, a kiosk principal of the bank\n"
      "              (default $TIMELEDGER_TOKEN_FILE; make one with 'timeledger token create\n"
      "              --role kiosk --bank BANK --name NAME --out FILE')\n"
      "  --tls       talk TLS to timeledgerd, checking its certificate against the system's CAs\n"
      "  --tls-ca    talk TLS, trusting the PEM CAs in FILE (default $TIMELEDGER_TLS_CA)\n"
      "  --tls-cert  present this PEM client certificate to timeledgerd ($TIMELEDGER_TLS_CERT)\n"
      "  --tls-key   its PEM private key (default $TIMELEDGER_TLS_KEY)\n",
      stderr);
}

// Splits "HOST:PORT" or "[IPV6]:PORT"; the host keeps its brackets.
bool SplitHostPort(const std::string& address, std::string* host, unsigned short* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  *host = address.substr(0, colon);
  int value = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &value) || value < 0 || value > 65535) {
    return false;
  }
  *port = static_cast<unsigned short>(value);
  return !host->empty();
}

// What the command line says; options with one value are in `values`.
struct Flags {
  std::map<std::string, std::string> values;
  std::vector<std::string> hosts;
  bool tls = false;
  bool insecure_plaintext = false;
};

// Parses argv into `flags`; false (after a message) for an unknown or incomplete option.
bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--tls") {
      flags->tls = true;
    } else if (arg == "--insecure-plaintext") {
      flags->insecure_plaintext = true;
    } else if (arg == "--host" && i + 1 < argc) {
      flags->hosts.push_back(argv[++i]);
    } else if (arg.rfind("--", 0) == 0 && flags->values.count(arg.substr(2)) != 0 &&
               i + 1 < argc) {
      flags->values[arg.substr(2)] = argv[++i];
    } else {
      std::fprintf(stderr, "timeledger-kiosk: unknown or incomplete option %s\n", arg.c_str());
      return false;
    }
  }
  return true;
}

bool IsWildcardHost(const std::string& host) {
  return host == "0.0.0.0" || host == "[::]" || host == "::";
}

// The address to bind: the host without IPv6 brackets.
std::string BindAddress(const std::string& host) {
  absl::string_view address = host;
  if (absl::ConsumePrefix(&address, "[")) absl::ConsumeSuffix(&address, "]");
  return std::string(address);
}

// Checks the page's transport before anything listens: the TLS context to serve with, or null
// for plain HTTP. False (after a message) if the files are wrong or plain HTTP is not allowed.
// `ledger_cert` says whether a client certificate towards timeledgerd was given, which an
// operator may have meant for the page.
bool PageTransport(const timeledger::kiosk::TransportOptions& transport, bool ledger_cert,
                   std::shared_ptr<boost::asio::ssl::context>* tls) {
  if (transport.UsesTls()) {
    auto context = timeledger::kiosk::MakeTlsContext(transport);
    if (!context.ok()) {
      std::fprintf(stderr, "timeledger-kiosk: %s\n",
                   std::string(context.status().message()).c_str());
      return false;
    }
    *tls = *std::move(context);
    return true;
  }
  if (auto allowed = timeledger::kiosk::CheckPlaintextAllowed(transport); !allowed.ok()) {
    std::fprintf(stderr, "timeledger-kiosk: %s\n", std::string(allowed.message()).c_str());
    if (ledger_cert) {
      std::fputs("timeledger-kiosk: (--tls-cert and --tls-key are the kiosk's certificate towards "
                 "timeledgerd; the page's are --https-cert and --https-key)\n",
                 stderr);
    }
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  timeledger::clients::ChannelSecurity security =
      timeledger::clients::ChannelSecurityFromEnvironment();
  Flags flags;
  flags.values = {
      {"listen", "127.0.0.1:8080"},
      {"server", std::getenv("TIMELEDGER_SERVER") != nullptr ? std::getenv("TIMELEDGER_SERVER")
                                                            : "127.0.0.1:50051"},
      {"bank", "holy-cross"},
      {"token-file", std::getenv("TIMELEDGER_TOKEN_FILE") != nullptr
                         ? std::getenv("TIMELEDGER_TOKEN_FILE")
                         : ""},
      {"tls-ca", security.ca_file},
      {"tls-cert", security.cert_file},
      {"tls-key", security.key_file},
      {"https-cert", ""},
      {"https-key", ""},
  };
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      Usage();
      return 0;
    }
  }
  if (!ParseFlags(argc, argv, &flags)) {
    Usage();
    return 2;
  }
  std::map<std::string, std::string>& values = flags.values;
  std::string host;
  unsigned short port = 0;
  if (!SplitHostPort(values["listen"], &host, &port)) {
    std::fprintf(stderr, "timeledger-kiosk: --listen needs HOST:PORT, got %s\n",
                 values["listen"].c_str());
    return 2;
  }
  security.tls = flags.tls;
  security.ca_file = values["tls-ca"];
  security.cert_file = values["tls-cert"];
  security.key_file = values["tls-key"];

  // The page's transport and hosts are checked first: nothing listens with a wrong setting.
  timeledger::kiosk::TransportOptions transport{.listen_host = host,
                                                .listen = values["listen"],
                                                .cert_file = values["https-cert"],
                                                .key_file = values["https-key"],
                                                .allow_insecure_plaintext =
                                                    flags.insecure_plaintext};
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (!PageTransport(transport, !security.cert_file.empty(), &tls)) return 2;
  if (IsWildcardHost(host) && flags.hosts.empty()) {
    std::fprintf(stderr,
                 "timeledger-kiosk: --listen %s serves other machines, but they would be refused "
                 "by every name but localhost: give --host NAME, the name or address that the "
                 "touch screen opens the page by\n",
                 values["listen"].c_str());
    return 2;
  }
  if (auto checked = timeledger::kiosk::HostGuard::Make(flags.hosts, host, port, tls != nullptr);
      !checked.ok()) {
    std::fprintf(stderr, "timeledger-kiosk: %s\n", std::string(checked.status().message()).c_str());
    return 2;
  }

  // Signals are taken by one thread with sigwait; every other thread has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  timeledger::kiosk::KioskOptions options;
  options.bank_id = values["bank"];
  options.token_file = values["token-file"];
  if (options.token_file.empty()) {
    std::fputs("timeledger-kiosk: give --token-file FILE, the kiosk's token\n", stderr);
    Usage();
    return 2;
  }
  options.page_html = timeledger::kiosk::PageHtml();
  grpc::ChannelArguments channel_args;
  // Reconnect soon after the ledger comes back, so that the page recovers by itself.
  channel_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  channel_args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
  channel_args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 500);
  auto channel = timeledger::clients::MakeChannel(values["server"], security, channel_args);
  if (!channel.ok()) {
    std::fprintf(stderr, "timeledger-kiosk: %s\n", std::string(channel.status().message()).c_str());
    return 2;
  }
  timeledger::kiosk::KioskApi api(*std::move(channel), std::move(options));
  try {
    // The guard needs the port actually bound (--listen HOST:0 picks one), and is set before
    // Run(): no request is handled until then.
    timeledger::kiosk::Handler guarded;
    timeledger::kiosk::HttpServer server(
        BindAddress(host), port,
        [&guarded](const timeledger::kiosk::Request& r) { return guarded(r); }, kServerThreads,
        tls);
    auto guard = timeledger::kiosk::HostGuard::Make(flags.hosts, host, server.port(),
                                                    tls != nullptr);
    if (!guard.ok()) throw std::runtime_error(std::string(guard.status().message()));
    const std::string origins = guard->Describe();
    guarded = timeledger::kiosk::Guarded(
        std::make_shared<const timeledger::kiosk::HostGuard>(*std::move(guard)),
        [&api](const timeledger::kiosk::Request& r) { return api.Handle(r); });
    if (timeledger::kiosk::IsInsecurePlaintext(transport)) {
      std::fprintf(stderr,
                   "timeledger-kiosk: WARNING: serving plain HTTP on %s, which other machines "
                   "can reach: card numbers and PINs cross the network unencrypted "
                   "(--insecure-plaintext)\n",
                   values["listen"].c_str());
    }
    std::printf(
        "timeledger-kiosk: the kiosk of bank %s is on %s://%s:%u/ (ledger at %s%s), answering "
        "to %s\n",
        values["bank"].c_str(), tls != nullptr ? "https" : "http", host.c_str(), server.port(),
        values["server"].c_str(), security.UsesTls() ? ", over TLS" : "", origins.c_str());
    std::fflush(stdout);
    std::thread waiter([&] {
      int signal = 0;
      sigwait(&signals, &signal);
      server.Stop();
    });
    server.Run();
    waiter.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "timeledger-kiosk: cannot serve on %s: %s\n", values["listen"].c_str(),
                 e.what());
    return 1;
  }
  return 0;
}
