// AuditService and BackupsService: timeledger.v1.Audit and timeledger.v1.Backups (audit.proto),
// the digests, proofs, verification, journal export and backups of ledger/engine/audit.h.
//
// Digests, proofs and journal pages are quick reads and are answered on gRPC's callback thread.
// Verify and CreateBackup take seconds, so they do not run there: each service owns one worker
// thread that runs them one at a time; at most kLongCallsWaitingMax wait, more are refused with
// UNAVAILABLE (BUSY). Destroying a service finishes the calls still queued, then joins its
// worker. The services borrow the Ledger, which must outlive them. Thread-safe.
#ifndef TIMELEDGER_SERVICES_AUDIT_SERVICE_H_
#define TIMELEDGER_SERVICES_AUDIT_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "ledger/core/worker.h"
#include "ledger/engine/ledger.h"
#include "services/access.h"
#include "services/journal_feed.h"
#include "services/journal_record_convert.h"
#include "timeledger/v1/audit.grpc.pb.h"

namespace timeledger::services {

// Long calls (Verify, CreateBackup) waiting for a service's worker at most.
inline constexpr size_t kLongCallsWaitingMax = 4;

// WatchJournal is a raw method: the feed writes its messages' bytes itself (feed_wire.h).
class AuditService final
    : public v1::Audit::WithRawCallbackMethod_WatchJournal<v1::Audit::CallbackService> {
 public:
  AuditService(ledger::Ledger* ledger, Gate* gate, FeedOptions feed = FeedOptions())
      : ledger_(ledger), gate_(gate), feed_(ledger, gate, feed) {}

  grpc::ServerUnaryReactor* GetDigest(grpc::CallbackServerContext* context,
                                      const v1::GetDigestRequest* request,
                                      v1::Digest* response) override;
  grpc::ServerUnaryReactor* GetInclusionProof(grpc::CallbackServerContext* context,
                                              const v1::GetInclusionProofRequest* request,
                                              v1::InclusionProof* response) override;
  grpc::ServerUnaryReactor* GetConsistencyProof(grpc::CallbackServerContext* context,
                                                const v1::GetConsistencyProofRequest* request,
                                                v1::ConsistencyProof* response) override;
  grpc::ServerUnaryReactor* Verify(grpc::CallbackServerContext* context,
                                   const v1::VerifyRequest* request,
                                   v1::VerifyResponse* response) override;
  grpc::ServerUnaryReactor* ListJournal(grpc::CallbackServerContext* context,
                                        const v1::ListJournalRequest* request,
                                        v1::ListJournalResponse* response) override;
  // The change feed (services/journal_feed.h).
  grpc::ServerWriteReactor<grpc::ByteBuffer>* WatchJournal(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) override {
    return feed_.Watch(context, request);
  }

  JournalFeed& feed() { return feed_; }

 private:
  ledger::Ledger* ledger_;
  Gate* gate_;
  ledger::Worker worker_{kLongCallsWaitingMax};
  JournalFeed feed_;
};

class BackupsService final : public v1::Backups::CallbackService {
 public:
  BackupsService(ledger::Ledger* ledger, Gate* gate) : ledger_(ledger), gate_(gate) {}

  grpc::ServerUnaryReactor* CreateBackup(grpc::CallbackServerContext* context,
                                         const v1::CreateBackupRequest* request,
                                         v1::Backup* response) override;
  grpc::ServerUnaryReactor* ListBackups(grpc::CallbackServerContext* context,
                                        const v1::ListBackupsRequest* request,
                                        v1::ListBackupsResponse* response) override;

 private:
  ledger::Ledger* ledger_;
  Gate* gate_;
  ledger::Worker worker_{kLongCallsWaitingMax};
};

// Conversions of the audit types to the wire (audit_service.cc; a journal record's are in
// journal_record_convert.h). Pure, thread-safe.
void ToProto(const ledger::VerifyReport& report, v1::VerifyResponse* out);

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_AUDIT_SERVICE_H_
