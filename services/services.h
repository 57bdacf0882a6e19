// The gRPC services of timeledgerd: Banks, Accounts and Ledger.
//
// Each handler translates its request into one call on ledger::Ledger and the result back; no
// business rule lives here. Writes complete asynchronously: the handler returns its reactor at
// once and the ledger's writer finishes it after the durable commit, so no thread waits per call.
// The services borrow the Ledger, which must outlive the server. Thread-safe.
#ifndef TIMELEDGER_SERVICES_SERVICES_H_
#define TIMELEDGER_SERVICES_SERVICES_H_

#include <string>

#include <grpcpp/grpcpp.h>

#include "ledger/core/worker.h"
#include "ledger/engine/ledger.h"
#include "services/access.h"
#include "services/kiosk_desk.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"
#include "timeledger/v1/policies.grpc.pb.h"

namespace timeledger::services {

class BanksService final : public v1::Banks::CallbackService {
 public:
  BanksService(ledger::Ledger* ledger, Gate* gate) : ledger_(ledger), gate_(gate) {}

  grpc::ServerUnaryReactor* CreateBank(grpc::CallbackServerContext* context,
                                       const v1::CreateBankRequest* request,
                                       v1::Bank* response) override;
  grpc::ServerUnaryReactor* GetBank(grpc::CallbackServerContext* context,
                                    const v1::GetBankRequest* request, v1::Bank* response) override;
  grpc::ServerUnaryReactor* ListBanks(grpc::CallbackServerContext* context,
                                      const v1::ListBanksRequest* request,
                                      v1::ListBanksResponse* response) override;

 private:
  ledger::Ledger* ledger_;
  Gate* gate_;
};

// Compactions after erasures waiting for the accounts service's worker at most; an erasure
// beyond them is done and answered with files_compacted false.
inline constexpr size_t kCompactionsWaitingMax = 4;

class AccountsService final : public v1::Accounts::CallbackService {
 public:
  AccountsService(ledger::Ledger* ledger, Gate* gate) : ledger_(ledger), gate_(gate) {}

  grpc::ServerUnaryReactor* OpenAccount(grpc::CallbackServerContext* context,
                                        const v1::OpenAccountRequest* request,
                                        v1::Account* response) override;
  grpc::ServerUnaryReactor* GetAccount(grpc::CallbackServerContext* context,
                                       const v1::GetAccountRequest* request,
                                       v1::Account* response) override;
  grpc::ServerUnaryReactor* ListAccounts(grpc::CallbackServerContext* context,
                                         const v1::ListAccountsRequest* request,
                                         v1::ListAccountsResponse* response) override;
  grpc::ServerUnaryReactor* SuspendAccount(grpc::CallbackServerContext* context,
                                           const v1::SuspendAccountRequest* request,
                                           v1::Account* response) override;
  grpc::ServerUnaryReactor* ReactivateAccount(grpc::CallbackServerContext* context,
                                              const v1::ReactivateAccountRequest* request,
                                              v1::Account* response) override;
  grpc::ServerUnaryReactor* CloseAccount(grpc::CallbackServerContext* context,
                                         const v1::CloseAccountRequest* request,
                                         v1::Account* response) override;
  grpc::ServerUnaryReactor* ChangeAccount(grpc::CallbackServerContext* context,
                                          const v1::ChangeAccountRequest* request,
                                          v1::Account* response) override;
  grpc::ServerUnaryReactor* ReopenAccount(grpc::CallbackServerContext* context,
                                          const v1::ReopenAccountRequest* request,
                                          v1::Account* response) override;
  // The erasure is a write; the compaction after it (Ledger::CompactErased) takes as long as
  // rewriting the bank's personal ranges, so it runs on the service's own worker, one at a time.
  grpc::ServerUnaryReactor* ErasePersonalData(grpc::CallbackServerContext* context,
                                              const v1::ErasePersonalDataRequest* request,
                                              v1::ErasePersonalDataResponse* response) override;

 private:
  // Suspends or reactivates (closing and reopening have their own ledger calls).
  grpc::ServerUnaryReactor* SetStatus(grpc::CallbackServerContext* context,
                                      absl::string_view method, const std::string& bank_id,
                                      const std::string& account_id, ledger::AccountStatus status,
                                      const std::string& reason, v1::Account* response);

