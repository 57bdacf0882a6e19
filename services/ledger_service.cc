#include "ledger/core/errors.h"
#include "ledger/core/validate.h"
#include "ledger/rules/partner_view.h"
#include "services/reply.h"
#include "services/services.h"

namespace timeledger::services {
namespace {

// Returns a callback for a ledger write whose receipt `caller` asked for: it replies with what
// the caller may see of it (ledger/rules/partner_view.h), the one place a partner's answer is cut
// down.
auto ReplyWithReceipt(grpc::ServerUnaryReactor* reactor, v1::RecordEntryResponse* response,
                      const ledger::Principal& caller) {
  return [reactor, response, caller](absl::StatusOr<ledger::Receipt> result) {
    Reply(reactor, ledger::AsSeenBy(caller, std::move(result)),
          [response](const ledger::Receipt& r) { ToProto(r, response); });
  };
}

}  // namespace

void LedgerService::WithPayerCard(const ledger::Principal& caller,
                                  const v1::RecordEntryRequest& request, ledger::EntrySpec spec,
                                  grpc::ServerUnaryReactor* reactor,
                                  std::function<void(ledger::EntrySpec)> submit) {
  spec.recorded_by_partner = caller.role == ledger::PrincipalRole::kPartner;
  if (!spec.recorded_by_partner || !request.has_payer_card()) return submit(std::move(spec));
  // A PIN is tried only for an entry the partner may record at all, so that no one can guess
  // PINs with entries they may not make. A partner's rights depend on nothing the ledger holds;
  // the writer decides them again with the entry.
  if (auto s = ledger::CheckMayRecord(caller, spec, /*self_credit_needs_confirmation=*/false);
      !s.ok()) {
    Refuse(reactor, s);
    return;
  }
  std::string bank_id = spec.bank_id;  // before the callback takes the spec
  desk_->CheckPayerCard(std::move(bank_id), request.payer_card().card_number(),
                        request.payer_card().pin(),
                        [reactor, caller, spec = std::move(spec),
                         submit = std::move(submit)](absl::StatusOr<std::string> holder) mutable {
                          if (!holder.ok()) {
                            Refuse(reactor, ledger::RefusalAsSeenBy(caller, holder.status()));
                            return;
                          }
                          spec.payer_card_holder = *std::move(holder);
                          submit(std::move(spec));
                        });
}

grpc::ServerUnaryReactor* LedgerService::SubmitEntry(grpc::CallbackServerContext* context,
                                                     const v1::RecordEntryRequest* request,
                                                     v1::RecordEntryResponse* response,
                                                     absl::string_view method, bool dry_run) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, method, request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto spec = FromProto(*request);
  if (!spec.ok()) {
    reactor->Finish(ToGrpcStatus(spec.status()));
    return reactor;
  }
  WithPayerCard(
      *caller, *request, *std::move(spec), reactor,
      [writer = ledger_, reactor, response, caller = *caller, dry_run](ledger::EntrySpec checked) {
        auto reply = ReplyWithReceipt(reactor, response, caller);
        if (dry_run) {
          writer->CheckEntry(std::move(checked), caller, std::move(reply));
        } else {
          writer->RecordEntry(std::move(checked), caller, std::move(reply));
        }
      });
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::RecordEntry(grpc::CallbackServerContext* context,
                                                     const v1::RecordEntryRequest* request,
                                                     v1::RecordEntryResponse* response) {
  return SubmitEntry(context, request, response, "Ledger/RecordEntry", /*dry_run=*/false);
}

grpc::ServerUnaryReactor* LedgerService::RecordEntries(grpc::CallbackServerContext* context,
                                                       const v1::RecordEntriesRequest* request,
                                                       v1::RecordEntriesResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller =
      gate_->Admit(context, "Ledger/RecordEntries",
                   request->entries().empty() ? std::string() : request->entries(0).bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  if (request->entries_size() == 0 ||
      request->entries_size() > static_cast<int>(ledger::kBatchSizeMax)) {
    reactor->Finish(
        ToGrpcStatus(ledger::Refuse(ledger::Reason::kInvalidBatchSize,
                                    "a batch holds 1 to " + std::to_string(ledger::kBatchSizeMax) +
                                        " entries; got " + std::to_string(request->entries_size()),
                                    {{"limit", std::to_string(ledger::kBatchSizeMax)},
                                     {"attempted", std::to_string(request->entries_size())}})));
    return reactor;
  }
  std::vector<ledger::EntrySpec> specs;
  specs.reserve(request->entries_size());
  for (int i = 0; i < request->entries_size(); ++i) {
    auto spec = FromProto(request->entries(i));
    if (!spec.ok()) {
      // A malformed item fails the whole call: nothing has been written.
      reactor->Finish(ToGrpcStatus(ledger::WithFigure(spec.status(), "index", std::to_string(i))));
      return reactor;
    }
    // A batch carries no cards: a partner's spends in it wait for the member or are refused,
    // as the bank's policy says.
    spec->recorded_by_partner = caller->role == ledger::PrincipalRole::kPartner;
    specs.push_back(*std::move(spec));
  }
  using Results = std::vector<absl::StatusOr<ledger::Receipt>>;
  ledger_->RecordEntries(std::move(specs), request->atomic(), *caller,
                         [reactor, response, caller = *caller](absl::StatusOr<Results> results) {
                           // An atomic batch answers with its first item's refusal.
                           if (!results.ok())
                             results = ledger::RefusalAsSeenBy(caller, results.status());
                           Reply(reactor, results, [response, &caller](const Results& items) {
                             for (const auto& result : items) {
                               auto* item = response->add_results();
                               auto seen = ledger::AsSeenBy(caller, result);
                               if (seen.ok()) {
                                 ToProto(*seen, item->mutable_receipt());
                               } else {
                                 ToProblem(seen.status(), item->mutable_problem());
                               }
                             }
                           });
                         });
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::ReverseEntry(grpc::CallbackServerContext* context,
                                                      const v1::ReverseEntryRequest* request,
                                                      v1::RecordEntryResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Ledger/ReverseEntry", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  ledger_->ReverseEntry(ledger::BankId(request->bank_id()), request->seq(),
                        ledger::EntryId(request->entry_id()), request->note(), *caller,
                        ReplyLater<ledger::Receipt>(reactor, [response](const ledger::Receipt& r) {
                          ToProto(r, response);
                        }));
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::GetEntry(grpc::CallbackServerContext* context,
                                                  const v1::GetEntryRequest* request,
                                                  v1::Entry* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Ledger/GetEntry", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto fill = [response](const ledger::Entry& entry) { ToProto(entry, response); };
  auto readable = [&caller](absl::StatusOr<ledger::Entry> entry) -> absl::StatusOr<ledger::Entry> {
    if (!entry.ok()) return entry;
    if (auto s = ledger::CheckMayReadEntry(*caller, *entry); !s.ok()) return s;
    return entry;
  };
  if (request->seq() != 0 && !request->entry_id().empty()) {
    reactor->Finish(
        ToGrpcStatus(ledger::Refuse(ledger::Reason::kInvalidArgument,
                                    "give either seq or entry_id, not both", {{"field", "seq"}})));
  } else if (request->seq() != 0) {
    Reply(reactor, readable(ledger_->GetEntry(ledger::BankId(request->bank_id()), request->seq())),
          fill);
  } else if (!request->entry_id().empty()) {
    Reply(reactor,
          readable(ledger_->GetEntryById(ledger::BankId(request->bank_id()),
                                         ledger::EntryId(request->entry_id()))),
          fill);
  } else {
    reactor->Finish(
        ToGrpcStatus(ledger::Refuse(ledger::Reason::kInvalidArgument,
                                    "give the entry's seq or its entry_id", {{"field", "seq"}})));
  }
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::ListEntries(grpc::CallbackServerContext* context,
                                                     const v1::ListEntriesRequest* request,
                                                     v1::ListEntriesResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Ledger/ListEntries", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto account = ledger::AccountToList(*caller, request->account_id());
  if (!account.ok()) return Refuse(reactor, account.status());
  const bool by_account = !account->empty();
  Reply(reactor,
        ledger_->ListEntries(ledger::BankId(request->bank_id()), ledger::AccountId(*account),
                             request->page_size(), request->page_token()),
        [response, by_account](const ledger::Page<ledger::EntryRow>& page) {
          for (const auto& row : page.items) {
            auto* out = response->add_rows();
            ToProto(row.entry, out->mutable_entry());
            if (by_account) out->set_running_balance_minutes(row.running_balance_minutes);
          }
          response->set_next_page_token(page.next_page_token);
        });
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::CheckEntry(grpc::CallbackServerContext* context,
                                                    const v1::RecordEntryRequest* request,
                                                    v1::RecordEntryResponse* response) {
  return SubmitEntry(context, request, response, "Ledger/CheckEntry", /*dry_run=*/true);
}

grpc::ServerUnaryReactor* LedgerService::ConfirmEntry(grpc::CallbackServerContext* context,
                                                      const v1::ConfirmEntryRequest* request,
                                                      v1::RecordEntryResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Ledger/ConfirmEntry", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  ledger_->ConfirmEntry(
      ledger::BankId(request->bank_id()), ledger::EntryId(request->entry_id()), *caller,
      ReplyLater<ledger::Receipt>(reactor,
                                  [response](const ledger::Receipt& r) { ToProto(r, response); }));
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::RejectEntry(grpc::CallbackServerContext* context,
                                                     const v1::RejectEntryRequest* request,
                                                     v1::PendingEntry* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Ledger/RejectEntry", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  ledger_->RejectEntry(
      ledger::BankId(request->bank_id()), ledger::EntryId(request->entry_id()), request->reason(),
      *caller,
      ReplyLater<ledger::PendingEntry>(reactor, [response](const ledger::PendingEntry& pending) {
        ToProto(pending, response);
      }));
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::ListPendingEntries(
    grpc::CallbackServerContext* context, const v1::ListPendingEntriesRequest* request,
    v1::ListPendingEntriesResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Ledger/ListPendingEntries", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  size_t limit = 0;
  if (auto s = ledger::ValidatePageSize(request->page_size(), &limit); !s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  Reply(reactor,
        ledger_->ListPending(ledger::BankId(request->bank_id()),
                             ledger::AccountId(request->account_id()), limit),
        [response](const std::vector<ledger::PendingEntry>& pending) {
          for (const auto& p : pending) ToProto(p, response->add_pending());
        });
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::RunExpirySweep(grpc::CallbackServerContext* context,
                                                        const v1::RunExpirySweepRequest* request,
                                                        v1::RunExpirySweepResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Ledger/RunExpirySweep", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  ledger_->RunExpirySweep(
      ledger::BankId(request->bank_id()), *caller,
      ReplyLater<ledger::ExpirySweepResult>(
          reactor, [response](const ledger::ExpirySweepResult& result) {
            response->set_accounts_expired(static_cast<int64_t>(result.accounts_expired));
            response->set_minutes_returned(result.minutes_returned.count());
            response->set_more(result.more);
          }));
  return reactor;
}

}  // namespace timeledger::services
