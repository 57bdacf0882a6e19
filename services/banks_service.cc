#include "services/services.h"
#include "ledger/validate.h"
#include "services/reply.h"

namespace timeledger::services {

std::string PrincipalOf(const grpc::CallbackServerContext* context) {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find(kPrincipalMetadata);
  if (it == metadata.end()) return "anonymous";
  std::string claimed(it->second.data(), it->second.size());
  return ledger::ValidateId("principal", claimed).ok() ? claimed : "anonymous";
}

grpc::ServerUnaryReactor* BanksService::CreateBank(grpc::CallbackServerContext* context,
                                                   const v1::CreateBankRequest* request,
                                                   v1::Bank* response) {
  auto* reactor = context->DefaultReactor();
  ledger::Bank bank;
  bank.bank_id = request->bank_id();
  bank.name = request->name();
  bank.time_zone = request->time_zone().empty() ? "Europe/London" : request->time_zone();
  ledger_->CreateBank(std::move(bank), PrincipalOf(context),
                      ReplyLater<ledger::Bank>(reactor, [response](const ledger::Bank& created) {
                        ToProto(ledger::BankSummary{created, 1, 0}, response);
                      }));
  return reactor;
}

grpc::ServerUnaryReactor* BanksService::GetBank(grpc::CallbackServerContext* context,
                                                const v1::GetBankRequest* request,
                                                v1::Bank* response) {
  auto* reactor = context->DefaultReactor();
  Reply(reactor, ledger_->GetBank(request->bank_id()),
        [response](const ledger::BankSummary& summary) { ToProto(summary, response); });
  return reactor;
}

grpc::ServerUnaryReactor* BanksService::ListBanks(grpc::CallbackServerContext* context,
                                                  const v1::ListBanksRequest* request,
                                                  v1::ListBanksResponse* response) {
  auto* reactor = context->DefaultReactor();
  Reply(reactor, ledger_->ListBanks(request->page_size(), request->page_token()),
        [response](const ledger::Page<ledger::BankSummary>& page) {
          for (const auto& summary : page.items) ToProto(summary, response->add_banks());
          response->set_next_page_token(page.next_page_token);
        });
  return reactor;
}

}  // namespace timeledger::services
