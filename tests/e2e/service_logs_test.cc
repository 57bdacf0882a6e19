// timeledgerd's log and metrics as an operator gets them: the real binary (TIMELEDGERD) with
// --demo and --metrics-address, driven over gRPC with the admin's and the demo kiosk's tokens: a
// member's card and PIN set, a sign-in with them, one with a wrong PIN, calls with and without an
// x-request-id. Then its output is read whole: a start line with its settings, one logfmt line per
// call with request id, principal, RPC, status and duration, a stop line; and no token, card
// number or PIN anywhere in it. Its /metrics parses and counted the sign-ins.
#include <signal.h>

#include <chrono>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "tests/support/metrics_text.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/kiosk.grpc.pb.h"

namespace timeledger::testing {
namespace {

constexpr char kBank[] = "holy-cross";  // the demo bank
// Secrets no log line may hold: long enough not to turn up by chance in a time or an id.
constexpr char kCard[] = "60451938270615398427";
constexpr char kPin[] = "73915862";
constexpr char kWrongPin[] = "48271639";

// The first line of `text` that holds every one of `parts`, or "".
std::string LineWith(const std::string& text, const std::vector<std::string>& parts) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    bool all = true;
    for (const std::string& part : parts) all = all && line.find(part) != std::string::npos;
    if (all) return line;
  }
  return "";
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

class ServiceLogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Env("TIMELEDGERD").empty()) << "set TIMELEDGERD";
    data_dir_ = dir_.path() + "/var";
    log_ = dir_.path() + "/timeledgerd.log";
    pid_ = Spawn({Env("TIMELEDGERD"), "--demo", "--data-dir", data_dir_, "--listen", "127.0.0.1:0",
                  "--metrics-address", "127.0.0.1:0"},
                 log_);
    const std::regex serving(R"(event=serving .*port=(\d+) .*metrics_port=(\d+))");
    std::smatch match;
    for (int tenths = 0; tenths < 300; ++tenths) {
      const std::string log = ReadFile(log_);
      if (std::regex_search(log, match, serving)) {
        port_ = std::stoi(match[1]);
        metrics_port_ = std::stoi(match[2]);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_NE(port_, 0) << ReadFile(log_);
    admin_token_ = FirstLine(ReadFile(data_dir_ + "/admin.token"));
    kiosk_token_ = FirstLine(ReadFile(data_dir_ + "/demo-kiosk.token"));
    ASSERT_FALSE(admin_token_.empty());
    ASSERT_FALSE(kiosk_token_.empty());
    kiosk_ = v1::Kiosk::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                                    grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      WaitExit(pid_);
    }
  }

  // Stops the server; returns its exit status.
  int Stop() {
    kill(pid_, SIGTERM);
    const int status = WaitExit(pid_);
    pid_ = 0;
    return status;
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  grpc::Status SignIn(const std::string& pin) {
    v1::SignInRequest request;
    request.set_bank_id(kBank);
    request.set_card_number(kCard);
    request.set_pin(pin);
    v1::KioskSession session;
    return kiosk_->SignIn(As(kiosk_token_).get(), request, &session);
  }

  // A sane request id comes back as sent; without one, the server makes one and sends it.
  // *made_id gets the one it made.
  void CheckRequestIds(std::string* made_id) {
    auto banks = v1::Banks::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                                        grpc::InsecureChannelCredentials()));
    auto tagged = As(admin_token_);
    tagged->AddMetadata("x-request-id", "ops-check-42");
    v1::ListBanksResponse listed;
    ASSERT_TRUE(banks->ListBanks(tagged.get(), v1::ListBanksRequest(), &listed).ok());
    auto echoed = tagged->GetServerInitialMetadata().find("x-request-id");
    ASSERT_NE(echoed, tagged->GetServerInitialMetadata().end());
    EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), "ops-check-42");
    auto untagged = As(admin_token_);
    untagged->AddMetadata("x-request-id", "not a sane id\"");
    ASSERT_TRUE(banks->ListBanks(untagged.get(), v1::ListBanksRequest(), &listed).ok());
    auto made = untagged->GetServerInitialMetadata().find("x-request-id");
    ASSERT_NE(made, untagged->GetServerInitialMetadata().end());
    *made_id = std::string(made->second.data(), made->second.size());
    EXPECT_TRUE(std::regex_match(*made_id, std::regex("[0-9a-f]{16}"))) << *made_id;
  }

  TempDir dir_;
  std::string data_dir_;
  std::string log_;
  pid_t pid_ = 0;
  int port_ = 0;
  int metrics_port_ = 0;
  std::string admin_token_;
  std::string kiosk_token_;
  std::unique_ptr<v1::Kiosk::Stub> kiosk_;
};

