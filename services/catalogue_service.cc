#include "services/catalogue_service.h"

#include "services/catalogue_convert.h"
#include "services/reply.h"
#include "services/services.h"

namespace timeledger::services {
namespace {

// Finishes the call with a malformed request's status; returns whether it did.
template <typename T>
bool FinishIfBad(grpc::ServerUnaryReactor* reactor, const absl::StatusOr<T>& converted) {
  if (converted.ok()) return false;
  reactor->Finish(ToGrpcStatus(converted.status()));
  return true;
}

// A page of holdings into a response's repeated field.
template <typename Field>
auto FillHoldings(Field* field, std::string* next_page_token) {
  return [field, next_page_token](const ledger::Page<ledger::HoldingView>& page) {
    for (const ledger::HoldingView& view : page.items) ToProto(view, field->Add());
    *next_page_token = page.next_page_token;
  };
}

}  // namespace

grpc::ServerUnaryReactor* CatalogueService::PutCatalogueItem(
    grpc::CallbackServerContext* context, const v1::PutCatalogueItemRequest* request,
    v1::CatalogueItem* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Catalogue/PutCatalogueItem", request->item().bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto item = FromProto(request->item());
  if (FinishIfBad(reactor, item)) return reactor;
  ledger_->PutCatalogueItem(
      *std::move(item), request->expected_version(), *caller,
      ReplyLater<ledger::CatalogueItem>(
          reactor, [response](const ledger::CatalogueItem& done) { ToProto(done, response); }));
  return reactor;
}

grpc::ServerUnaryReactor* CatalogueService::RetireCatalogueItem(
    grpc::CallbackServerContext* context, const v1::RetireCatalogueItemRequest* request,
    v1::CatalogueItem* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Catalogue/RetireCatalogueItem", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto kind = FromProto(request->kind());
  if (FinishIfBad(reactor, kind)) return reactor;
  ledger_->RetireCatalogueItem(
      ledger::BankId(request->bank_id()), *kind, request->code(), *caller,
      ReplyLater<ledger::CatalogueItem>(
          reactor, [response](const ledger::CatalogueItem& done) { ToProto(done, response); }));
  return reactor;
}

grpc::ServerUnaryReactor* CatalogueService::GetCatalogueItem(
    grpc::CallbackServerContext* context, const v1::GetCatalogueItemRequest* request,
    v1::CatalogueItem* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Catalogue/GetCatalogueItem", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto kind = FromProto(request->kind());
  if (FinishIfBad(reactor, kind)) return reactor;
  Reply(reactor,
        ledger_->GetCatalogueItem(ledger::BankId(request->bank_id()), *kind, request->code()),
        [response](const ledger::CatalogueItem& item) { ToProto(item, response); });
  return reactor;
}

grpc::ServerUnaryReactor* CatalogueService::ListCatalogue(grpc::CallbackServerContext* context,
                                                          const v1::ListCatalogueRequest* request,
                                                          v1::ListCatalogueResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Catalogue/ListCatalogue", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto kind = FromProto(request->kind());
  if (FinishIfBad(reactor, kind)) return reactor;
  const ledger::BankId bank_id(request->bank_id());
  Reply(reactor,
        ledger_->ListCatalogue(bank_id, *kind, request->include_retired(), request->page_size(),
                               request->page_token()),
        [response](const ledger::Page<ledger::CatalogueItem>& page) {
          for (const ledger::CatalogueItem& item : page.items) ToProto(item, response->add_items());
          response->set_next_page_token(page.next_page_token);
        });
  return reactor;
}

grpc::ServerUnaryReactor* QualificationsService::AwardQualification(
    grpc::CallbackServerContext* context, const v1::AwardQualificationRequest* request,
    v1::AwardQualificationResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Qualifications/AwardQualification", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto spec = FromProto(*request);
  if (FinishIfBad(reactor, spec)) return reactor;
  ledger_->AwardQualification(
      *std::move(spec), *caller,
      ReplyLater<ledger::AwardReceipt>(reactor, [response](const ledger::AwardReceipt& receipt) {
        ToProto(receipt, response);
      }));
  return reactor;
}

grpc::ServerUnaryReactor* QualificationsService::RedeemOffer(grpc::CallbackServerContext* context,
                                                             const v1::RedeemOfferRequest* request,
                                                             v1::RedeemOfferResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Qualifications/RedeemOffer", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  ledger_->RedeemOffer(
      FromProto(*request), *caller,
      ReplyLater<ledger::Redemption>(reactor, [response](const ledger::Redemption& redemption) {
        ToProto(redemption, response);
      }));
  return reactor;
}

grpc::ServerUnaryReactor* QualificationsService::ListQualifications(
    grpc::CallbackServerContext* context, const v1::ListQualificationsRequest* request,
    v1::ListQualificationsResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Qualifications/ListQualifications", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  Reply(reactor,
        ledger_->ListQualifications(
            ledger::BankId(request->bank_id()), ledger::AccountId(request->account_id()),
            request->expiring_within_days(), request->page_size(), request->page_token()),
        FillHoldings(response->mutable_qualifications(), response->mutable_next_page_token()));
  return reactor;
}

grpc::ServerUnaryReactor* QualificationsService::ListHolders(grpc::CallbackServerContext* context,
                                                             const v1::ListHoldersRequest* request,
                                                             v1::ListHoldersResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Qualifications/ListHolders", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  Reply(reactor,
        ledger_->ListHolders(ledger::BankId(request->bank_id()), request->qualification_code(),
                             request->expiring_within_days(), request->page_size(),
                             request->page_token()),
        FillHoldings(response->mutable_holders(), response->mutable_next_page_token()));
  return reactor;
}

}  // namespace timeledger::services
