// timeledger-kiosk: the member kiosk. Serves one page and its JSON calls (a touch screen's
// browser in kiosk mode opens it) and asks timeledgerd over gRPC.
// Its flags are in clients/kiosk/flags.h (--help lists them).
//
// The page is served over plain HTTP only on loopback, unless --insecure-plaintext; otherwise over
// HTTPS. Only requests to an allowed host name, and changes only from an allowed origin, are
// answered (clients/kiosk/host_guard.h). Every setting is checked before anything listens.
//
// SIGINT or SIGTERM stops it. A ledger that is down is not an error: the page says so calmly and
// the kiosk goes on trying.
#include <signal.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include <grpcpp/grpcpp.h>

#include "clients/common/channel.h"
#include "clients/kiosk/flags.h"
#include "clients/kiosk/host_guard.h"
#include "clients/kiosk/http_server.h"
#include "clients/kiosk/kiosk_api.h"
#include "clients/kiosk/kiosk_messages.h"
#include "clients/kiosk/page_html.h"
#include "clients/kiosk/transport.h"
#include "common/systemd_notify.h"

namespace timeledger::kiosk {
namespace {

constexpr int kServerThreads = 4;

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
bool PageTransport(const TransportOptions& transport, bool ledger_cert,
                   std::shared_ptr<boost::asio::ssl::context>* tls) {
  if (transport.UsesTls()) {
    auto context = MakeTlsContext(transport);
    if (!context.ok()) {
      std::fprintf(stderr, "timeledger-kiosk: %s\n",
                   std::string(context.status().message()).c_str());
      return false;
    }
    *tls = *std::move(context);
    return true;
  }
  if (auto allowed = CheckPlaintextAllowed(transport); !allowed.ok()) {
    std::fprintf(stderr, "timeledger-kiosk: %s\n", std::string(allowed.message()).c_str());
    if (ledger_cert) {
      std::fputs(
          "timeledger-kiosk: (--tls-cert and --tls-key are the kiosk's certificate towards "
          "timeledgerd; the page's are --https-cert and --https-key)\n",
          stderr);
    }
    return false;
  }
  return true;
}

// The page's transport as --listen, --https-cert, --https-key and --insecure-plaintext say.
TransportOptions TransportOf(const Flags& flags, const std::string& host) {
  return TransportOptions{.listen_host = host,
                          .listen = flags.listen,
                          .cert_file = flags.https_cert,
                          .key_file = flags.https_key,
                          .allow_insecure_plaintext = flags.insecure_plaintext};
}

// The page's address, transport and names, checked before anything listens: false (after a
// message) if a setting is wrong. Sets *host, *port and *tls (null: plain HTTP).
bool CheckPage(const Flags& flags, std::string* host, unsigned short* port,
               std::shared_ptr<boost::asio::ssl::context>* tls) {
  if (!SplitHostPort(flags.listen, host, port)) {
    std::fprintf(stderr, "timeledger-kiosk: --listen needs HOST:PORT, got %s\n",
                 flags.listen.c_str());
    return false;
  }
  if (!PageTransport(TransportOf(flags, *host), !flags.security.cert_file.empty(), tls)) {
    return false;
  }
  if (IsWildcardHost(*host) && flags.hosts.empty()) {
    std::fprintf(stderr,
                 "timeledger-kiosk: --listen %s serves other machines, but they would be refused "
                 "by every name but localhost: give --host NAME, the name or address that the "
                 "touch screen opens the page by\n",
                 flags.listen.c_str());
    return false;
  }
  if (auto checked = HostGuard::Make(flags.hosts, *host, *port, *tls != nullptr); !checked.ok()) {
    std::fprintf(stderr, "timeledger-kiosk: %s\n", std::string(checked.status().message()).c_str());
    return false;
  }
  return true;
}

// The channel to timeledgerd, reconnecting soon after the ledger comes back so that the page
// recovers by itself.
absl::StatusOr<std::shared_ptr<grpc::Channel>> LedgerChannel(const Flags& flags) {
  grpc::ChannelArguments channel_args;
  channel_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  channel_args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 500);
  channel_args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 500);
  return clients::MakeChannel(flags.server, flags.security, channel_args);
}

