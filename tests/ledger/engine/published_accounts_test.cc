// The readers' accounts (ledger/engine/published_accounts.h) on their own, and a Ledger whose
// readers keep two of them while writers change every account: a reader never sees a balance
// older than one it saw before, nor one that was not synced.
#include "ledger/engine/published_accounts.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include <gtest/gtest.h>

#include "ledger/engine/account_cache.h"
#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

std::string KeyOf(const std::string& id) { return AccountCache::KeyOf("hcct", id); }

TEST(PublishedAccountsTest, KeepsWhatIsPublishedAndFillsOnlyWhatNoPublishOvertook) {
  PublishedAccounts accounts(1024);
  EXPECT_FALSE(accounts.Find(KeyOf("alice")).has_value());
  accounts.Publish(AccountIn("alice", 10));
  ASSERT_TRUE(accounts.Find(KeyOf("alice")).has_value());
  EXPECT_EQ(accounts.Find(KeyOf("alice"))->balance_minutes, 10);
  accounts.Publish(AccountIn("alice", 20));  // replaces
  EXPECT_EQ(accounts.Find(KeyOf("alice"))->balance_minutes, 20);

  // A reader read bob from the store; no publish since: kept.
  uint64_t epoch = accounts.EpochOf(KeyOf("bob"));
  accounts.Fill(AccountIn("bob", 5), epoch);
  ASSERT_TRUE(accounts.Find(KeyOf("bob")).has_value());
  EXPECT_EQ(accounts.Find(KeyOf("bob"))->balance_minutes, 5);

  // A reader read carol, then a group published her (and was evicted, or not kept): the read
  // may be older than the publish, so it is not kept.
  epoch = accounts.EpochOf(KeyOf("carol"));
  accounts.Publish(AccountIn("carol", 7));
  accounts.Fill(AccountIn("carol", 3), epoch);
  EXPECT_EQ(accounts.Find(KeyOf("carol"))->balance_minutes, 7);
}

TEST(PublishedAccountsTest, NoFillWhileAnAccountOfTheShardIsBeingWritten) {
  PublishedAccounts accounts(1);  // one shard: every account shares it
  // Reader 1 reads alice (10) from the store; the commit thread begins writing her at 20;
  // reader 2 reads 20 from the store, which shows the write before it is published.
  const uint64_t before = accounts.EpochOf(KeyOf("alice"));
  accounts.BeginChange(AccountIn("alice", 20));
  const uint64_t during = accounts.EpochOf(KeyOf("alice"));
  accounts.Fill(AccountIn("alice", 10), before);  // would show reader 2 the balance go back
  accounts.Fill(AccountIn("alice", 20), during);  // written, not yet published
  EXPECT_FALSE(accounts.Find(KeyOf("alice")).has_value());
  accounts.Publish(AccountIn("alice", 20));
  EXPECT_EQ(accounts.Find(KeyOf("alice"))->balance_minutes, 20);
  // Once published, fills are kept again.
  accounts.Fill(AccountIn("bob", 3), accounts.EpochOf(KeyOf("bob")));
  EXPECT_EQ(accounts.Find(KeyOf("bob"))->balance_minutes, 3);
  // A change that never published (its commit failed) ends at the Clear after recovery.
  accounts.BeginChange(AccountIn("carol", 1));
  accounts.Clear();
  accounts.Fill(AccountIn("carol", 1), accounts.EpochOf(KeyOf("carol")));
  EXPECT_EQ(accounts.Find(KeyOf("carol"))->balance_minutes, 1);
}

TEST(PublishedAccountsTest, ClearForgetsEverythingAndRefusesFillsReadBeforeIt) {
  PublishedAccounts accounts(1024);
  accounts.Publish(AccountIn("alice", 100));
  // A reader began reading bob from the store before a recovery reopened it.
  const uint64_t epoch = accounts.EpochOf(KeyOf("bob"));
  accounts.Clear();
  EXPECT_FALSE(accounts.Find(KeyOf("alice")).has_value());
  accounts.Fill(AccountIn("bob", 5), epoch);
  EXPECT_FALSE(accounts.Find(KeyOf("bob")).has_value());
  // Reads after the clear fill again.
  accounts.Fill(AccountIn("bob", 7), accounts.EpochOf(KeyOf("bob")));
  EXPECT_EQ(accounts.Find(KeyOf("bob"))->balance_minutes, 7);
}

TEST(PublishedAccountsTest, KeepsNoMoreThanItsBoundAndNothingWithBoundZero) {
  PublishedAccounts accounts(32);
  for (int i = 0; i < 1000; ++i) accounts.Publish(AccountIn(absl::StrCat("p", i), i));
  int kept = 0;
  for (int i = 0; i < 1000; ++i) {
    if (auto account = accounts.Find(KeyOf(absl::StrCat("p", i)))) {
      EXPECT_EQ(account->balance_minutes, i);
      ++kept;
    }
  }
  EXPECT_GT(kept, 0);
  EXPECT_LE(kept, 32);

  PublishedAccounts none(0);
  none.Publish(AccountIn("alice", 1));
  none.Fill(AccountIn("bob", 1), none.EpochOf(KeyOf("bob")));
  EXPECT_FALSE(none.Find(KeyOf("alice")).has_value());
  EXPECT_FALSE(none.Find(KeyOf("bob")).has_value());
}

class FewPublishedAccountsTest : public LedgerTest {
 protected:
  void SetUp() override {
    published_accounts_max_ = 2;  // evictions and fills on every read
    LedgerTest::SetUp();
    RulesOff();
  }
};

TEST_F(FewPublishedAccountsTest, ReadersNeverSeeABalanceGoBackWhileWritersRecord) {
  constexpr int kPersons = 6;
  constexpr int kEntriesPerWriter = 300;
  constexpr int kWriters = 3;
  for (int i = 0; i < kPersons; ++i) {
    ASSERT_TRUE(Open(absl::StrCat("p", i), AccountKind::kPerson).ok());
  }
  // The centre gives to every person in turn: each person's balance only ever grows.
  std::atomic<bool> done{false};
  std::atomic<int> went_back{0};
  std::atomic<int64_t> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      std::vector<int64_t> seen(kPersons, 0);
      for (int n = r; !done.load(); ++n) {
        const int person = n % kPersons;
        auto account = ledger_->GetAccount(BankId("hcct"), AccountId(absl::StrCat("p", person)));
        if (!account.ok()) continue;
        if (account->balance_minutes < seen[person]) ++went_back;
        seen[person] = account->balance_minutes;
        ++reads;
      }
    });
  }
  std::vector<std::thread> writers;
  std::atomic<int> refused{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int n = 0; n < kEntriesPerWriter; ++n) {
        const std::string to = absl::StrCat("p", (n + w) % kPersons);
        if (!Record(Spec(absl::StrCat("w", w, "-", n), "centre", to, 1)).ok()) ++refused;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  done = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(refused.load(), 0);
  EXPECT_EQ(went_back.load(), 0);
  EXPECT_GT(reads.load(), 0);
  // Every acknowledged entry is in what readers see now.
  int64_t total = 0;
  for (int i = 0; i < kPersons; ++i) total += Balance(absl::StrCat("p", i));
  EXPECT_EQ(total, kWriters * kEntriesPerWriter);
  EXPECT_EQ(Balance("centre"), -kWriters * kEntriesPerWriter);
}

}  // namespace
}  // namespace timeledger::ledger
