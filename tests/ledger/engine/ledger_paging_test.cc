// The Ledger's listings page with opaque tokens bound to their listing and filters
// (ledger/core/page_token.h): a token kept across a restart still resumes where it was given, and
// a token of another listing, of other filters, or built from a bare key is refused.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ledger/core/errors.h"
#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

class LedgerPagingTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    ASSERT_TRUE(CreateBank("camden").ok());
    ASSERT_TRUE(Open("zoe", AccountKind::kPerson, "camden").ok());
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(Record(Spec("gift-" + std::to_string(i), "bob", "alice", 30)).ok());
    }
  }
};

TEST_F(LedgerPagingTest, AKeptTokenResumesAfterARestart) {
  auto first = ledger_->ListEntries(BankId("hcct"), AccountId("alice"), 2, "");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->items.size(), 2u);
  const std::string kept = first->next_page_token;
  ASSERT_FALSE(kept.empty());
  Reopen();
  ASSERT_TRUE(Record(Spec("gift-late", "bob", "alice", 15)).ok());
  auto rest = ledger_->ListEntries(BankId("hcct"), AccountId("alice"), 10, kept);
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->items.size(), 2u);  // gift-2, then what was recorded since
  EXPECT_EQ(rest->items[0].entry.entry_id, "gift-2");
  EXPECT_EQ(rest->items[1].entry.entry_id, "gift-late");
  EXPECT_EQ(rest->items[1].running_balance_minutes, 105);

  auto accounts = ledger_->ListAccounts(BankId("hcct"), 1, "");
  ASSERT_TRUE(accounts.ok());
  const std::string accounts_kept = accounts->next_page_token;
  Reopen();
  auto next = ledger_->ListAccounts(BankId("hcct"), 1, accounts_kept);
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_EQ(next->items.size(), 1u);
  EXPECT_EQ(next->items[0].account_id, "bob");
}

TEST_F(LedgerPagingTest, ATokenOfAnotherListingOrOtherFiltersIsRefused) {
  const std::string entries_of_alice =
      ledger_->ListEntries(BankId("hcct"), AccountId("alice"), 1, "")->next_page_token;
  const std::string entries_of_bank =
      ledger_->ListEntries(BankId("hcct"), AccountId(""), 1, "")->next_page_token;
  const std::string accounts = ledger_->ListAccounts(BankId("hcct"), 1, "")->next_page_token;
  const std::string banks = ledger_->ListBanks(1, "")->next_page_token;
  ASSERT_FALSE(entries_of_alice.empty() || entries_of_bank.empty() || accounts.empty() ||
               banks.empty());
  const std::vector<absl::Status> refused = {
      ledger_->ListEntries(BankId("hcct"), AccountId("bob"), 1, entries_of_alice).status(),
      ledger_->ListEntries(BankId("hcct"), AccountId(""), 1, entries_of_alice).status(),
      ledger_->ListEntries(BankId("hcct"), AccountId("alice"), 1, entries_of_bank).status(),
      ledger_->ListEntries(BankId("hcct"), AccountId("alice"), 1, accounts).status(),
      ledger_->ListAccounts(BankId("camden"), 1, accounts).status(),
      ledger_->ListAccounts(BankId("hcct"), 1, banks).status(),
      ledger_->ListBanks(1, accounts).status(),
      ledger_->ListQualifications(BankId("hcct"), AccountId("alice"), 0, 1, accounts).status(),
      ledger_->ListCatalogue(BankId("hcct"), CatalogueKind::kActivity, false, 1, accounts).status(),
  };
  for (const absl::Status& status : refused) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_EQ(ReasonOf(status), "INVALID_PAGE_TOKEN") << status;
  }
}

// What a client once built from a bare key (the seq, the last id) is no token any more.
TEST_F(LedgerPagingTest, ABareKeyIsNoToken) {
  EXPECT_EQ(ReasonOf(ledger_->ListEntries(BankId("hcct"), AccountId("alice"), 1, "1").status()),
            "INVALID_PAGE_TOKEN");
  EXPECT_EQ(ReasonOf(ledger_->ListAccounts(BankId("hcct"), 1, "alice").status()),
            "INVALID_PAGE_TOKEN");
  EXPECT_EQ(ReasonOf(ledger_->ListBanks(1, "camden").status()), "INVALID_PAGE_TOKEN");
  EXPECT_EQ(ReasonOf(ledger_->ListHolders(BankId("hcct"), "first-aid", 0, 1, "alice").status()),
            "INVALID_PAGE_TOKEN");
}

}  // namespace
}  // namespace timeledger::ledger