  ledger::Ledger* ledger_;
  Gate* gate_;
  ledger::Worker compactions_{kCompactionsWaitingMax};  // last: drained before the rest goes
};

class LedgerService final : public v1::Ledger::CallbackService {
 public:
  // Borrows the desk to check a member's card and PIN sent with a partner's SPEND.
  LedgerService(ledger::Ledger* ledger, ledger::KioskDesk* desk, Gate* gate)
      : ledger_(ledger), desk_(desk), gate_(gate) {}

  grpc::ServerUnaryReactor* RecordEntry(grpc::CallbackServerContext* context,
                                        const v1::RecordEntryRequest* request,
                                        v1::RecordEntryResponse* response) override;
  grpc::ServerUnaryReactor* RecordEntries(grpc::CallbackServerContext* context,
                                          const v1::RecordEntriesRequest* request,
                                          v1::RecordEntriesResponse* response) override;
  grpc::ServerUnaryReactor* ReverseEntry(grpc::CallbackServerContext* context,
                                         const v1::ReverseEntryRequest* request,
                                         v1::RecordEntryResponse* response) override;
  grpc::ServerUnaryReactor* GetEntry(grpc::CallbackServerContext* context,
                                     const v1::GetEntryRequest* request,
                                     v1::Entry* response) override;
  grpc::ServerUnaryReactor* ListEntries(grpc::CallbackServerContext* context,
                                        const v1::ListEntriesRequest* request,
                                        v1::ListEntriesResponse* response) override;
  grpc::ServerUnaryReactor* CheckEntry(grpc::CallbackServerContext* context,
                                       const v1::RecordEntryRequest* request,
                                       v1::RecordEntryResponse* response) override;
  grpc::ServerUnaryReactor* ConfirmEntry(grpc::CallbackServerContext* context,
                                         const v1::ConfirmEntryRequest* request,
                                         v1::RecordEntryResponse* response) override;
  grpc::ServerUnaryReactor* RejectEntry(grpc::CallbackServerContext* context,
                                        const v1::RejectEntryRequest* request,
                                        v1::PendingEntry* response) override;
  grpc::ServerUnaryReactor* ListPendingEntries(grpc::CallbackServerContext* context,
                                               const v1::ListPendingEntriesRequest* request,
                                               v1::ListPendingEntriesResponse* response) override;
  grpc::ServerUnaryReactor* RunExpirySweep(grpc::CallbackServerContext* context,
                                           const v1::RunExpirySweepRequest* request,
                                           v1::RunExpirySweepResponse* response) override;

 private:
  // Runs `submit` with `spec`; first, for a partner's entry that carries the payer's card and
  // PIN, has the desk check them and names their holder in the spec (the rules decide what that
  // consent is worth). A refused card finishes `reactor` as the partner may see it. The caller's
  // rights are the writer's to decide (ledger/engine/commands.h).
  void WithPayerCard(const ledger::Principal& caller, const v1::RecordEntryRequest& request,
                     ledger::EntrySpec spec, grpc::ServerUnaryReactor* reactor,
                     std::function<void(ledger::EntrySpec)> submit);

  // RecordEntry and CheckEntry: the same gate, conversion and card check, then the ledger records
  // the entry, or (`dry_run`) only says what recording it would do.
  grpc::ServerUnaryReactor* SubmitEntry(grpc::CallbackServerContext* context,
                                        const v1::RecordEntryRequest* request,
                                        v1::RecordEntryResponse* response, absl::string_view method,
                                        bool dry_run);

  ledger::Ledger* ledger_;
  ledger::KioskDesk* desk_;
  Gate* gate_;
};

class PoliciesService final : public v1::Policies::CallbackService {
 public:
  PoliciesService(ledger::Ledger* ledger, Gate* gate) : ledger_(ledger), gate_(gate) {}

  grpc::ServerUnaryReactor* GetPolicy(grpc::CallbackServerContext* context,
                                      const v1::GetPolicyRequest* request,
                                      v1::Policy* response) override;
  grpc::ServerUnaryReactor* SetPolicy(grpc::CallbackServerContext* context,
                                      const v1::SetPolicyRequest* request,
                                      v1::Policy* response) override;
  grpc::ServerUnaryReactor* ValidatePolicy(grpc::CallbackServerContext* context,
                                           const v1::ValidatePolicyRequest* request,
                                           v1::ValidatePolicyResponse* response) override;
  grpc::ServerUnaryReactor* ListPolicyChanges(grpc::CallbackServerContext* context,
                                              const v1::ListPolicyChangesRequest* request,
                                              v1::ListPolicyChangesResponse* response) override;

 private:
  ledger::Ledger* ledger_;
  Gate* gate_;
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_SERVICES_H_
