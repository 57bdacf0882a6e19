// MetricsEndpoint: timeledgerd's Prometheus endpoint, GET /metrics over plain HTTP/1.1 on its own
// address (--metrics-address; off unless given), on Boost.Beast as the kiosk's server
// (clients/kiosk/http_server.h) is. It answers GET and HEAD of /metrics with what `render`
// returns, 404 for any other path and 405 for any other method; nothing else. Bounded as a
// service on a network must be: requests of at most kMetricsRequestBytesMax, each to be sent
// within kMetricsRequestTimeout, at most kMetricsConnectionsMax connections (more are closed at
// once), kept alive at most kMetricsIdleTimeout between scrapes. One thread of its own.
//
// The endpoint shows no secret, but it tells how busy the ledger is and why it may not serve:
// timeledgerd refuses an address that is not loopback unless --metrics-allow-remote says so
// (services/daemon/flags.cc). Thread-safe; destroying it stops the thread.
#ifndef TIMELEDGER_SERVICES_METRICS_ENDPOINT_H_
#define TIMELEDGER_SERVICES_METRICS_ENDPOINT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace timeledger::services {

inline constexpr size_t kMetricsRequestBytesMax = 4096;
inline constexpr std::chrono::seconds kMetricsRequestTimeout{5};
inline constexpr std::chrono::seconds kMetricsIdleTimeout{120};
inline constexpr int kMetricsConnectionsMax = 8;

// An address to listen on: an IP address (or "localhost") and a port.
struct HostPort {
  std::string host;  // as given; "localhost" stays
  uint16_t port = 0;
};

// "HOST:PORT" or "[V6]:PORT", HOST an IPv4 or IPv6 address or "localhost", PORT 0 to 65535 (0:
// any free one). Nothing if `address` is not that; *why then says what is wrong.
std::optional<HostPort> ParseHostPort(absl::string_view address, std::string* why);

class MetricsEndpoint {
 public:
  // Listens on `address` (as ParseHostPort reads it) and serves `render`'s text from a thread of
  // its own. Unavailable LISTEN_FAILED for an address ParseHostPort refuses or that cannot be
  // listened on (ADDRESS_IN_USE if something listens there already).
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& address, std::function<std::string()> render);
  ~MetricsEndpoint();

  // The port bound (useful with port 0).
  int port() const { return port_; }

 private:
  struct Io;
  MetricsEndpoint();

  std::unique_ptr<Io> io_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_METRICS_ENDPOINT_H_
