#include "services/kiosk_service.h"

#include <optional>

#include "absl/strings/str_cat.h"

#include "services/reply.h"
#include "services/services.h"

namespace timeledger::services {
namespace {

void ToProto(const ledger::MemberCard& card, v1::MemberCard* out) {
  out->set_bank_id(card.bank_id);
  out->set_account_id(card.account_id);
  out->set_card_number(card.card_number);
  out->set_has_pin(card.has_pin());
  if (card.card_set_at != absl::InfinitePast()) {
    services::ToProto(card.card_set_at, out->mutable_card_set_at());
  }
  if (card.pin_set_at != absl::InfinitePast()) {
    services::ToProto(card.pin_set_at, out->mutable_pin_set_at());
  }
  out->set_language(card.language);
  if (card.language_set_at != absl::InfinitePast()) {
    services::ToProto(card.language_set_at, out->mutable_language_set_at());
  }
}

void ToProto(const ledger::MemberSummary& summary, v1::MemberSummary* out) {
  out->set_bank_name(summary.bank.name);
  out->set_time_zone(summary.bank.time_zone);
  services::ToProto(summary.standing, out->mutable_account());
  // The kiosk shows none of them: the member's phone and email stay off the device.
  out->mutable_account()->clear_phone();
  out->mutable_account()->clear_email();
  services::ToProto(summary.as_of, out->mutable_as_of());
  services::ToProto(summary.session_expires_at, out->mutable_session_expires_at());
  out->set_floor_minutes(summary.standing.floor_minutes.count());
  out->set_language(summary.language);
  for (const ledger::MemberEntry& row : summary.recent) {
    auto* line = out->add_recent();
    services::ToProto(row.entry, line->mutable_entry());
    line->set_balance_after_minutes(row.balance_after_minutes);
    line->set_earned(row.earned);
    line->set_other_display_name(row.other_display_name);
    line->set_other_erased(row.other_erased);
    line->set_original_kind(static_cast<v1::EntryKind>(row.original_kind));
    line->set_activity_title(row.activity_title);
  }
  for (const ledger::MonthGiveTake& month : summary.months) {
    auto* line = out->add_months();
    line->set_year(static_cast<int32_t>(month.month.year()));
    line->set_month(month.month.month());
    line->set_given_minutes(month.given_minutes);
    line->set_received_minutes(month.received_minutes);
    line->set_spent_minutes(month.spent_minutes);
  }
  for (const ledger::MemberPending& row : summary.awaiting) {
    auto* line = out->add_awaiting();
    services::ToProto(row.pending, line->mutable_pending());
    line->set_earns(row.earns);
    line->set_other_display_name(row.other_display_name);
    line->set_activity_title(row.activity_title);
  }
  for (const ledger::MemberQualification& held : summary.qualifications) {
    auto* line = out->add_qualifications();
    line->set_code(held.code);
    line->set_title(held.title);
    line->set_status(ledger::HoldingStatusName(held.status));
    if (held.valid_until != absl::InfiniteFuture()) {
      services::ToProto(held.valid_until, line->mutable_valid_until());
    }
  }
}

// What a kiosk's sessions are bound to: its name within its bank, since names are per bank.
std::string KioskIdentity(const ledger::Principal& kiosk) {
  return absl::StrCat(kiosk.name, "@", kiosk.bank_id);
}

}  // namespace

grpc::ServerUnaryReactor* KioskService::SetMemberCard(grpc::CallbackServerContext* context,
                                                      const v1::SetMemberCardRequest* request,
                                                      v1::MemberCard* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Kiosk/SetMemberCard", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  ledger_->SetMemberCard(
      ledger::BankId(request->bank_id()), ledger::AccountId(request->account_id()),
      request->card_number(), *caller,
      ReplyLater<ledger::MemberCard>(
          reactor, [response](const ledger::MemberCard& card) { ToProto(card, response); }));
  return reactor;
}

grpc::ServerUnaryReactor* KioskService::SetMemberPin(grpc::CallbackServerContext* context,
                                                     const v1::SetMemberPinRequest* request,
                                                     v1::MemberCard* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Kiosk/SetMemberPin", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  desk_->SetPin(request->bank_id(), request->account_id(), request->pin(), *caller,
                ReplyLater<ledger::MemberCard>(reactor, [response](const ledger::MemberCard& card) {
                  ToProto(card, response);
                }));
  return reactor;
}

