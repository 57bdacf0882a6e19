// Period reports and statements on a hand-built ledger whose every figure is known.
//
// The bank hcct keeps time in Europe/London (BST, UTC+1, from 29 March to 25 October 2026). The
// clock moves forward through 2026 as a coordinator's would; entries are recorded on the day
// they occurred unless said otherwise. Balances after each entry are in the comments.
//
//   10 Mar  bank; policy with a balance cap of 4 hours; alice bob carol fay (persons), centre
//           cafe (organisations)
//    1 May  erin opens
//   Q2 e1  10 May  bob -> alice 60 exchange "gardening"            alice 60, bob -60
//      f1   5 Jun  fay -> cafe 480 spend "lunch"                    fay -480
//      f2   6 Jun  fay -> cafe 90 spend "lunch"                     fay -570
//      e2  20 Jun  centre -> carol 120 award "cooking lunch"        carol 120
//      e3  25 Jun  erin -> carol 30 exchange "gardening"            erin -30, carol 150
//   Q3 q0   1 Jul 00:30 (recorded 2 Jul) erin -> bob 30 exchange "gardening"  erin -60, bob -30
//      q1   5 Jul  bob -> alice 90 exchange "gardening"             bob -120, alice 150
//      q2  20 Jul  alice -> bob 60 exchange "computer help"         alice 90, bob -60
//       1 Aug  dev opens
//      q3   3 Aug  centre -> dev 180 award "cooking lunch"          dev 180
//      q4  10 Aug  bob -> cafe 60 spend "lunch"                     bob -120
//      q5  15 Aug  alice -> pool 30 donation                        alice 60
//      q6   1 Sep  pool -> erin 15 grant                            erin -45
//      p1   1 Sep  bob -> alice 30, recorded by alice: pending; expires 8 Sep (clock 10 Sep)
//      q7  10 Sep  carol -> dev 45 exchange "film night"            carol 105, dev 225
//      p2  12 Sep  bob -> carol 15, recorded by carol: pending; rejected 12 Sep
//   Q4 q8   1 Oct 00:30 (30 Sep 23:30 UTC) dev -> alice 15 exchange "gardening"
//      q9  28 Sep, recorded 3 Oct: dev -> carol 30 exchange "gardening"  (a late paper slip)
//      q10 14 Oct  alice -> bob 15 exchange "gardening"
//      15 Oct  q10 reversed (same quarter), q7 reversed (a correction to Q3); p3 bob -> alice 15
//              recorded by alice, left pending
#include <thread>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "ledger/core/errors.h"
#include "tests/ledger/reports/report_fixture.h"

