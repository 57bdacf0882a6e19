// ReportsService: timeledger.v1.Reports, the period reports and statements of
// ledger/reports/report.h.
//
// A report reads up to millions of entries, so it does not run on gRPC's callback threads: each
// call is queued for one worker thread the service owns, which builds the report from a fresh
// snapshot of the ledger (Ledger::NewReadView) and finishes the call. At most
// kReportsWaitingMax calls wait; more are refused with UNAVAILABLE (BUSY). Destroying the
// service finishes the calls still queued, then joins the worker. Borrows the Ledger, which must
// outlive it. Thread-safe.
#ifndef TIMELEDGER_SERVICES_REPORTS_SERVICE_H_
#define TIMELEDGER_SERVICES_REPORTS_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "ledger/core/worker.h"
#include "ledger/engine/ledger.h"
#include "services/access.h"
#include "timeledger/v1/reports.grpc.pb.h"

namespace timeledger::services {

// Report calls waiting for the worker at most.
inline constexpr size_t kReportsWaitingMax = 16;

class ReportsService final : public v1::Reports::CallbackService {
 public:
  ReportsService(ledger::Ledger* ledger, Gate* gate);
  ~ReportsService() override;

  ReportsService(const ReportsService&) = delete;
  ReportsService& operator=(const ReportsService&) = delete;

  grpc::ServerUnaryReactor* GetPeriodReport(grpc::CallbackServerContext* context,
                                            const v1::GetPeriodReportRequest* request,
                                            v1::PeriodReport* response) override;
  grpc::ServerUnaryReactor* GetStatement(grpc::CallbackServerContext* context,
                                         const v1::GetStatementRequest* request,
                                         v1::Statement* response) override;

 private:
  ledger::Ledger* ledger_;
  Gate* gate_;
  ledger::Worker worker_{kReportsWaitingMax};  // last: drained before the rest goes
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_REPORTS_SERVICE_H_