grpc::ServerUnaryReactor* KioskService::SetMemberLanguage(
    grpc::CallbackServerContext* context, const v1::SetMemberLanguageRequest* request,
    v1::MemberCard* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Kiosk/SetMemberLanguage", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  ledger_->SetMemberLanguage(
      ledger::BankId(request->bank_id()), ledger::AccountId(request->account_id()),
      request->language(), *caller,
      ReplyLater<ledger::MemberCard>(
          reactor, [response](const ledger::MemberCard& card) { ToProto(card, response); }));
  return reactor;
}

grpc::ServerUnaryReactor* KioskService::GetMemberCard(grpc::CallbackServerContext* context,
                                                      const v1::GetMemberCardRequest* request,
                                                      v1::MemberCard* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Kiosk/GetMemberCard", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  const ledger::BankId bank_id(request->bank_id());
  const ledger::AccountId account_id(request->account_id());
  // The account first: a card's absence must not hide that there is no such account.
  if (auto account = ledger_->GetAccount(bank_id, account_id); !account.ok()) {
    return Refuse(reactor, account.status());
  }
  Reply(reactor, ledger_->GetMemberCard(bank_id, account_id),
        [response, request](const std::optional<ledger::MemberCard>& card) {
          response->set_bank_id(request->bank_id());
          response->set_account_id(request->account_id());
          if (card.has_value()) ToProto(*card, response);
        });
  return reactor;
}

grpc::ServerUnaryReactor* KioskService::SignIn(grpc::CallbackServerContext* context,
                                               const v1::SignInRequest* request,
                                               v1::KioskSession* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Kiosk/SignIn", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  desk_->SignIn(
      request->bank_id(), request->card_number(), request->pin(), KioskIdentity(*caller),
      ReplyLater<ledger::KioskSession>(reactor, [response](const ledger::KioskSession& session) {
        response->set_session_id(session.session_id);
        response->set_account_id(session.account_id);
        response->set_display_name(session.display_name);
        services::ToProto(session.expires_at, response->mutable_expires_at());
      }));
  return reactor;
}

grpc::ServerUnaryReactor* KioskService::SignOut(grpc::CallbackServerContext* context,
                                                const v1::SignOutRequest* request,
                                                v1::SignOutResponse* /*response*/) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Kiosk/SignOut", "");
  if (!caller.ok()) return Refuse(reactor, caller.status());
  desk_->SignOut(request->session_id(), KioskIdentity(*caller));
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* KioskService::GetMemberSummary(grpc::CallbackServerContext* context,
                                                         const v1::GetMemberSummaryRequest* request,
                                                         v1::MemberSummary* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Kiosk/GetMemberSummary", "");
  if (!caller.ok()) return Refuse(reactor, caller.status());
  Reply(reactor, desk_->Summary(request->session_id(), KioskIdentity(*caller)),
        [response](const ledger::MemberSummary& summary) { ToProto(summary, response); });
  return reactor;
}

grpc::ServerUnaryReactor* KioskService::ConfirmMemberEntry(grpc::CallbackServerContext* context,
                                                           const v1::MemberEntryRequest* request,
                                                           v1::RecordEntryResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Kiosk/ConfirmMemberEntry", "");
  if (!caller.ok()) return Refuse(reactor, caller.status());
  desk_->Confirm(request->session_id(), KioskIdentity(*caller), request->entry_id(),
                 ReplyLater<ledger::Receipt>(
                     reactor, [response](const ledger::Receipt& r) { ToProto(r, response); }));
  return reactor;
}

grpc::ServerUnaryReactor* KioskService::RejectMemberEntry(grpc::CallbackServerContext* context,
                                                          const v1::MemberEntryRequest* request,
                                                          v1::PendingEntry* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Kiosk/RejectMemberEntry", "");
  if (!caller.ok()) return Refuse(reactor, caller.status());
  desk_->Reject(request->session_id(), KioskIdentity(*caller), request->entry_id(),
                ReplyLater<ledger::PendingEntry>(
                    reactor, [response](const ledger::PendingEntry& p) { ToProto(p, response); }));
  return reactor;
}

}  // namespace timeledger::services