namespace timeledger::ledger {
namespace {

using absl::CivilDay;

constexpr CivilDay kQ2First(2026, 4, 1), kQ2Last(2026, 6, 30);
constexpr CivilDay kQ3First(2026, 7, 1), kQ3Last(2026, 9, 30);
constexpr CivilDay kQ4First(2026, 10, 1), kQ4Last(2026, 12, 31);

class HandBuiltLedgerTest : public ReportTest {
 protected:
  void SetUp() override {
    ReportTest::SetUp();
    Policy policy;
    policy.person_cap_minutes = 240;
    ASSERT_TRUE(SetPolicy(policy).ok());
    for (const char* person : {"alice", "bob", "carol", "fay"}) {
      ASSERT_TRUE(Open(person, AccountKind::kPerson).ok());
    }
    ASSERT_TRUE(Open("centre", AccountKind::kOrganisation).ok());
    ASSERT_TRUE(Open("cafe", AccountKind::kOrganisation).ok());
    SetClock(CivilDay(2026, 5, 1));
    ASSERT_TRUE(Open("erin", AccountKind::kPerson).ok());

    On(CivilDay(2026, 5, 10), "e1", EntryKind::kExchange, "bob", "alice", 60, "gardening");
    On(CivilDay(2026, 6, 5), "f1", EntryKind::kSpend, "fay", "cafe", 480, "lunch");
    On(CivilDay(2026, 6, 6), "f2", EntryKind::kSpend, "fay", "cafe", 90, "lunch");
    On(CivilDay(2026, 6, 20), "e2", EntryKind::kAward, "centre", "carol", 120, "cooking lunch");
    On(CivilDay(2026, 6, 25), "e3", EntryKind::kExchange, "erin", "carol", 30, "gardening");

    SetClock(CivilDay(2026, 7, 2));
    Ok(Record("q0", EntryKind::kExchange, "erin", "bob", 30, "gardening",
              At(CivilDay(2026, 7, 1), 0, 30)));
    On(CivilDay(2026, 7, 5), "q1", EntryKind::kExchange, "bob", "alice", 90, "gardening");
    On(CivilDay(2026, 7, 20), "q2", EntryKind::kExchange, "alice", "bob", 60, "computer help");
    SetClock(CivilDay(2026, 8, 1));
    ASSERT_TRUE(Open("dev", AccountKind::kPerson).ok());
    On(CivilDay(2026, 8, 3), "q3", EntryKind::kAward, "centre", "dev", 180, "cooking lunch");
    On(CivilDay(2026, 8, 10), "q4", EntryKind::kSpend, "bob", "cafe", 60, "lunch");
    On(CivilDay(2026, 8, 15), "q5", EntryKind::kDonation, "alice", "pool", 30, "");
    On(CivilDay(2026, 9, 1), "q6", EntryKind::kGrant, "pool", "erin", 15, "");
    auto p1 = Record("p1", EntryKind::kExchange, "bob", "alice", 30, "gardening",
                     absl::InfinitePast(), "alice");
    ASSERT_TRUE(p1.ok() && p1->pending) << p1.status();
    SetClock(CivilDay(2026, 9, 10));
    WaitForExpiry("p1");
    q7_ = On(CivilDay(2026, 9, 10), "q7", EntryKind::kExchange, "carol", "dev", 45, "film night");
    SetClock(CivilDay(2026, 9, 12));
    auto p2 = Record("p2", EntryKind::kExchange, "bob", "carol", 15, "gardening",
                     absl::InfinitePast(), "carol");
    ASSERT_TRUE(p2.ok() && p2->pending) << p2.status();
    ASSERT_TRUE(Await<PendingEntry>([&](auto done) {
                  ledger_->RejectEntry(BankId(kBank), EntryId("p2"), "never happened",
                                       ledger::AdminNamed("coordinator"), std::move(done));
                }).ok());

    SetClock(CivilDay(2026, 10, 1));
    Ok(Record("q8", EntryKind::kExchange, "dev", "alice", 15, "gardening",
              At(CivilDay(2026, 10, 1), 0, 30)));
    SetClock(CivilDay(2026, 10, 3));
    Ok(Record("q9", EntryKind::kExchange, "dev", "carol", 30, "gardening",
              At(CivilDay(2026, 9, 28))));
    const uint64_t q10 =
        On(CivilDay(2026, 10, 14), "q10", EntryKind::kExchange, "alice", "bob", 15, "gardening");
    SetClock(CivilDay(2026, 10, 15));
    Ok(Reverse(q10));
    Ok(Reverse(q7_));
    auto p3 = Record("p3", EntryKind::kExchange, "bob", "alice", 15, "gardening",
                     absl::InfinitePast(), "alice");
    ASSERT_TRUE(p3.ok() && p3->pending) << p3.status();
  }

  // Records an entry on `day` at noon, with the clock there; returns its seq.
  uint64_t On(CivilDay day, const std::string& id, EntryKind kind, const std::string& from,
              const std::string& to, int64_t minutes, const std::string& activity) {
    SetClock(day);
    return Ok(Record(id, kind, from, to, minutes, activity));
  }

  static uint64_t Ok(const absl::StatusOr<Receipt>& receipt) {
    EXPECT_TRUE(receipt.ok()) << receipt.status();
    if (!receipt.ok()) return 0;
    EXPECT_FALSE(receipt->pending);
    return receipt->entry.seq;
  }

