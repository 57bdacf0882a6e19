#include "clients/kiosk/member_words.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace timeledger::kiosk {
namespace {

constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
constexpr const char* kWeekdays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};

std::string Plural(int64_t count, const char* one, const char* many) {
  return absl::StrCat(count, " ", count == 1 ? one : many);
}

// " with gardening", or "" without an activity.
std::string WithActivity(const std::string& activity, const char* preposition) {
  return activity.empty() ? "" : absl::StrCat(" ", preposition, " ", activity);
}

std::string NameOr(const std::string& name, const char* fallback) {
  return name.empty() ? fallback : name;
}

int WeekdayIndex(absl::Weekday weekday) {
  switch (weekday) {
    case absl::Weekday::monday:
      return 0;
    case absl::Weekday::tuesday:
      return 1;
    case absl::Weekday::wednesday:
      return 2;
    case absl::Weekday::thursday:
      return 3;
    case absl::Weekday::friday:
      return 4;
    case absl::Weekday::saturday:
      return 5;
    case absl::Weekday::sunday:
      return 6;
  }
  return 0;
}

}  // namespace

std::string TimeWords(int64_t minutes) {
  minutes = std::llabs(minutes);
  if (minutes == 0) return "no time";
  const int64_t hours = minutes / 60, rest = minutes % 60;
  if (hours == 0) return Plural(rest, "minute", "minutes");
  if (rest == 0) return Plural(hours, "hour", "hours");
  return absl::StrCat(Plural(hours, "hour", "hours"), " ", Plural(rest, "minute", "minutes"));
}

std::string BalanceWords(int64_t balance_minutes) {
  if (balance_minutes >= 0) {
    return absl::StrCat("You have ", balance_minutes == 0 ? "0 hours" : TimeWords(balance_minutes),
                        ".");
  }
  return absl::StrCat("You have received ", TimeWords(balance_minutes),
                      " more than you have given.");
}

std::string BalanceNote(int64_t balance_minutes) {
  if (balance_minutes >= 0) return "";
  return "That's fine: there are many ways to give.";
}

std::string DayWords(absl::Time when, absl::Time now, absl::TimeZone zone) {
  const absl::CivilDay day = absl::ToCivilDay(when, zone);
  const absl::CivilDay today = absl::ToCivilDay(now, zone);
  const int64_t days_ago = today - day;
  if (days_ago == 0) return "today";
  if (days_ago == 1) return "yesterday";
  if (days_ago > 1 && days_ago < 7) return kWeekdays[WeekdayIndex(absl::GetWeekday(day))];
  std::string words = absl::StrCat(day.day(), " ", kMonths[day.month() - 1]);
  if (day.year() != today.year()) absl::StrAppend(&words, " ", day.year());
  return words;
}

std::string DateWords(absl::Time when, absl::TimeZone zone) {
  const absl::CivilDay day = absl::ToCivilDay(when, zone);
  return absl::StrCat(day.day(), " ", kMonths[day.month() - 1], " ", day.year());
}

std::string MonthWords(int year, int month, bool with_year) {
  if (month < 1 || month > 12) return "";
  return with_year ? absl::StrCat(kMonths[month - 1], " ", year) : kMonths[month - 1];
}

std::string MonthShortWords(int month) {
  if (month < 1 || month > 12) return "";
  return std::string(kMonths[month - 1]).substr(0, 3);
}

std::string EntrySentence(const v1::MemberEntryLine& line) {
  const v1::Entry& entry = line.entry();
  const std::string other = NameOr(line.other_display_name(), "another member");
  const std::string& activity =
      line.activity_title().empty() ? entry.activity() : line.activity_title();
  switch (entry.kind()) {
    case v1::EXCHANGE:
      return line.earned() ? absl::StrCat("You helped ", other, WithActivity(activity, "with"))
                           : absl::StrCat(other, " helped you", WithActivity(activity, "with"));
    case v1::AWARD:
      return line.earned()
                 ? absl::StrCat("You gave your time to ", other, WithActivity(activity, "for"))
                 : absl::StrCat("You thanked ", other, WithActivity(activity, "for"));
    case v1::SPEND:
      return line.earned()
                 ? absl::StrCat(other, " used time at your place", WithActivity(activity, "for"))
                 : absl::StrCat("You used your time at ", other, WithActivity(activity, "for"));
    case v1::DONATION:
      return line.earned() ? absl::StrCat(other, " gave time to the community pool")
                           : "You gave time to the community pool";
    case v1::GRANT:
      return line.earned() ? "The community pool gave you time"
                           : absl::StrCat("The community pool gave time to ", other);
    case v1::QUALIFICATION_REWARD: {
      // Without a title the activity is the qualification's code, not words a member would use.
      const std::string what =
          line.activity_title().empty() ? "a qualification" : line.activity_title();
      return line.earned() ? absl::StrCat(other, " rewarded you for ", what)
                           : absl::StrCat("You rewarded ", other, " for ", what);
    }
    case v1::REVERSAL:
      return line.earned() ? "A correction gave you back time"
                           : "A correction took back time from an earlier entry";
    default:
      return line.earned() ? absl::StrCat("You received time from ", other)
                           : absl::StrCat("You paid time to ", other);
  }
}

std::string EntryLineWords(const v1::MemberEntryLine& line, const std::string& when) {
  const std::string amount = TimeWords(line.entry().minutes());
  // An offer bought is time spent, not time someone gave: it reads so, with its title.
  if (line.entry().kind() == v1::SPEND && !line.earned() && !line.activity_title().empty()) {
    return absl::StrCat("You spent ", amount, " on the ", line.activity_title(), ", ", when, ".");
  }
  return absl::StrCat(EntrySentence(line), " — ", amount, ", ", when, ".");
}

std::string MonthSpentWords(int64_t spent_minutes) {
  if (spent_minutes <= 0) return "";
  return absl::StrCat("You spent ", TimeWords(spent_minutes), " on courses and offers.");
}

std::string AwaitingSentence(const v1::AwaitingEntry& awaiting) {
  const std::string other = NameOr(awaiting.other_display_name(), "Another member");
  const std::string& activity = awaiting.activity_title().empty()
                                    ? awaiting.pending().entry().activity()
                                    : awaiting.activity_title();
  return awaiting.earns()
             ? absl::StrCat(other, " says you helped them", WithActivity(activity, "with"))
             : absl::StrCat(other, " says they helped you", WithActivity(activity, "with"));
}

std::string AwaitingConsequence(const v1::AwaitingEntry& awaiting) {
  const std::string amount = TimeWords(awaiting.pending().entry().minutes());
  const std::string other = NameOr(awaiting.other_display_name(), "the other member");
  return awaiting.earns()
             ? absl::StrCat("If you confirm, you receive ", amount, ".")
             : absl::StrCat("If you confirm, ", amount, " goes from your time to ", other, ".");
}

}  // namespace timeledger::kiosk
