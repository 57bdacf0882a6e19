// The full-disk test: the real timeledgerd with its data directory on a small tmpfs that the test
// fills to the brim. Writes are refused with UNAVAILABLE STORE_FULL while reads are served; once
// space is freed, writes come back by themselves; gRPC health is NOT_SERVING meanwhile and
// SERVING again after; SIGTERM then exits 0, and so does SIGTERM while
// the disk is still full. Afterwards the offline verifier passes and every acknowledged entry is
// there. Mounting needs root (or CAP_SYS_ADMIN), as in CI; elsewhere the test is skipped.
//
// The binaries come from the environment: TIMELEDGERD and TIMELEDGER_VERIFY.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/access.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/audit.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"

namespace timeledger {
namespace {

using Clock = std::chrono::steady_clock;

// Small enough that RocksDB's WAL preallocation (about 35 MiB) does not fit, so that a WAL
// append meets the full disk; big enough for a ledger with a few hundred entries.
constexpr char kMountOptions[] = "size=16m";
constexpr int kWritesUntilFullMax = 20'000;
constexpr auto kRecoveryWaitMax = std::chrono::seconds(30);

using testing::Env;
using testing::ReadFile;
using testing::Spawn;
using testing::WaitExit;

std::string Reason(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

template <typename Call>
grpc::Status WithDeadline(Call call, int seconds = 10) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return call(&context);
}

// Fills the file system of `path` to the last byte with one file; returns the bytes written.
size_t FillDisk(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return 0;
  const std::string chunk(64 << 10, 'f');
  size_t written = 0;
  for (size_t size = chunk.size(); size > 0;) {
    const ssize_t n = write(fd, chunk.data(), size);
    if (n > 0) {
      written += static_cast<size_t>(n);
    } else {
      size /= 2;  // the last pages: smaller writes until nothing fits
    }
  }
  close(fd);
  return written;
}

class FullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Env("TIMELEDGERD").empty()) << "set TIMELEDGERD";
    ASSERT_FALSE(Env("TIMELEDGER_VERIFY").empty()) << "set TIMELEDGER_VERIFY";
    mount_point_ = dir_.path() + "/small";
    std::filesystem::create_directories(mount_point_);
    if (mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, kMountOptions) != 0) {
      GTEST_SKIP() << "cannot mount a " << kMountOptions << " tmpfs at " << mount_point_ << ": "
                   << std::strerror(errno) << " (needs root or CAP_SYS_ADMIN; CI runs it as root)";
    }
    mounted_ = true;
    data_dir_ = mount_point_ + "/data";
    filler_ = mount_point_ + "/filler";
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      WaitExit(pid_);
    }
    if (mounted_) umount2(mount_point_.c_str(), MNT_DETACH);
  }

  void Start() {
    log_ = dir_.path() + "/server-" + std::to_string(++starts_) + ".log";
    pid_ = Spawn({Env("TIMELEDGERD"), "--listen", "127.0.0.1:0", "--data-dir", data_dir_}, log_);
    const std::regex port_line(R"(\(port (\d+)\))");
    for (int tenth = 0; tenth < 300; ++tenth) {
      std::smatch match;
      const std::string text = ReadFile(log_);
      if (std::regex_search(text, match, port_line)) {
        channel_ = testing::AuthorizedChannel("127.0.0.1:" + match[1].str(),
                                              testing::ReadAdminToken(data_dir_));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "timeledgerd did not start: " << ReadFile(log_);
  }

  // SIGTERM; the exit status.
  int Stop() {
    kill(pid_, SIGTERM);
    const int status = WaitExit(pid_);
    pid_ = -1;
    return status;
  }

  void CreateBank() {
    auto banks = v1::Banks::NewStub(channel_);
    auto accounts = v1::Accounts::NewStub(channel_);
    v1::CreateBankRequest bank;
    bank.set_bank_id("small");
    bank.set_name("Bank on a small disk");
    v1::Bank created;
    ASSERT_TRUE(WithDeadline([&](auto* c) { return banks->CreateBank(c, bank, &created); }).ok());
    for (const char* id : {"org0", "org1"}) {
      v1::OpenAccountRequest open;
      open.set_bank_id("small");
      open.set_account_id(id);
      open.set_kind(v1::ORGANISATION);
      open.set_display_name(std::string("Organisation ") + id);
      v1::Account account;
      ASSERT_TRUE(
          WithDeadline([&](auto* c) { return accounts->OpenAccount(c, open, &account); }).ok());
    }
  }

  // Records one exchange under a new id; remembers it if acknowledged.
  grpc::Status RecordNext() {
    v1::RecordEntryRequest request;
    request.set_bank_id("small");
    request.set_entry_id("e" + std::to_string(next_id_++));
    request.set_from_account_id("org0");
    request.set_to_account_id("org1");
    request.set_minutes(15);
    request.set_activity("minibus");
    request.set_note(std::string(300, 'n'));
    auto ledger = v1::Ledger::NewStub(channel_);
    v1::RecordEntryResponse response;
    auto status = WithDeadline([&](auto* c) { return ledger->RecordEntry(c, request, &response); });
    if (status.ok()) acknowledged_.push_back(request.entry_id());
    return status;
  }

  // Records until a write is refused; returns the refusal (OK if none came).
  grpc::Status RecordUntilRefused() {
    for (int i = 0; i < kWritesUntilFullMax; ++i) {
      auto status = RecordNext();
      if (!status.ok()) return status;
    }
    return grpc::Status::OK;
  }

  // Records until a write is acknowledged again; false if none was in the time allowed.
  bool RecordUntilAcknowledged() {
    const auto deadline = Clock::now() + kRecoveryWaitMax;
    while (Clock::now() < deadline) {
      auto status = RecordNext();
      if (status.ok()) return true;
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  void ExpectReadsServed() {
    auto accounts = v1::Accounts::NewStub(channel_);
    v1::GetAccountRequest get;
    get.set_bank_id("small");
    get.set_account_id("org1");
    v1::Account account;
    auto status = WithDeadline([&](auto* c) { return accounts->GetAccount(c, get, &account); });
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_GE(account.balance_minutes(), 15 * static_cast<int64_t>(acknowledged_.size()));
    auto audit = v1::Audit::NewStub(channel_);
    v1::GetDigestRequest digest_request;
    digest_request.set_bank_id("small");
    v1::Digest digest;
    status = WithDeadline([&](auto* c) { return audit->GetDigest(c, digest_request, &digest); });
    EXPECT_TRUE(status.ok()) << status.error_message();
    ExpectEntry(acknowledged_.back());
  }

  // Waits up to 10 s for the server's gRPC health (service "", and the Ledger service) to be
  // `expected`; returns whether it was.
  bool HealthBecomes(grpc::health::v1::HealthCheckResponse::ServingStatus expected) {
    auto health = grpc::health::v1::Health::NewStub(channel_);
    for (int tenths = 0; tenths < 100; ++tenths) {
      bool all = true;
      for (const char* service : {"", "timeledger.v1.Ledger"}) {
        grpc::health::v1::HealthCheckRequest request;
        request.set_service(service);
        grpc::health::v1::HealthCheckResponse response;
        auto status = WithDeadline([&](auto* c) { return health->Check(c, request, &response); });
        all = all && status.ok() && response.status() == expected;
      }
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  void ExpectEntry(const std::string& entry_id) {
    auto ledger = v1::Ledger::NewStub(channel_);
    v1::GetEntryRequest request;
    request.set_bank_id("small");
    request.set_entry_id(entry_id);
    v1::Entry entry;
    auto status = WithDeadline([&](auto* c) { return ledger->GetEntry(c, request, &entry); });
    EXPECT_TRUE(status.ok()) << entry_id << ": " << status.error_message();
  }

  testing::TempDir dir_;
  std::string mount_point_;
  std::string data_dir_;
  std::string filler_;
  bool mounted_ = false;
  std::string log_;
  int starts_ = 0;
  pid_t pid_ = -1;
  std::shared_ptr<grpc::Channel> channel_;
  int next_id_ = 0;
  std::vector<std::string> acknowledged_;
};

TEST_F(FullDiskTest, RefusesWritesWhenFullRecoversWhenFreedAndStopsCleanly) {
  Start();
  CreateBank();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(RecordNext().ok());
  EXPECT_TRUE(HealthBecomes(grpc::health::v1::HealthCheckResponse::SERVING));

  // Full: refused with STORE_FULL, reads still served.
  ASSERT_GT(FillDisk(filler_), 0u);
  grpc::Status refusal = RecordUntilRefused();
  ASSERT_FALSE(refusal.ok()) << "the full disk never refused a write";
  EXPECT_EQ(refusal.error_code(), grpc::StatusCode::UNAVAILABLE) << refusal.error_message();
  EXPECT_EQ(Reason(refusal), "STORE_FULL") << refusal.error_message();
  refusal = RecordNext();
  EXPECT_EQ(Reason(refusal), "STORE_FULL") << refusal.error_message();
  ExpectReadsServed();
  // Health says so, for load balancers and `timeledger status`, and the log says why.
  EXPECT_TRUE(HealthBecomes(grpc::health::v1::HealthCheckResponse::NOT_SERVING));
  EXPECT_NE(ReadFile(log_).find("health: NOT_SERVING: STORE_FULL"), std::string::npos)
      << ReadFile(log_);

  // Freed: writes come back by themselves, and so does health.
  std::filesystem::remove(filler_);
  ASSERT_TRUE(RecordUntilAcknowledged()) << ReadFile(log_);
  EXPECT_TRUE(HealthBecomes(grpc::health::v1::HealthCheckResponse::SERVING)) << ReadFile(log_);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(RecordNext().ok());
  EXPECT_EQ(Stop(), 0) << ReadFile(log_);

  // Full again, and stopped while full: still a clean exit.
  Start();
  ASSERT_GT(FillDisk(filler_), 0u);
  refusal = RecordUntilRefused();
  ASSERT_FALSE(refusal.ok()) << "the full disk never refused a write";
  EXPECT_EQ(Reason(refusal), "STORE_FULL") << refusal.error_message();
  ExpectReadsServed();
  EXPECT_EQ(Stop(), 0) << ReadFile(log_);

  // Nothing acknowledged is lost, and the journal verifies.
  std::filesystem::remove(filler_);
  const std::string verify_log = dir_.path() + "/verify.log";
  EXPECT_EQ(WaitExit(Spawn({Env("TIMELEDGER_VERIFY"), "--data-dir", data_dir_}, verify_log)), 0)
      << ReadFile(verify_log);
  Start();
  for (const auto& entry_id : acknowledged_) ExpectEntry(entry_id);
  EXPECT_EQ(Stop(), 0) << ReadFile(log_);
}

}  // namespace
}  // namespace timeledger
