// The Kiosk service: members' cards and PINs for coordinators, and sign-in, the member's summary
// and their pending entries for kiosks (proto/timeledger/v1/kiosk.proto). Each handler translates
// one call to ledger::KioskDesk or ledger::Ledger and back; the rules live in ledger/kiosk*.
//
// Borrows the Ledger and the KioskDesk, which must outlive the server. Thread-safe.
#ifndef TIMELEDGER_SERVICES_KIOSK_SERVICE_H_
#define TIMELEDGER_SERVICES_KIOSK_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "ledger/engine/ledger.h"
#include "services/access.h"
#include "services/kiosk_desk.h"
#include "timeledger/v1/kiosk.grpc.pb.h"

namespace timeledger::services {

class KioskService final : public v1::Kiosk::CallbackService {
 public:
  KioskService(ledger::Ledger* ledger, ledger::KioskDesk* desk, Gate* gate)
      : ledger_(ledger), desk_(desk), gate_(gate) {}

  grpc::ServerUnaryReactor* SetMemberCard(grpc::CallbackServerContext* context,
                                          const v1::SetMemberCardRequest* request,
                                          v1::MemberCard* response) override;
  grpc::ServerUnaryReactor* SetMemberLanguage(grpc::CallbackServerContext* context,
                                              const v1::SetMemberLanguageRequest* request,
                                              v1::MemberCard* response) override;
  grpc::ServerUnaryReactor* GetMemberCard(grpc::CallbackServerContext* context,
                                          const v1::GetMemberCardRequest* request,
                                          v1::MemberCard* response) override;
  grpc::ServerUnaryReactor* SetMemberPin(grpc::CallbackServerContext* context,
                                         const v1::SetMemberPinRequest* request,
                                         v1::MemberCard* response) override;
  grpc::ServerUnaryReactor* SignIn(grpc::CallbackServerContext* context,
                                   const v1::SignInRequest* request,
                                   v1::KioskSession* response) override;
  grpc::ServerUnaryReactor* SignOut(grpc::CallbackServerContext* context,
                                    const v1::SignOutRequest* request,
                                    v1::SignOutResponse* response) override;
  grpc::ServerUnaryReactor* GetMemberSummary(grpc::CallbackServerContext* context,
                                             const v1::GetMemberSummaryRequest* request,
                                             v1::MemberSummary* response) override;
  grpc::ServerUnaryReactor* ConfirmMemberEntry(grpc::CallbackServerContext* context,
                                               const v1::MemberEntryRequest* request,
                                               v1::RecordEntryResponse* response) override;
  grpc::ServerUnaryReactor* RejectMemberEntry(grpc::CallbackServerContext* context,
                                              const v1::MemberEntryRequest* request,
                                              v1::PendingEntry* response) override;

 private:
  ledger::Ledger* ledger_;
  ledger::KioskDesk* desk_;
  Gate* gate_;
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_KIOSK_SERVICE_H_
