// timeledger-kiosk: the member kiosk. Serves one page and its JSON calls over HTTP on loopback
// (a touch screen's browser in kiosk mode opens it) and asks timeledgerd over gRPC.
//
//   timeledger-kiosk [--listen 127.0.0.1:8080] [--server 127.0.0.1:50051] [--bank holy-cross]
//                    --token-file FILE [--tls] [--tls-ca FILE] [--tls-cert FILE --tls-key FILE]
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
#include <string>
#include <thread>

#include "clients/common/channel.h"
#include "clients/kiosk/http_server.h"
#include "clients/kiosk/kiosk_api.h"
#include "clients/kiosk/page_html.h"

namespace {

constexpr int kServerThreads = 4;

void Usage() {
  std::fputs(
      "usage: timeledger-kiosk [--listen HOST:PORT] [--server HOST:PORT] [--bank BANK]\n"
      "                        --token-file FILE [--tls] [--tls-ca FILE]\n"
      "                        [--tls-cert FILE --tls-key FILE]\n"
      "  --listen    where the page is served (default 127.0.0.1:8080)\n"
      "  --server    timeledgerd's gRPC address (default $TIMELEDGER_SERVER or 127.0.0.1:50051)\n"
      "  --bank      the bank whose members sign in here (default holy-cross)\n"
      "  --token-file  the file holding this kiosk's token, a kiosk principal of the bank\n"
      "              (default $TIMELEDGER_TOKEN_FILE; make one with 'timeledger token create\n"
      "              --role kiosk --bank BANK --name NAME --out FILE')\n"
      "  --tls       talk TLS to timeledgerd, checking its certificate against the system's CAs\n"
      "  --tls-ca    talk TLS, trusting the PEM CAs in FILE (default $TIMELEDGER_TLS_CA)\n"
      "  --tls-cert  present this PEM client certificate (default $TIMELEDGER_TLS_CERT)\n"
      "  --tls-key   its PEM private key (default $TIMELEDGER_TLS_KEY)\n",
      stderr);
}

bool SplitHostPort(const std::string& address, std::string* host, unsigned short* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  *host = address.substr(0, colon);
  const int value = std::atoi(address.c_str() + colon + 1);
  if (value < 0 || value > 65535) return false;
  *port = static_cast<unsigned short>(value);
  return !host->empty();
}

}  // namespace

int main(int argc, char** argv) {
  timeledger::clients::ChannelSecurity security =
      timeledger::clients::ChannelSecurityFromEnvironment();
  std::map<std::string, std::string> flags = {
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
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      Usage();
      return 0;
    }
    if (arg == "--tls") {
      security.tls = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || flags.count(arg.substr(2)) == 0 || i + 1 >= argc) {
      std::fprintf(stderr, "timeledger-kiosk: unknown or incomplete option %s\n", arg.c_str());
      Usage();
      return 2;
    }
    flags[arg.substr(2)] = argv[++i];
  }
  std::string host;
  unsigned short port = 0;
  if (!SplitHostPort(flags["listen"], &host, &port)) {
    std::fprintf(stderr, "timeledger-kiosk: --listen needs HOST:PORT, got %s\n",
                 flags["listen"].c_str());
    return 2;
  }
  security.ca_file = flags["tls-ca"];
  security.cert_file = flags["tls-cert"];
  security.key_file = flags["tls-key"];

  // Signals are taken by one thread with sigwait; every other thread has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  timeledger::kiosk::KioskOptions options;
  options.bank_id = flags["bank"];
  options.token_file = flags["token-file"];
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
  auto channel = timeledger::clients::MakeChannel(flags["server"], security, channel_args);
  if (!channel.ok()) {
    std::fprintf(stderr, "timeledger-kiosk: %s\n", std::string(channel.status().message()).c_str());
    return 2;
  }
  timeledger::kiosk::KioskApi api(*std::move(channel), std::move(options));
  try {
    timeledger::kiosk::HttpServer server(
        host, port, [&api](const timeledger::kiosk::Request& r) { return api.Handle(r); },
        kServerThreads);
    std::printf("timeledger-kiosk: the kiosk of bank %s is on http://%s:%u/ (ledger at %s%s)\n",
                flags["bank"].c_str(), host.c_str(), server.port(), flags["server"].c_str(),
                security.UsesTls() ? ", over TLS" : "");
    std::fflush(stdout);
    std::thread waiter([&] {
      int signal = 0;
      sigwait(&signals, &signal);
      server.Stop();
    });
    server.Run();
    waiter.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "timeledger-kiosk: cannot serve on %s: %s\n", flags["listen"].c_str(),
                 e.what());
    return 1;
  }
  return 0;
}
