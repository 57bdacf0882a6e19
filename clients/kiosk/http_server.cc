#include "clients/kiosk/http_server.h"

#include <array>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

namespace timeledger::kiosk {
namespace {

constexpr std::chrono::seconds kDrainTimeout{2};

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// One client connection over `Stream` (beast::tcp_stream, or beast::ssl_stream over one for
// HTTPS): the TLS handshake first if there is one, then reads requests one at a time, with limits
// and timeouts, and writes the handler's responses. Every wait, the handshake's too, has a
// deadline on the TCP stream beneath. Keeps itself alive through its pending operations.
template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... StreamArgs>
  Connection(const Handler& handler, std::shared_ptr<std::atomic<int>> count,
             StreamArgs&&... stream_args)
      : stream_(std::forward<StreamArgs>(stream_args)...),
        handler_(handler),
        count_(std::move(count)) {}
  ~Connection() { --*count_; }

  void Start() {
    if constexpr (kTls) {
      Tcp().expires_after(kRequestTimeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code error) {
                                if (!error) self->Read(kRequestTimeout);
                              });
    } else {
      Read(kRequestTimeout);
    }
  }

 private:
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void Read(std::chrono::seconds timeout) {
    parser_.emplace();
    parser_->body_limit(kRequestBodyBytesMax);
    parser_->header_limit(kRequestHeaderBytesMax);
    Tcp().expires_after(timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code error, size_t) {
                       self->OnRead(error);
                     });
  }

  void OnRead(beast::error_code error) {
    if (error == http::error::end_of_stream || error == beast::error::timeout) return Close();
    if (error == http::error::body_limit || error == http::error::header_limit) {
      return Send(JsonResponse(http::status::payload_too_large,
                               R"({"error":"TOO_LARGE","message":"The request is too large."})", 11,
                               false));
    }
    // Any other error of the HTTP parser: what arrived is not an HTTP request.
    if (error && error.category() == http::make_error_code(http::error::bad_method).category()) {
      return Send(JsonResponse(http::status::bad_request,
                               R"({"error":"BAD_REQUEST","message":"The request is malformed."})",
                               11, false));
    }
    if (error) return;  // the connection itself failed (reset, TLS error): nothing to say
    Request request = parser_->release();
    Response response;
    try {
      response = handler_(request);
    } catch (const std::exception&) {
      response = JsonResponse(http::status::internal_server_error,
                              R"({"error":"INTERNAL","message":"Something went wrong."})",
                              request.version(), false);
    }
    response.keep_alive(request.keep_alive() && response.keep_alive());
    Send(std::move(response));
  }

  void Send(Response response) {
    response_ = std::make_shared<Response>(std::move(response));
    response_->prepare_payload();
    Tcp().expires_after(kRequestTimeout);
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this()](beast::error_code error, size_t) {
                        if (error) return;
                        if (!self->response_->keep_alive()) return self->Close();
                        self->Read(kIdleTimeout);
                      });
  }

  // Ends the connection gracefully. Plain: no more sending, and what the client still sends is
  // read and dropped for a moment, so that the last response is not lost to a reset. TLS: a
  // close_notify, waiting a moment for the client's.
  void Close() {
    Tcp().expires_after(kDrainTimeout);
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      Drain();
    }
  }

  void Drain() {
    stream_.async_read_some(asio::buffer(drain_),
                            [self = this->shared_from_this()](beast::error_code error, size_t) {
                              if (!error) self->Drain();
                            });
  }

  Stream stream_;
  beast::flat_buffer buffer_{kRequestHeaderBytesMax};
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Response> response_;
  std::array<char, 4096> drain_;
  const Handler& handler_;
  std::shared_ptr<std::atomic<int>> count_;
};

using PlainConnection = Connection<beast::tcp_stream>;
using TlsConnection = Connection<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace

void AddSecurityHeaders(Response* response, const std::string& nonce) {
  std::string script_style = nonce.empty() ? "'none'" : "'nonce-" + nonce + "'";
  response->set("Content-Security-Policy",
                "default-src 'none'; script-src " + script_style + "; style-src " + script_style +
                    "; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                    "form-action 'none'; frame-ancestors 'none'");
  response->set(http::field::cache_control, "no-store");
  response->set(http::field::pragma, "no-cache");
  response->set("X-Content-Type-Options", "nosniff");
  response->set("X-Frame-Options", "DENY");
  response->set("Referrer-Policy", "no-referrer");
  response->set("Cross-Origin-Opener-Policy", "same-origin");
  response->set("Cross-Origin-Resource-Policy", "same-origin");
  response->set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  response->set(http::field::server, "timeledger-kiosk");
}

Response JsonResponse(http::status status, std::string body, unsigned version, bool keep_alive) {
  Response response(status, version);
  response.set(http::field::content_type, "application/json; charset=utf-8");
  AddSecurityHeaders(&response, "");
  response.keep_alive(keep_alive);
  response.body() = std::move(body);
  return response;
}

HttpServer::HttpServer(const std::string& address, unsigned short port, Handler handler,
                       int threads, std::shared_ptr<asio::ssl::context> tls)
    : acceptor_(io_), handler_(std::move(handler)), threads_(threads), tls_(std::move(tls)) {
  const tcp::endpoint endpoint(asio::ip::make_address(address), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
  Accept();
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code error,
                                                        tcp::socket socket) {
    if (error == asio::error::operation_aborted) return;
    if (!error) {
      if (connections_->fetch_add(1) >= kConnectionsMax) {
        --*connections_;  // too many clients: this one is closed at once
        beast::error_code ignored;
        socket.close(ignored);
      } else if (tls_ != nullptr) {
        std::make_shared<TlsConnection>(handler_, connections_, std::move(socket), *tls_)->Start();
      } else {
        std::make_shared<PlainConnection>(handler_, connections_, std::move(socket))->Start();
      }
    }
    Accept();
  });
}

void HttpServer::Run() {
  std::vector<std::thread> others;
  for (int i = 1; i < threads_; ++i) others.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& thread : others) thread.join();
}

void HttpServer::Stop() { io_.stop(); }

}  // namespace timeledger::kiosk
