#include "services/metrics_endpoint.h"

#include <array>
#include <atomic>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/metrics.h"
#include "ledger/core/errors.h"

namespace timeledger::services {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

using Render = std::function<std::string()>;
using Response = http::response<http::string_body>;

constexpr std::chrono::seconds kDrainTimeout{2};

Response Answer(const http::request<http::empty_body>& request, const Render& render) {
  Response response;
  response.version(request.version());
  response.set(http::field::server, "timeledgerd");
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    response.result(http::status::method_not_allowed);
    response.set(http::field::allow, "GET, HEAD");
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.body() = "only GET /metrics is served here\n";
  } else if (request.target() != "/metrics") {
    response.result(http::status::not_found);
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.body() = "only GET /metrics is served here\n";
  } else {
    response.result(http::status::ok);
    response.set(http::field::content_type, common::kMetricsContentType);
    response.body() = render();
  }
  response.prepare_payload();
  if (request.method() == http::verb::head) response.body().clear();
  return response;
}

// One scraper's connection: reads requests one at a time, bounded and with deadlines, and writes
// each answer. Keeps itself alive through its pending operations (the kiosk's pattern).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const Render& render, std::shared_ptr<std::atomic<int>> count)
      : stream_(std::move(socket)), render_(render), count_(std::move(count)) {}
  ~Connection() { --*count_; }

  void Read(std::chrono::seconds timeout) {
    parser_.emplace();
    parser_->header_limit(kMetricsRequestBytesMax);
    stream_.expires_after(timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code error, size_t) { self->OnRead(error); });
  }

 private:
  void OnRead(beast::error_code error) {
    if (error) return Close();  // timed out, too large, not HTTP, or gone: nothing to say
    const http::request<http::empty_body> request = parser_->release();
    response_ = std::make_shared<Response>(Answer(request, render_));
    stream_.expires_after(kMetricsRequestTimeout);
    http::async_write(stream_, *response_,
                      [self = shared_from_this()](beast::error_code error, size_t) {
                        if (error) return;
                        if (!self->response_->keep_alive()) return self->Close();
                        self->Read(kMetricsIdleTimeout);
                      });
  }

  // No more sending; what the client still sends is read and dropped for a moment, so that the
  // last answer is not lost to a reset.
  void Close() {
    stream_.expires_after(kDrainTimeout);
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(asio::buffer(drain_),
                            [self = shared_from_this()](beast::error_code error, size_t) {
                              if (!error) self->Drain();
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{kMetricsRequestBytesMax};
  std::optional<http::request_parser<http::empty_body>> parser_;
  std::shared_ptr<Response> response_;
  std::array<char, 1024> drain_;
  const Render& render_;
  std::shared_ptr<std::atomic<int>> count_;
};

}  // namespace

struct MetricsEndpoint::Io {
  explicit Io(Render render_function) : render(std::move(render_function)) {}

  void Accept() {
    acceptor.async_accept(asio::make_strand(context),
                          [this](beast::error_code error, tcp::socket socket) {
                            if (error == asio::error::operation_aborted) return;
                            if (!error) Serve(std::move(socket));
                            Accept();
                          });
  }

  void Serve(tcp::socket socket) {
    if (connections->fetch_add(1) >= kMetricsConnectionsMax) {
      --*connections;  // too many scrapers: this one is closed at once
      beast::error_code ignored;
      socket.close(ignored);
      return;
    }
    std::make_shared<Connection>(std::move(socket), render, connections)
        ->Read(kMetricsRequestTimeout);
  }

  const Render render;
  asio::io_context context{1};
  tcp::acceptor acceptor{context};
  std::shared_ptr<std::atomic<int>> connections = std::make_shared<std::atomic<int>>(0);
};

std::optional<HostPort> ParseHostPort(absl::string_view address, std::string* why) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    *why = "takes HOST:PORT, such as 127.0.0.1:9464";
    return std::nullopt;
  }
  HostPort parsed;
  absl::string_view host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  parsed.host = std::string(host);
  uint32_t port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port) || port > 65535) {
    *why = "takes a port from 0 to 65535 after the ':'";
    return std::nullopt;
  }
  parsed.port = static_cast<uint16_t>(port);
  beast::error_code error;
  if (parsed.host != "localhost") asio::ip::make_address(parsed.host, error);
  if (parsed.host.empty() || error) {
    *why = "takes an IP address or localhost as its host, such as 127.0.0.1 or [::1]";
    return std::nullopt;
  }
  return parsed;
}

MetricsEndpoint::MetricsEndpoint() = default;

MetricsEndpoint::~MetricsEndpoint() {
  if (io_ != nullptr) io_->context.stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(const std::string& address,
                                                                        Render render) {
  std::string why;
  const std::optional<HostPort> where = ParseHostPort(address, &why);
  if (!where.has_value()) {
    return ledger::Refuse(ledger::Reason::kListenFailed,
                          absl::StrCat("--metrics-address ", address, ": ", why));
  }
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  endpoint->io_ = std::make_unique<Io>(std::move(render));
  Io& io = *endpoint->io_;
  beast::error_code error;
  const tcp::endpoint at(
      asio::ip::make_address(where->host == "localhost" ? "127.0.0.1" : where->host), where->port);
  io.acceptor.open(at.protocol(), error);
  if (!error) io.acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) io.acceptor.bind(at, error);
  if (!error) io.acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return ledger::Refuse(error == asio::error::address_in_use ? ledger::Reason::kAddressInUse
                                                               : ledger::Reason::kListenFailed,
                          absl::StrCat("cannot serve metrics on ", address,
                                       " (--metrics-address): ", error.message()));
  }
  endpoint->port_ = io.acceptor.local_endpoint().port();
  io.Accept();
  endpoint->thread_ = std::thread([&io] { io.context.run(); });
  return endpoint;
}

}  // namespace timeledger::services
