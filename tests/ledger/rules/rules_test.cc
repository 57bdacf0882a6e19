// The rule engine in the commit path: each rule at its edge, one past it, by default, and off.
#include "ledger/rules/rules.h"

#include <thread>

#include <gtest/gtest.h>

#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

class RulesTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    ASSERT_TRUE(Open("carol", AccountKind::kPerson).ok());
  }

  // An award from the centre: credits alice without touching a person's floor.
  absl::StatusOr<Receipt> Award(const std::string& id, const std::string& to, int64_t minutes) {
    EntrySpec spec = Spec(id, "centre", to, minutes);
    spec.kind = EntryKind::kAward;
    return Record(spec);
  }

  absl::StatusOr<Receipt> Confirm(const std::string& entry_id, const std::string& principal) {
    return Await<Receipt>([&](auto done) {
      ledger_->ConfirmEntry("hcct", entry_id, AdminNamed(principal), std::move(done));
    });
  }

  absl::StatusOr<PendingEntry> Reject(const std::string& entry_id) {
    return Await<PendingEntry>([&](auto done) {
      ledger_->RejectEntry("hcct", entry_id, "did not happen", AdminNamed("bob"), std::move(done));
    });
  }

  static std::string Reason(const absl::StatusOr<Receipt>& result) {
    return ReasonOf(result.status());
  }
};

// --- 1. Granularity and size -------------------------------------------------------------------

TEST_F(RulesTest, GranularityDefaultsToQuarterHours) {
  EXPECT_TRUE(Record(Spec("a", "bob", "alice", 45)).ok());
  auto refused = Record(Spec("b", "bob", "alice", 50));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(refused), "GRANULARITY");
  EXPECT_EQ(FiguresOf(refused.status())["limit_minutes"], "15");
  Policy policy;
  policy.granularity_enabled = false;
  ASSERT_TRUE(SetPolicy(policy).ok());
  EXPECT_TRUE(Record(Spec("b", "bob", "alice", 50)).ok());
}

TEST_F(RulesTest, EntryMaximumDefaultsToEightHours) {
  EXPECT_TRUE(Award("edge", "alice", 8 * 60).ok());
  EXPECT_EQ(Reason(Award("past", "bob", 8 * 60 + 15)), "ENTRY_MAXIMUM");
  Policy policy;
  policy.entry_maximum_enabled = false;
  policy.daily_limit_enabled = false;
  ASSERT_TRUE(SetPolicy(policy).ok());
  EXPECT_TRUE(Award("past", "bob", 8 * 60 + 15).ok());
}

TEST_F(RulesTest, SpendsAndDonationsAreNotHeldToTimeGivenLimits) {
  ASSERT_TRUE(Award("earn", "alice", 480).ok());
  EntrySpec spend = Spec("lunch", "alice", "centre", 50);  // a price, not time given
  spend.kind = EntryKind::kSpend;
  EXPECT_TRUE(Record(spend).ok());
}

// --- 2. Floors ---------------------------------------------------------------------------------

TEST_F(RulesTest, PersonsMayGoTenHoursBelowZeroByDefault) {
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(Record(Spec("in-" + std::to_string(i), "bob", "alice", 300)).ok());
  }
  EXPECT_EQ(Balance("bob"), -600);  // exactly at the floor
  auto refused = Record(Spec("past", "bob", "carol", 15));
  EXPECT_EQ(Reason(refused), "OVERDRAFT_LIMIT");
  auto figures = FiguresOf(refused.status());
  EXPECT_EQ(figures["limit_minutes"], "-600");
  EXPECT_EQ(figures["balance_minutes"], "-600");
  EXPECT_EQ(figures["attempted_minutes"], "15");
  Policy policy;
  policy.floors_enabled = false;
  ASSERT_TRUE(SetPolicy(policy).ok());
  EXPECT_TRUE(Record(Spec("past", "bob", "carol", 15)).ok());
}

