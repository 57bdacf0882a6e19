#include "services/reports_service.h"

#include <utility>

#include "ledger/core/errors.h"
#include "ledger/reports/report.h"
#include "services/convert.h"
#include "services/reply.h"
#include "services/report_convert.h"

namespace timeledger::services {
namespace {

absl::Status Busy() {
  return ledger::Refuse(ledger::Reason::kBusy,
                        "too many reports are being made; try again shortly");
}

}  // namespace

ReportsService::ReportsService(ledger::Ledger* ledger, Gate* gate) : ledger_(ledger), gate_(gate) {}

ReportsService::~ReportsService() = default;

grpc::ServerUnaryReactor* ReportsService::GetPeriodReport(grpc::CallbackServerContext* context,
                                                          const v1::GetPeriodReportRequest* request,
                                                          v1::PeriodReport* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Reports/GetPeriodReport", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto parsed = FromProto(*request);
  if (!parsed.ok()) {
    reactor->Finish(ToGrpcStatus(parsed.status()));
    return reactor;
  }
  const bool queued =
      worker_.Submit([this, reactor, response, parsed = *std::move(parsed)]() mutable {
        ledger::ReportOptions options;
        options.now = ledger_->Now();
        absl::StatusOr<ledger::PeriodReport> report;
        {
          auto view = ledger_->NewReadView();  // released before the call finishes
          report = ledger::BuildPeriodReport(*view, parsed, options);
        }
        Reply(reactor, report, [response](const ledger::PeriodReport& r) { ToProto(r, response); });
      });
  if (!queued) reactor->Finish(ToGrpcStatus(Busy()));
  return reactor;
}

grpc::ServerUnaryReactor* ReportsService::GetStatement(grpc::CallbackServerContext* context,
                                                       const v1::GetStatementRequest* request,
                                                       v1::Statement* response) {
  auto* reactor = context->DefaultReactor();
  auto caller = gate_->Admit(context, "Reports/GetStatement", request->bank_id());
  if (!caller.ok()) return Refuse(reactor, caller.status());
  auto parsed = FromProto(*request);
  if (!parsed.ok()) {
    reactor->Finish(ToGrpcStatus(parsed.status()));
    return reactor;
  }
  const bool queued =
      worker_.Submit([this, reactor, response, parsed = *std::move(parsed)]() mutable {
        absl::StatusOr<ledger::Statement> statement;
        {
          auto view = ledger_->NewReadView();
          statement = ledger::BuildStatement(*view, parsed, ledger_->Now());
        }
        Reply(reactor, statement, [response](const ledger::Statement& s) { ToProto(s, response); });
      });
  if (!queued) reactor->Finish(ToGrpcStatus(Busy()));
  return reactor;
}

}  // namespace timeledger::services
