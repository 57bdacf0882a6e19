// The rule engine's entries that wait: a partner's spend waiting for the member's consent,
// confirmation and its holds, expiry of pending entries and of credits, and closing.
#include <gtest/gtest.h>

#include "tests/ledger/rules/rules_fixture.h"

namespace timeledger::ledger {
namespace {

// --- 10. A partner's spend needs the member's consent --------------------------------------------

TEST_F(RulesTest, APartnersSpendWaitsForTheMemberByDefaultAndHoldsItsMinutes) {
  EntrySpec lunch = Spec("lunch", "alice", "centre", 60);
  lunch.kind = EntryKind::kSpend;
  lunch.recorded_by_partner = true;
  auto receipt = Record(lunch);
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_TRUE(receipt->pending);
  EXPECT_EQ(receipt->confirm_by, "alice");
  EXPECT_EQ(Balance("alice"), 0);
  auto confirmed = Confirm("lunch", "alice");
  ASSERT_TRUE(confirmed.ok()) << confirmed.status();
  EXPECT_EQ(Balance("alice"), -60);
}

TEST_F(RulesTest, APartnersSpendNeedsThePayersOwnCardWhereThePolicyAsksForIt) {
  Policy policy;
  policy.partner_spend_consent = PartnerSpendConsent::kCardAndPin;
  ASSERT_TRUE(SetPolicy(policy).ok());
  EntrySpec lunch = Spec("lunch", "alice", "centre", 60);
  lunch.kind = EntryKind::kSpend;
  lunch.recorded_by_partner = true;
  auto refused = Record(lunch);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(refused), "MEMBER_CONSENT_REQUIRED");
  lunch.payer_card_holder = "bob";
  refused = Record(lunch);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reason(refused), "NOT_PAYERS_CARD");
  lunch.payer_card_holder = "alice";
  auto recorded = Record(lunch);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_FALSE(recorded->pending);
  EXPECT_EQ(Balance("alice"), -60);
}

TEST_F(RulesTest, APartnersSpendIsNotHeldWhereThePolicyDoesNotAsk) {
  Policy policy;
  policy.partner_spend_consent = PartnerSpendConsent::kNotAsked;
  ASSERT_TRUE(SetPolicy(policy).ok());
  EntrySpec lunch = Spec("lunch", "alice", "centre", 60);
  lunch.kind = EntryKind::kSpend;
  lunch.recorded_by_partner = true;
  auto recorded = Record(lunch);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_FALSE(recorded->pending);
}

TEST_F(RulesTest, APolicyStoredBeforePartnerConsentExistedReadsAsNotAsked) {
  Policy older;
  older.partner_spend_consent = PartnerSpendConsent::kNotAsked;
  const std::string bytes = EncodePolicy(older);  // as an older store wrote it: no such byte
  Policy now;
  EXPECT_EQ(EncodePolicy(now).size(), bytes.size() + 1);
  auto read = DecodePolicy(bytes);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->partner_spend_consent, PartnerSpendConsent::kNotAsked);
  EXPECT_EQ(EncodePolicy(*read), bytes);  // the journal's byte-for-byte check holds
  auto current = DecodePolicy(EncodePolicy(now));
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_EQ(current->partner_spend_consent, PartnerSpendConsent::kMemberConfirms);
  std::string explicit_not_asked = bytes;
  explicit_not_asked.push_back(static_cast<char>(PartnerSpendConsent::kNotAsked));
  EXPECT_FALSE(DecodePolicy(explicit_not_asked).ok());  // one encoding per policy
}

// --- 7 and 8. Confirmation, pending holds, expiry ----------------------------------------------

TEST_F(RulesTest, ConfirmationHoldsThenPostsOnConfirm) {
  Policy policy;
  policy.confirmation_enabled = true;
  ASSERT_TRUE(SetPolicy(policy).ok());
  auto receipt = Record(Spec("ex", "bob", "alice", 120));
  ASSERT_TRUE(receipt.ok());
  EXPECT_TRUE(receipt->pending);
  EXPECT_EQ(receipt->entry.seq, 0u);
  auto bob = *ledger_->GetAccount(BankId("hcct"), AccountId("bob"));
  EXPECT_EQ(bob.balance_minutes, 0);
  EXPECT_EQ(bob.held_minutes, 120);
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("alice"))->pending_in_minutes, 120);
  EXPECT_EQ(ledger_->ListPending(BankId("hcct"), AccountId("bob"), 10)->size(), 1u);
  // Retrying the recording returns the same pending entry.
  auto retry = Record(Spec("ex", "bob", "alice", 120));
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->replayed && retry->pending);

  auto posted = Confirm("ex", "bob");
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_EQ(posted->entry.seq, 1u);
  EXPECT_EQ(posted->entry.entry_id, "ex");
  EXPECT_EQ(Balance("bob"), -120);
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("bob"))->held_minutes, 0);
  EXPECT_TRUE(Confirm("ex", "bob").value().replayed);  // confirming twice changes nothing
  EXPECT_TRUE(Record(Spec("ex", "bob", "alice", 120)).value().replayed);
  EXPECT_TRUE(ledger_->ListPending(BankId("hcct"), AccountId(), 10)->empty());
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
}

TEST_F(RulesTest, PendingHoldsCountAgainstTheFloor) {
  Policy policy;
  policy.confirmation_enabled = true;
  ASSERT_TRUE(SetPolicy(policy).ok());
  ASSERT_TRUE(Record(Spec("p1", "bob", "alice", 300)).value().pending);
  ASSERT_TRUE(Record(Spec("p2", "bob", "alice", 300)).value().pending);
  auto refused = Record(Spec("p3", "bob", "carol", 15));
  EXPECT_EQ(Reason(refused), "OVERDRAFT_LIMIT");
  EXPECT_EQ(FiguresOf(refused.status())["held_minutes"], "600");
  ASSERT_TRUE(Reject("p1").ok());
  EXPECT_TRUE(Record(Spec("p3", "bob", "carol", 15)).ok());
}

