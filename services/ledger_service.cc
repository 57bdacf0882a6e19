#include "ledger/errors.h"
#include "ledger/validate.h"
#include "services/reply.h"
#include "services/services.h"

namespace timeledger::services {

grpc::ServerUnaryReactor* LedgerService::RecordEntry(grpc::CallbackServerContext* context,
                                                     const v1::RecordEntryRequest* request,
                                                     v1::RecordEntryResponse* response) {
  auto* reactor = context->DefaultReactor();
  auto spec = FromProto(*request);
  if (!spec.ok()) {
    reactor->Finish(ToGrpcStatus(spec.status()));
    return reactor;
  }
  ledger_->RecordEntry(*std::move(spec), PrincipalOf(context),
                       ReplyLater<ledger::Receipt>(reactor, [response](const ledger::Receipt& r) {
                         ToProto(r, response);
                       }));
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::RecordEntries(grpc::CallbackServerContext* context,
                                                       const v1::RecordEntriesRequest* request,
                                                       v1::RecordEntriesResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (request->entries_size() == 0 ||
      request->entries_size() > static_cast<int>(ledger::kBatchSizeMax)) {
    reactor->Finish(ToGrpcStatus(ledger::InvalidArgument(
        "INVALID_BATCH_SIZE",
        "a batch holds 1 to " + std::to_string(ledger::kBatchSizeMax) + " entries; got " +
            std::to_string(request->entries_size()),
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
    specs.push_back(*std::move(spec));
  }
  using Results = std::vector<absl::StatusOr<ledger::Receipt>>;
  ledger_->RecordEntries(std::move(specs), request->atomic(), PrincipalOf(context),
                         ReplyLater<Results>(reactor, [response](const Results& results) {
                           for (const auto& result : results) {
                             auto* item = response->add_results();
                             if (result.ok()) {
                               ToProto(*result, item->mutable_receipt());
                             } else {
                               ToProblem(result.status(), item->mutable_problem());
                             }
                           }
                         }));
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::ReverseEntry(grpc::CallbackServerContext* context,
                                                      const v1::ReverseEntryRequest* request,
                                                      v1::RecordEntryResponse* response) {
  auto* reactor = context->DefaultReactor();
  ledger_->ReverseEntry(request->bank_id(), request->seq(), request->entry_id(), request->note(),
                        PrincipalOf(context),
                        ReplyLater<ledger::Receipt>(reactor, [response](const ledger::Receipt& r) {
                          ToProto(r, response);
                        }));
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::GetEntry(grpc::CallbackServerContext* context,
                                                  const v1::GetEntryRequest* request,
                                                  v1::Entry* response) {
  auto* reactor = context->DefaultReactor();
  auto fill = [response](const ledger::Entry& entry) { ToProto(entry, response); };
  if (request->seq() != 0 && !request->entry_id().empty()) {
    reactor->Finish(ToGrpcStatus(ledger::InvalidArgument(
        "INVALID_ARGUMENT", "give either seq or entry_id, not both", {{"field", "seq"}})));
  } else if (request->seq() != 0) {
    Reply(reactor, ledger_->GetEntry(request->bank_id(), request->seq()), fill);
  } else if (!request->entry_id().empty()) {
    Reply(reactor, ledger_->GetEntryById(request->bank_id(), request->entry_id()), fill);
  } else {
    reactor->Finish(ToGrpcStatus(ledger::InvalidArgument(
        "INVALID_ARGUMENT", "give the entry's seq or its entry_id", {{"field", "seq"}})));
  }
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::ListEntries(grpc::CallbackServerContext* context,
                                                     const v1::ListEntriesRequest* request,
                                                     v1::ListEntriesResponse* response) {
  auto* reactor = context->DefaultReactor();
  const bool by_account = !request->account_id().empty();
  Reply(reactor,
        ledger_->ListEntries(request->bank_id(), request->account_id(), request->page_size(),
                             request->page_token()),
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
  auto* reactor = context->DefaultReactor();
  auto spec = FromProto(*request);
  if (!spec.ok()) {
    reactor->Finish(ToGrpcStatus(spec.status()));
    return reactor;
  }
  ledger_->CheckEntry(*std::move(spec), PrincipalOf(context),
                      ReplyLater<ledger::Receipt>(reactor, [response](const ledger::Receipt& r) {
                        ToProto(r, response);
                      }));
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::ConfirmEntry(grpc::CallbackServerContext* context,
                                                      const v1::ConfirmEntryRequest* request,
                                                      v1::RecordEntryResponse* response) {
  auto* reactor = context->DefaultReactor();
  ledger_->ConfirmEntry(request->bank_id(), request->entry_id(), PrincipalOf(context),
                        ReplyLater<ledger::Receipt>(reactor, [response](const ledger::Receipt& r) {
                          ToProto(r, response);
                        }));
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::RejectEntry(grpc::CallbackServerContext* context,
                                                     const v1::RejectEntryRequest* request,
                                                     v1::PendingEntry* response) {
  auto* reactor = context->DefaultReactor();
  ledger_->RejectEntry(request->bank_id(), request->entry_id(), request->reason(),
                       PrincipalOf(context),
                       ReplyLater<ledger::PendingEntry>(
                           reactor, [response](const ledger::PendingEntry& pending) {
                             ToProto(pending, response);
                           }));
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::ListPendingEntries(
    grpc::CallbackServerContext* context, const v1::ListPendingEntriesRequest* request,
    v1::ListPendingEntriesResponse* response) {
  auto* reactor = context->DefaultReactor();
  size_t limit = 0;
  if (auto s = ledger::ValidatePageSize(request->page_size(), &limit); !s.ok()) {
    reactor->Finish(ToGrpcStatus(s));
    return reactor;
  }
  Reply(reactor, ledger_->ListPending(request->bank_id(), request->account_id(), limit),
        [response](const std::vector<ledger::PendingEntry>& pending) {
          for (const auto& p : pending) ToProto(p, response->add_pending());
        });
  return reactor;
}

grpc::ServerUnaryReactor* LedgerService::RunExpirySweep(grpc::CallbackServerContext* context,
                                                        const v1::RunExpirySweepRequest* request,
                                                        v1::RunExpirySweepResponse* response) {
  auto* reactor = context->DefaultReactor();
  ledger_->RunExpirySweep(
      request->bank_id(), PrincipalOf(context),
      ReplyLater<ledger::ExpirySweepResult>(
          reactor, [response](const ledger::ExpirySweepResult& result) {
            response->set_accounts_expired(static_cast<int64_t>(result.accounts_expired));
            response->set_minutes_returned(result.minutes_returned);
            response->set_more(result.more);
          }));
  return reactor;
}

}  // namespace timeledger::services
