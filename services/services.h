// The gRPC services of timeledgerd: Banks, Accounts and Ledger.
//
// Each handler translates its request into one call on ledger::Ledger and the result back; no
// business rule lives here. Writes complete asynchronously: the handler returns its reactor at
// once and the ledger's writer finishes it after the durable commit, so no thread waits per call.
// The services borrow the Ledger, which must outlive the server. Thread-safe.
#ifndef TIMELEDGER_SERVICES_SERVICES_H_
#define TIMELEDGER_SERVICES_SERVICES_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "ledger/ledger.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"

namespace timeledger::services {

// Who is calling, as recorded in entries' recorded_by. Until principals and tokens exist, every
// caller is "anonymous".
std::string PrincipalOf(const grpc::CallbackServerContext* context);

class BanksService final : public v1::Banks::CallbackService {
 public:
  explicit BanksService(ledger::Ledger* ledger) : ledger_(ledger) {}

  grpc::ServerUnaryReactor* CreateBank(grpc::CallbackServerContext* context,
                                       const v1::CreateBankRequest* request,
                                       v1::Bank* response) override;
  grpc::ServerUnaryReactor* GetBank(grpc::CallbackServerContext* context,
                                    const v1::GetBankRequest* request,
                                    v1::Bank* response) override;
  grpc::ServerUnaryReactor* ListBanks(grpc::CallbackServerContext* context,
                                      const v1::ListBanksRequest* request,
                                      v1::ListBanksResponse* response) override;

 private:
  ledger::Ledger* ledger_;
};

class AccountsService final : public v1::Accounts::CallbackService {
 public:
  explicit AccountsService(ledger::Ledger* ledger) : ledger_(ledger) {}

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

 private:
  grpc::ServerUnaryReactor* SetStatus(grpc::CallbackServerContext* context,
                                      const std::string& bank_id, const std::string& account_id,
                                      ledger::AccountStatus status, const std::string& reason,
                                      v1::Account* response);

  ledger::Ledger* ledger_;
};

class LedgerService final : public v1::Ledger::CallbackService {
 public:
  explicit LedgerService(ledger::Ledger* ledger) : ledger_(ledger) {}

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

 private:
  ledger::Ledger* ledger_;
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_SERVICES_H_
