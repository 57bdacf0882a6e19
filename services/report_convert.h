// Translation between the messages of timeledger.v1.Reports and the report types of
// ledger/reports/report.h. Pure functions, thread-safe. FromProto returns InvalidArgument
// (INVALID_DATE, naming the field) for a day that does not exist.
#ifndef TIMELEDGER_SERVICES_REPORT_CONVERT_H_
#define TIMELEDGER_SERVICES_REPORT_CONVERT_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

#include "ledger/reports/report.h"
#include "timeledger/v1/reports.pb.h"

namespace timeledger::services {

absl::StatusOr<absl::CivilDay> FromProto(const v1::Date& date, absl::string_view field);
void ToProto(absl::CivilDay day, v1::Date* date);

absl::StatusOr<ledger::PeriodReportRequest> FromProto(const v1::GetPeriodReportRequest& request);
absl::StatusOr<ledger::StatementRequest> FromProto(const v1::GetStatementRequest& request);

void ToProto(const ledger::PeriodReport& report, v1::PeriodReport* out);
void ToProto(const ledger::Statement& statement, v1::Statement* out);

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_REPORT_CONVERT_H_
