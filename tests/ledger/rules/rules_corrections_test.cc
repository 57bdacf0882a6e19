// The rule engine on changes and corrections: policy changes, checks without writing, reversals
// held to the floors and the cap, and the ids of the entries the ledger makes itself.
#include <gtest/gtest.h>

#include "tests/ledger/rules/rules_fixture.h"

namespace timeledger::ledger {
namespace {

// --- Policy changes ----------------------------------------------------------------------------

TEST_F(RulesTest, PolicyChangesApplyOnlyToLaterEntriesAndAreRecorded) {
  ASSERT_TRUE(Record(Spec("before", "bob", "alice", 50 - 5)).ok());  // 45: fine at 15
  Policy policy;
  policy.unit_minutes = 30;
  ASSERT_TRUE(SetPolicy(policy).ok());
  EXPECT_EQ(Reason(Record(Spec("after", "bob", "alice", 45))), "GRANULARITY");
  EXPECT_EQ(ledger_->GetEntry(BankId("hcct"), 1)->minutes, 45);  // the past stands
  auto current = ledger_->GetPolicy(BankId("hcct"));
  EXPECT_EQ(current->version, 1u);
  EXPECT_EQ(current->set_by, "coordinator");
  EXPECT_EQ(current->set_at, kNow);
  auto changes = ledger_->ListPolicyChanges(BankId("hcct"));
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].first.unit_minutes, 15);
  EXPECT_EQ((*changes)[0].second.unit_minutes, 30);
  Reopen();
  EXPECT_EQ(ledger_->GetPolicy(BankId("hcct"))->unit_minutes, 30);
}

TEST_F(RulesTest, AnInvalidPolicyIsRefusedWholeWithEveryProblemListed) {
  Policy policy;
  policy.unit_minutes = 0;
  policy.person_floor_minutes = 60;  // a floor above zero
  policy.backdate_days_max = -1;
  auto status = SetPolicy(policy);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(status), "INVALID_POLICY");
  auto figures = FiguresOf(status);
  EXPECT_EQ(figures["problem_count"], "3");
  EXPECT_NE(figures["problem_1"].find("granularity.unit_minutes"), std::string::npos);
  EXPECT_EQ(ledger_->GetPolicy(BankId("hcct"))->version, 0u);
}

TEST_F(RulesTest, CheckEntryAnswersWithoutWriting) {
  auto ok = Await<Receipt>([&](auto done) {
    ledger_->CheckEntry(Spec("dry", "bob", "alice", 60), AdminNamed("coordinator"),
                        std::move(done));
  });
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->to_balance_minutes, 60);
  auto refused = Await<Receipt>([&](auto done) {
    ledger_->CheckEntry(Spec("dry2", "bob", "alice", 50), AdminNamed("coordinator"),
                        std::move(done));
  });
  EXPECT_EQ(ReasonOf(refused.status()), "GRANULARITY");
  EXPECT_EQ(Balance("alice"), 0);
  EXPECT_EQ(ledger_->GetBank(BankId("hcct"))->entry_count, 0u);
  EXPECT_FALSE(Record(Spec("dry", "bob", "alice", 60)).value().replayed);  // the key is free
}

TEST_F(RulesTest, AReversalWithinTheFloorCorrectsTheMistake) {
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 300)).ok());
  ASSERT_TRUE(Record(Spec("e2", "alice", "carol", 300)).ok());
  ASSERT_TRUE(Record(Spec("e3", "alice", "carol", 300)).ok());
  EXPECT_EQ(Balance("alice"), -300);
  // Undoing what alice earned takes her to -600, which her floor allows.
  ASSERT_TRUE(Reverse(1).ok());
  EXPECT_EQ(Balance("alice"), -600);
}

TEST_F(RulesTest, AReversalMayNotTakeTheOriginalEarnerPastTheirFloor) {
  Policy policy;
  policy.daily_limit_enabled = false;
  ASSERT_TRUE(SetPolicy(policy).ok());
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 300)).ok());
  ASSERT_TRUE(Record(Spec("e2", "alice", "carol", 300)).ok());
  ASSERT_TRUE(Record(Spec("e3", "alice", "carol", 300)).ok());
  ASSERT_TRUE(Record(Spec("e3b", "alice", "carol", 300)).ok());
  EXPECT_EQ(Balance("alice"), -600);
  const uint64_t entries_before = ledger_->GetBank(BankId("hcct"))->entry_count;
  auto refused = Reverse(1);
  EXPECT_EQ(Reason(refused), "OVERDRAFT_LIMIT") << refused.status();
  EXPECT_EQ(FiguresOf(refused.status())["account_id"], "alice");
  EXPECT_EQ(Balance("alice"), -600);
  EXPECT_EQ(Balance("bob"), -300);
  EXPECT_EQ(ledger_->GetBank(BankId("hcct"))->entry_count, entries_before);
  // The reversal's key was not taken: once alice has given time again, the same call works.
  ASSERT_TRUE(Record(Spec("e4", "bob", "alice", 300)).ok());
  auto reversed = Reverse(1);
  ASSERT_TRUE(reversed.ok()) << reversed.status();
  EXPECT_EQ(reversed->entry.entry_id, "reversal-of-1");
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
}

