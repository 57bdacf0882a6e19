// The rule engine in the commit path: each rule at its edge, one past it, by default, and off:
// granularity and size, floors, the cap, plausibility, reciprocity, staff on duty.
#include "ledger/rules/rules.h"

#include <thread>

#include <gtest/gtest.h>

#include "tests/ledger/rules/rules_fixture.h"

namespace timeledger::ledger {
namespace {

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

namespace timeledger::ledger {
namespace {

// A setting added to the policy record is written only when on, after the partners' byte (then
// written even as kNotAsked), so every older record reads back to its very bytes.
TEST(PolicyRecordTest, FourEyesOnWriteOffsIsWrittenOnlyWhenOnAndReadsBack) {
  Policy policy;
  const std::string plain = EncodePolicy(policy);
  for (PartnerSpendConsent consent :
       {PartnerSpendConsent::kNotAsked, PartnerSpendConsent::kMemberConfirms,
        PartnerSpendConsent::kCardAndPin}) {
    policy.partner_spend_consent = consent;
    policy.write_off_needs_second_coordinator = true;
    const std::string bytes = EncodePolicy(policy);
    auto decoded = DecodePolicy(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_TRUE(decoded->write_off_needs_second_coordinator);
    EXPECT_EQ(decoded->partner_spend_consent, consent);
    EXPECT_EQ(EncodePolicy(*decoded), bytes);
    policy.write_off_needs_second_coordinator = false;
    auto off = DecodePolicy(EncodePolicy(policy));
    ASSERT_TRUE(off.ok());
    EXPECT_FALSE(off->write_off_needs_second_coordinator);
  }
  EXPECT_EQ(EncodePolicy(Policy()), plain);
  // kNotAsked written alone, or a setting byte other than 1, is damage.
  Policy not_asked;
  not_asked.partner_spend_consent = PartnerSpendConsent::kNotAsked;
  const std::string bare = EncodePolicy(not_asked);
  EXPECT_TRUE(DecodePolicy(bare).ok());
  EXPECT_FALSE(DecodePolicy(bare + std::string(1, '\x01')).ok());
  EXPECT_FALSE(DecodePolicy(plain + std::string(1, '\x02')).ok());
  EXPECT_FALSE(DecodePolicy(plain + std::string("\x01\x01", 2)).ok());
}

}  // namespace
}  // namespace timeledger::ledger
