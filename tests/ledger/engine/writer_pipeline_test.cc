// The pipelined writer on a real RocksDB whose WAL syncs a test holds back (SyncGate): the writer
// decides group N+1 while group N's sync has not returned, on N's effects; a reader sees N only
// once N is acknowledged; and a sync that fails with two groups in flight refuses both, shows
// neither, and the ledger recovers and verifies. group_commit_max is 1, so that each write is a
// group of its own and the order of groups is the order of the writes.
#include <atomic>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include <gtest/gtest.h>
#include <rocksdb/file_system.h>

#include "ledger/core/errors.h"
#include "ledger/engine/ledger.h"
#include "ledger/store/store_test_hooks.h"
#include "tests/support/hcct_bank.h"
#include "tests/support/temp_dir.h"

namespace timeledger::ledger {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);
constexpr auto kWaitMax = std::chrono::seconds(20);

// The default file system, except that once closed every WAL sync waits until the test lets it
// pass (Pass: returns OK; Fail: returns an injected EIO). Thread-safe.
class SyncGate : public rocksdb::FileSystemWrapper {
 public:
  SyncGate() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "SyncGate"; }
  const char* Name() const override { return kClassName(); }

  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  // Waits until `count` syncs are held at the gate; false if they never come.
  bool AwaitHeld(int count) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, kWaitMax, [&] { return held_ == count; });
  }
  // Lets one held sync through, succeeding or failing.
  void Pass() { Let(rocksdb::IOStatus::OK()); }
  void Fail() { Let(rocksdb::IOStatus::IOError("injected EIO")); }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = false;
    changed_.notify_all();
  }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, result, dbg);
    if (status.ok() && absl::EndsWith(name, ".log")) {
      *result = std::make_unique<Wal>(std::move(*result), this);
    }
    return status;
  }

 private:
  void Let(rocksdb::IOStatus outcome) {
    std::lock_guard<std::mutex> lock(mu_);
    passes_.push_back(std::move(outcome));
    changed_.notify_all();
  }

  rocksdb::IOStatus Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!closed_) return rocksdb::IOStatus::OK();
    ++held_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !passes_.empty() || !closed_; });
    --held_;
    changed_.notify_all();
    if (passes_.empty()) return rocksdb::IOStatus::OK();
    rocksdb::IOStatus outcome = passes_.front();
    passes_.erase(passes_.begin());
    return outcome;
  }

  class Wal : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    Wal(std::unique_ptr<rocksdb::FSWritableFile> file, SyncGate* gate)
        : FSWritableFileOwnerWrapper(std::move(file)), gate_(gate) {}
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (auto s = gate_->Wait(); !s.ok()) return s;
      return FSWritableFileOwnerWrapper::Sync(options, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (auto s = gate_->Wait(); !s.ok()) return s;
      return FSWritableFileOwnerWrapper::Fsync(options, dbg);
    }

   private:
    SyncGate* gate_;
  };

  std::mutex mu_;
  std::condition_variable changed_;
  bool closed_ = false;
  int held_ = 0;
  std::vector<rocksdb::IOStatus> passes_;
};

class WriterPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gate_ = std::make_shared<SyncGate>();
    auto hooks = std::make_shared<StoreTestHooks>();
    hooks->file_system = gate_;
    LedgerOptions options;
    options.data_dir = dir_.path();
    options.clock = [] { return kNow; };
    options.group_commit_max = 1;
    options.store_recovery_interval = absl::Milliseconds(100);
    options.store_test_hooks = hooks;
    options.on_group_decided = [this] { ++decided_; };
    auto opened = Ledger::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    ledger_ = *std::move(opened);
    CreateHcctWithAliceAndCentre(*ledger_);
  }

  static EntrySpec Spec(const std::string& entry_id) {
    EntrySpec spec;
    spec.bank_id = "hcct";
    spec.entry_id = entry_id;
    spec.from_account_id = "centre";
    spec.to_account_id = "alice";
    spec.minutes = 30;
    spec.activity = "gardening";
    return spec;
  }

  // Records `spec` without waiting; the future holds the result once the callback ran.
  std::future<absl::StatusOr<Receipt>> Record(const EntrySpec& spec) {
    auto promise = std::make_shared<std::promise<absl::StatusOr<Receipt>>>();
    auto future = promise->get_future();
    ledger_->RecordEntry(spec, AdminNamed("coordinator"), [promise](absl::StatusOr<Receipt> r) {
      promise->set_value(std::move(r));
    });
    return future;
  }

  bool AwaitDecided(int count) {
    const auto deadline = std::chrono::steady_clock::now() + kWaitMax;
    while (decided_.load() < count) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  int64_t AliceBalance() {
    auto alice = ledger_->GetAccount(BankId("hcct"), AccountId("alice"));
    EXPECT_TRUE(alice.ok()) << alice.status();
    return alice.ok() ? alice->balance_minutes : -1;
  }

  uint64_t EntryCount() {
    auto bank = ledger_->GetBank(BankId("hcct"));
    EXPECT_TRUE(bank.ok()) << bank.status();
    return bank.ok() ? bank->entry_count : 0;
  }

  bool Visible(const std::string& entry_id) {
    return ledger_->GetEntryById(BankId("hcct"), EntryId(entry_id)).ok();
  }

  // Holds the first write in its sync, on the writer thread (an idle writer commits a lone
  // write itself), queues `b` and `c` behind it, lets the first through, and returns once `b` is
  // held in its sync on the commit thread and `c` is decided. Nothing of b or c is acknowledged.
  void HoldTwoGroupsInFlight(std::future<absl::StatusOr<Receipt>>* a,
                             std::future<absl::StatusOr<Receipt>>* b,
                             std::future<absl::StatusOr<Receipt>>* c, const EntrySpec& b_spec,
                             const EntrySpec& c_spec) {
    gate_->Close();
    const int decided_before = decided_.load();
    *a = Record(Spec("a"));
    ASSERT_TRUE(gate_->AwaitHeld(1));
    *b = Record(b_spec);
    *c = Record(c_spec);
    gate_->Pass();
    ASSERT_TRUE(a->get().ok());
    ASSERT_TRUE(gate_->AwaitHeld(1));  // b's sync
    ASSERT_TRUE(AwaitDecided(decided_before + 3)) << "c was not decided while b's sync waited";
    EXPECT_EQ(b->wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
    EXPECT_EQ(c->wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  }

  timeledger::testing::TempDir dir_;
  std::shared_ptr<SyncGate> gate_;
  std::atomic<int> decided_{0};
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(WriterPipelineTest, DecidesTheNextGroupDuringASyncAndPublishesOnlyOnceSynced) {
  std::future<absl::StatusOr<Receipt>> a, b, c;
  // c repeats b's idempotency key: deciding it while b is unsynced must find b.
  HoldTwoGroupsInFlight(&a, &b, &c, Spec("b"), Spec("b"));

  // b is decided and written, and c decided on it, yet readers see only a.
  EXPECT_EQ(AliceBalance(), 30);
  EXPECT_EQ(EntryCount(), 1u);
  EXPECT_FALSE(Visible("b"));

  gate_->Open();
  auto b_receipt = b.get();
  auto c_receipt = c.get();
  ASSERT_TRUE(b_receipt.ok()) << b_receipt.status();
  ASSERT_TRUE(c_receipt.ok()) << c_receipt.status();
  EXPECT_FALSE(b_receipt->replayed);
  EXPECT_TRUE(c_receipt->replayed);
  EXPECT_EQ(c_receipt->entry.seq, b_receipt->entry.seq);
  EXPECT_EQ(AliceBalance(), 60);
  EXPECT_EQ(EntryCount(), 2u);
  EXPECT_TRUE(Visible("b"));
  EXPECT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
}

TEST_F(WriterPipelineTest, AFailedSyncRefusesEveryGroupInFlightAndTheLedgerRecovers) {
  std::future<absl::StatusOr<Receipt>> a, b, c;
  HoldTwoGroupsInFlight(&a, &b, &c, Spec("b"), Spec("c"));

  gate_->Fail();
  auto b_receipt = b.get();
  auto c_receipt = c.get();
  ASSERT_FALSE(b_receipt.ok());
  ASSERT_FALSE(c_receipt.ok());  // decided on b, so refused with it
  EXPECT_EQ(ReasonOf(b_receipt.status()), "STORE_FAILED") << b_receipt.status();
  EXPECT_EQ(ReasonOf(c_receipt.status()), "STORE_FAILED") << c_receipt.status();
  EXPECT_EQ(AliceBalance(), 30);
  EXPECT_EQ(EntryCount(), 1u);
  EXPECT_FALSE(Visible("b"));
  EXPECT_FALSE(Visible("c"));

  gate_->Open();
  // The writer reloads from the store: writes are taken again, on what is on disk.
  const auto deadline = std::chrono::steady_clock::now() + kWaitMax;
  absl::StatusOr<Receipt> d = absl::UnknownError("not tried");
  while (!d.ok() && std::chrono::steady_clock::now() < deadline) {
    d = Record(Spec("d")).get();
    if (!d.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(d.ok()) << d.status();
  // b's WAL record may have reached the disk before its sync failed (refused, yet durable); c
  // was never written. Either way nothing is half there and the ledger verifies.
  EXPECT_FALSE(Visible("c"));
  const int64_t b_there = Visible("b") ? 1 : 0;
  EXPECT_EQ(AliceBalance(), 30 * (2 + b_there));
  EXPECT_EQ(EntryCount(), static_cast<uint64_t>(2 + b_there));
  EXPECT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
  VerifyReport report = ledger_->Verify();
  EXPECT_TRUE(report.ok()) << report.status;
}

TEST_F(WriterPipelineTest, ARefusalDecidedOnAGroupWhoseSyncFailsIsNotDelivered) {
  std::future<absl::StatusOr<Receipt>> a, b, c;
  // c reuses b's idempotency key for another amount: refused as a conflict with b, which exists
  // only in the group in flight.
  EntrySpec conflicting = Spec("b");
  conflicting.minutes = 45;
  HoldTwoGroupsInFlight(&a, &b, &c, Spec("b"), conflicting);

  gate_->Fail();
  auto b_receipt = b.get();
  auto c_receipt = c.get();
  ASSERT_FALSE(b_receipt.ok());
  ASSERT_FALSE(c_receipt.ok());
  EXPECT_EQ(ReasonOf(b_receipt.status()), "STORE_FAILED") << b_receipt.status();
  // Not the conflict: b was never stored, so a retry of c may well succeed.
  EXPECT_EQ(ReasonOf(c_receipt.status()), "STORE_FAILED") << c_receipt.status();
  gate_->Open();
}

}  // namespace
}  // namespace timeledger::ledger
