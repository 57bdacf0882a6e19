// The plain words of period reports, shared by the terminal table, the CSV files and the HTML
// report: hours and minutes, days and periods, the give-and-take buckets, and the headline
// sentences a coordinator reads out at a board meeting ("Members gave each other 412 hours this
// quarter ..."). A member's statement speaks the member's language instead: statement_words.h.
//
// Figures are time, never money: "412 hours 30 minutes", or "412:30" in a spreadsheet cell.
// Pure functions over the messages of timeledger.v1.Reports; thread-safe.
#ifndef TIMELEDGER_CLIENTS_CLI_REPORT_WORDS_H_
#define TIMELEDGER_CLIENTS_CLI_REPORT_WORDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

#include "timeledger/v1/reports.pb.h"

namespace timeledger::cli {

// "412 hours 30 minutes", "1 hour", "45 minutes", "0 hours", "-2 hours 15 minutes".
std::string HoursText(int64_t minutes);

// Hours and minutes for a spreadsheet cell: "412:30", "0:45", "-2:15" (a spreadsheet reads it
// as a duration, [h]:mm).
std::string HoursCell(int64_t minutes);

// "2026-07-01".
std::string IsoDay(const timeledger::v1::Date& date);

// "1 Jul 2026".
std::string DayText(const timeledger::v1::Date& date);

// "Jul 2026".
std::string MonthText(int year, int month);

// "1 Jul 2026 to 30 Sep 2026".
std::string PeriodText(const timeledger::v1::Date& first_day, const timeledger::v1::Date& last_day);

// What the period is called: "quarter", "month", "year" for calendar ones, else "period".
std::string PeriodNoun(const timeledger::v1::Date& first_day, const timeledger::v1::Date& last_day);

// A row of "Hours by activity": its category, with the titles of the activities counted in it
// when it is a catalogue category: "Care and company (A friendly phone call, Dog walking)".
std::string CategoryText(const timeledger::v1::CategoryFigures& category);

// "54%": part of whole, rounded to the nearest whole percent; "0%" when whole is 0.
std::string PercentText(int64_t part, int64_t whole);

// The give-and-take bucket in words: "gave nothing, only received", ... "only gave".
std::string RatioBucketText(absl::string_view bucket);

// "exchange", "award", ... the kinds of MinutesByKind, in the order of its fields.
struct KindMinutes {
  const char* kind;         // stable: "exchange", "award", "spend", "donation", "grant"
  const char* description;  // "member to member", ...
  int64_t minutes;
};
std::vector<KindMinutes> KindsOf(const timeledger::v1::MinutesByKind& minutes);

// The headline figures in plain sentences, for the top of the report.
std::vector<std::string> Headlines(const timeledger::v1::PeriodReport& report);

// "3 people attained 4 qualifications and renewed 1 this quarter.", or that none were; the
// last line of the headlines.
std::string QualificationsText(const timeledger::v1::PeriodReport& report);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_REPORT_WORDS_H_
