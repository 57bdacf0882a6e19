// The store under a failing disk: ENOSPC and EIO injected through a rocksdb::FileSystemWrapper
// (tests/support/faulty_file_system.h) at the WAL append, the WAL sync, a flush and a compaction.
//
// For each point and error: entries are recorded until the fault stops writes; every write is
// then refused (UNAVAILABLE STORE_FULL or STORE_FAILED) while reads are served; once the fault
// clears, writes recover by themselves; the ledger shuts down without an abort (the process would
// die with it); and after a reopen on the plain file system every acknowledged entry is there
// and every bank verifies in full. Memtables of 64 KiB make flushes and compactions come after a
// few hundred entries.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include <gtest/gtest.h>

#include "ledger/core/errors.h"
#include "ledger/engine/ledger.h"
#include "ledger/store/store_test_hooks.h"
#include "tests/support/faulty_file_system.h"
#include "tests/support/hcct_bank.h"
#include "tests/support/temp_dir.h"

namespace timeledger::ledger {
namespace {

using ::timeledger::testing::FaultError;
using ::timeledger::testing::FaultPoint;
using ::timeledger::testing::FaultyFileSystem;

const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);
// Writes tried before the fault must have stopped them: a compaction needs 4 flushes of about
// 60 entries each.
constexpr int kWritesUntilRefusalMax = 5000;
constexpr auto kRecoveryWaitMax = std::chrono::seconds(20);

class StoreFaultTest : public ::testing::TestWithParam<std::tuple<FaultPoint, FaultError>> {
 protected:
  void SetUp() override {
    fs_ = std::make_shared<FaultyFileSystem>();
    auto hooks = std::make_shared<StoreTestHooks>();
    hooks->file_system = fs_;
    hooks->write_buffer_bytes = 64 << 10;
    hooks_ = hooks;
    Open(hooks_);
    CreateHcctWithAliceAndCentre(*ledger_);
    Policy policy;  // every rule off: the test is about the disk
    policy.granularity_enabled = policy.entry_maximum_enabled = policy.floors_enabled = false;
    policy.balance_cap_enabled = policy.daily_limit_enabled = policy.backdating_enabled = false;
    policy.reciprocity_enabled = policy.staff_duty_enabled = false;
    policy.self_recorded_needs_confirmation = false;
    ASSERT_TRUE(Await<Policy>([&](auto done) {
                  ledger_->SetPolicy(BankId("hcct"), policy, 0, AdminNamed("coordinator"),
                                     std::move(done));
                }).ok());
  }

  void Open(std::shared_ptr<const StoreTestHooks> hooks) {
    ledger_.reset();
    LedgerOptions options;
    options.data_dir = dir_.path();
    options.clock = [] { return kNow; };
    options.store_recovery_interval = absl::Milliseconds(100);
    options.store_test_hooks = std::move(hooks);
    auto opened = Ledger::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    ledger_ = *std::move(opened);
  }

  // Records one entry of `minutes` from centre to alice under a new id; an acknowledged one is
  // remembered with its seq, a refused one as perhaps written.
  absl::StatusOr<Receipt> RecordNext() {
    EntrySpec spec;
    spec.bank_id = "hcct";
    spec.entry_id = absl::StrCat("e-", next_id_++);
    spec.from_account_id = "centre";
    spec.to_account_id = "alice";
    spec.minutes = 15;
    spec.activity = "gardening";
    spec.note = std::string(200, 'n');  // bulk, so that memtables fill sooner
    auto receipt = Await<Receipt>(
        [&](auto done) { ledger_->RecordEntry(spec, AdminNamed("coordinator"), std::move(done)); });
    if (receipt.ok()) {
      acknowledged_.emplace_back(spec.entry_id, receipt->entry.seq);
    } else {
      refused_.push_back(spec.entry_id);
    }
    return receipt;
  }

  std::string ExpectedReason() const {
    return std::get<1>(GetParam()) == FaultError::kNoSpace ? "STORE_FULL" : "STORE_FAILED";
  }

  // Records entries until the armed fault refuses one; returns that refusal.
  absl::Status WriteUntilRefused() {
    for (int i = 0; i < kWritesUntilRefusalMax; ++i) {
      auto receipt = RecordNext();
      if (!receipt.ok()) return receipt.status();
    }
    return absl::OkStatus();
  }

