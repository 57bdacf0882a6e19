#include "ledger/rules/policy.h"
#include "services/reply.h"
#include "services/services.h"

namespace timeledger::services {

grpc::ServerUnaryReactor* PoliciesService::GetPolicy(grpc::CallbackServerContext* context,
                                                     const v1::GetPolicyRequest* request,
                                                     v1::Policy* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Policies/GetPolicy", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  Reply(reactor, ledger_->GetPolicy(ledger::BankId(request->bank_id())),
        [response](const ledger::Policy& policy) { ToProto(policy, response); });
  return reactor;
}

grpc::ServerUnaryReactor* PoliciesService::SetPolicy(grpc::CallbackServerContext* context,
                                                     const v1::SetPolicyRequest* request,
                                                     v1::Policy* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Policies/SetPolicy", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto policy = FromProto(request->policy());
  if (!policy.ok()) {
    reactor->Finish(ToGrpcStatus(policy.status()));
    return reactor;
  }
  ledger_->SetPolicy(ledger::BankId(request->bank_id()), *std::move(policy),
                     request->expected_version(), *caller,
                     ReplyLater<ledger::Policy>(
                         reactor, [response](const ledger::Policy& p) { ToProto(p, response); }));
  return reactor;
}

grpc::ServerUnaryReactor* PoliciesService::ValidatePolicy(grpc::CallbackServerContext* context,
                                                          const v1::ValidatePolicyRequest* request,
                                                          v1::ValidatePolicyResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Policies/ValidatePolicy", "");
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto policy = FromProto(request->policy());
  if (!policy.ok()) {
    response->set_valid(false);
    response->add_problems(std::string(policy.status().message()));
  } else {
    for (const std::string& problem : ledger::PolicyProblems(*policy)) {
      response->add_problems(problem);
    }
    response->set_valid(response->problems_size() == 0);
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* PoliciesService::ListPolicyChanges(
    grpc::CallbackServerContext* context, const v1::ListPolicyChangesRequest* request,
    v1::ListPolicyChangesResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Policies/ListPolicyChanges", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  using Changes = std::vector<std::pair<ledger::Policy, ledger::Policy>>;
  Reply(reactor, ledger_->ListPolicyChanges(ledger::BankId(request->bank_id())),
        [response](const Changes& changes) {
          for (const auto& [old_policy, new_policy] : changes) {
            auto* change = response->add_changes();
            ToProto(old_policy, change->mutable_old_policy());
            ToProto(new_policy, change->mutable_new_policy());
          }
        });
  return reactor;
}

}  // namespace timeledger::services
