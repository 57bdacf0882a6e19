// A card's wrong PINs are counted by the writer (Ledger::CheckMemberPin), in the same write that
// reads them: many wrong PINs typed for one card at once are each counted, the lock engages at the
// limit, and a right PIN after it is refused. Before, the kiosk desk read the count, decided and
// wrote it back outside the writer: two wrong PINs read at the same count wrote the same next
// count, and one of them was lost.
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ledger/core/errors.h"
#include "ledger/engine/ledger.h"
#include "ledger/rules/kiosk.h"
#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

// The writer compares hashes, it does not compute them: any hash stands for the PIN's.
constexpr char kPinHash[] = "$argon2id$v=19$m=65536,t=2,p=1$salt$hash-of-1234";
constexpr int kThreads = 8;
constexpr int kTriesPerThread = 6;

class CardLockoutRaceTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    ASSERT_TRUE(Await<MemberCard>([&](auto done) {
                  ledger_->SetMemberCard(BankId("hcct"), AccountId("alice"), "1001",
                                         AdminNamed("carol"), std::move(done));
                }).ok());
    ASSERT_TRUE(Await<MemberCard>([&](auto done) {
                  ledger_->SetMemberPin(BankId("hcct"), AccountId("alice"), kPinHash,
                                        AdminNamed("carol"), std::move(done));
                }).ok());
  }

  absl::StatusOr<Account> Try(bool right_pin) {
    return Await<Account>([&](auto done) {
      ledger_->CheckMemberPin(BankId("hcct"), "1001", PinCheck{kPinHash, right_pin},
                              std::move(done));
    });
  }
};

TEST_F(CardLockoutRaceTest, ConcurrentWrongPinsAreEachCountedAndLockTheCard) {
  std::mutex mu;
  std::map<std::string, int> by_reason;
  std::map<std::string, int> by_attempts_left;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kTriesPerThread; ++i) {
        const absl::Status status = Try(/*right_pin=*/false).status();
        std::lock_guard<std::mutex> lock(mu);
        ++by_reason[ReasonOf(status)];
        auto figures = FiguresOf(status);
        if (figures.count("attempts_left") != 0) ++by_attempts_left[figures["attempts_left"]];
      }
    });
  }
  for (auto& thread : threads) thread.join();

  // The first kPinAttemptsMax - 1 are told how many are left, each count once; the limit's own
  // wrong PIN locks the card, and every one after finds it locked.
  const int tries = kThreads * kTriesPerThread;
  EXPECT_EQ(by_reason["CARD_OR_PIN_WRONG"], kPinAttemptsMax - 1);
  EXPECT_EQ(by_reason["CARD_LOCKED"], tries - (kPinAttemptsMax - 1));
  EXPECT_EQ(by_reason.size(), 2u);
  std::map<std::string, int> each_once;
  for (int left = 1; left < kPinAttemptsMax; ++left) each_once[std::to_string(left)] = 1;
  EXPECT_EQ(by_attempts_left, each_once);

  auto right = Try(/*right_pin=*/true);
  EXPECT_EQ(ReasonOf(right.status()), "CARD_LOCKED");
  EXPECT_EQ(FiguresOf(right.status())["retry_after_seconds"], "900");
}

TEST_F(CardLockoutRaceTest, TheLockEndsAndARightPinClearsTheCount) {
  for (int i = 0; i < kPinAttemptsMax; ++i) ASSERT_FALSE(Try(false).ok());
  ASSERT_EQ(ReasonOf(Try(true).status()), "CARD_LOCKED");
  now_ = now_.load() + kCardLockDuration;
  auto holder = Try(true);
  ASSERT_TRUE(holder.ok()) << holder.status();
  EXPECT_EQ(holder->account_id, "alice");
  EXPECT_EQ(FiguresOf(Try(false).status())["attempts_left"], std::to_string(kPinAttemptsMax - 1));
}

TEST_F(CardLockoutRaceTest, APinCheckedAgainstAReplacedHashIsWrongAndNotCounted) {
  ASSERT_TRUE(Await<MemberCard>([&](auto done) {
                ledger_->SetMemberPin(BankId("hcct"), AccountId("alice"), "another-hash",
                                      AdminNamed("carol"), std::move(done));
              }).ok());
  auto stale = Try(/*right_pin=*/true);  // right against the old hash
  EXPECT_EQ(ReasonOf(stale.status()), "CARD_OR_PIN_WRONG");
  EXPECT_EQ(FiguresOf(stale.status()).count("attempts_left"), 0u);
  auto fresh = Await<Account>([&](auto done) {
    ledger_->CheckMemberPin(BankId("hcct"), "1001", PinCheck{"another-hash", false},
                            std::move(done));
  });
  EXPECT_EQ(FiguresOf(fresh.status())["attempts_left"], std::to_string(kPinAttemptsMax - 1));
}

TEST_F(CardLockoutRaceTest, AnUnknownCardIsWrongWithoutACount) {
  auto unknown = Await<Account>([&](auto done) {
    ledger_->CheckMemberPin(BankId("hcct"), "9999", PinCheck{"", false}, std::move(done));
  });
  EXPECT_EQ(ReasonOf(unknown.status()), "CARD_OR_PIN_WRONG");
  EXPECT_EQ(FiguresOf(unknown.status()).count("attempts_left"), 0u);
}

}  // namespace
}  // namespace timeledger::ledger
