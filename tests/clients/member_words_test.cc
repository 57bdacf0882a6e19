// The words a member reads at the kiosk.
#include "clients/kiosk/member_words.h"

#include <gtest/gtest.h>

namespace timeledger::kiosk {
namespace {

TEST(MemberWordsTest, TimeInHoursAndMinutes) {
  EXPECT_EQ(TimeWords(0), "no time");
  EXPECT_EQ(TimeWords(1), "1 minute");
  EXPECT_EQ(TimeWords(45), "45 minutes");
  EXPECT_EQ(TimeWords(60), "1 hour");
  EXPECT_EQ(TimeWords(90), "1 hour 30 minutes");
  EXPECT_EQ(TimeWords(750), "12 hours 30 minutes");
  EXPECT_EQ(TimeWords(-121), "2 hours 1 minute");
}

TEST(MemberWordsTest, BalanceBelowZeroIsSaidKindly) {
  EXPECT_EQ(BalanceWords(750), "You have 12 hours 30 minutes.");
  EXPECT_EQ(BalanceWords(0), "You have 0 hours.");
  EXPECT_EQ(BalanceNote(0), "");
  EXPECT_EQ(BalanceWords(-120), "You have received 2 hours more than you have given.");
  EXPECT_EQ(BalanceNote(-120), "That's fine: there are many ways to give.");
  for (const std::string& words : {BalanceWords(-120), BalanceNote(-120)}) {
    EXPECT_EQ(words.find("debt"), std::string::npos);
    EXPECT_EQ(words.find("owe"), std::string::npos);
    EXPECT_EQ(words.find("minus"), std::string::npos);
  }
}

TEST(MemberWordsTest, DaysAreNamedAsPeopleSayThem) {
  const absl::TimeZone london = absl::FixedTimeZone(0);
  const absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 11, 19, 15, 0, 0), london);  // Thu
  EXPECT_EQ(DayWords(now - absl::Hours(2), now, london), "today");
  EXPECT_EQ(DayWords(now - absl::Hours(24), now, london), "yesterday");
  EXPECT_EQ(DayWords(now - absl::Hours(48), now, london), "Tuesday");
  EXPECT_EQ(DayWords(now - absl::Hours(24 * 10), now, london), "9 November");
  EXPECT_EQ(DayWords(now - absl::Hours(24 * 365), now, london), "19 November 2025");
  EXPECT_EQ(MonthWords(2026, 3, true), "March 2026");
  EXPECT_EQ(MonthShortWords(12), "Dec");
  EXPECT_EQ(DateWords(now + absl::Hours(24 * 500), london), "2 April 2028");
}

TEST(MemberWordsTest, EntriesAreSentencesFromTheMembersSide) {
  v1::MemberEntryLine line;
  line.mutable_entry()->set_kind(v1::EXCHANGE);
  line.mutable_entry()->set_activity("gardening");
  line.set_other_display_name("Bob Okafor");
  line.set_earned(true);
  EXPECT_EQ(EntrySentence(line), "You helped Bob Okafor with gardening");
  line.set_earned(false);
  EXPECT_EQ(EntrySentence(line), "Bob Okafor helped you with gardening");
  line.mutable_entry()->set_kind(v1::SPEND);
  line.mutable_entry()->set_activity("lunch");
  line.set_other_display_name("Community café");
  EXPECT_EQ(EntrySentence(line), "You used your time at Community café for lunch");
  line.mutable_entry()->set_kind(v1::GRANT);
  line.set_earned(true);
  EXPECT_EQ(EntrySentence(line), "The community pool gave you time");
  line.mutable_entry()->set_kind(v1::QUALIFICATION_REWARD);
  line.mutable_entry()->set_activity("food-hygiene-2");
  line.set_other_display_name("Holy Cross Centre");
  EXPECT_EQ(EntrySentence(line), "Holy Cross Centre rewarded you for a qualification");

  v1::AwaitingEntry awaiting;
  awaiting.mutable_pending()->mutable_entry()->set_minutes(60);
  awaiting.mutable_pending()->mutable_entry()->set_activity("shopping");
  awaiting.set_other_display_name("Alice Brown");
  awaiting.set_earns(false);
  EXPECT_EQ(AwaitingSentence(awaiting), "Alice Brown says they helped you with shopping");
  EXPECT_EQ(AwaitingConsequence(awaiting),
            "If you confirm, 1 hour goes from your time to Alice Brown.");
}

// The catalogue's title, not its code; an offer bought reads as time spent, not time received.
TEST(MemberWordsTest, EntriesUseCatalogueTitlesAndSpendingReadsAsSpent) {
  v1::MemberEntryLine line;
  line.mutable_entry()->set_kind(v1::EXCHANGE);
  line.mutable_entry()->set_activity("garden-help");
  line.mutable_entry()->set_minutes(90);
  line.set_other_display_name("Bob Okafor");
  line.set_earned(true);
  line.set_activity_title("Help in the garden");
  EXPECT_EQ(EntrySentence(line), "You helped Bob Okafor with Help in the garden");
  EXPECT_EQ(EntryLineWords(line, "today"),
            "You helped Bob Okafor with Help in the garden — 1 hour 30 minutes, today.");

  line.mutable_entry()->set_kind(v1::SPEND);
  line.mutable_entry()->set_activity("hygiene-course");
  line.mutable_entry()->set_minutes(180);
  line.set_other_display_name("Holy Cross Centre");
  line.set_earned(false);
  line.set_activity_title("Food hygiene course");
  EXPECT_EQ(EntryLineWords(line, "today"), "You spent 3 hours on the Food hygiene course, today.");
  EXPECT_EQ(EntryLineWords(line, "today").find("hygiene-course"), std::string::npos);

  line.mutable_entry()->set_kind(v1::QUALIFICATION_REWARD);
  line.set_earned(true);
  line.set_activity_title("Food hygiene, level 2");
  EXPECT_EQ(EntrySentence(line), "Holy Cross Centre rewarded you for Food hygiene, level 2");

  v1::AwaitingEntry awaiting;
  awaiting.mutable_pending()->mutable_entry()->set_activity("shop-run");
  awaiting.set_activity_title("Shopping");
  awaiting.set_other_display_name("Alice Brown");
  EXPECT_EQ(AwaitingSentence(awaiting), "Alice Brown says they helped you with Shopping");

  EXPECT_EQ(MonthSpentWords(180), "You spent 3 hours on courses and offers.");
  EXPECT_EQ(MonthSpentWords(0), "");
}

}  // namespace
}  // namespace timeledger::kiosk
