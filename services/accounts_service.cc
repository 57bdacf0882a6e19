#include "ledger/core/errors.h"
#include "services/reply.h"
#include "services/services.h"

namespace timeledger::services {

grpc::ServerUnaryReactor* AccountsService::OpenAccount(grpc::CallbackServerContext* context,
                                                       const v1::OpenAccountRequest* request,
                                                       v1::Account* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Accounts/OpenAccount", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto account = FromProto(*request);
  if (!account.ok()) {
    reactor->Finish(ToGrpcStatus(account.status()));
    return reactor;
  }
  auto reply = ReplyLater<ledger::Account>(
      reactor, [response](const ledger::Account& a) { ToProto(a, response); });
  if (!request->has_joined_at()) {
    ledger_->OpenAccount(*std::move(account), *caller, std::move(reply));
    return reactor;
  }
  auto joined_at = FromProto(request->joined_at());
  if (!joined_at.ok()) {
    reactor->Finish(ToGrpcStatus(ledger::WithFigure(joined_at.status(), "field", "joined_at")));
    return reactor;
  }
  ledger_->MoveInAccount(*std::move(account), *joined_at, *caller, std::move(reply));
  return reactor;
}

grpc::ServerUnaryReactor* AccountsService::GetAccount(grpc::CallbackServerContext* context,
                                                      const v1::GetAccountRequest* request,
                                                      v1::Account* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Accounts/GetAccount", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  if (auto s = ledger::CheckMayReadAccount(*caller, request->account_id()); !s.ok()) {
    return Refuse(reactor, s);
  }
  Reply(reactor,
        ledger_->GetAccountStanding(ledger::BankId(request->bank_id()),
                                    ledger::AccountId(request->account_id())),
        [response](const ledger::AccountStanding& standing) { ToProto(standing, response); });
  return reactor;
}

grpc::ServerUnaryReactor* AccountsService::ListAccounts(grpc::CallbackServerContext* context,
                                                        const v1::ListAccountsRequest* request,
                                                        v1::ListAccountsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Accounts/ListAccounts", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  Reply(reactor,
        ledger_->ListAccounts(ledger::BankId(request->bank_id()), request->page_size(),
                              request->page_token()),
        [response](const ledger::Page<ledger::Account>& page) {
          for (const auto& account : page.items) ToProto(account, response->add_accounts());
          response->set_next_page_token(page.next_page_token);
        });
  return reactor;
}

grpc::ServerUnaryReactor* AccountsService::SetStatus(
    grpc::CallbackServerContext* context, absl::string_view method, const std::string& bank_id,
    const std::string& account_id, ledger::AccountStatus status, const std::string& reason,
    v1::Account* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, method, bank_id);
  if (!caller.ok()) return Refuse(reactor, caller.status());
  ledger_->SetAccountStatus(
      ledger::BankId(bank_id), ledger::AccountId(account_id), status, reason, false, *caller,
      ReplyLater<ledger::Account>(reactor,
                                  [response](const ledger::Account& a) { ToProto(a, response); }));
  return reactor;
}

grpc::ServerUnaryReactor* AccountsService::SuspendAccount(grpc::CallbackServerContext* context,
                                                          const v1::SuspendAccountRequest* request,
                                                          v1::Account* response) {
  return SetStatus(context, "Accounts/SuspendAccount", request->bank_id(), request->account_id(),
                   ledger::AccountStatus::kSuspended, request->reason(), response);
}

grpc::ServerUnaryReactor* AccountsService::ReactivateAccount(
    grpc::CallbackServerContext* context, const v1::ReactivateAccountRequest* request,
    v1::Account* response) {
  return SetStatus(context, "Accounts/ReactivateAccount", request->bank_id(), request->account_id(),
                   ledger::AccountStatus::kActive, "", response);
}

grpc::ServerUnaryReactor* AccountsService::CloseAccount(grpc::CallbackServerContext* context,
                                                        const v1::CloseAccountRequest* request,
                                                        v1::Account* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Accounts/CloseAccount", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  ledger_->CloseAccount(ledger::BankId(request->bank_id()),
                        ledger::AccountId(request->account_id()), request->reason(),
                        ledger::ClosingSettlement{request->donate_balance_to_pool(),
                                                  request->write_off_debt_to_pool()},
                        *caller,
                        ReplyLater<ledger::Account>(reactor, [response](const ledger::Account& a) {
                          ToProto(a, response);
                        }));
  return reactor;
}

grpc::ServerUnaryReactor* AccountsService::ChangeAccount(grpc::CallbackServerContext* context,
                                                         const v1::ChangeAccountRequest* request,
                                                         v1::Account* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Accounts/ChangeAccount", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  std::optional<std::string> name;
  if (!request->display_name().empty()) name = request->display_name();
  std::optional<std::vector<ledger::Role>> roles;
  if (request->roles_size() > 0) {
    auto converted = RolesFromProto(request->roles());
    if (!converted.ok()) return Refuse(reactor, converted.status());
    roles = *std::move(converted);
  }
  std::optional<std::string> phone, email;
  if (request->has_phone()) phone = request->phone();
  if (request->has_email()) email = request->email();
  ledger_->ChangeAccount(
      ledger::BankId(request->bank_id()), ledger::AccountId(request->account_id()), std::move(name),
      std::move(roles), std::move(phone), std::move(email), *caller,
      ReplyLater<ledger::Account>(reactor,
                                  [response](const ledger::Account& a) { ToProto(a, response); }));
  return reactor;
}

grpc::ServerUnaryReactor* AccountsService::ReopenAccount(grpc::CallbackServerContext* context,
                                                         const v1::ReopenAccountRequest* request,
                                                         v1::Account* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Accounts/ReopenAccount", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  ledger_->ReopenAccount(ledger::BankId(request->bank_id()),
                         ledger::AccountId(request->account_id()), request->reason(), *caller,
                         ReplyLater<ledger::Account>(reactor, [response](const ledger::Account& a) {
                           ToProto(a, response);
                         }));
  return reactor;
}

grpc::ServerUnaryReactor* AccountsService::ErasePersonalData(
    grpc::CallbackServerContext* context, const v1::ErasePersonalDataRequest* request,
    v1::ErasePersonalDataResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Accounts/ErasePersonalData", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  ledger::BankId bank_id(request->bank_id());
  ledger_->ErasePersonalData(
      bank_id, ledger::AccountId(request->account_id()), request->reason(), *caller,
      [this, reactor, response, bank_id](absl::StatusOr<ledger::ErasureReceipt> receipt) mutable {
        if (!receipt.ok()) {
          reactor->Finish(ToGrpcStatus(receipt.status()));
          return;
        }
        ToProto(receipt->account, response->mutable_account());
        for (ledger::PersonalField field : receipt->fields) {
          response->add_fields(static_cast<v1::PersonalField>(field));
        }
        response->set_values_in_old_facts(receipt->values_in_old_facts);
        const bool queued = compactions_.Submit([this, reactor, response, bank_id] {
          const absl::Status compacted = ledger_->CompactErased(bank_id);
          response->set_files_compacted(compacted.ok());
          if (!compacted.ok()) response->set_compaction_error(compacted.ToString());
          reactor->Finish(grpc::Status::OK);
        });
        if (!queued) {
          response->set_compaction_error(
              "too many compactions after erasures are waiting; the values go when RocksDB "
              "next compacts those files");
          reactor->Finish(grpc::Status::OK);
        }
      });
  return reactor;
}

}  // namespace timeledger::services
