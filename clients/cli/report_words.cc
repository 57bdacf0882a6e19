#include "clients/cli/report_words.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"

namespace timeledger::cli {
namespace {

namespace v1 = ::timeledger::v1;

constexpr const char* kMonthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

const char* MonthName(int month) {
  return month >= 1 && month <= 12 ? kMonthNames[month - 1] : "?";
}

absl::CivilDay CivilOf(const v1::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

std::string Plural(int64_t count, absl::string_view one, absl::string_view many) {
  return absl::StrCat(count, " ", count == 1 ? one : many);
}

// "this quarter" / "the previous quarter" / "in this period".
std::string ThisPeriod(const v1::PeriodFigures& figures) {
  const std::string noun = PeriodNoun(figures.first_day(), figures.last_day());
  return noun == "period" ? "in this period" : absl::StrCat("this ", noun);
}

// " That is 12% more than the previous quarter (368 hours)." or "" without a comparison.
std::string Compared(int64_t now, int64_t before, const std::string& noun, bool compare) {
  if (!compare) return "";
  if (before == 0) {
    return now == 0 ? "" : absl::StrCat(" There were none the previous ", noun, ".");
  }
  if (now == before) return absl::StrCat(" The same as the previous ", noun, ".");
  const int64_t change = (std::llabs(now - before) * 100 + before / 2) / before;
  return absl::StrCat(" That is ", change, "% ", now > before ? "more" : "less",
                      " than the previous ", noun, " (", HoursText(before), ").");
}

}  // namespace

std::string HoursText(int64_t minutes) {
  const std::string sign = minutes < 0 ? "-" : "";
  const int64_t magnitude = std::llabs(minutes);
  const int64_t hours = magnitude / 60;
  const int64_t rest = magnitude % 60;
  if (hours == 0 && rest == 0) return "0 hours";
  if (rest == 0) return absl::StrCat(sign, Plural(hours, "hour", "hours"));
  if (hours == 0) return absl::StrCat(sign, Plural(rest, "minute", "minutes"));
  return absl::StrCat(sign, Plural(hours, "hour", "hours"), " ", Plural(rest, "minute", "minutes"));
}

std::string HoursCell(int64_t minutes) {
  const int64_t magnitude = std::llabs(minutes);
  const int64_t rest = magnitude % 60;
  return absl::StrCat(minutes < 0 ? "-" : "", magnitude / 60, ":", rest < 10 ? "0" : "", rest);
}

std::string IsoDay(const v1::Date& date) { return absl::FormatCivilTime(CivilOf(date)); }

std::string DayText(const v1::Date& date) {
  return absl::StrCat(date.day(), " ", MonthName(date.month()), " ", date.year());
}

std::string MonthText(int year, int month) { return absl::StrCat(MonthName(month), " ", year); }

std::string PeriodText(const v1::Date& first_day, const v1::Date& last_day) {
  return absl::StrCat(DayText(first_day), " to ", DayText(last_day));
}

std::string PeriodNoun(const v1::Date& first_day, const v1::Date& last_day) {
  const absl::CivilDay first = CivilOf(first_day);
  const absl::CivilDay last = CivilOf(last_day);
  if (first.day() != 1 || (last + 1).day() != 1) return "period";
  const int64_t months = absl::CivilMonth(last) - absl::CivilMonth(first) + 1;
  if (months == 1) return "month";
  if (months == 3 && (first.month() - 1) % 3 == 0) return "quarter";
  if (months == 12 && first.month() == 1) return "year";
  return "period";
}

std::string PercentText(int64_t part, int64_t whole) {
  if (whole <= 0) return "0%";
  return absl::StrCat((part * 100 + whole / 2) / whole, "%");
}

std::string RatioBucketText(absl::string_view bucket) {
  if (bucket == "only_received") return "only received";
  if (bucket == "received_much_more") return "received more than twice what they gave";
  if (bucket == "received_more") return "received a little more than they gave";
  if (bucket == "balanced") return "gave and received about the same";
  if (bucket == "gave_more") return "gave a little more than they received";
  if (bucket == "gave_much_more") return "gave more than twice what they received";
  if (bucket == "only_gave") return "only gave";
  return std::string(bucket);
}

std::vector<KindMinutes> KindsOf(const v1::MinutesByKind& minutes) {
  return {
      {"exchange", "member to member", minutes.exchange_minutes()},
      {"award", "awarded by an organisation", minutes.award_minutes()},
      {"spend", "spent on offers", minutes.spend_minutes()},
      {"donation", "donated to the pool", minutes.donation_minutes()},
      {"grant", "granted by the pool", minutes.grant_minutes()},
      {"qualification reward", "rewards for qualifications",
       minutes.qualification_reward_minutes()},
  };
}

std::string QualificationsText(const v1::PeriodReport& report) {
  if (!report.qualifications_recorded()) {
    return "Qualifications attained and renewed are not recorded yet.";
  }
  const v1::QualificationFigures& q = report.current().qualifications();
  if (q.attained() == 0 && q.renewed() == 0) {
    return absl::StrCat("No qualifications were attained or renewed ", ThisPeriod(report.current()),
                        ".");
  }
  if (q.attained() == 0) {
    return absl::StrCat(Plural(q.renewed(), "qualification was", "qualifications were"),
                        " renewed ", ThisPeriod(report.current()), ".");
  }
  const std::string attained =
      absl::StrCat(Plural(q.persons(), "person", "people"), " attained ",
                   Plural(q.attained(), "qualification", "qualifications"));
  if (q.renewed() == 0) return absl::StrCat(attained, " ", ThisPeriod(report.current()), ".");
  return absl::StrCat(attained, " and renewed ", q.renewed(), " ", ThisPeriod(report.current()),
                      ".");
}

std::vector<std::string> Headlines(const v1::PeriodReport& report) {
  const v1::PeriodFigures& now = report.current();
  const v1::PeriodFigures& before = report.previous();
  const bool compare = report.has_previous();
  const std::string noun = PeriodNoun(now.first_day(), now.last_day());
  const std::string when = ThisPeriod(now);
  std::vector<std::string> lines;

  const int64_t exchanged = now.minutes().exchange_minutes();
  if (exchanged > 0) {
    lines.push_back(
        absl::StrCat("Members gave each other ", HoursText(exchanged), " of their time ", when, ".",
                     Compared(exchanged, before.minutes().exchange_minutes(), noun, compare)));
  } else {
    lines.push_back(absl::StrCat("No time was exchanged between members ", when, "."));
  }

  const int64_t awarded = now.minutes().award_minutes();
  const int64_t spent = now.minutes().spend_minutes();
  if (awarded > 0 || spent > 0) {
    lines.push_back(absl::StrCat("Organisations awarded ", HoursText(awarded),
                                 " for time given to them, and members spent ", HoursText(spent),
                                 " on what organisations offer."));
  }

  const v1::MemberFigures& members = now.members();
  if (members.active_persons() > 0) {
    std::string line = absl::StrCat(Plural(members.active_persons(), "person", "people"),
                                    " took part, giving or receiving time at least once");
    if (compare) {
      absl::StrAppend(&line, " (", before.members().active_persons(), " the previous ", noun, ")");
    }
    if (members.returning_counted() && members.returning_persons() > 0) {
      absl::StrAppend(&line, "; ", members.returning_persons(), " of them also took part the ",
                      noun, " before");
    }
    lines.push_back(absl::StrCat(line, "."));
    lines.push_back(
        absl::StrCat(Plural(members.gave_and_received_persons(), "person", "people"),
                     " both gave and received time: ",
                     PercentText(members.gave_and_received_persons(), members.active_persons()),
                     " of those who took part."));
  } else {
    lines.push_back(absl::StrCat("Nobody gave or received time ", when, "."));
  }
  if (members.new_persons() > 0) {
    lines.push_back(absl::StrCat(Plural(members.new_persons(), "new member", "new members"),
                                 " joined ", when, "."));
  }

  const int64_t donated = now.minutes().donation_minutes();
  const int64_t granted = now.minutes().grant_minutes();
  if (donated > 0 || granted > 0) {
    lines.push_back(absl::StrCat("Members gave ", HoursText(donated),
                                 " to the community pool, and the pool granted ",
                                 HoursText(granted), "."));
  }
  const v1::MinutesByKind& c = now.corrections();
  int64_t corrected = 0;
  for (const KindMinutes& kind : KindsOf(c)) corrected += kind.minutes;
  if (corrected > 0) {
    lines.push_back(
        absl::StrCat("Corrections to earlier periods took back ", HoursText(corrected), "."));
  }
  lines.push_back(QualificationsText(report));
  return lines;
}

std::string CategoryText(const timeledger::v1::CategoryFigures& category) {
  if (category.activity_titles().empty()) return category.category();
  return absl::StrCat(category.category(), " (", absl::StrJoin(category.activity_titles(), ", "),
                      ")");
}

}  // namespace timeledger::cli