TEST_F(RulesTest, NewcomerFirstExchangePassesUnlessEarnBeforeSpendIsOn) {
  // The default lets a newcomer receive first: a zero limit failing them is the peers' bug.
  EXPECT_TRUE(Record(Spec("first", "bob", "alice", 60)).ok());
  Policy policy;
  policy.earn_before_spend = true;
  ASSERT_TRUE(SetPolicy(policy).ok());
  auto refused = Record(Spec("second", "carol", "alice", 15));
  EXPECT_EQ(Reason(refused), "OVERDRAFT_LIMIT");
  EXPECT_EQ(FiguresOf(refused.status())["limit_minutes"], "0");
  // Once carol has earned, the ordinary floor applies to her.
  ASSERT_TRUE(Record(Spec("carol-gives", "alice", "carol", 15)).ok());
  EXPECT_TRUE(Record(Spec("second", "carol", "alice", 120)).ok());
  EXPECT_EQ(Balance("carol"), -105);
}

TEST_F(RulesTest, PoolCannotGrantMoreThanItHolds) {
  EntrySpec grant = Spec("grant", "pool", "bob", 30);
  grant.kind = EntryKind::kGrant;
  EXPECT_EQ(Reason(Record(grant)), "OVERDRAFT_LIMIT");
  ASSERT_TRUE(Award("earn", "alice", 60).ok());
  EntrySpec donation = Spec("donate", "alice", "pool", 30);
  donation.kind = EntryKind::kDonation;
  ASSERT_TRUE(Record(donation).ok());
  EXPECT_TRUE(Record(grant).ok());
}

TEST_F(RulesTest, TwoConcurrentSpendsCannotBothPassAFloorOnlyOneFits) {
  Policy policy;
  policy.daily_limit_enabled = false;  // bob is topped up by an award each round
  ASSERT_TRUE(SetPolicy(policy).ok());
  // bob sits at -540: one 60-minute spend fits the -600 floor, two do not.
  ASSERT_TRUE(Record(Spec("setup", "bob", "alice", 540)).ok() ||
              Record(Spec("setup-a", "bob", "alice", 300)).ok());
  while (Balance("bob") > -540) {
    ASSERT_TRUE(Record(Spec("s" + std::to_string(Balance("bob")), "bob", "alice", 60)).ok());
  }
  ASSERT_EQ(Balance("bob"), -540);
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> accepted{0}, refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        EntrySpec spend =
            Spec("r" + std::to_string(round) + "-" + std::to_string(t), "bob", "centre", 60);
        spend.kind = EntryKind::kSpend;
        auto result = Record(spend);
        if (result.ok()) ++accepted;
        if (ReasonOf(result.status()) == "OVERDRAFT_LIMIT") ++refused;
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(accepted.load(), 1) << "round " << round;
    EXPECT_EQ(refused.load(), 1) << "round " << round;
    EXPECT_EQ(Balance("bob"), -600);
    // Put bob back at -540 for the next round.
    ASSERT_TRUE(Award("back-" + std::to_string(round), "bob", 60).ok());
  }
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
}

TEST_F(RulesTest, SameBatchSpendsSeeEachOther) {
  std::vector<EntrySpec> specs;
  for (const char* earner : {"alice", "carol", "alice"}) {
    specs.push_back(Spec(std::string("b-") + std::to_string(specs.size()), "bob", earner, 300));
  }
  auto results = Await<std::vector<absl::StatusOr<Receipt>>>([&](auto done) {
    ledger_->RecordEntries(specs, false, AdminNamed("coordinator"), std::move(done));
  });
  ASSERT_TRUE(results.ok());
  EXPECT_TRUE((*results)[0].ok());
  EXPECT_TRUE((*results)[1].ok());
  EXPECT_EQ(ReasonOf((*results)[2].status()), "OVERDRAFT_LIMIT");
  EXPECT_EQ(Balance("bob"), -600);
}

// --- 3. Balance cap ----------------------------------------------------------------------------

TEST_F(RulesTest, BalanceCapRefusesByDefault) {
  Policy policy;
  policy.daily_limit_enabled = false;
  ASSERT_TRUE(SetPolicy(policy).ok());
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(Award("a" + std::to_string(i), "alice", 480).ok());
  ASSERT_TRUE(Award("edge", "alice", 240).ok());
  EXPECT_EQ(Balance("alice"), 6000);  // exactly the cap
  auto refused = Award("past", "alice", 15);
  EXPECT_EQ(Reason(refused), "BALANCE_CAP");
  EXPECT_EQ(FiguresOf(refused.status())["limit_minutes"], "6000");
}

