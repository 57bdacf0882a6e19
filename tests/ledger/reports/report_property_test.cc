// Reports reconcile with the ledger: random entries (fixed seed) over 21 months, backdated and
// reversed at random, then every report and statement is checked against a plain replay of the
// entries. And reports read one snapshot while a writer keeps recording.
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/ledger/reports/report_fixture.h"

namespace timeledger::ledger {
namespace {

using absl::CivilDay;

constexpr int kPersons = 24;
constexpr int kOrganisations = 3;
constexpr int kOperations = 1500;

// Every rule off but the ledger's own mechanics: the test is about the figures.
Policy Relaxed() {
  Policy policy;
  policy.granularity_enabled = policy.entry_maximum_enabled = policy.floors_enabled = false;
  policy.balance_cap_enabled = policy.daily_limit_enabled = policy.backdating_enabled = false;
  policy.reciprocity_enabled = policy.staff_duty_enabled = false;
  policy.self_recorded_needs_confirmation = false;
  return policy;
}

std::string Person(int i) { return "p" + std::to_string(i); }
std::string Organisation(int i) { return "o" + std::to_string(i); }

class ReportPropertyTest : public ReportTest {
 protected:
  void SetUp() override {
    ReportTest::SetUp();
    ASSERT_TRUE(SetPolicy(Relaxed()).ok());
    for (int i = 0; i < kOrganisations; ++i) {
      ASSERT_TRUE(Open(Organisation(i), AccountKind::kOrganisation).ok());
    }
  }

  // Plays kOperations random operations from 1 Jan 2025, the clock moving up to 20 hours each
  // (to about September 2026).
  void PlayRandomLedger(uint32_t seed) {
    std::mt19937 random(seed);
    auto pick = [&](int n) { return static_cast<int>(random() % static_cast<uint32_t>(n)); };
    now_ = At(CivilDay(2025, 1, 1));
    int persons = 0;
    std::vector<uint64_t> reversible;  // seqs of entries not reversed, not reversals
    for (int op = 0; op < kOperations; ++op) {
      now_ = now_.load() + absl::Minutes(pick(20 * 60));
      if (persons < kPersons && (persons < 4 || pick(40) == 0)) {
        ASSERT_TRUE(Open(Person(persons++), AccountKind::kPerson).ok());
        continue;
      }
      const int roll = pick(100);
      if (roll < 4 && !reversible.empty()) {
        const size_t at = static_cast<size_t>(pick(static_cast<int>(reversible.size())));
        ASSERT_TRUE(Reverse(reversible[at]).ok());
        reversible.erase(reversible.begin() + static_cast<std::ptrdiff_t>(at));
        continue;
      }
      const std::string a = Person(pick(persons));
      std::string b = Person(pick(persons));
      while (b == a) b = Person(pick(persons));
      const std::string org = Organisation(pick(kOrganisations));
      EntryKind kind = EntryKind::kExchange;
      std::string from = a;
      std::string to = b;
      if (roll >= 94) {
        kind = EntryKind::kGrant;
        from = kPoolAccountId;
      } else if (roll >= 87) {
        kind = EntryKind::kDonation;
        to = kPoolAccountId;
      } else if (roll >= 75) {
        kind = EntryKind::kSpend;
        to = org;
      } else if (roll >= 60) {
        kind = EntryKind::kAward;
        from = org;
        to = a;
      }
      const absl::Time occurred =
          pick(10) < 3 ? now_.load() - absl::Minutes(pick(40 * 24 * 60)) : absl::InfinitePast();
      static const char* kActivities[] = {"gardening", "cooking lunch", "mentoring",
                                          "",          "lunch",         "computer help"};
      auto receipt = Record("r" + std::to_string(op), kind, from, to, 15 + pick(8) * 15,
                            kActivities[pick(6)], occurred);
      ASSERT_TRUE(receipt.ok()) << receipt.status();
      reversible.push_back(receipt->entry.seq);
    }
  }