  // The writer expires due pending entries within a second of its clock passing their time.
  void WaitForExpiry(const std::string& entry_id) {
    for (int i = 0; i < 100; ++i) {
      auto pending = ledger_->GetPending(BankId(kBank), EntryId(entry_id));
      ASSERT_TRUE(pending.ok()) << pending.status();
      if (pending->state == PendingState::kExpired) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << entry_id << " did not expire";
  }

  PeriodReport ReportOrDie(CivilDay first, CivilDay last, bool compare = false) {
    auto report = Report(first, last, compare);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *std::move(report) : PeriodReport{};
  }

  uint64_t q7_ = 0;
};

std::vector<std::pair<std::string, int64_t>> CategoryTotals(const PeriodFigures& figures) {
  std::vector<std::pair<std::string, int64_t>> totals;
  for (const CategoryFigures& c : figures.categories) {
    totals.emplace_back(c.category, c.minutes.Total());
  }
  return totals;
}

std::array<int64_t, kRatioBucketCount> Buckets(std::initializer_list<int64_t> counts) {
  std::array<int64_t, kRatioBucketCount> buckets{};
  std::copy(counts.begin(), counts.end(), buckets.begin());
  return buckets;
}

TEST_F(HandBuiltLedgerTest, CountsHoursByKindForEntriesThatOccurredInTheQuarter) {
  const PeriodReport report = ReportOrDie(kQ3First, kQ3Last);
  const PeriodFigures& q3 = report.current;
  EXPECT_EQ(q3.entry_count, 9);  // q0..q7 and the late slip q9; not q8 (1 Oct in London)
  EXPECT_EQ(q3.minutes.exchange_minutes, 255);
  EXPECT_EQ(q3.minutes.award_minutes, 180);
  EXPECT_EQ(q3.minutes.spend_minutes, 60);
  EXPECT_EQ(q3.minutes.donation_minutes, 30);
  EXPECT_EQ(q3.minutes.grant_minutes, 15);
  EXPECT_EQ(q3.minutes.Total(), 540);
  EXPECT_EQ(q3.minutes.Given(), 435);
  EXPECT_EQ(q3.minutes.Received(), 315);
  // q7 is reversed on 15 Oct: a correction in Q4, and Q3's figures stay as they were.
  EXPECT_EQ(q3.reversal_count, 0);
  EXPECT_EQ(q3.corrections.Total(), 0);
  EXPECT_EQ(report.through_seq, 18u);
  EXPECT_EQ(report.bank.bank_id, kBank);
  EXPECT_TRUE(report.qualifications_recorded);
  EXPECT_EQ(q3.qualifications.attained, 0);
  EXPECT_FALSE(report.previous.has_value());
}

// Awards count by the day they were attained: first attainments and renewals, and the people
// who attained or renewed one; an award of a still valid qualification is not counted as either.
TEST_F(ReportTest, CountsQualificationsAttainedAndRenewedInThePeriod) {
  Policy policy;
  policy.backdating_enabled = false;
  ASSERT_TRUE(SetPolicy(policy).ok());
  for (const char* person : {"alice", "bob", "carol"}) {
    ASSERT_TRUE(Open(person, AccountKind::kPerson).ok());
  }
  ASSERT_TRUE(Open("centre", AccountKind::kOrganisation).ok());
  Account sam;
  sam.bank_id = kBank;
  sam.account_id = "sam";
  sam.roles = {Role::kStaff};
  sam.display_name = "Sam";
  ASSERT_TRUE(Await<Account>([&](auto done) {
                ledger_->OpenAccount(sam, AdminNamed("test"), std::move(done));
              }).ok());
  CatalogueItem first_aid;
  first_aid.kind = CatalogueKind::kQualification;
  first_aid.bank_id = kBank;
  first_aid.code = "first-aid";
  first_aid.title = "First aid";
  first_aid.reward_account_id = "centre";
  first_aid.reward_minutes = 60;
  first_aid.validity_days = 30;
  first_aid.renewal_reward_minutes = 30;
  ASSERT_TRUE(Await<CatalogueItem>([&](auto done) {
                ledger_->PutCatalogueItem(first_aid, 0, AdminNamed("sam"), std::move(done));
              }).ok());
  auto award = [&](const std::string& id, const std::string& who, CivilDay day) {
    AwardSpec spec{kBank, id, who, "first-aid", At(day), "certificate " + id, "Sam"};
    auto result = Await<AwardReceipt>(
        [&](auto done) { ledger_->AwardQualification(spec, AdminNamed("sam"), std::move(done)); });
    EXPECT_TRUE(result.ok()) << result.status();
  };
  award("c0", "carol", CivilDay(2025, 12, 1));  // the quarter before
  award("a1", "alice", CivilDay(2026, 1, 15));
  award("b1", "bob", CivilDay(2026, 2, 1));
  award("a2", "alice", CivilDay(2026, 2, 1));  // still valid: pays nothing
  award("a3", "alice", CivilDay(2026, 3, 5));  // expired on 14 February: a renewal
  auto report = Report(CivilDay(2026, 1, 1), CivilDay(2026, 3, 31), /*compare=*/true);
  ASSERT_TRUE(report.ok()) << report.status();
  const QualificationFigures& q1 = report->current.qualifications;
  EXPECT_EQ(q1.attained, 2);
  EXPECT_EQ(q1.renewed, 1);
  EXPECT_EQ(q1.already_valid, 1);
  EXPECT_EQ(q1.persons, 2);
  EXPECT_EQ(report->current.minutes.reward_minutes, 60 + 60 + 30);
  EXPECT_EQ(report->current.minutes.Given(), 0) << "a reward is not time given";
  EXPECT_EQ(report->previous->qualifications.attained, 1);
  EXPECT_EQ(report->previous->qualifications.persons, 1);
}

TEST_F(HandBuiltLedgerTest, CountsByActivityMostMinutesFirst) {
  const PeriodFigures q3 = ReportOrDie(kQ3First, kQ3Last).current;
  const std::vector<std::pair<std::string, int64_t>> expected = {
      {"cooking lunch", 180}, {"gardening", 150}, {"computer help", 60},
      {"lunch", 60},          {"film night", 45}, {"uncategorised", 45}};
  EXPECT_EQ(CategoryTotals(q3), expected);
  EXPECT_EQ(q3.categories[1].entry_count, 3);
  EXPECT_EQ(q3.categories[5].entry_count, 2);
  EXPECT_EQ(q3.categories[5].minutes.donation_minutes, 30);
  EXPECT_EQ(q3.categories[5].minutes.grant_minutes, 15);
}

TEST_F(HandBuiltLedgerTest, ACategoryLookupGroupsActivities) {
  auto view = ledger_->NewReadView();
  ReportOptions options;
  options.label_of = [](EntryKind, absl::string_view activity) -> absl::StatusOr<ActivityLabel> {
    if (activity == "cooking lunch" || activity == "lunch") return ActivityLabel{"", "food"};
    return ActivityLabel{"", activity.empty() ? "" : "other"};
  };
  auto report = BuildPeriodReport(*view, {BankId(kBank), kQ3First, kQ3Last, false}, options);
  ASSERT_TRUE(report.ok()) << report.status();
  const std::vector<std::pair<std::string, int64_t>> expected = {
      {"food", 240}, {"other", 255}, {"uncategorised", 45}};
  auto totals = CategoryTotals(report->current);
  std::sort(totals.begin(), totals.end());
  EXPECT_EQ(totals, expected);
}

TEST_F(HandBuiltLedgerTest, SplitsTheQuarterIntoMonthsInTheBanksTimeZone) {
  const PeriodFigures q3 = ReportOrDie(kQ3First, kQ3Last).current;
  ASSERT_EQ(q3.months.size(), 3u);
  EXPECT_EQ(q3.months[0].month, absl::CivilMonth(2026, 7));
  EXPECT_EQ(q3.months[0].entry_count, 3);  // q0 at 00:30 on 1 Jul is July's, though 30 Jun in UTC
  EXPECT_EQ(q3.months[0].minutes.Given(), 180);
  EXPECT_EQ(q3.months[0].minutes.Received(), 180);
  EXPECT_EQ(q3.months[1].minutes.Given(), 180);
  EXPECT_EQ(q3.months[1].minutes.Received(), 60);
  EXPECT_EQ(q3.months[1].minutes.Total(), 270);
  EXPECT_EQ(q3.months[2].minutes.Given(), 75);
  EXPECT_EQ(q3.months[2].minutes.Received(), 75);
  EXPECT_EQ(q3.months[2].entry_count, 3);
}

TEST_F(HandBuiltLedgerTest, CountsWhoTookPartGaveAndReceived) {
  const MemberFigures m = ReportOrDie(kQ3First, kQ3Last).current.members;
  EXPECT_EQ(m.persons_at_period_end, 6);
  EXPECT_EQ(m.active_persons, 5);  // alice bob carol dev erin; not fay
  EXPECT_EQ(m.new_persons, 1);     // dev
  EXPECT_TRUE(m.returning_counted);
  EXPECT_EQ(m.returning_persons, 4);  // alice bob carol erin were active in Q2 too
  EXPECT_EQ(m.gave_persons, 4);
  EXPECT_EQ(m.received_persons, 5);
  EXPECT_EQ(m.gave_and_received_persons, 4);
  // erin only received; bob (90/150) and carol (30/45) received more; alice (90/60) gave more;
  // dev (225/30) gave much more.
  EXPECT_EQ(m.ratio_buckets, Buckets({1, 0, 2, 0, 1, 1, 0}));
}

TEST_F(HandBuiltLedgerTest, CountsCreditsIssuedByAndSpentAtEachOrganisation) {
  const PeriodFigures q3 = ReportOrDie(kQ3First, kQ3Last).current;
  ASSERT_EQ(q3.organisations.size(), 2u);
  EXPECT_EQ(q3.organisations[0].account_id, "centre");
  EXPECT_EQ(q3.organisations[0].issued_minutes, 180);
  EXPECT_EQ(q3.organisations[0].spent_at_minutes, 0);
  EXPECT_EQ(q3.organisations[1].account_id, "cafe");
  EXPECT_EQ(q3.organisations[1].display_name, "Name of cafe");
  EXPECT_EQ(q3.organisations[1].spent_at_minutes, 60);
}

TEST_F(HandBuiltLedgerTest, BalancesAreAsTheLedgerStoodAtThePeriodEnd) {
  // Recorded by 1 Oct: alice 60, bob -120, carol 105, dev 225, erin -45, fay -570. The late
  // slip q9 (recorded 3 Oct) is in Q3's hours but not in its closing balances.
  const BalanceFigures b = ReportOrDie(kQ3First, kQ3Last).current.balances;
  EXPECT_EQ(b.persons_counted, 6);
  EXPECT_EQ(b.below_zero_persons, 3);  // bob erin fay
  EXPECT_EQ(b.near_floor_persons, 1);  // fay: -570 within 10% of -600
  EXPECT_EQ(b.near_cap_persons, 1);    // dev: 225 within 10% of 240
}

TEST_F(HandBuiltLedgerTest, CountsPendingEntriesExpiredAndRejectedInThePeriodAndOpenNow) {
  const PeriodReport report = ReportOrDie(kQ3First, kQ3Last);
  EXPECT_EQ(report.current.pending.expired_count, 1);
  EXPECT_EQ(report.current.pending.expired_minutes, 30);
  EXPECT_EQ(report.current.pending.rejected_count, 1);
  EXPECT_EQ(report.current.pending.rejected_minutes, 15);
  EXPECT_EQ(report.open_pending_count, 1);
  EXPECT_EQ(report.open_pending_minutes, 15);
  EXPECT_EQ(ReportOrDie(kQ2First, kQ2Last).current.pending.expired_count, 0);
}

TEST_F(HandBuiltLedgerTest, ComparesWithThePreviousQuarter) {
  const PeriodReport report = ReportOrDie(kQ3First, kQ3Last, /*compare=*/true);
  ASSERT_TRUE(report.previous.has_value());
  const PeriodFigures& q2 = *report.previous;
  EXPECT_EQ(q2.first_day, kQ2First);
  EXPECT_EQ(q2.last_day, kQ2Last);
  EXPECT_EQ(q2.entry_count, 5);
  EXPECT_EQ(q2.minutes.exchange_minutes, 90);
  EXPECT_EQ(q2.minutes.award_minutes, 120);
  EXPECT_EQ(q2.minutes.spend_minutes, 570);
  ASSERT_EQ(q2.months.size(), 3u);
  EXPECT_EQ(q2.months[0].entry_count, 0);
  EXPECT_EQ(q2.months[2].minutes.Received(), 600);
  EXPECT_EQ(q2.members.persons_at_period_end, 5);
  EXPECT_EQ(q2.members.active_persons, 5);
  EXPECT_EQ(q2.members.new_persons, 1);  // erin
  EXPECT_FALSE(q2.members.returning_counted);
  EXPECT_EQ(q2.members.gave_and_received_persons, 0);
  EXPECT_EQ(q2.members.ratio_buckets, Buckets({3, 0, 0, 0, 0, 0, 2}));
  ASSERT_EQ(q2.organisations.size(), 2u);
  EXPECT_EQ(q2.organisations[0].account_id, "cafe");
  EXPECT_EQ(q2.organisations[0].spent_at_minutes, 570);
  EXPECT_EQ(q2.balances.persons_counted, 5);
  EXPECT_EQ(q2.balances.below_zero_persons, 3);
  EXPECT_EQ(q2.balances.near_floor_persons, 1);
  EXPECT_EQ(q2.balances.near_cap_persons, 0);
  // Without --compare the current figures are the same.
  const PeriodReport alone = ReportOrDie(kQ3First, kQ3Last);
  EXPECT_EQ(alone.current.minutes.Total(), report.current.minutes.Total());
  EXPECT_EQ(alone.current.members.returning_persons, report.current.members.returning_persons);
}

TEST_F(HandBuiltLedgerTest, AReversalInTheSamePeriodTakesItsEntryOutOfEveryFigure) {
  const PeriodFigures q4 = ReportOrDie(kQ4First, kQ4Last).current;
  EXPECT_EQ(q4.entry_count, 1);  // q8; q10 and its reversal cancel
  EXPECT_EQ(q4.minutes.exchange_minutes, 15);
  EXPECT_EQ(q4.reversal_count, 2);
  EXPECT_EQ(q4.reversed_minutes, 60);
  EXPECT_EQ(q4.members.active_persons, 2);  // dev and alice (q8); bob only had q10
  EXPECT_EQ(q4.members.gave_and_received_persons, 0);
  ASSERT_EQ(q4.categories.size(), 1u);
  EXPECT_EQ(q4.categories[0].entry_count, 1);
  ASSERT_EQ(q4.months.size(), 3u);
  EXPECT_EQ(q4.months[0].minutes.exchange_minutes, 15);
}

TEST_F(HandBuiltLedgerTest, AReversalOfAnEarlierPeriodsEntryIsACorrectionNotTakenOff) {
  const PeriodFigures q4 = ReportOrDie(kQ4First, kQ4Last).current;
  EXPECT_EQ(q4.corrections.exchange_minutes, 45);  // q7, from Q3
  EXPECT_EQ(q4.corrections.Total(), 45);
  // The reconciliation: counted minus corrections is the net of every entry in the period.
  EXPECT_EQ(q4.minutes.Total() - q4.corrections.Total(), 15 + 15 - 15 - 45);
}

TEST_F(HandBuiltLedgerTest, ReportsAPeriodThatIsNotWholeMonths) {
  // 28 Sep to 2 Oct: q9 (28 Sep) and q8 (1 Oct in London). Previous: 23 to 27 Sep (nothing).
  const PeriodReport report = ReportOrDie(CivilDay(2026, 9, 28), CivilDay(2026, 10, 2), true);
  EXPECT_EQ(report.current.entry_count, 2);
  EXPECT_EQ(report.current.months.size(), 2u);
  ASSERT_TRUE(report.previous.has_value());
  EXPECT_EQ(report.previous->first_day, CivilDay(2026, 9, 23));
  EXPECT_EQ(report.previous->last_day, CivilDay(2026, 9, 27));
  EXPECT_EQ(report.previous->entry_count, 0);
}

TEST_F(HandBuiltLedgerTest, StatementShowsEntriesRecordedInTheRangeWithRunningBalance) {
  auto statement = StatementOf("alice", kQ3First, kQ3Last);
  ASSERT_TRUE(statement.ok()) << statement.status();
  EXPECT_EQ(statement->opening_balance_minutes, 60);  // e1
  ASSERT_EQ(statement->lines.size(), 3u);             // q1 q2 q5
  EXPECT_EQ(statement->lines[0].entry.entry_id, "q1");
  EXPECT_EQ(statement->lines[0].signed_minutes, 90);
  EXPECT_EQ(statement->lines[0].balance_after_minutes, 150);
  EXPECT_EQ(statement->lines[0].other_account_id, "bob");
  EXPECT_EQ(statement->lines[1].signed_minutes, -60);
  EXPECT_EQ(statement->lines[1].balance_after_minutes, 90);
  EXPECT_EQ(statement->lines[2].entry.kind, EntryKind::kDonation);
  EXPECT_EQ(statement->lines[2].balance_after_minutes, 60);
  EXPECT_EQ(statement->closing_balance_minutes, 60);
  EXPECT_EQ(statement->earned_minutes, 90);
  EXPECT_EQ(statement->paid_minutes, 90);
  EXPECT_EQ(statement->given_minutes, 90);
  EXPECT_EQ(statement->received_minutes, 60);  // the donation is neither given nor received
}

TEST_F(HandBuiltLedgerTest, StatementCountsAReversalAgainstWhatItUndoes) {
  auto statement = StatementOf("dev", kQ4First, kQ4Last);
  ASSERT_TRUE(statement.ok()) << statement.status();
  EXPECT_EQ(statement->opening_balance_minutes, 225);
  ASSERT_EQ(statement->lines.size(), 3u);  // q8, q9 (recorded 3 Oct), the reversal of q7
  EXPECT_EQ(statement->lines[1].entry.entry_id, "q9");
  EXPECT_EQ(statement->lines[2].entry.kind, EntryKind::kReversal);
  EXPECT_EQ(statement->lines[2].balance_after_minutes, 135);
  EXPECT_EQ(statement->closing_balance_minutes, 135);
  EXPECT_EQ(statement->paid_minutes, 90);
  EXPECT_EQ(statement->given_minutes, -45);    // q7's 45 minutes given were taken back
  EXPECT_EQ(statement->received_minutes, 45);  // q8 and q9
}

TEST_F(HandBuiltLedgerTest, StatementOverEverythingClosesAtTheAccountsBalance) {
  for (const char* id : {"alice", "bob", "carol", "dev", "erin", "fay", "centre", "cafe", "pool"}) {
    auto statement = StatementOf(id, CivilDay(2026, 1, 1), CivilDay(2026, 12, 31));
    ASSERT_TRUE(statement.ok()) << statement.status();
    auto account = ledger_->GetAccount(BankId(kBank), AccountId(id));
    ASSERT_TRUE(account.ok());
    EXPECT_EQ(statement->opening_balance_minutes, 0) << id;
    EXPECT_EQ(statement->closing_balance_minutes, account->balance_minutes) << id;
  }
}

TEST_F(HandBuiltLedgerTest, RefusesUnknownBanksAccountsAndBackwardPeriods) {
  auto view = ledger_->NewReadView();
  auto no_bank = BuildPeriodReport(*view, {BankId("nope"), kQ3First, kQ3Last, false});
  EXPECT_EQ(no_bank.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(no_bank.status()), "BANK_NOT_FOUND");
  auto backwards = BuildPeriodReport(*view, {BankId(kBank), kQ3Last, kQ3First, false});
  EXPECT_EQ(backwards.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(backwards.status()), "INVALID_PERIOD");
  auto too_long =
      BuildPeriodReport(*view, {BankId(kBank), CivilDay(2000, 1, 1), CivilDay(2020, 1, 1), false});
  EXPECT_EQ(ReasonOf(too_long.status()), "INVALID_PERIOD");
  auto bad_id = BuildPeriodReport(*view, {BankId("no spaces"), kQ3First, kQ3Last, false});
  EXPECT_EQ(bad_id.status().code(), absl::StatusCode::kInvalidArgument);
  auto no_account =
      BuildStatement(*view, {BankId(kBank), AccountId("zed"), kQ3First, kQ3Last}, now_.load());
  EXPECT_EQ(ReasonOf(no_account.status()), "ACCOUNT_NOT_FOUND");
}

TEST_F(HandBuiltLedgerTest, AnEmptyPeriodHasZeroFigures) {
  const PeriodFigures empty = ReportOrDie(CivilDay(2025, 1, 1), CivilDay(2025, 3, 31)).current;
  EXPECT_EQ(empty.entry_count, 0);
  EXPECT_EQ(empty.minutes.Total(), 0);
  EXPECT_TRUE(empty.categories.empty());
  EXPECT_EQ(empty.months.size(), 3u);
  EXPECT_EQ(empty.members.active_persons, 0);
  EXPECT_EQ(empty.balances.persons_counted, 0);
}

TEST_F(HandBuiltLedgerTest, ReadViewSeesNothingCommittedAfterIt) {
  auto view = ledger_->NewReadView();
  const absl::Time from = At(kQ4First), to = At(kQ4Last + 1);
  auto count = [&](StoreReader& v) {
    int64_t n = 0;
    EXPECT_TRUE(v.ForEachEntryOccurredIn(kBank, from, to, 1000, [&](const Entry&) {
                   ++n;
                   return absl::OkStatus();
                 }).ok());
    return n;
  };
  const int64_t before = count(*view);
  On(CivilDay(2026, 10, 15), "late", EntryKind::kExchange, "bob", "alice", 15, "gardening");
  EXPECT_EQ(count(*view), before);
  auto head = view->GetChainHead(kBank);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->next_seq, 19u);
  auto newest = view->GetEntry(kBank, 19);
  ASSERT_TRUE(newest.ok());
  EXPECT_FALSE(newest->has_value());
  auto fresh = ledger_->NewReadView();
  EXPECT_EQ(count(*fresh), before + 1);
}

TEST_F(HandBuiltLedgerTest, RefusesAPeriodWithMoreEntriesThanTheLimit) {
  auto view = ledger_->NewReadView();
  auto status = view->ForEachEntryOccurredIn(kBank, At(kQ3First), At(kQ4First), 3,
                                             [](const Entry&) { return absl::OkStatus(); });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(status), "REPORT_TOO_LARGE");
}

TEST_F(HandBuiltLedgerTest, TheTimeIndexIsBuiltAtOpenForALedgerWrittenWithoutOne) {
  const PeriodReport before = ReportOrDie(kQ3First, kQ3Last);
  ledger_.reset();
  {
    // A ledger from before the time index: no 'o' keys and no 'O' marker.
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_.path() + "/ledger", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->DeleteRange(rocksdb::WriteOptions(), db->DefaultColumnFamily(), "o", "p").ok());
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), "O").ok());
  }
  LedgerOptions options;
  options.data_dir = dir_.path();
  options.clock = [this] { return now_.load(); };
  auto reopened = Ledger::Open(options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  ledger_ = *std::move(reopened);
  const PeriodReport after = ReportOrDie(kQ3First, kQ3Last);
  EXPECT_EQ(after.current.entry_count, before.current.entry_count);
  EXPECT_EQ(after.current.minutes.Total(), before.current.minutes.Total());
  EXPECT_EQ(ReportOrDie(kQ4First, kQ4Last).current.corrections.Total(), 45);
}