  // Records entries until one is acknowledged again; false if none is within the time allowed.
  bool WriteUntilRecovered() {
    const auto deadline = std::chrono::steady_clock::now() + kRecoveryWaitMax;
    while (std::chrono::steady_clock::now() < deadline) {
      auto receipt = RecordNext();
      if (receipt.ok()) return true;
      EXPECT_EQ(receipt.status().code(), absl::StatusCode::kUnavailable) << receipt.status();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // Every acknowledged entry is there with its seq, balances are what the entries make them,
  // and every bank verifies in full with memory matching the store.
  void ExpectNothingLost() {
    for (const auto& [entry_id, seq] : acknowledged_) {
      auto entry = ledger_->GetEntryById(BankId("hcct"), EntryId(entry_id));
      ASSERT_TRUE(entry.ok()) << entry_id << ": " << entry.status();
      EXPECT_EQ(entry->seq, seq) << entry_id;
    }
    size_t refused_present = 0;
    for (const auto& entry_id : refused_) {
      if (ledger_->GetEntryById(BankId("hcct"), EntryId(entry_id)).ok()) ++refused_present;
    }
    auto alice = ledger_->GetAccount(BankId("hcct"), AccountId("alice"));
    ASSERT_TRUE(alice.ok()) << alice.status();
    EXPECT_EQ(alice->balance_minutes,
              15 * static_cast<int64_t>(acknowledged_.size() + refused_present));
    EXPECT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
    EXPECT_TRUE(ledger_->CheckBankServable(BankId("hcct")).ok());
  }

  timeledger::testing::TempDir dir_;
  std::shared_ptr<FaultyFileSystem> fs_;
  std::shared_ptr<const StoreTestHooks> hooks_;
  std::unique_ptr<Ledger> ledger_;
  int next_id_ = 0;
  std::vector<std::pair<std::string, uint64_t>> acknowledged_;
  std::vector<std::string> refused_;
};

TEST_P(StoreFaultTest, RefusesWritesServesReadsAndRecoversWithNothingLost) {
  const auto [point, error] = GetParam();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(RecordNext().ok());

  fs_->Arm(point, error);
  const absl::Status refusal = WriteUntilRefused();
  ASSERT_FALSE(refusal.ok()) << "the fault never stopped a write";
  EXPECT_GT(fs_->failures(), 0);
  EXPECT_EQ(refusal.code(), absl::StatusCode::kUnavailable) << refusal;
  EXPECT_EQ(ReasonOf(refusal), ExpectedReason()) << refusal;

  // Reads are served while the disk fails: from memory and from the store.
  auto first = ledger_->GetEntryById(BankId("hcct"), EntryId(acknowledged_.front().first));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->seq, acknowledged_.front().second);
  auto listed = ledger_->ListEntries(BankId("hcct"), AccountId("alice"), 50, "");
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_FALSE(listed->items.empty());
  auto digest = ledger_->GetDigest(BankId("hcct"));
  ASSERT_TRUE(digest.ok()) << digest.status();

  fs_->Disarm();
  ASSERT_TRUE(WriteUntilRecovered()) << "writes did not recover once the fault cleared";
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(RecordNext().ok()) << i;
  // A refused entry, tried again under its own id, is recorded once (or found recorded).
  EntrySpec retry;
  retry.bank_id = "hcct";
  retry.entry_id = refused_.front();
  retry.from_account_id = "centre";
  retry.to_account_id = "alice";
  retry.minutes = 15;
  retry.activity = "gardening";
  retry.note = std::string(200, 'n');
  auto retried = Await<Receipt>(
      [&](auto done) { ledger_->RecordEntry(retry, AdminNamed("coordinator"), std::move(done)); });
  ASSERT_TRUE(retried.ok()) << retried.status();
  acknowledged_.emplace_back(retry.entry_id, retried->entry.seq);
  refused_.erase(refused_.begin());
  ExpectNothingLost();

  ledger_.reset();  // a clean shutdown: an abort here ends the test binary
  Open(nullptr);
  ExpectNothingLost();
}

TEST_P(StoreFaultTest, ShutsDownCleanlyWhileTheDiskStillFails) {
  const auto [point, error] = GetParam();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(RecordNext().ok());

  fs_->Arm(point, error);
  const absl::Status refusal = WriteUntilRefused();
  ASSERT_FALSE(refusal.ok()) << "the fault never stopped a write";
  EXPECT_EQ(ReasonOf(refusal), ExpectedReason()) << refusal;
  // More writes while it fails, each refused or (reopened meanwhile) acknowledged.
  for (int i = 0; i < 5; ++i) {
    auto receipt = RecordNext();
    if (!receipt.ok()) {
      EXPECT_EQ(receipt.status().code(), absl::StatusCode::kUnavailable) << receipt.status();
    }
  }

  ledger_.reset();  // still armed: closing a store in an error state must not abort
  fs_->Disarm();
  Open(nullptr);
  ExpectNothingLost();
}

// A reader of the failed store (a report's view) keeps it open: the store reopens only once the
// reader is done, and meanwhile the reader reads on and writes stay refused.
class StoreFaultReaderTest : public StoreFaultTest {};

TEST_P(StoreFaultReaderTest, ReopensOnlyOnceTheFailedStoresReadersAreDone) {
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(RecordNext().ok());
  fs_->Arm(FaultPoint::kWalAppend, FaultError::kNoSpace);
  ASSERT_FALSE(WriteUntilRefused().ok());
  std::unique_ptr<StoreReader> view = ledger_->NewReadView();
  fs_->Disarm();

  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));  // past the recovery interval
    auto refused = RecordNext();
    ASSERT_FALSE(refused.ok()) << "the store reopened under a reader of the failed one";
    EXPECT_EQ(ReasonOf(refused.status()), "STORE_FULL") << refused.status();
    auto alice = view->GetAccount("hcct", "alice");
    ASSERT_TRUE(alice.ok()) << alice.status();
    ASSERT_TRUE(alice->has_value());
    EXPECT_EQ((*alice)->balance_minutes, 15 * 20);
  }

  view.reset();
  ASSERT_TRUE(WriteUntilRecovered());
  ExpectNothingLost();
}

