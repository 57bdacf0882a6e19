// timeledgerd's metrics endpoint over a real in-process server: off unless an address is given;
// when on, GET /metrics answers text that parses as Prometheus's format (tests/support/
// metrics_text.h) and whose counts move with the calls made: requests and refusals by RPC and
// reason, kiosk sign-ins, the writer's groups and commits, the store, health. Anything but GET
// /metrics is refused.
#include <cmath>
#include <map>
#include <string>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "ledger/rules/kiosk.h"
#include "services/server.h"
#include "tests/support/access.h"
#include "tests/support/metrics_text.h"
#include "tests/support/server_fixture.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/kiosk.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"

namespace timeledger::services {
namespace {

using testing::MetricsPage;

constexpr char kSignIn[] = "/timeledger.v1.Kiosk/SignIn";
constexpr char kRecordEntry[] = "/timeledger.v1.Ledger/RecordEntry";
constexpr char kListBanks[] = "/timeledger.v1.Banks/ListBanks";

class MetricsTest : public testing::ServerTest {
 protected:
  void StartWithMetrics() {
    ServerOptions options;
    options.metrics_address = "127.0.0.1:0";
    ASSERT_NO_FATAL_FAILURE(StartServer({}, options));
    ASSERT_NE(server_->metrics_port(), 0);
    ASSERT_TRUE(CreateBank("hcct", "Holy Cross Centre", "Europe/London").ok());
    for (const char* id : {"alice", "bob"}) {
      ASSERT_TRUE(OpenAccount("hcct", id, v1::PERSON).ok());
    }
    kiosk_ = v1::Kiosk::NewStub(admin_channel_);
    v1::SetMemberCardRequest card;
    card.set_bank_id("hcct");
    card.set_account_id("alice");
    card.set_card_number("1001");
    v1::MemberCard set;
    grpc::ClientContext card_context;
    ASSERT_TRUE(kiosk_->SetMemberCard(&card_context, card, &set).ok());
    v1::SetMemberPinRequest pin;
    pin.set_bank_id("hcct");
    pin.set_account_id("alice");
    pin.set_pin("1234");
    grpc::ClientContext pin_context;
    ASSERT_TRUE(kiosk_->SetMemberPin(&pin_context, pin, &set).ok());
  }

  grpc::Status SignIn(const std::string& pin) {
    v1::SignInRequest request;
    request.set_bank_id("hcct");
    request.set_card_number("1001");
    request.set_pin(pin);
    grpc::ClientContext context;
    testing::Authorize(&context, testing::TokenOf(*ledger_, "hcct", "kiosk-1", &tokens_));
    v1::KioskSession session;
    return kiosk_->SignIn(&context, request, &session);
  }

