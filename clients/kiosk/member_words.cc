#include "clients/kiosk/member_words.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace timeledger::kiosk {
namespace {

// ICU date skeletons (which fields, not their order or words: each language has its own).
constexpr char kWeekday[] = "EEEE";
constexpr char kDayMonth[] = "dMMMM";
constexpr char kDayMonthYear[] = "yMMMMd";
constexpr char kMonth[] = "LLLL";
constexpr char kMonthYear[] = "yMMMM";
constexpr char kMonthShort[] = "LLL";

// Arguments of the messages.
constexpr char kOther[] = "other";
constexpr char kActivity[] = "activity";
constexpr char kTime[] = "time";
constexpr char kAmount[] = "amount";

}  // namespace

MemberWords::MemberWords(const clients::Messages& messages, std::string language)
    : messages_(messages), language_(std::move(language)) {}

std::string MemberWords::Say(absl::string_view key, const clients::MessageArgs& args) const {
  return messages_.Format(language_, key, args);
}

std::string MemberWords::TimeWords(int64_t minutes) const {
  minutes = std::llabs(minutes);
  if (minutes == 0) return Say("time.none");
  const int64_t hours = minutes / 60, rest = minutes % 60;
  if (hours == 0) return Say("time.minutes", {{"minutes", rest}});
  if (rest == 0) return Say("time.hours", {{"hours", hours}});
  return Say("time.hours_minutes", {{"hours", hours}, {"minutes", rest}});
}

std::string MemberWords::BalanceWords(int64_t balance_minutes) const {
  if (balance_minutes == 0) return Say("balance.zero");
  if (balance_minutes > 0) return Say("balance.have", {{kTime, TimeWords(balance_minutes)}});
  return Say("balance.below_zero", {{kTime, TimeWords(balance_minutes)}});
}

std::string MemberWords::BalanceNote(int64_t balance_minutes) const {
  return balance_minutes >= 0 ? std::string() : Say("balance.note_below_zero");
}

std::string MemberWords::Day(absl::CivilDay day, absl::string_view skeleton) const {
  return messages_.Day(language_, day, skeleton);
}

std::string MemberWords::DayWords(absl::Time when, absl::Time now, absl::TimeZone zone) const {
  const absl::CivilDay day = absl::ToCivilDay(when, zone);
  const absl::CivilDay today = absl::ToCivilDay(now, zone);
  const int64_t days_ago = today - day;
  if (days_ago == 0) return Say("day.today");
  if (days_ago == 1) return Say("day.yesterday");
  if (days_ago > 1 && days_ago < 7) return Day(day, kWeekday);
  return Day(day, day.year() == today.year() ? kDayMonth : kDayMonthYear);
}

std::string MemberWords::DateWords(absl::Time when, absl::TimeZone zone) const {
  return Day(absl::ToCivilDay(when, zone), kDayMonthYear);
}

std::string MemberWords::MonthWords(int year, int month, bool with_year) const {
  if (month < 1 || month > 12) return "";
  return Day(absl::CivilDay(year, month, 1), with_year ? kMonthYear : kMonth);
}

std::string MemberWords::MonthShortWords(int month) const {
  if (month < 1 || month > 12) return "";
  return Day(absl::CivilDay(2001, month, 1), kMonthShort);
}

std::string MemberWords::WithOrWithout(absl::string_view key, absl::string_view key_with,
                                       const std::string& other,
                                       const std::string& activity) const {
  if (activity.empty()) return Say(key, {{kOther, other}});
  return Say(key_with, {{kOther, other}, {kActivity, activity}});
}

std::string MemberWords::EntrySentence(const v1::MemberEntryLine& line) const {
  const v1::Entry& entry = line.entry();
  const std::string other = line.other_erased()                 ? Say("entry.erased")
                            : line.other_display_name().empty() ? Say("entry.someone")
                                                                : line.other_display_name();
  const std::string& activity =
      line.activity_title().empty() ? entry.activity() : line.activity_title();
  const bool earned = line.earned();
  switch (entry.kind()) {
    case v1::EXCHANGE:
      return earned ? WithOrWithout("entry.exchange.earned", "entry.exchange.earned_with", other,
                                    activity)
                    : WithOrWithout("entry.exchange.paid", "entry.exchange.paid_with", other,
                                    activity);
    case v1::AWARD:
      return earned ? WithOrWithout("entry.award.earned", "entry.award.earned_for", other, activity)
                    : WithOrWithout("entry.award.paid", "entry.award.paid_for", other, activity);
    case v1::SPEND:
      return earned ? WithOrWithout("entry.spend.earned", "entry.spend.earned_for", other, activity)
                    : WithOrWithout("entry.spend.paid", "entry.spend.paid_for", other, activity);
    case v1::DONATION:
      return Say(earned ? "entry.donation.earned" : "entry.donation.paid", {{kOther, other}});
    case v1::GRANT:
      return Say(earned ? "entry.grant.earned" : "entry.grant.paid", {{kOther, other}});
    case v1::QUALIFICATION_REWARD:
      // Without a title the activity is the qualification's code, not words a member would use.
      return earned ? WithOrWithout("entry.reward.earned", "entry.reward.earned_for", other,
                                    line.activity_title())
                    : WithOrWithout("entry.reward.paid", "entry.reward.paid_for", other,
                                    line.activity_title());
    case v1::REVERSAL:
      return Say(earned ? "entry.reversal.earned" : "entry.reversal.paid");
    default:
      return Say(earned ? "entry.other.earned" : "entry.other.paid", {{kOther, other}});
  }
}

std::string MemberWords::EntryLineWords(const v1::MemberEntryLine& line,
                                        const std::string& when) const {
  const std::string amount = TimeWords(line.entry().minutes());
  // An offer bought is time spent, not time someone gave: it reads so, with its title.
  if (line.entry().kind() == v1::SPEND && !line.earned() && !line.activity_title().empty()) {
    return Say("entry.spent_line",
               {{kAmount, amount}, {kActivity, line.activity_title()}, {"when", when}});
  }
  return Say("entry.line", {{"sentence", EntrySentence(line)}, {kAmount, amount}, {"when", when}});
}

std::string MemberWords::MonthSpentWords(int64_t spent_minutes) const {
  if (spent_minutes <= 0) return "";
  return Say("month.spent", {{kTime, TimeWords(spent_minutes)}});
}

std::string MemberWords::AwaitingSentence(const v1::AwaitingEntry& awaiting) const {
  const std::string other = awaiting.other_display_name().empty() ? Say("awaiting.someone")
                                                                  : awaiting.other_display_name();
  const std::string& activity = awaiting.activity_title().empty()
                                    ? awaiting.pending().entry().activity()
                                    : awaiting.activity_title();
  return awaiting.earns() ? WithOrWithout("awaiting.earns", "awaiting.earns_with", other, activity)
                          : WithOrWithout("awaiting.pays", "awaiting.pays_with", other, activity);
}

std::string MemberWords::AwaitingConsequence(const v1::AwaitingEntry& awaiting) const {
  const std::string amount = TimeWords(awaiting.pending().entry().minutes());
  if (awaiting.earns()) return Say("awaiting.if_earns", {{kAmount, amount}});
  const std::string other = awaiting.other_display_name().empty() ? Say("awaiting.someone_else")
                                                                  : awaiting.other_display_name();
  return Say("awaiting.if_pays", {{kAmount, amount}, {kOther, other}});
}

}  // namespace timeledger::kiosk
