// timeledger.v1.Reports against a real server on a loopback port, over a real channel.
#include <atomic>
#include <thread>
#include <vector>

#include "absl/time/civil_time.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "ledger/engine/ledger.h"
#include "services/server.h"
#include "tests/support/access.h"
#include "tests/support/server_fixture.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"
#include "timeledger/v1/reports.grpc.pb.h"

namespace timeledger::services {
namespace {

// 21 Sep 2026, 13:00 in London.
const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 9, 21, 12, 0, 0), absl::UTCTimeZone());

class ReportServiceTest : public testing::ServerTest {
 protected:
  void SetUp() override {
    ledger::LedgerOptions options;
    options.sync = false;
    options.clock = [] { return kNow; };
    ASSERT_NO_FATAL_FAILURE(StartServer(options));
    const auto& channel = admin_channel_;
    banks_ = v1::Banks::NewStub(channel);
    accounts_ = v1::Accounts::NewStub(channel);
    ledger_stub_ = v1::Ledger::NewStub(channel);
    reports_ = v1::Reports::NewStub(channel);

    ASSERT_TRUE(CreateBank("hcct", "Holy Cross Centre", "Europe/London").ok());
    ASSERT_TRUE(Open("alice", v1::PERSON).ok());
    ASSERT_TRUE(Open("bob", v1::PERSON).ok());
    ASSERT_TRUE(Open("centre", v1::ORGANISATION).ok());
    ASSERT_TRUE(Record("e1", v1::EXCHANGE, "bob", "alice", 90, "gardening").ok());
    ASSERT_TRUE(Record("e2", v1::AWARD, "centre", "bob", 60, "cooking lunch").ok());
  }

  grpc::Status Open(const std::string& id, v1::AccountKind kind) {
    return OpenAccount("hcct", id, kind);
  }

  grpc::Status Record(const std::string& id, v1::EntryKind kind, const std::string& from,
                      const std::string& to, int64_t minutes, const std::string& activity) {
    v1::RecordEntryRequest request;
    request.set_bank_id("hcct");
    request.set_entry_id(id);
    request.set_kind(kind);
    request.set_from_account_id(from);
    request.set_to_account_id(to);
    request.set_minutes(minutes);
    request.set_activity(activity);
    v1::RecordEntryResponse response;
    grpc::ClientContext context;
    return ledger_stub_->RecordEntry(&context, request, &response);
  }

  static v1::Date Day(int year, int month, int day) {
    v1::Date date;
    date.set_year(year);
    date.set_month(month);
    date.set_day(day);
    return date;
  }

  grpc::Status GetReport(const v1::GetPeriodReportRequest& request, v1::PeriodReport* report) {
    grpc::ClientContext context;
    return reports_->GetPeriodReport(&context, request, report);
  }

  static std::string ReasonOf(const grpc::Status& status) {
    google::rpc::Status details;
    if (!details.ParseFromString(status.error_details())) return "";
    for (const auto& any : details.details()) {
      google::rpc::ErrorInfo info;
      if (any.UnpackTo(&info)) return info.reason();
    }
    return "";
  }

  std::unique_ptr<v1::Banks::Stub> banks_;
  std::unique_ptr<v1::Accounts::Stub> accounts_;
  std::unique_ptr<v1::Ledger::Stub> ledger_stub_;
  std::unique_ptr<v1::Reports::Stub> reports_;
};