// Serves the page until a signal of `signals` (blocked in every thread) comes. Returns the exit
// status.
int Serve(const Flags& flags, const std::string& host, unsigned short port,
          std::shared_ptr<boost::asio::ssl::context> tls, KioskApi& api, const sigset_t& signals) {
  try {
    // The guard needs the port actually bound (--listen HOST:0 picks one), and is set before
    // Run(): no request is handled until then.
    Handler guarded;
    HttpServer server(
        BindAddress(host), port, [&guarded](const Request& r) { return guarded(r); },
        kServerThreads, tls);
    auto guard = HostGuard::Make(flags.hosts, host, server.port(), tls != nullptr);
    if (!guard.ok()) throw std::runtime_error(std::string(guard.status().message()));
    const std::string origins = guard->Describe();
    guarded = Guarded(std::make_shared<const HostGuard>(*std::move(guard)),
                      [&api](const Request& r) { return api.Handle(r); });
    if (IsInsecurePlaintext(TransportOf(flags, host))) {
      std::fprintf(stderr,
                   "timeledger-kiosk: WARNING: serving plain HTTP on %s, which other machines "
                   "can reach: card numbers and PINs cross the network unencrypted "
                   "(--insecure-plaintext)\n",
                   flags.listen.c_str());
    }
    std::printf(
        "timeledger-kiosk: the kiosk of bank %s is on %s://%s:%u/ (ledger at %s%s), answering "
        "to %s\n",
        flags.bank.c_str(), tls != nullptr ? "https" : "http", host.c_str(), server.port(),
        flags.server.c_str(), flags.security.UsesTls() ? ", over TLS" : "", origins.c_str());
    std::fflush(stdout);
    if (auto told = common::NotifySystemd("READY=1\nSTATUS=serving the page on " + flags.listen);
        !told.ok()) {
      std::fprintf(stderr, "timeledger-kiosk: %s\n", std::string(told.message()).c_str());
    }
    std::thread waiter([&] {
      int signal = 0;
      sigwait(&signals, &signal);
      common::NotifySystemd("STOPPING=1").IgnoreError();
      server.Stop();
    });
    server.Run();
    waiter.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "timeledger-kiosk: cannot serve on %s: %s\n", flags.listen.c_str(),
                 e.what());
    return 1;
  }
  return 0;
}

int Main(int argc, char** argv) {
  Flags flags;
  if (std::optional<int> exit = ParseFlags(argc, argv, &flags)) return *exit;
  // The page's transport and hosts are checked first: nothing listens with a wrong setting.
  std::string host;
  unsigned short port = 0;
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (!CheckPage(flags, &host, &port, &tls)) return kExitUsage;

  // Signals are taken by one thread with sigwait; every other thread has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (flags.token_file.empty()) {
    std::fputs(
        "timeledger-kiosk: give --token-file FILE, the kiosk's token\n"
        "Run 'timeledger-kiosk --help' for the options.\n",
        stderr);
    return kExitUsage;
  }
  auto channel = LedgerChannel(flags);
  if (!channel.ok()) {
    std::fprintf(stderr, "timeledger-kiosk: %s\n", std::string(channel.status().message()).c_str());
    return kExitUsage;
  }
  auto messages = LoadKioskMessages();
  if (!messages.ok()) {
    std::fprintf(stderr, "timeledger-kiosk: %s\n",
                 std::string(messages.status().message()).c_str());
    return kExitUsage;
  }
  KioskOptions options;
  options.bank_id = flags.bank;
  options.token_file = flags.token_file;
  options.page_html = PageHtml();
  options.messages = *std::move(messages);
  KioskApi api(*std::move(channel), std::move(options));
  return Serve(flags, host, port, std::move(tls), api, signals);
}

}  // namespace
}  // namespace timeledger::kiosk

int main(int argc, char** argv) { return timeledger::kiosk::Main(argc, argv); }
