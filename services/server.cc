#include "services/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <iostream>

#include "ledger/errors.h"
#include "services/tls.h"

namespace timeledger::services {

Server::Server(ledger::Ledger* ledger, const GateOptions& gate)
    : gate_(ledger, gate),
      desk_(ledger),
      access_(ledger, &gate_),
      banks_(ledger, &gate_),
      accounts_(ledger, &gate_),
      ledger_service_(ledger, &desk_, &gate_),
      policies_(ledger, &gate_),
      audit_(ledger, &gate_),
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
    std::cerr << "timeledgerd: WARNING: serving plaintext on " << options.listen_address
              << ", which other machines can reach: anyone on the network can read and alter "
                 "the calls (--insecure-plaintext)\n";
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::unique_ptr<Server> server(new Server(ledger, options.gate));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, *credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(kMessageBytesMax);
  builder.SetMaxSendMessageSize(kMessageBytesMax);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, kConcurrentStreamsMax);
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
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return ledger::Unavailable("LISTEN_FAILED",
                               "cannot listen on " + options.listen_address +
                                   " (in use, or not an address of this machine?)");
  }
  return server;
}

void Server::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoSeconds(grace));
  server_->Wait();
  server_.reset();
}

}  // namespace timeledger::services
