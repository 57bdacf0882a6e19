// The words a member reads at the kiosk.
#include "clients/kiosk/member_words.h"

#include <memory>

#include <gtest/gtest.h>

#include "clients/kiosk/kiosk_messages.h"

namespace timeledger::kiosk {
namespace {

// The kiosk's own catalogues, as compiled in.
const clients::Messages& KioskMessages() {
  static const clients::Messages* const messages = [] {
    auto loaded = LoadKioskMessages();
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? loaded->release() : nullptr;
  }();
  return *messages;
}

// The functions under test, in English unless a test says otherwise.
class MemberWordsTest : public ::testing::Test {
 protected:
  MemberWords words_{KioskMessages(), "en"};
  std::string TimeWords(int64_t minutes) const { return words_.TimeWords(minutes); }
  std::string BalanceWords(int64_t minutes) const { return words_.BalanceWords(minutes); }
  std::string BalanceNote(int64_t minutes) const { return words_.BalanceNote(minutes); }
  std::string DayWords(absl::Time when, absl::Time now, absl::TimeZone zone) const {
    return words_.DayWords(when, now, zone);
  }
  std::string DateWords(absl::Time when, absl::TimeZone zone) const {
    return words_.DateWords(when, zone);
  }
  std::string MonthWords(int year, int month, bool with_year) const {
    return words_.MonthWords(year, month, with_year);
  }
  std::string MonthShortWords(int month) const { return words_.MonthShortWords(month); }
  std::string EntrySentence(const v1::MemberEntryLine& line) const {
    return words_.EntrySentence(line);
  }
  std::string EntryLineWords(const v1::MemberEntryLine& line, const std::string& when) const {
    return words_.EntryLineWords(line, when);
  }
  std::string MonthSpentWords(int64_t minutes) const { return words_.MonthSpentWords(minutes); }
  std::string AwaitingSentence(const v1::AwaitingEntry& awaiting) const {
    return words_.AwaitingSentence(awaiting);
  }
  std::string AwaitingConsequence(const v1::AwaitingEntry& awaiting) const {
    return words_.AwaitingConsequence(awaiting);
  }
};

TEST_F(MemberWordsTest, TimeInHoursAndMinutes) {
  EXPECT_EQ(TimeWords(0), "no time");
  EXPECT_EQ(TimeWords(1), "1 minute");
  EXPECT_EQ(TimeWords(45), "45 minutes");
  EXPECT_EQ(TimeWords(60), "1 hour");
  EXPECT_EQ(TimeWords(90), "1 hour 30 minutes");
  EXPECT_EQ(TimeWords(750), "12 hours 30 minutes");
  EXPECT_EQ(TimeWords(-121), "2 hours 1 minute");
}

TEST_F(MemberWordsTest, BalanceBelowZeroIsSaidKindly) {
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

TEST_F(MemberWordsTest, DaysAreNamedAsPeopleSayThem) {
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

TEST_F(MemberWordsTest, EntriesAreSentencesFromTheMembersSide) {
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
  // A member whose personal data was erased has no name any more, and is said to be so.
  line.mutable_entry()->set_kind(v1::EXCHANGE);
  line.mutable_entry()->clear_activity();
  line.set_other_display_name("");
  line.set_other_erased(true);
  EXPECT_EQ(EntrySentence(line), "You helped an erased member");
  line.set_other_erased(false);
  EXPECT_EQ(EntrySentence(line), "You helped another member");

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
TEST_F(MemberWordsTest, EntriesUseCatalogueTitlesAndSpendingReadsAsSpent) {
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

// The same sentences in the other languages: their own plurals, digits, days and word order.
TEST_F(MemberWordsTest, EachLanguageSaysItInItsOwnWords) {
  const MemberWords polish(KioskMessages(), "pl");
  EXPECT_EQ(polish.TimeWords(90), "1 godzina 30 minut");
  EXPECT_EQ(polish.TimeWords(122), "2 godziny 2 minuty");
  EXPECT_EQ(polish.BalanceWords(300), "Twój czas: 5 godzin.");
  const MemberWords arabic(KioskMessages(), "ar");
  EXPECT_EQ(arabic.TimeWords(120), "ساعتان");
  EXPECT_EQ(arabic.BalanceWords(60), "لديك ساعة واحدة.");
  const MemberWords bengali(KioskMessages(), "bn");
  EXPECT_EQ(bengali.TimeWords(180), "৩ ঘণ্টা");

  const absl::TimeZone london = absl::FixedTimeZone(0);
  const absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 11, 19, 15, 0, 0), london);
  EXPECT_EQ(polish.DayWords(now - absl::Hours(24), now, london), "wczoraj");
  EXPECT_EQ(polish.DayWords(now - absl::Hours(48), now, london), "wtorek");
  EXPECT_EQ(polish.MonthWords(2026, 3, false), "marzec");
  EXPECT_EQ(arabic.DayWords(now, now, london), "اليوم");

  v1::MemberEntryLine line;
  line.mutable_entry()->set_kind(v1::EXCHANGE);
  line.mutable_entry()->set_minutes(90);
  line.set_other_display_name("Bob Okafor");
  line.set_earned(true);
  line.set_activity_title("Gardening");
  EXPECT_EQ(polish.EntryLineWords(line, "dzisiaj"),
            "Twoja pomoc dla: Bob Okafor (Gardening) — 1 godzina 30 minut, dzisiaj.");
  EXPECT_EQ(arabic.EntrySentence(line), "ساعدت Bob Okafor في Gardening");
  // A language the kiosk does not ship reads English.
  const MemberWords somali(KioskMessages(), "so");
  EXPECT_EQ(somali.EntrySentence(line), "You helped Bob Okafor with Gardening");
}

}  // namespace
}  // namespace timeledger::kiosk