TEST(RatioBucketTest, PutsEachRatioInItsBucketExactly) {
  EXPECT_EQ(RatioBucketOf(0, 60), RatioBucket::kOnlyReceived);
  EXPECT_EQ(RatioBucketOf(29, 60), RatioBucket::kReceivedMuchMore);
  EXPECT_EQ(RatioBucketOf(30, 60), RatioBucket::kReceivedMore);  // 0.5
  EXPECT_EQ(RatioBucketOf(47, 60), RatioBucket::kReceivedMore);
  EXPECT_EQ(RatioBucketOf(48, 60), RatioBucket::kBalanced);  // 0.8
  EXPECT_EQ(RatioBucketOf(75, 60), RatioBucket::kBalanced);  // 1.25
  EXPECT_EQ(RatioBucketOf(76, 60), RatioBucket::kGaveMore);
  EXPECT_EQ(RatioBucketOf(120, 60), RatioBucket::kGaveMore);  // 2
  EXPECT_EQ(RatioBucketOf(121, 60), RatioBucket::kGaveMuchMore);
  EXPECT_EQ(RatioBucketOf(60, 0), RatioBucket::kOnlyGave);
  EXPECT_STREQ(RatioBucketName(RatioBucket::kGaveMuchMore), "gave_much_more");
}

TEST(PreviousPeriodTest, IsTheSameNumberOfWholeMonthsOrDaysBefore) {
  using P = std::pair<CivilDay, CivilDay>;
  EXPECT_EQ(PreviousPeriod(kQ3First, kQ3Last), P(kQ2First, kQ2Last));
  EXPECT_EQ(PreviousPeriod(CivilDay(2026, 1, 1), CivilDay(2026, 3, 31)),
            P(CivilDay(2025, 10, 1), CivilDay(2025, 12, 31)));
  EXPECT_EQ(PreviousPeriod(CivilDay(2026, 3, 1), CivilDay(2026, 3, 31)),
            P(CivilDay(2026, 2, 1), CivilDay(2026, 2, 28)));
  EXPECT_EQ(PreviousPeriod(CivilDay(2026, 3, 10), CivilDay(2026, 3, 16)),
            P(CivilDay(2026, 3, 3), CivilDay(2026, 3, 9)));
}

}  // namespace
}  // namespace timeledger::ledger
