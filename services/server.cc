#include "services/server.h"

#include <netdb.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <sys/socket.h>

#include "common/log.h"
#include "ledger/core/errors.h"
#include "services/tls.h"

namespace timeledger::services {
namespace {

// Every timeledger.v1 service, by the name a health check asks for.
std::vector<std::string> ServiceNames() {
  return {v1::Access::service_full_name(),        v1::Banks::service_full_name(),
          v1::Accounts::service_full_name(),      v1::Ledger::service_full_name(),
          v1::Policies::service_full_name(),      v1::Audit::service_full_name(),
          v1::Backups::service_full_name(),       v1::Reports::service_full_name(),
          v1::Kiosk::service_full_name(),         v1::Catalogue::service_full_name(),
          v1::Qualifications::service_full_name()};
}

// True if something accepts TCP connections at `address` (HOST:PORT, [V6]:PORT): tells "in use"
// from "not an address of this machine" after a failed listen.
bool SomethingListensAt(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || host == "0.0.0.0" || host == "::") host = "localhost";
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return false;
  bool listening = false;
  for (addrinfo* a = found; a != nullptr && !listening; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    listening = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    close(fd);
  }
  freeaddrinfo(found);
  return listening;
}

}  // namespace

Server::Server(ledger::Ledger* ledger, const ServerOptions& options)
    : gate_(ledger, options.gate, &principals_),
      desk_(ledger),
      metrics_(ledger, &desk_),
      access_(ledger, &gate_),
      banks_(ledger, &gate_),
      accounts_(ledger, &gate_),
      ledger_service_(ledger, &desk_, &gate_),
      policies_(ledger, &gate_),
      audit_(ledger, &gate_, options.feed),
      backups_(ledger, &gate_),
      reports_(ledger, &gate_),
      kiosk_(ledger, &desk_, &gate_),
      catalogue_(ledger, &gate_),
      qualifications_(ledger, &gate_) {}

Server::~Server() { Shutdown(absl::Seconds(5)); }

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ledger::Ledger* ledger,
                                                      const ServerOptions& options) {
  auto credentials = MakeServerCredentials(options);
  if (!credentials.ok()) return credentials.status();
  if (IsInsecurePlaintext(options)) {
    common::LogLine(common::LogLevel::kWarn, "insecure_plaintext")
        .Add("listen", options.listen_address)
        .Add("msg", absl::StrCat("WARNING: serving plaintext on ", options.listen_address,
                                 ", which other machines can reach: anyone on the network can "
                                 "read and alter the calls (--insecure-plaintext)"))
        .Write();
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::unique_ptr<Server> server(new Server(ledger, options));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, *credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(kMessageBytesMax);
  builder.SetMaxSendMessageSize(kMessageBytesMax);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, kConcurrentStreamsMax);
  // gRPC sets SO_REUSEPORT by default: a second server on the same port would then start and
  // take half the calls. One server per port.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(&server->access_);
  builder.RegisterService(&server->banks_);
  builder.RegisterService(&server->accounts_);
  builder.RegisterService(&server->ledger_service_);
  builder.RegisterService(&server->policies_);
  builder.RegisterService(&server->audit_);
  builder.RegisterService(&server->backups_);
  builder.RegisterService(&server->reports_);
  builder.RegisterService(&server->kiosk_);
  builder.RegisterService(&server->catalogue_);
  builder.RegisterService(&server->qualifications_);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(
      std::make_unique<CallLogFactory>(&server->principals_, server->metrics_.rpc_counters()));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server->server_ = builder.BuildAndStart();
  if (server->server_ != nullptr && server->port_ != 0) {
    server->health_ = std::make_unique<HealthReporter>(
        ledger, server->server_->GetHealthCheckService(), ServiceNames());
  }
  if (server->server_ == nullptr || server->port_ == 0) {
    if (SomethingListensAt(options.listen_address)) {
      return ledger::Refuse(ledger::Reason::kAddressInUse,
                            "cannot listen on " + options.listen_address +
                                ": another program (another timeledgerd?) already listens there; "
                                "stop it, or give this server another --listen");
    }
    return ledger::Refuse(ledger::Reason::kListenFailed,
                          "cannot listen on " + options.listen_address +
                              ": it is not an address of this machine, or not allowed");
  }
  if (!options.metrics_address.empty()) {
    auto endpoint = MetricsEndpoint::Start(
        options.metrics_address, [metrics = &server->metrics_] { return metrics->Render(); });
    if (!endpoint.ok()) return endpoint.status();
    server->metrics_endpoint_ = *std::move(endpoint);
  }
  return server;
}

void Server::Shutdown(absl::Duration grace) {
  metrics_endpoint_.reset();
  health_.reset();  // gRPC's shutdown sets NOT_SERVING; nothing may set it back
  if (server_ == nullptr) return;
  audit_.feed().Shutdown(grace);
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoSeconds(grace));
  server_->Wait();
  server_.reset();
}

}  // namespace timeledger::services