INSTANTIATE_TEST_SUITE_P(WalAppendNoSpace, StoreFaultReaderTest,
                         ::testing::Values(std::make_tuple(FaultPoint::kWalAppend,
                                                           FaultError::kNoSpace)));

INSTANTIATE_TEST_SUITE_P(
    EveryPointAndError, StoreFaultTest,
    ::testing::Combine(::testing::Values(FaultPoint::kWalAppend, FaultPoint::kWalSync,
                                         FaultPoint::kFlush, FaultPoint::kCompaction),
                       ::testing::Values(FaultError::kNoSpace, FaultError::kIoError)),
    [](const auto& info) {
      return absl::StrCat(timeledger::testing::FaultPointName(std::get<0>(info.param)),
                          std::get<1>(info.param) == FaultError::kNoSpace ? "NoSpace" : "Eio");
    });

// Write and Sync apart (store.h): a written batch is read at once, before any sync; a failed Sync
// fails the store like a failed Commit, so the batches written since the last Sync are refused
// with it, and so is every Write until Recover.
TEST(StoreWriteSyncTest, AFailedSyncFailsTheStoreUntilItRecovers) {
  timeledger::testing::TempDir dir;
  auto fs = std::make_shared<FaultyFileSystem>();
  auto hooks = std::make_shared<StoreTestHooks>();
  hooks->file_system = fs;
  StoreOptions options;
  options.path = dir.path() + "/store";
  options.recovery_interval = absl::Milliseconds(10);
  options.test_hooks = hooks;
  auto store = OpenRocksDbStore(options);
  ASSERT_TRUE(store.ok()) << store.status();
  auto batch = (*store)->NewBatch();
  auto write = [&](const std::string& bank_id) {
    batch->Clear();
    EXPECT_TRUE(batch->empty());
    batch->PutBank(Bank{bank_id, "Holy Cross", "Europe/London", {}});
    return (*store)->Write(batch.get());
  };
  auto has_bank = [&](const std::string& bank_id) {
    auto bank = (*store)->GetBank(bank_id);
    return bank.ok() && bank->has_value();
  };

  ASSERT_TRUE(write("first").ok());
  EXPECT_TRUE(has_bank("first"));  // read before it is synced
  ASSERT_TRUE((*store)->Sync().ok());

  fs->Arm(FaultPoint::kWalSync, FaultError::kIoError);
  ASSERT_TRUE(write("second").ok());  // written, not yet synced
  const absl::Status synced = (*store)->Sync();
  ASSERT_FALSE(synced.ok());
  EXPECT_EQ(ReasonOf(synced), "STORE_FAILED") << synced;
  EXPECT_EQ(ReasonOf(write("third")), "STORE_FAILED");
  EXPECT_EQ(ReasonOf((*store)->Sync()), "STORE_FAILED");
  EXPECT_EQ(ReasonOf((*store)->WriteStatus()), "STORE_FAILED");
  EXPECT_TRUE(has_bank("first"));  // reads are served meanwhile

  fs->Disarm();
  const auto deadline = std::chrono::steady_clock::now() + kRecoveryWaitMax;
  absl::Status recovered = (*store)->Recover();
  while (!recovered.ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    recovered = (*store)->Recover();
  }
  ASSERT_TRUE(recovered.ok()) << recovered;
  EXPECT_FALSE(has_bank("third"));  // refused without touching the disk
  ASSERT_TRUE(write("fourth").ok());
  ASSERT_TRUE((*store)->Sync().ok());
  EXPECT_TRUE(has_bank("first"));
  EXPECT_TRUE(has_bank("fourth"));
}

}  // namespace
}  // namespace timeledger::ledger
