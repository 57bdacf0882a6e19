// The Access service: tokens made, listed and revoked, and WhoAmI (proto access.proto).
//
// The rules of who may manage which token are the ledger's (ledger/rules/access.h); this only
// translates. Borrows the Ledger and the Gate, which must outlive it. Thread-safe.
#ifndef TIMELEDGER_SERVICES_ACCESS_SERVICE_H_
#define TIMELEDGER_SERVICES_ACCESS_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "ledger/engine/ledger.h"
#include "services/access.h"
#include "timeledger/v1/access.grpc.pb.h"

namespace timeledger::services {

class AccessService final : public v1::Access::CallbackService {
 public:
  AccessService(ledger::Ledger* ledger, Gate* gate) : ledger_(ledger), gate_(gate) {}

  grpc::ServerUnaryReactor* CreateToken(grpc::CallbackServerContext* context,
                                        const v1::CreateTokenRequest* request,
                                        v1::CreateTokenResponse* response) override;
  grpc::ServerUnaryReactor* ListTokens(grpc::CallbackServerContext* context,
                                       const v1::ListTokensRequest* request,
                                       v1::ListTokensResponse* response) override;
  grpc::ServerUnaryReactor* RevokeToken(grpc::CallbackServerContext* context,
                                        const v1::RevokeTokenRequest* request,
                                        v1::Token* response) override;
  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* context,
                                   const v1::WhoAmIRequest* request,
                                   v1::Principal* response) override;

 private:
  ledger::Ledger* ledger_;
  Gate* gate_;
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_ACCESS_SERVICE_H_