TEST_F(ServiceLogsTest, CallsAreLoggedOneLineEachAndNoSecretIsEver) {
  v1::SetMemberCardRequest card;
  card.set_bank_id(kBank);
  card.set_account_id("alice");
  card.set_card_number(kCard);
  v1::MemberCard set;
  ASSERT_TRUE(kiosk_->SetMemberCard(As(admin_token_).get(), card, &set).ok());
  v1::SetMemberPinRequest pin;
  pin.set_bank_id(kBank);
  pin.set_account_id("alice");
  pin.set_pin(kPin);
  ASSERT_TRUE(kiosk_->SetMemberPin(As(admin_token_).get(), pin, &set).ok());
  ASSERT_TRUE(SignIn(kPin).ok());
  EXPECT_EQ(SignIn(kWrongPin).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  std::string made_id;
  ASSERT_NO_FATAL_FAILURE(CheckRequestIds(&made_id));
  const HttpAnswer scraped = HttpRequest(metrics_port_, "GET", "/metrics");
  MetricsPage page;
  ASSERT_EQ(ParseMetricsText(scraped.body, &page), "") << scraped.body;
  EXPECT_EQ(page.Value("timeledger_kiosk_sign_ins_total", {{"result", "signed_in"}}), 1);
  EXPECT_EQ(page.Value("timeledger_kiosk_sign_ins_total", {{"result", "card_or_pin_wrong"}}), 1);

  ASSERT_EQ(Stop(), 0);
  const std::string log = ReadFile(log_);
  for (const std::string& secret : {admin_token_, kiosk_token_, std::string(kCard),
                                    std::string(kPin), std::string(kWrongPin)}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "the log holds " << secret << ":\n" << log;
  }
  EXPECT_NE(LineWith(log, {"level=info event=start ", "metrics_address=127.0.0.1:0",
                           "admin_token_file=" + data_dir_ + "/admin.token"}),
            "")
      << log;
  const std::string signed_in = LineWith(log, {"event=rpc ", "principal=kiosk-1@holy-cross",
                                               "rpc=/timeledger.v1.Kiosk/SignIn", "status=OK"});
  EXPECT_TRUE(std::regex_search(
      signed_in, std::regex(R"(request_id=[0-9a-f]{16} .* duration_ms=\d+\.\d{3}$)")))
      << log;
  EXPECT_NE(LineWith(log, {"event=rpc ", "rpc=/timeledger.v1.Kiosk/SignIn",
                           "status=UNAUTHENTICATED reason=CARD_OR_PIN_WRONG"}),
            "")
      << log;
  EXPECT_NE(LineWith(log, {"event=rpc request_id=ops-check-42 principal=admin "
                           "rpc=/timeledger.v1.Banks/ListBanks status=OK duration_ms="}),
            "")
      << log;
  EXPECT_NE(LineWith(log, {"request_id=" + made_id, "rpc=/timeledger.v1.Banks/ListBanks"}), "")
      << log;
  EXPECT_NE(LineWith(log, {"event=rpc ", "rpc=/timeledger.v1.Kiosk/SetMemberCard", "status=OK"}),
            "")
      << log;
  EXPECT_NE(LineWith(log, {"level=info event=stopping signal=SIGTERM"}), "") << log;
  EXPECT_NE(LineWith(log, {"level=info event=stop clean=true"}), "") << log;
}

}  // namespace
}  // namespace timeledger::testing