  std::vector<Entry> AllEntries() {
    std::vector<Entry> entries;
    std::string token;
    do {
      auto page = ledger_->ListEntries(BankId(kBank), AccountId(), kPageSizeMax, token);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (EntryRow& row : page->items) entries.push_back(std::move(row.entry));
      token = page->next_page_token;
    } while (!token.empty());
    return entries;
  }
};

// What a replay of the entries says about one period, kept as simple as the rules allow.
struct Replay {
  std::map<EntryKind, int64_t> net_minutes;  // every entry of the period; a reversal negative
  int64_t counted = 0;                       // entries not reversed within the period
  std::set<std::string> active;              // persons party to an entry counted
  std::map<std::string, int64_t> given, received;
  size_t reversed_within_period = 0;
};

Replay ReplayPeriod(const std::vector<Entry>& entries, absl::Time from, absl::Time to) {
  auto in = [&](const Entry& e) { return e.occurred_at >= from && e.occurred_at < to; };
  std::map<uint64_t, const Entry*> by_seq;
  std::set<uint64_t> reversed_within;
  for (const Entry& e : entries) by_seq[e.seq] = &e;
  for (const Entry& e : entries) {
    if (e.kind == EntryKind::kReversal && in(e) && in(*by_seq[e.reverses_seq])) {
      reversed_within.insert(e.reverses_seq);
    }
  }
  Replay replay;
  replay.reversed_within_period = reversed_within.size();
  for (const Entry& e : entries) {
    if (!in(e)) continue;
    if (e.kind == EntryKind::kReversal) {
      replay.net_minutes[by_seq[e.reverses_seq]->kind] -= e.minutes;
      continue;
    }
    replay.net_minutes[e.kind] += e.minutes;
    if (reversed_within.count(e.seq)) continue;
    ++replay.counted;
    for (const std::string& id : {e.from_account_id, e.to_account_id}) {
      if (id[0] == 'p' && id != kPoolAccountId) replay.active.insert(id);
    }
    if (e.kind == EntryKind::kExchange || e.kind == EntryKind::kAward) {
      replay.given[e.to_account_id] += e.minutes;
    }
    if (e.kind == EntryKind::kExchange || e.kind == EntryKind::kSpend) {
      replay.received[e.from_account_id] += e.minutes;
    }
  }
  return replay;
}

// The periods checked: every month and quarter of 2025 and 2026, a few odd ranges, and all.
std::vector<std::pair<CivilDay, CivilDay>> Periods() {
  std::vector<std::pair<CivilDay, CivilDay>> periods;
  for (absl::CivilMonth m(2025, 1); m < absl::CivilMonth(2027, 1); ++m) {
    periods.emplace_back(CivilDay(m), CivilDay(m + 1) - 1);
    if ((m.month() - 1) % 3 == 0) periods.emplace_back(CivilDay(m), CivilDay(m + 3) - 1);
  }
  periods.emplace_back(CivilDay(2025, 2, 17), CivilDay(2025, 5, 3));
  periods.emplace_back(CivilDay(2025, 11, 30), CivilDay(2025, 12, 1));
  periods.emplace_back(CivilDay(2024, 1, 1), CivilDay(2027, 12, 31));
  return periods;
}

TEST_F(ReportPropertyTest, ReportTotalsReconcileWithAReplayOfTheEntries) {
  PlayRandomLedger(20260915);
  const std::vector<Entry> entries = AllEntries();
  ASSERT_GT(entries.size(), 1000u);
  bool saw_correction = false, saw_reversal_within = false;
  for (const auto& [first, last] : Periods()) {
    SCOPED_TRACE(absl::FormatCivilTime(first) + " to " + absl::FormatCivilTime(last));
    auto report = Report(first, last);
    ASSERT_TRUE(report.ok()) << report.status();
    const PeriodFigures& f = report->current;
    const Replay replay = ReplayPeriod(entries, At(first, 0), At(last + 1, 0));
    for (EntryKind kind : {EntryKind::kExchange, EntryKind::kAward, EntryKind::kSpend,
                           EntryKind::kDonation, EntryKind::kGrant}) {
      MinutesByKind counted = f.minutes, corrections = f.corrections;
      const int64_t net = replay.net_minutes.count(kind) ? replay.net_minutes.at(kind) : 0;
      EXPECT_EQ(counted.Of(kind) - corrections.Of(kind), net) << EntryKindName(kind);
    }
    EXPECT_EQ(f.entry_count, replay.counted);
    saw_correction = saw_correction || f.corrections.Total() > 0;
    saw_reversal_within = saw_reversal_within || replay.reversed_within_period > 0;
    EXPECT_EQ(f.members.active_persons, static_cast<int64_t>(replay.active.size()));
    int64_t both = 0;
    for (const std::string& id : replay.active) {
      if (replay.given.count(id) && replay.given.at(id) > 0 && replay.received.count(id) &&
          replay.received.at(id) > 0) {
        ++both;
      }
    }
    EXPECT_EQ(f.members.gave_and_received_persons, both);
    int64_t bucketed = 0;
    for (int64_t n : f.members.ratio_buckets) bucketed += n;
    EXPECT_LE(bucketed, f.members.active_persons);
    // The tables add up to the totals.
    MinutesByKind by_month, by_category;
    int64_t month_entries = 0, category_entries = 0;
    for (const MonthFigures& m : f.months) {
      month_entries += m.entry_count;
      by_month.exchange_minutes += m.minutes.exchange_minutes;
      by_month.award_minutes += m.minutes.award_minutes;
      by_month.spend_minutes += m.minutes.spend_minutes;
      by_month.donation_minutes += m.minutes.donation_minutes;
      by_month.grant_minutes += m.minutes.grant_minutes;
    }
    for (const CategoryFigures& c : f.categories) {
      category_entries += c.entry_count;
      by_category.exchange_minutes += c.minutes.exchange_minutes;
      by_category.award_minutes += c.minutes.award_minutes;
      by_category.spend_minutes += c.minutes.spend_minutes;
      by_category.donation_minutes += c.minutes.donation_minutes;
      by_category.grant_minutes += c.minutes.grant_minutes;
    }
    EXPECT_EQ(month_entries, f.entry_count);
    EXPECT_EQ(category_entries, f.entry_count);
    for (const MinutesByKind* sum : {&by_month, &by_category}) {
      EXPECT_EQ(sum->exchange_minutes, f.minutes.exchange_minutes);
      EXPECT_EQ(sum->award_minutes, f.minutes.award_minutes);
      EXPECT_EQ(sum->spend_minutes, f.minutes.spend_minutes);
      EXPECT_EQ(sum->donation_minutes, f.minutes.donation_minutes);
      EXPECT_EQ(sum->grant_minutes, f.minutes.grant_minutes);
    }
    int64_t issued = 0, spent_at = 0;
    for (const OrganisationFigures& o : f.organisations) {
      issued += o.issued_minutes;
      spent_at += o.spent_at_minutes;
    }
    EXPECT_EQ(issued, f.minutes.award_minutes);
    EXPECT_EQ(spent_at, f.minutes.spend_minutes);
  }
  // The seed gives both kinds of reversal, so both rules were exercised.
  EXPECT_TRUE(saw_correction);
  EXPECT_TRUE(saw_reversal_within);
}

TEST_F(ReportPropertyTest, BalancesAtThePeriodEndMatchAReplayOfWhatWasRecordedByThen) {
  PlayRandomLedger(7);
  const std::vector<Entry> entries = AllEntries();
  for (const auto& [first, last] : Periods()) {
    SCOPED_TRACE(absl::FormatCivilTime(last));
    auto report = Report(first, last);
    ASSERT_TRUE(report.ok()) << report.status();
    const absl::Time end = At(last + 1, 0);
    std::map<std::string, int64_t> balance;
    for (const Entry& e : entries) {
      if (e.recorded_at >= end) continue;
      balance[e.from_account_id] -= e.minutes;
      balance[e.to_account_id] += e.minutes;
    }
    int64_t counted = 0, below_zero = 0;
    for (int i = 0; i < kPersons; ++i) {
      auto account = ledger_->GetAccount(BankId(kBank), AccountId(Person(i)));
      ASSERT_TRUE(account.ok());
      if (account->opened_at >= end) continue;
      ++counted;
      if (balance[Person(i)] < 0) ++below_zero;
    }
    EXPECT_EQ(report->current.balances.persons_counted, counted);
    EXPECT_EQ(report->current.balances.below_zero_persons, below_zero);
  }
}

TEST_F(ReportPropertyTest, StatementsChainAndCloseAtTheAccountsBalance) {
  PlayRandomLedger(99);
  std::vector<std::string> ids = {kPoolAccountId};
  for (int i = 0; i < kPersons; ++i) ids.push_back(Person(i));
  for (int i = 0; i < kOrganisations; ++i) ids.push_back(Organisation(i));
  for (const std::string& id : ids) {
    SCOPED_TRACE(id);
    int64_t carried = 0;
    uint64_t lines = 0;
    for (absl::CivilMonth m(2024, 12); m < absl::CivilMonth(2027, 1); m += 3) {
      auto statement = StatementOf(id, CivilDay(m), CivilDay(m + 3) - 1);
      ASSERT_TRUE(statement.ok()) << statement.status();
      EXPECT_EQ(statement->opening_balance_minutes, carried);
      int64_t running = statement->opening_balance_minutes;
      for (const StatementLine& line : statement->lines) {
        running += line.signed_minutes;
        EXPECT_EQ(line.balance_after_minutes, running);
      }
      EXPECT_EQ(statement->closing_balance_minutes, running);
      carried = statement->closing_balance_minutes;
      lines += statement->lines.size();
    }
    auto account = ledger_->GetAccount(BankId(kBank), AccountId(id));
    ASSERT_TRUE(account.ok());
    EXPECT_EQ(carried, account->balance_minutes);
    EXPECT_EQ(lines, account->entry_count);
  }
}

TEST_F(ReportPropertyTest, ReportsReadOneSnapshotWhileAWriterKeepsRecording) {
  ASSERT_TRUE(Open("a", AccountKind::kPerson).ok());
  ASSERT_TRUE(Open("b", AccountKind::kPerson).ok());
  now_ = At(CivilDay(2026, 9, 1));
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load() && i < 20'000; ++i) {
      auto receipt = Record("w" + std::to_string(i), EntryKind::kExchange, i % 2 ? "a" : "b",
                            i % 2 ? "b" : "a", 15, i % 3 ? "gardening" : "mentoring");
      if (!receipt.ok()) {
        ADD_FAILURE() << receipt.status();
        return;
      }
      ++written;
    }
  });
  // Reports until the writer has recorded a few thousand entries (bounded, should it stall).
  std::vector<PeriodReport> reports;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (written.load() < 3000 && std::chrono::steady_clock::now() < deadline) {
    auto report = Report(CivilDay(2026, 9, 1), CivilDay(2026, 9, 30));
    ASSERT_TRUE(report.ok()) << report.status();
    reports.push_back(*std::move(report));
  }
  stop = true;
  writer.join();
  ASSERT_GT(written.load(), 0);
  bool saw_growth = false;
  for (const PeriodReport& report : reports) {
    // Every entry is in the period, so a report that read one snapshot counts exactly the
    // entries up to its through_seq, and its figures agree with each other.
    const PeriodFigures& f = report.current;
    EXPECT_EQ(f.entry_count, static_cast<int64_t>(report.through_seq));
    EXPECT_EQ(f.minutes.exchange_minutes, 15 * static_cast<int64_t>(report.through_seq));
    int64_t by_category = 0;
    for (const CategoryFigures& c : f.categories) by_category += c.minutes.Total();
    EXPECT_EQ(by_category, f.minutes.Total());
    if (report.through_seq > 0) {
      EXPECT_EQ(f.members.active_persons, 2);
    }
    // Balances as the ledger stood (the period ends after now): a's and b's sum to zero.
    EXPECT_EQ(f.balances.persons_counted, 2);
    saw_growth = saw_growth || report.through_seq != reports.front().through_seq;
  }
  EXPECT_TRUE(saw_growth) << "the writer never committed while reports ran";
}

}  // namespace
}  // namespace timeledger::ledger
