// Tokens for tests: issued straight through a Ledger's registry (or read from the admin.token file
// that a real timeledgerd writes), and a channel that sends one with every call.
#ifndef TIMELEDGER_TESTS_SUPPORT_ACCESS_H_
#define TIMELEDGER_TESTS_SUPPORT_ACCESS_H_

#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_interceptor.h>

#include "ledger/engine/ledger.h"
#include "ledger/rules/access.h"

namespace timeledger::testing {

// A token of a new principal; throws if the ledger refuses it (a test set-up error).
inline std::string IssueToken(ledger::Ledger& ledger, ledger::PrincipalRole role, std::string name,
                              std::string bank_id = "", std::string account_id = "") {
  ledger::Principal principal;
  principal.name = std::move(name);
  principal.role = role;
  principal.bank_id = std::move(bank_id);
  principal.account_id = std::move(account_id);
  ledger::Principal setup;
  setup.name = "test-setup";
  setup.role = ledger::PrincipalRole::kAdmin;
  auto issued = ledger.tokens().Issue(principal, setup, ledger.Now());
  if (!issued.ok()) throw std::runtime_error(std::string(issued.status().message()));
  return issued->bearer;
}

// The token of a principal of `bank_id`, made on first use and kept in `tokens` (name -> token):
// a name starting "kiosk" is a kiosk, any other a coordinator named as their account.
inline std::string TokenOf(ledger::Ledger& ledger, const std::string& bank_id,
                           const std::string& principal,
                           std::map<std::string, std::string>* tokens) {
  auto it = tokens->find(principal);
  if (it != tokens->end()) return it->second;
  const auto role = principal.rfind("kiosk", 0) == 0 ? ledger::PrincipalRole::kKiosk
                                                     : ledger::PrincipalRole::kCoordinator;
  return (*tokens)[principal] = IssueToken(ledger, role, principal, bank_id);
}

inline std::string AdminToken(ledger::Ledger& ledger) {
  return IssueToken(ledger, ledger::PrincipalRole::kAdmin, "admin");
}

// The token timeledgerd wrote to DATA_DIR/admin.token on first start ("" if there is none yet).
inline std::string ReadAdminToken(const std::string& data_dir) {
  std::ifstream in(data_dir + "/admin.token");
  std::string token;
  std::getline(in, token);
  return token;
}

// Puts "authorization: Bearer <token>" on every call that does not carry one already.
class BearerInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit BearerInterceptor(std::string token) : token_(std::move(token)) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      auto* metadata = methods->GetSendInitialMetadata();
      if (metadata->find("authorization") == metadata->end()) {
        metadata->emplace("authorization", "Bearer " + token_);
      }
    }
    methods->Proceed();
  }

 private:
  std::string token_;
};

class BearerInterceptorFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerInterceptorFactory(std::string token) : token_(std::move(token)) {}

  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* /*info*/) override {
    return new BearerInterceptor(token_);
  }

 private:
  std::string token_;
};

// A plaintext channel to `target` whose calls carry `token`.
inline std::shared_ptr<grpc::Channel> AuthorizedChannel(
    const std::string& target, const std::string& token,
    const grpc::ChannelArguments& arguments = grpc::ChannelArguments()) {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<BearerInterceptorFactory>(token));
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      target, grpc::InsecureChannelCredentials(), arguments, std::move(factories));
}

// Puts a principal's token on one call's context.
inline void Authorize(grpc::ClientContext* context, const std::string& token) {
  context->AddMetadata("authorization", "Bearer " + token);
}

}  // namespace timeledger::testing

#endif  // TIMELEDGER_TESTS_SUPPORT_ACCESS_H_