TEST_F(RulesTest, BalanceCapCanSendTheExcessToThePool) {
  Policy policy;
  policy.daily_limit_enabled = false;
  policy.cap_action = CapAction::kToPool;
  policy.person_cap_minutes = 600;
  ASSERT_TRUE(SetPolicy(policy).ok());
  ASSERT_TRUE(Award("a", "alice", 480).ok());
  auto receipt = Award("b", "alice", 240);
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->excess_to_pool_minutes, 120);
  EXPECT_EQ(receipt->to_balance_minutes, 600);
  EXPECT_EQ(Balance("alice"), 600);
  EXPECT_EQ(Balance("pool"), 120);
  auto donation = ledger_->GetEntry(BankId("hcct"), receipt->excess_entry_seq);
  ASSERT_TRUE(donation.ok());
  EXPECT_EQ(donation->kind, EntryKind::kDonation);
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
}

// --- 4. Plausibility ---------------------------------------------------------------------------

TEST_F(RulesTest, DailyEarningIsLimitedPerCalendarDayInTheBanksTimeZone) {
  ASSERT_TRUE(Award("a", "alice", 480).ok());
  ASSERT_TRUE(Award("b", "alice", 240).ok());  // 12 hours: the edge
  auto refused = Award("c", "alice", 15);
  EXPECT_EQ(Reason(refused), "DAILY_LIMIT");
  EXPECT_EQ(FiguresOf(refused.status())["current_minutes"], "720");
  // Time given yesterday counts on yesterday.
  EntrySpec yesterday = Spec("d", "centre", "alice", 60);
  yesterday.kind = EntryKind::kAward;
  yesterday.occurred_at = kNow - absl::Hours(24);
  EXPECT_TRUE(Record(yesterday).ok());
}

TEST_F(RulesTest, BackdatingIsLimitedToSixtyDays) {
  EntrySpec edge = Spec("edge", "bob", "alice", 30);
  edge.occurred_at = kNow - absl::Hours(24 * 60);
  EXPECT_TRUE(Record(edge).ok());
  EntrySpec past = Spec("past", "bob", "alice", 30);
  past.occurred_at = kNow - absl::Hours(24 * 60) - absl::Minutes(1);
  EXPECT_EQ(Reason(Record(past)), "BACKDATED");
  Policy policy;
  policy.backdating_enabled = false;
  ASSERT_TRUE(SetPolicy(policy).ok());
  EXPECT_TRUE(Record(past).ok());
}

// --- 5. Reciprocity ----------------------------------------------------------------------------

TEST_F(RulesTest, ReceivingMuchWithoutGivingWarnsByDefault) {
  Policy policy;
  policy.floors_enabled = false;
  policy.daily_limit_enabled = false;
  ASSERT_TRUE(SetPolicy(policy).ok());
  for (int i = 0; i < 5; ++i) {
    auto r = Record(Spec("r" + std::to_string(i), "bob", "alice", 240));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->warnings.empty());  // 20 hours is the edge
  }
  auto warned = Record(Spec("r5", "bob", "carol", 15));
  ASSERT_TRUE(warned.ok());
  ASSERT_EQ(warned->warnings.size(), 1u);
  EXPECT_EQ(warned->warnings[0].reason, "RECIPROCITY");
  EXPECT_EQ(warned->payer_reciprocity.received_minutes, 1200);
  EXPECT_EQ(warned->payer_reciprocity.given_minutes, 0);
  auto standing = ledger_->GetAccountStanding(BankId("hcct"), AccountId("bob"));
  ASSERT_TRUE(standing.ok());
  EXPECT_EQ(standing->reciprocity.received_minutes, 1215);

  policy.reciprocity_action = ReciprocityAction::kRefuse;
  ASSERT_TRUE(SetPolicy(policy).ok());
  EXPECT_EQ(Reason(Record(Spec("r6", "bob", "carol", 15))), "RECIPROCITY");
  // Once bob gives, he is a giver and a receiver: no more warnings.
  ASSERT_TRUE(Record(Spec("bob-gives", "alice", "bob", 15)).ok());
  auto after = Record(Spec("r7", "bob", "carol", 15));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_TRUE(after->warnings.empty());
}

// --- 6. Staff on duty and self-recorded entries -----------------------------------------------

