// HttpServer: the kiosk's small HTTP/1.1 server on Boost.Beast, hardened for a page in a public
// room: bounded requests, timeouts, a bounded number of connections, and the same security
// headers on every response (a CSP with no source outside this server, no caching). Plain HTTP,
// or HTTPS with a TLS context (clients/kiosk/transport.h); the limits hold for both, the TLS
// handshake counting towards the time to send a request.
//
// A Handler turns one request into one response; it runs on one of the server's threads and may
// block briefly (a gRPC call with a deadline). The server owns its io_context and threads; Run
// blocks until Stop. Thread-safe.
#ifndef TIMELEDGER_CLIENTS_KIOSK_HTTP_SERVER_H_
#define TIMELEDGER_CLIENTS_KIOSK_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http.hpp>

namespace timeledger::kiosk {

namespace http = boost::beast::http;

// Limits on what one client may send and hold.
inline constexpr size_t kRequestBodyBytesMax = 4096;
inline constexpr size_t kRequestHeaderBytesMax = 8192;
inline constexpr std::chrono::seconds kRequestTimeout{10};  // to send a whole request
inline constexpr std::chrono::seconds kIdleTimeout{30};     // a kept-alive connection, idle
inline constexpr int kConnectionsMax = 64;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using Handler = std::function<Response(const Request&)>;

// The headers every response carries. `nonce` is allowed for inline scripts and styles (the
// page's own); nothing is loaded from anywhere else.
void AddSecurityHeaders(Response* response, const std::string& nonce);

// A JSON response with the security headers.
Response JsonResponse(http::status status, std::string body, unsigned version, bool keep_alive);

class HttpServer {
 public:
  // Listens on address:port (port 0 picks one); serves HTTPS with `tls` if it is not null,
  // plain HTTP otherwise. Throws boost::system::system_error if it cannot listen.
  HttpServer(const std::string& address, unsigned short port, Handler handler, int threads,
             std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~HttpServer();

  unsigned short port() const { return port_; }
  // Serves until Stop(); returns when every thread has finished.
  void Run();
  void Stop();

 private:
  void Accept();

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Handler handler_;
  int threads_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // shared by every connection; null: plain
  unsigned short port_ = 0;
  std::shared_ptr<std::atomic<int>> connections_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace timeledger::kiosk

#endif  // TIMELEDGER_CLIENTS_KIOSK_HTTP_SERVER_H_
