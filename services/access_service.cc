#include "services/access_service.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

#include "ledger/core/check.h"
#include "ledger/core/errors.h"
#include "services/convert.h"
#include "services/reply.h"

namespace timeledger::services {
namespace {

void ToProto(const ledger::Principal& principal, v1::Principal* out) {
  out->set_name(principal.name);
  out->set_role(static_cast<v1::PrincipalRole>(principal.role));
  out->set_bank_id(principal.bank_id);
  out->set_account_id(principal.account_id);
}

void ToProto(const ledger::PrincipalBinding& binding, v1::Principal* out) {
  ToProto(binding.principal, out);
  services::ToProto(binding.set_at, out->mutable_bound_at());
  out->set_bound_by(binding.set_by);
}

// The token with the binding it carries now.
void ToProto(const ledger::TokenRecord& record, const ledger::PrincipalBinding& binding,
             v1::Token* out) {
  out->set_token_id(record.token_id);
  ToProto(binding, out->mutable_principal());
  services::ToProto(record.created_at, out->mutable_created_at());
  out->set_created_by(record.created_by);
  if (record.revoked()) {
    services::ToProto(record.revoked_at, out->mutable_revoked_at());
    out->set_revoked_by(record.revoked_by);
  }
  out->set_client_certificate_subject(record.client_subject);
}

absl::StatusOr<ledger::Principal> FromProto(const v1::Principal& in) {
  if (in.role() < v1::PRINCIPAL_ROLE_ADMIN || in.role() > v1::PRINCIPAL_ROLE_PARTNER) {
    return ledger::Refuse(ledger::Reason::kInvalidRole,
                          "role must be admin, coordinator, kiosk or partner",
                          {{"field", "principal.role"}});
  }
  ledger::Principal principal;
  principal.name = in.name();
  principal.role = static_cast<ledger::PrincipalRole>(in.role());
  principal.bank_id = in.bank_id();
  principal.account_id = in.account_id();
  return principal;
}

}  // namespace

grpc::ServerUnaryReactor* AccessService::CreateToken(grpc::CallbackServerContext* context,
                                                     const v1::CreateTokenRequest* request,
                                                     v1::CreateTokenResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Access/CreateToken", "");
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto principal = FromProto(request->principal());
  if (!principal.ok()) return Refuse(reactor, principal.status());
  Reply(reactor, ledger_->IssueToken(*principal, *caller, request->client_certificate_subject()),
        [response](const ledger::IssuedToken& issued) {
          ToProto(issued.record, issued.binding, response->mutable_token());
          response->set_bearer(issued.bearer);
        });
  return reactor;
}

grpc::ServerUnaryReactor* AccessService::ListTokens(grpc::CallbackServerContext* context,
                                                    const v1::ListTokensRequest* request,
                                                    v1::ListTokensResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Access/ListTokens", "");
  if (!caller.ok()) return Refuse(reactor, caller.status());
  Reply(reactor, ledger_->tokens().List(*caller, request->bank_id(), request->include_revoked()),
        [response](const std::vector<ledger::TokenView>& tokens) {
          for (const auto& token : tokens) {
            ToProto(token.record, token.binding, response->add_tokens());
          }
        });
  return reactor;
}

grpc::ServerUnaryReactor* AccessService::RevokeToken(grpc::CallbackServerContext* context,
                                                     const v1::RevokeTokenRequest* request,
                                                     v1::Token* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Access/RevokeToken", "");
  if (!caller.ok()) return Refuse(reactor, caller.status());
  Reply(reactor, ledger_->tokens().Revoke(request->token_id(), *caller, ledger_->Now()),
        [this, response](const ledger::TokenRecord& record) {
          auto binding = ledger_->tokens().BindingOf(record.principal.name);
          TL_CHECK(binding.has_value());
          ToProto(record, *binding, response);
        });
  return reactor;
}

grpc::ServerUnaryReactor* AccessService::WhoAmI(grpc::CallbackServerContext* context,
                                                const v1::WhoAmIRequest* /*request*/,
                                                v1::Principal* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Access/WhoAmI", "");
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto binding = ledger_->tokens().BindingOf(caller->name);
  if (binding.has_value()) {
    ToProto(*binding, response);
  } else {
    ToProto(*caller, response);
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace timeledger::services
