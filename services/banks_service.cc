#include "ledger/core/validate.h"
#include "services/reply.h"
#include "services/services.h"

namespace timeledger::services {

grpc::ServerUnaryReactor* BanksService::CreateBank(grpc::CallbackServerContext* context,
                                                   const v1::CreateBankRequest* request,
                                                   v1::Bank* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Banks/CreateBank", "");
  if (!caller.ok()) return Refuse(reactor, caller.status());
  ledger::Bank bank;
  bank.bank_id = request->bank_id();
  bank.name = request->name();
  bank.time_zone = request->time_zone().empty() ? "Europe/London" : request->time_zone();
  ledger_->CreateBank(std::move(bank), *caller,
                      ReplyLater<ledger::Bank>(reactor, [response](const ledger::Bank& created) {
                        ToProto(ledger::BankSummary{created, 1, 0}, response);
                      }));
  return reactor;
}

grpc::ServerUnaryReactor* BanksService::GetBank(grpc::CallbackServerContext* context,
                                                const v1::GetBankRequest* request,
                                                v1::Bank* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Banks/GetBank", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  Reply(reactor, ledger_->GetBank(ledger::BankId(request->bank_id())),
        [response](const ledger::BankSummary& summary) { ToProto(summary, response); });
  return reactor;
}

grpc::ServerUnaryReactor* BanksService::ListBanks(grpc::CallbackServerContext* context,
                                                  const v1::ListBanksRequest* request,
                                                  v1::ListBanksResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Banks/ListBanks", "");
  if (!caller.ok()) return Refuse(reactor, caller.status());
  if (caller->role != ledger::PrincipalRole::kAdmin) {
    // Every other principal is of one bank, and sees that one.
    Reply(reactor, ledger_->GetBank(ledger::BankId(caller->bank_id)),
          [response](const ledger::BankSummary& summary) {
            ToProto(summary, response->add_banks());
          });
    return reactor;
  }
  Reply(reactor, ledger_->ListBanks(request->page_size(), request->page_token()),
        [response](const ledger::Page<ledger::BankSummary>& page) {
          for (const auto& summary : page.items) ToProto(summary, response->add_banks());
          response->set_next_page_token(page.next_page_token);
        });
  return reactor;
}

}  // namespace timeledger::services
