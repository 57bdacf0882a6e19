// The change feed's pieces inside the ledger: the notifier the commit thread tells, and what a
// watcher is sent (ledger/engine/journal_notifier.h, journal_feed.h).
#include "ledger/engine/journal_feed.h"

#include <thread>

#include "absl/time/clock.h"
#include <gtest/gtest.h>

#include "ledger/core/errors.h"
#include "ledger/engine/journal_notifier.h"

namespace timeledger::ledger {
namespace {

TEST(JournalNotifierTest, KeepsEachBanksLargestSizeAndCountsOnlyGrowth) {
  JournalNotifier notifier;
  EXPECT_EQ(notifier.PublishedSize("hcct"), 0u);
  notifier.Published("hcct", 10);
  notifier.Published("other", 3);
  const uint64_t generation = notifier.generation();
  notifier.Published("hcct", 7);  // a reload publishing what it read: not a change
  notifier.Published("hcct", 10);
  EXPECT_EQ(notifier.generation(), generation);
  EXPECT_EQ(notifier.PublishedSize("hcct"), 10u);
  EXPECT_EQ(notifier.PublishedSize("other"), 3u);
  notifier.Published("hcct", 11);
  EXPECT_EQ(notifier.generation(), generation + 1);
}

TEST(JournalNotifierTest, AWaiterWakesWhenAJournalGrowsOrIsInterrupted) {
  JournalNotifier notifier;
  const uint64_t seen = notifier.generation();
  std::thread publisher([&] {
    absl::SleepFor(absl::Milliseconds(50));
    notifier.Published("hcct", 1);
  });
  EXPECT_NE(notifier.WaitForChange(seen, absl::Seconds(30)), seen);
  publisher.join();
  const uint64_t after = notifier.generation();
  EXPECT_EQ(notifier.WaitForChange(after, absl::Milliseconds(20)), after);  // timed out
  std::thread interrupter([&] {
    absl::SleepFor(absl::Milliseconds(50));
    notifier.Interrupt();
  });
  const absl::Time start = absl::Now();
  notifier.WaitForChange(after, absl::Seconds(30));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  interrupter.join();
}

Principal Role(PrincipalRole role, std::string account_id = "") {
  Principal principal;
  principal.name = "p";
  principal.role = role;
  principal.bank_id = "hcct";
  principal.account_id = std::move(account_id);
  return principal;
}

TEST(FeedFilterTest, StaffGetWhatTheyAskAPartnerOnlyItsOwnAccountAKioskNothing) {
  FeedFilter asked;
  asked.types = {FactType::kEntry};
  auto staff = FeedFilterFor(Role(PrincipalRole::kCoordinator), asked);
  ASSERT_TRUE(staff.ok());
  EXPECT_EQ(staff->account_id, "");
  EXPECT_EQ(staff->types, asked.types);

  auto partner = FeedFilterFor(Role(PrincipalRole::kPartner, "cafe"), asked);
  ASSERT_TRUE(partner.ok());
  EXPECT_EQ(partner->account_id, "cafe");
  asked.account_id = "m1";
  EXPECT_EQ(ReasonOf(FeedFilterFor(Role(PrincipalRole::kPartner, "cafe"), asked).status()),
            "PARTNER_OWN_ACCOUNT_ONLY");
  EXPECT_EQ(ReasonOf(FeedFilterFor(Role(PrincipalRole::kKiosk), FeedFilter()).status()),
            "ROLE_NOT_ALLOWED");
}

TEST(FeedFilterTest, AFactTouchesTheAccountsItNames) {
  Fact entry;
  entry.type = FactType::kEntry;
  entry.entry.from_account_id = "m1";
  entry.entry.to_account_id = "cafe";
  EXPECT_TRUE(FactTouchesAccount(entry, "cafe", nullptr));
  EXPECT_TRUE(FactTouchesAccount(entry, "m1", nullptr));
  EXPECT_FALSE(FactTouchesAccount(entry, "m2", nullptr));

  Fact opened;
  opened.type = FactType::kAccountOpened;
  opened.account_id = "cafe";
  EXPECT_TRUE(FactTouchesAccount(opened, "cafe", nullptr));
  Fact policy;
  policy.type = FactType::kPolicySet;
  EXPECT_FALSE(FactTouchesAccount(policy, "cafe", nullptr));

  Fact resolved;
  resolved.type = FactType::kPendingResolved;
  resolved.entry_id = "e1";
  PendingEntry pending;
  pending.entry = entry.entry;
  EXPECT_FALSE(FactTouchesAccount(resolved, "cafe", nullptr));  // unknown: not told
  EXPECT_TRUE(FactTouchesAccount(resolved, "cafe", &pending));
  EXPECT_FALSE(FactTouchesAccount(resolved, "m2", &pending));
}

}  // namespace
}  // namespace timeledger::ledger