TEST_F(ReportServiceTest, ReturnsThePeriodReportWithAComparison) {
  v1::GetPeriodReportRequest request;
  request.set_bank_id("hcct");
  *request.mutable_first_day() = Day(2026, 7, 1);
  *request.mutable_last_day() = Day(2026, 9, 30);
  request.set_compare_with_previous(true);
  v1::PeriodReport report;
  ASSERT_TRUE(GetReport(request, &report).ok());
  EXPECT_EQ(report.bank_name(), "Holy Cross Centre");
  EXPECT_EQ(report.time_zone(), "Europe/London");
  EXPECT_EQ(report.through_seq(), 2u);
  EXPECT_EQ(report.generated_at().seconds(), absl::ToUnixSeconds(kNow));
  const v1::PeriodFigures& q3 = report.current();
  EXPECT_EQ(q3.first_day().month(), 7);
  EXPECT_EQ(q3.entry_count(), 2);
  EXPECT_EQ(q3.minutes().exchange_minutes(), 90);
  EXPECT_EQ(q3.minutes().award_minutes(), 60);
  EXPECT_EQ(q3.total_minutes(), 150);
  EXPECT_EQ(q3.given_minutes(), 150);
  EXPECT_EQ(q3.received_minutes(), 90);
  ASSERT_EQ(q3.months_size(), 3);
  EXPECT_EQ(q3.months(2).month(), 9);
  EXPECT_EQ(q3.months(2).given_minutes(), 150);
  ASSERT_EQ(q3.categories_size(), 2);
  EXPECT_EQ(q3.categories(0).category(), "gardening");
  EXPECT_EQ(q3.categories(0).total_minutes(), 90);
  EXPECT_EQ(q3.members().active_persons(), 2);
  EXPECT_EQ(q3.members().gave_and_received_persons(), 1);  // bob received 90, gave 60
  ASSERT_EQ(q3.members().ratio_buckets_size(), 7);
  EXPECT_EQ(q3.members().ratio_buckets(2).bucket(), "received_more");
  EXPECT_EQ(q3.members().ratio_buckets(2).persons(), 1);
  ASSERT_EQ(q3.organisations_size(), 1);
  EXPECT_EQ(q3.organisations(0).issued_minutes(), 60);
  EXPECT_EQ(q3.balances().persons_counted(), 2);
  ASSERT_TRUE(report.has_previous());
  EXPECT_EQ(report.previous().first_day().month(), 4);
  EXPECT_EQ(report.previous().entry_count(), 0);
  EXPECT_TRUE(report.qualifications_recorded());
  EXPECT_EQ(q3.qualifications().attained(), 0);
}

TEST_F(ReportServiceTest, ReturnsAStatement) {
  v1::GetStatementRequest request;
  request.set_bank_id("hcct");
  request.set_account_id("bob");
  *request.mutable_first_day() = Day(2026, 9, 1);
  *request.mutable_last_day() = Day(2026, 9, 30);
  v1::Statement statement;
  grpc::ClientContext context;
  ASSERT_TRUE(reports_->GetStatement(&context, request, &statement).ok());
  EXPECT_EQ(statement.account().display_name(), "Name of bob");
  ASSERT_EQ(statement.lines_size(), 2);
  EXPECT_EQ(statement.lines(0).signed_minutes(), -90);
  EXPECT_EQ(statement.lines(0).other_account_id(), "alice");
  EXPECT_EQ(statement.lines(1).balance_after_minutes(), -30);
  EXPECT_EQ(statement.opening_balance_minutes(), 0);
  EXPECT_EQ(statement.closing_balance_minutes(), -30);
  EXPECT_EQ(statement.given_minutes(), 60);
  EXPECT_EQ(statement.received_minutes(), 90);
}

TEST_F(ReportServiceTest, RefusesWithReasons) {
  v1::GetPeriodReportRequest request;
  request.set_bank_id("nope");
  *request.mutable_first_day() = Day(2026, 7, 1);
  *request.mutable_last_day() = Day(2026, 9, 30);
  v1::PeriodReport report;
  grpc::Status status = GetReport(request, &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(status), "BANK_NOT_FOUND");

  request.set_bank_id("hcct");
  *request.mutable_last_day() = Day(2026, 2, 30);
  status = GetReport(request, &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(status), "INVALID_DATE");

  *request.mutable_last_day() = Day(2026, 6, 30);
  status = GetReport(request, &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(status), "INVALID_PERIOD");

  v1::GetStatementRequest statement_request;
  statement_request.set_bank_id("hcct");
  statement_request.set_account_id("zed");
  *statement_request.mutable_first_day() = Day(2026, 7, 1);
  *statement_request.mutable_last_day() = Day(2026, 9, 30);
  v1::Statement statement;
  grpc::ClientContext context;
  status = reports_->GetStatement(&context, statement_request, &statement);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(status), "ACCOUNT_NOT_FOUND");
}

TEST_F(ReportServiceTest, ManyReportsAtOnceAreAnsweredOrRefusedAsBusy) {
  v1::GetPeriodReportRequest request;
  request.set_bank_id("hcct");
  *request.mutable_first_day() = Day(2026, 1, 1);
  *request.mutable_last_day() = Day(2026, 12, 31);
  constexpr int kCalls = 40;
  std::vector<std::thread> callers;
  std::atomic<int> ok{0}, busy{0};
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&] {
      v1::PeriodReport report;
      const grpc::Status status = GetReport(request, &report);
      if (status.ok() && report.current().total_minutes() == 150) ++ok;
      if (status.error_code() == grpc::StatusCode::UNAVAILABLE && ReasonOf(status) == "BUSY") {
        ++busy;
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  EXPECT_EQ(ok + busy, kCalls);
  EXPECT_GT(ok.load(), 0);
}

}  // namespace
}  // namespace timeledger::services