TEST_F(RulesTest, RejectedEntriesReleaseTheirHoldAndStayOutOfTheLedger) {
  Policy policy;
  policy.confirmation_enabled = true;
  ASSERT_TRUE(SetPolicy(policy).ok());
  ASSERT_TRUE(Record(Spec("ex", "bob", "alice", 60)).ok());
  auto rejected = Reject("ex");
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->state, PendingState::kRejected);
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("bob"))->held_minutes, 0);
  EXPECT_EQ(ledger_->GetBank(BankId("hcct"))->entry_count, 0u);
  EXPECT_EQ(Reason(Confirm("ex", "bob")), "PENDING_RESOLVED");
  EXPECT_EQ(Reason(Record(Spec("ex", "bob", "alice", 60))), "PENDING_RESOLVED");
  EXPECT_EQ(Reason(Confirm("never", "bob")), "PENDING_NOT_FOUND");
}

TEST_F(RulesTest, PendingEntriesExpireByThemselves) {
  Policy policy;
  policy.confirmation_enabled = true;
  policy.pending_expiry_hours = 48;
  ASSERT_TRUE(SetPolicy(policy).ok());
  ASSERT_TRUE(Record(Spec("ex", "bob", "alice", 60)).ok());
  now_ = kNow + absl::Hours(47);
  ASSERT_TRUE(Award("other", "carol", 15).ok());  // a group commit runs; nothing is due yet
  EXPECT_EQ(ledger_->GetPending(BankId("hcct"), EntryId("ex"))->state, PendingState::kPending);
  now_ = kNow + absl::Hours(49);
  // No write needed: the writer wakes each second and expires what is due.
  for (int i = 0; i < 50 && ledger_->GetPending(BankId("hcct"), EntryId("ex"))->state ==
                                PendingState::kPending;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(ledger_->GetPending(BankId("hcct"), EntryId("ex"))->state, PendingState::kExpired);
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("bob"))->held_minutes, 0);
  Reopen();  // the open pending index is rebuilt from the store
  EXPECT_EQ(ledger_->GetPending(BankId("hcct"), EntryId("ex"))->state, PendingState::kExpired);
  EXPECT_TRUE(ledger_->ListPending(BankId("hcct"), AccountId(), 10)->empty());
}

TEST_F(RulesTest, OpenPendingEntriesSurviveARestartAndStillExpire) {
  Policy policy;
  policy.confirmation_enabled = true;
  policy.pending_expiry_hours = 1;
  ASSERT_TRUE(SetPolicy(policy).ok());
  ASSERT_TRUE(Record(Spec("ex", "bob", "alice", 60)).ok());
  Reopen();
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("bob"))->held_minutes, 60);
  now_ = kNow + absl::Hours(2);
  ASSERT_TRUE(Award("other", "carol", 15).ok());
  EXPECT_EQ(ledger_->GetPending(BankId("hcct"), EntryId("ex"))->state, PendingState::kExpired);
}

// --- Closing and expiry ------------------------------------------------------------------------

TEST_F(RulesTest, ClosingCanDonateTheBalanceToThePoolAtomically) {
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 90)).ok());
  auto closed = Await<Account>([&](auto done) {
    ledger_->SetAccountStatus(BankId("hcct"), AccountId("alice"), AccountStatus::kClosed,
                              "moving away", true, AdminNamed("coordinator"), std::move(done));
  });
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->status, AccountStatus::kClosed);
  EXPECT_EQ(closed->balance_minutes, 0);
  EXPECT_EQ(Balance("pool"), 90);
  // A negative balance cannot be donated away.
  auto refused = Await<Account>([&](auto done) {
    ledger_->SetAccountStatus(BankId("hcct"), AccountId("bob"), AccountStatus::kClosed, "", true,
                              AdminNamed("coordinator"), std::move(done));
  });
  EXPECT_EQ(ReasonOf(refused.status()), "BALANCE_NOT_ZERO");
}

TEST_F(RulesTest, ExpirySweepReturnsUntouchedCreditsToThePoolOnce) {
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 90)).ok());
  Policy policy;
  policy.expiry_enabled = true;
  policy.expiry_months = 12;
  ASSERT_TRUE(SetPolicy(policy).ok());
  auto sweep = [&] {
    return Await<ExpirySweepResult>([&](auto done) {
      ledger_->RunExpirySweep(BankId("hcct"), AdminNamed("coordinator"), std::move(done));
    });
  };
  EXPECT_EQ(sweep()->accounts_expired, 0u);  // touched today
  now_ = kNow + absl::Hours(24 * 400);
  auto first = sweep();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->accounts_expired, 1u);  // alice; bob's balance is negative
  EXPECT_EQ(first->minutes_returned, Minutes(90));
  EXPECT_EQ(Balance("alice"), 0);
  EXPECT_EQ(Balance("pool"), 90);
  EXPECT_EQ(sweep()->accounts_expired, 0u);  // idempotent
  absl::TimeZone london;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/London", &london));
  auto expiry = ledger_->GetEntryById(
      BankId("hcct"), EntryId(absl::StrCat("expiry-alice-", absl::FormatCivilTime(absl::ToCivilDay(
                                                                now_.load(), london)))));
  ASSERT_TRUE(expiry.ok()) << expiry.status();
  EXPECT_EQ(expiry->minutes, 90);
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
}

}  // namespace
}  // namespace timeledger::ledger
