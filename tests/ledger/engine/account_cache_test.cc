// The writer's bounded account cache (ledger/engine/account_cache.h) on its own, and a Ledger
// whose cache holds two accounts: every write still reads the right account (from a group in
// flight, the cache or the store), the balances and the zero sum hold, and the number of
// accounts survives a reopen that reads no account.
#include "ledger/engine/account_cache.h"

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include <gtest/gtest.h>

#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

const Account* Find(const AccountCache& cache, const std::string& id) {
  return cache.Find(AccountCache::KeyOf("hcct", id));
}

TEST(AccountCacheTest, KeepsTheMostRecentlyUsedWithinItsBound) {
  AccountCache cache(2);
  cache.Put(AccountIn("alice", 1));
  cache.Put(AccountIn("bob", 2));
  cache.Put(AccountIn("carol", 3));
  EXPECT_EQ(cache.size(), 3u);  // over the bound until trimmed: pointers stay valid till then
  cache.Touch(AccountCache::KeyOf("hcct", "alice"));
  cache.Trim();
  EXPECT_EQ(cache.size(), 2u);
  ASSERT_NE(Find(cache, "alice"), nullptr);
  EXPECT_EQ(Find(cache, "bob"), nullptr);  // the least recently used
  ASSERT_NE(Find(cache, "carol"), nullptr);

  cache.Put(AccountIn("carol", 30));  // replaces, and counts as a use
  EXPECT_EQ(Find(cache, "carol")->balance_minutes, 30);
  cache.Put(AccountIn("dave", 4));
  cache.Trim();
  EXPECT_EQ(Find(cache, "alice"), nullptr);
  EXPECT_NE(Find(cache, "carol"), nullptr);
  EXPECT_NE(Find(cache, "dave"), nullptr);

  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(Find(cache, "dave"), nullptr);
}

TEST(AccountCacheTest, FindingIsNotAUse) {
  AccountCache cache(1);
  cache.Put(AccountIn("alice", 1));
  cache.Put(AccountIn("bob", 2));
  ASSERT_NE(Find(cache, "alice"), nullptr);  // looked at, not touched
  cache.Trim();
  EXPECT_EQ(Find(cache, "alice"), nullptr);
  EXPECT_NE(Find(cache, "bob"), nullptr);
}

class SmallAccountCacheTest : public LedgerTest {
 protected:
  void SetUp() override {
    account_cache_max_ = 2;
    LedgerTest::SetUp();
    RulesOff();
  }
};

TEST_F(SmallAccountCacheTest, WritesFindEvictedAccountsAndTheCountSurvivesAReopen) {
  constexpr int kPersons = 12;
  constexpr int kEntries = 600;
  const size_t accounts_before = ledger_->GetBank(BankId("hcct"))->account_count;
  for (int i = 0; i < kPersons; ++i) {
    ASSERT_TRUE(Open(absl::StrCat("p", i), AccountKind::kPerson).ok());
  }
  // Four callers, each waiting for its reply before the next call: small groups follow each
  // other through the pipeline, the next decided while the last is synced, while the cache
  // keeps two accounts of the fifteen.
  std::map<std::string, int64_t> expected;
  for (int n = 0; n < kEntries; ++n) {
    const std::string from = absl::StrCat("p", n % kPersons);
    const std::string to = absl::StrCat("p", (n * 7 + 1) % kPersons);
    if (from == to) continue;
    expected[from] -= 1 + n % 5;
    expected[to] += 1 + n % 5;
  }
  constexpr int kCallers = 4;
  std::vector<std::thread> callers;
  std::atomic<int> refused{0};
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      for (int n = c; n < kEntries; n += kCallers) {
        const std::string from = absl::StrCat("p", n % kPersons);
        const std::string to = absl::StrCat("p", (n * 7 + 1) % kPersons);
        if (from == to) continue;
        if (!Record(Spec(absl::StrCat("e", n), from, to, 1 + n % 5)).ok()) ++refused;
      }
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(refused.load(), 0);
  int64_t sum = 0;
  for (const auto& [id, balance] : expected) {
    EXPECT_EQ(Balance(id), balance) << id;
    sum += Balance(id);
  }
  EXPECT_EQ(sum, 0);
  EXPECT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
  EXPECT_TRUE(ledger_->Verify().ok());

  Reopen();
  auto bank = ledger_->GetBank(BankId("hcct"));
  ASSERT_TRUE(bank.ok()) << bank.status();
  EXPECT_EQ(bank->account_count, accounts_before + kPersons);
  for (const auto& [id, balance] : expected) EXPECT_EQ(Balance(id), balance) << id;
  // A write after the reopen reads both accounts from the store.
  ASSERT_TRUE(Record(Spec("after", "p0", "p1", 5)).ok());
  EXPECT_EQ(Balance("p0"), expected["p0"] - 5);
  EXPECT_EQ(Balance("p1"), expected["p1"] + 5);
  EXPECT_TRUE(ledger_->Verify().ok());
}

TEST_F(SmallAccountCacheTest, AnAccountOpenedTwiceIsRefusedEvenWhenNotCached) {
  const size_t accounts_before = ledger_->GetBank(BankId("hcct"))->account_count;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(Open(absl::StrCat("p", i), AccountKind::kPerson).ok());
  }
  // alice was opened first: long out of the two-account cache.
  auto again = Open("alice", AccountKind::kPerson);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(ReasonOf(again.status()), "ACCOUNT_EXISTS");
  auto bank = ledger_->GetBank(BankId("hcct"));
  ASSERT_TRUE(bank.ok());
  EXPECT_EQ(bank->account_count, accounts_before + 4);
}

}  // namespace
}  // namespace timeledger::ledger