TEST_F(RulesTest, AReversalMayNotTakeTheOriginalPayerPastTheirCap) {
  Policy policy;
  policy.daily_limit_enabled = false;
  policy.person_cap_minutes = 600;
  ASSERT_TRUE(SetPolicy(policy).ok());
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 300)).ok());  // bob -300
  ASSERT_TRUE(Award("a1", "bob", 480).ok());                  // bob +180
  ASSERT_TRUE(Award("a2", "bob", 420).ok());                  // bob +600, at the cap
  auto refused = Reverse(1);
  EXPECT_EQ(Reason(refused), "BALANCE_CAP") << refused.status();
  EXPECT_EQ(FiguresOf(refused.status())["account_id"], "bob");
  EXPECT_EQ(Balance("bob"), 600);
  EXPECT_EQ(Balance("alice"), 300);
}

TEST_F(RulesTest, AReversalPastTheCapSendsTheExcessToThePoolWhenThePolicySaysSo) {
  Policy policy;
  policy.daily_limit_enabled = false;
  policy.cap_action = CapAction::kToPool;
  policy.person_cap_minutes = 600;
  ASSERT_TRUE(SetPolicy(policy).ok());
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 300)).ok());
  ASSERT_TRUE(Award("a1", "bob", 480).ok());
  ASSERT_TRUE(Award("a2", "bob", 330).ok());  // bob +510
  auto reversed = Reverse(1);
  ASSERT_TRUE(reversed.ok()) << reversed.status();
  EXPECT_EQ(reversed->excess_to_pool_minutes, 210);
  EXPECT_EQ(Balance("bob"), 600);
  EXPECT_EQ(Balance("pool"), 210);
  auto excess = ledger_->GetEntryById(BankId("hcct"),
                                      EntryId(absl::StrCat("cap-excess-of-", reversed->entry.seq)));
  ASSERT_TRUE(excess.ok()) << excess.status();
  EXPECT_EQ(excess->seq, reversed->excess_entry_seq);
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
}

// --- The entries the ledger makes itself -------------------------------------------------------

TEST_F(RulesTest, TheLedgersOwnEntryIdsAreNotForCallers) {
  for (const char* id : {"cap-excess-of-7", "closing-donation-alice", "expiry-alice-2026-09-21",
                         "award-cert-1", "reversal-of-1"}) {
    EXPECT_EQ(Reason(Record(Spec(id, "bob", "alice", 60))), "RESERVED_ENTRY_ID") << id;
  }
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 60)).ok());
  EXPECT_EQ(Reason(Reverse(1, "expiry-alice-2026-09-21")), "RESERVED_ENTRY_ID");
  EXPECT_EQ(ledger_->GetBank(BankId("hcct"))->entry_count, 1u);
  // The default key of a reversal may be given explicitly: it is the same call.
  EXPECT_TRUE(Reverse(1, "reversal-of-1").ok());
}

TEST_F(RulesTest, TheLedgersOwnEntriesAreIdempotencyKeysToo) {
  Policy policy;
  policy.daily_limit_enabled = false;
  policy.cap_action = CapAction::kToPool;
  policy.person_cap_minutes = 600;
  ASSERT_TRUE(SetPolicy(policy).ok());
  ASSERT_TRUE(Award("a", "alice", 480).ok());
  auto capped = Award("b", "alice", 240);
  ASSERT_TRUE(capped.ok()) << capped.status();
  auto excess = ledger_->GetEntryById(BankId("hcct"),
                                      EntryId(absl::StrCat("cap-excess-of-", capped->entry.seq)));
  ASSERT_TRUE(excess.ok()) << excess.status();
  EXPECT_EQ(excess->minutes, 120);
  // Retrying the capped award replays it: no second excess.
  auto again = Award("b", "alice", 240);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(Balance("pool"), 120);

  auto closed = Await<Account>([&](auto done) {
    ledger_->SetAccountStatus(BankId("hcct"), AccountId("alice"), AccountStatus::kClosed,
                              "moving away", true, AdminNamed("coordinator"), std::move(done));
  });
  ASSERT_TRUE(closed.ok()) << closed.status();
  auto donation = ledger_->GetEntryById(BankId("hcct"), EntryId("closing-donation-alice"));
  ASSERT_TRUE(donation.ok()) << donation.status();
  EXPECT_EQ(donation->minutes, 600);
  EXPECT_EQ(Balance("pool"), 720);
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
}

}  // namespace
}  // namespace timeledger::ledger