  // An entry of more minutes than any entry may hold: refused INVALID_MINUTES.
  grpc::Status RecordTooMuch() {
    v1::RecordEntryRequest request;
    request.set_bank_id("hcct");
    request.set_entry_id("too-much");
    request.set_from_account_id("bob");
    request.set_to_account_id("alice");
    request.set_minutes(100'000);
    request.set_activity("gardening");
    v1::RecordEntryResponse response;
    grpc::ClientContext context;
    return v1::Ledger::NewStub(admin_channel_)->RecordEntry(&context, request, &response);
  }

  // The endpoint's page, parsed; fails the test if it does not parse.
  MetricsPage Scrape() {
    const testing::HttpAnswer answer =
        testing::HttpRequest(server_->metrics_port(), "GET", "/metrics");
    EXPECT_EQ(answer.status, 200) << answer.headers;
    EXPECT_NE(answer.headers.find("Content-Type: text/plain; version=0.0.4"), std::string::npos)
        << answer.headers;
    MetricsPage page;
    const std::string error = testing::ParseMetricsText(answer.body, &page);
    EXPECT_EQ(error, "") << answer.body;
    return page;
  }

  // A counter's value, 0 if its series is not there yet.
  static double Count(const MetricsPage& page, const std::string& name,
                      const std::map<std::string, std::string>& labels = {}) {
    const double value = page.Value(name, labels);
    return std::isnan(value) ? 0 : value;
  }

  std::unique_ptr<v1::Kiosk::Stub> kiosk_;
  std::map<std::string, std::string> tokens_;
};

TEST_F(MetricsTest, TheEndpointIsOffByDefault) {
  EXPECT_EQ(ServerOptions().metrics_address, "");
  ASSERT_NO_FATAL_FAILURE(StartServer());
  EXPECT_EQ(server_->metrics_port(), 0);
}

TEST_F(MetricsTest, CallsRefusalsAndSignInsMoveTheCounts) {
  ASSERT_NO_FATAL_FAILURE(StartWithMetrics());
  const MetricsPage before = Scrape();
  EXPECT_EQ(before.types.at("timeledger_rpcs_total"), "counter");
  EXPECT_EQ(before.types.at("timeledger_rpc_duration_seconds"), "histogram");
  EXPECT_EQ(before.types.at("timeledger_writer_queue_depth"), "gauge");

  ASSERT_TRUE(SignIn("1234").ok());
  EXPECT_EQ(SignIn("9999").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(RecordTooMuch().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListBanksRequest list;
  v1::ListBanksResponse banks;
  grpc::ClientContext no_token;  // no bearer token: refused by the gate
  EXPECT_EQ(v1::Banks::NewStub(grpc::CreateChannel(target_, grpc::InsecureChannelCredentials()))
                ->ListBanks(&no_token, list, &banks)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  const MetricsPage after = Scrape();
  auto moved = [&](const std::string& name, const std::map<std::string, std::string>& labels) {
    return Count(after, name, labels) - Count(before, name, labels);
  };
  EXPECT_EQ(moved("timeledger_rpcs_total", {{"rpc", kSignIn}, {"code", "OK"}}), 1);
  EXPECT_EQ(moved("timeledger_rpcs_total", {{"rpc", kSignIn}, {"code", "UNAUTHENTICATED"}}), 1);
  EXPECT_EQ(
      moved("timeledger_rpc_refusals_total", {{"rpc", kSignIn}, {"reason", "CARD_OR_PIN_WRONG"}}),
      1);
  EXPECT_EQ(moved("timeledger_rpc_refusals_total",
                  {{"rpc", kRecordEntry}, {"reason", "INVALID_MINUTES"}}),
            1);
  EXPECT_EQ(
      moved("timeledger_rpc_refusals_total", {{"rpc", kListBanks}, {"reason", "UNAUTHENTICATED"}}),
      1);
  EXPECT_EQ(moved("timeledger_kiosk_sign_ins_total", {{"result", "signed_in"}}), 1);
  EXPECT_EQ(moved("timeledger_kiosk_sign_ins_total", {{"result", "card_or_pin_wrong"}}), 1);
  EXPECT_EQ(moved("timeledger_kiosk_lockouts_total", {}), 0);
  // Every call the scrape saw was timed; the sign-ins' PIN checks went through the writer.
  EXPECT_GE(moved("timeledger_rpc_duration_seconds_count", {}), 4);
  EXPECT_GE(moved("timeledger_writer_group_size_count", {}), 2);
  EXPECT_GE(Count(after, "timeledger_store_commit_seconds_count"), 1);
  EXPECT_EQ(after.Value("timeledger_writer_queue_depth"), 0);
  EXPECT_EQ(after.Value("timeledger_serving", {{"reason", ""}}), 1);
  EXPECT_EQ(after.types.at("timeledger_rocksdb_block_cache_hits_total"), "counter");
  EXPECT_GE(after.Value("timeledger_rocksdb_memtable_bytes"), 0);
}

TEST_F(MetricsTest, AWrongPinThatLocksACardAndEachTryAfterAreLockouts) {
  ASSERT_NO_FATAL_FAILURE(StartWithMetrics());
  for (int32_t i = 1; i < ledger::kPinAttemptsMax; ++i) {
    EXPECT_EQ(SignIn("9999").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(SignIn("9999").error_code(), grpc::StatusCode::FAILED_PRECONDITION);  // locks it
  EXPECT_EQ(SignIn("1234").error_code(), grpc::StatusCode::FAILED_PRECONDITION);  // still locked
  const MetricsPage page = Scrape();
  EXPECT_EQ(page.Value("timeledger_kiosk_sign_ins_total", {{"result", "card_or_pin_wrong"}}),
            ledger::kPinAttemptsMax - 1);
  EXPECT_EQ(page.Value("timeledger_kiosk_sign_ins_total", {{"result", "card_locked"}}), 2);
  EXPECT_EQ(page.Value("timeledger_kiosk_sign_ins_total", {{"result", "signed_in"}}), 0);
  EXPECT_EQ(page.Value("timeledger_kiosk_lockouts_total"), 2);
  EXPECT_EQ(
      page.Value("timeledger_rpc_refusals_total", {{"rpc", kSignIn}, {"reason", "CARD_LOCKED"}}),
      2);
}

TEST_F(MetricsTest, OnlyGetAndHeadOfMetricsAreAnswered) {
  ASSERT_NO_FATAL_FAILURE(StartWithMetrics());
  EXPECT_EQ(testing::HttpRequest(server_->metrics_port(), "GET", "/").status, 404);
  EXPECT_EQ(testing::HttpRequest(server_->metrics_port(), "GET", "/metrics/x").status, 404);
  const testing::HttpAnswer post =
      testing::HttpRequest(server_->metrics_port(), "POST", "/metrics");
  EXPECT_EQ(post.status, 405);
  EXPECT_NE(post.headers.find("Allow: GET, HEAD"), std::string::npos) << post.headers;
  const testing::HttpAnswer head =
      testing::HttpRequest(server_->metrics_port(), "HEAD", "/metrics");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
}

}  // namespace
}  // namespace timeledger::services