TEST_F(RulesTest, StaffCannotEarnForDutyActivities) {
  Account carol = *ledger_->GetAccount(BankId("hcct"), AccountId("carol"));
  Account staff;
  staff.bank_id = "hcct";
  staff.account_id = "sam";
  staff.kind = AccountKind::kPerson;
  staff.roles = {Role::kMember, Role::kStaff};
  staff.display_name = "Sam";
  ASSERT_TRUE(Await<Account>([&](auto done) {
                ledger_->OpenAccount(staff, AdminNamed("t"), std::move(done));
              }).ok());
  Policy policy;
  policy.staff_duty_activities = {"running the day centre"};
  ASSERT_TRUE(SetPolicy(policy).ok());
  EntrySpec duty = Spec("duty", "centre", "sam", 60);
  duty.kind = EntryKind::kAward;
  duty.activity = "running the day centre";
  EXPECT_EQ(Reason(Record(duty)), "STAFF_ON_DUTY");
  duty.activity = "film night";  // outside duty, staff earn as members
  EXPECT_TRUE(Record(duty).ok());
  EntrySpec volunteer = Spec("vol", "centre", carol.account_id, 60);
  volunteer.kind = EntryKind::kAward;
  volunteer.activity = "running the day centre";  // not staff: may earn for it
  EXPECT_TRUE(Record(volunteer).ok());
}

TEST_F(RulesTest, AnEntryRecordedByItsEarnerWaitsForSomeoneElse) {
  auto receipt = Await<Receipt>([&](auto done) {
    ledger_->RecordEntry(Spec("self", "bob", "alice", 60), AdminNamed("alice"), std::move(done));
  });
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_TRUE(receipt->pending);
  EXPECT_EQ(receipt->confirm_by, "bob");
  EXPECT_EQ(Balance("alice"), 0);
  EXPECT_EQ(Reason(Confirm("self", "alice")), "SELF_CONFIRMATION");
  auto confirmed = Confirm("self", "bob");
  ASSERT_TRUE(confirmed.ok()) << confirmed.status();
  EXPECT_EQ(Balance("alice"), 60);
}

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
    ledger_->SetAccountStatus("hcct", "alice", AccountStatus::kClosed, "moving away", true,
                              AdminNamed("coordinator"), std::move(done));
  });
  ASSERT_TRUE(closed.ok()) << closed.status();
  auto donation = ledger_->GetEntryById(BankId("hcct"), EntryId("closing-donation-alice"));
  ASSERT_TRUE(donation.ok()) << donation.status();
  EXPECT_EQ(donation->minutes, 600);
  EXPECT_EQ(Balance("pool"), 720);
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
}

// --- Closing and expiry ------------------------------------------------------------------------

TEST_F(RulesTest, ClosingCanDonateTheBalanceToThePoolAtomically) {
  ASSERT_TRUE(Record(Spec("e1", "bob", "alice", 90)).ok());
  auto closed = Await<Account>([&](auto done) {
    ledger_->SetAccountStatus("hcct", "alice", AccountStatus::kClosed, "moving away", true,
                              AdminNamed("coordinator"), std::move(done));
  });
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->status, AccountStatus::kClosed);
  EXPECT_EQ(closed->balance_minutes, 0);
  EXPECT_EQ(Balance("pool"), 90);
  // A negative balance cannot be donated away.
  auto refused = Await<Account>([&](auto done) {
    ledger_->SetAccountStatus("hcct", "bob", AccountStatus::kClosed, "", true,
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
      ledger_->RunExpirySweep("hcct", AdminNamed("coordinator"), std::move(done));
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

// --- Pure helpers ------------------------------------------------------------------------------

TEST(RuleHelpersTest, DaysAreCountedInTheBanksTimeZone) {
  absl::TimeZone london;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/London", &london));
  // 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
  const absl::Time late =
      absl::FromCivil(absl::CivilSecond(2026, 6, 30, 23, 30, 0), absl::UTCTimeZone());
  EXPECT_EQ(DayOf(late, london), DayOf(late, absl::UTCTimeZone()) + 1);
}

TEST(RuleHelpersTest, RecentDaysForgetWhatIsOutsideTheWindow) {
  Account account;
  RecordActivity(&account, 100, 60, 0, 50);
  RecordActivity(&account, 102, 0, 30, 50);
  RecordActivity(&account, 100, 15, 0, 50);
  ASSERT_EQ(account.recent_days.size(), 2u);
  EXPECT_EQ(account.recent_days[0].given_minutes, 75);
  RecordActivity(&account, 200, 15, 0, 101);
  ASSERT_EQ(account.recent_days.size(), 2u);
  EXPECT_EQ(account.recent_days[0].day, 102);
}

}  // namespace
}  // namespace timeledger::ledger
