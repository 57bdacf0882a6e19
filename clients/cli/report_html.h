// A period report as one self-contained HTML page for a board meeting: the headline figures in
// plain words, inline SVG charts (hours given and received month by month, hours by activity,
// how people's giving compares with their receiving), and every table of the report. No script,
// no external asset of any kind; it prints on A4 (@media print) and reads in large type on
// screen. Every name and activity from the ledger is escaped.
//
// Pure functions; thread-safe.
#ifndef TIMELEDGER_CLIENTS_CLI_REPORT_HTML_H_
#define TIMELEDGER_CLIENTS_CLI_REPORT_HTML_H_

#include <string>

#include "absl/strings/string_view.h"

#include "timeledger/v1/reports.pb.h"

namespace timeledger::cli {

// The ids of the page's charts, for tests and for anyone styling the page.
inline constexpr char kMonthlyChartId[] = "chart-monthly";
inline constexpr char kCategoryChartId[] = "chart-categories";
inline constexpr char kGiveAndTakeChartId[] = "chart-give-and-take";

// The categories the activity chart shows at most; the table lists them all.
inline constexpr int kChartCategoriesMax = 12;

// &, <, >, " and ' as character references.
std::string HtmlEscape(absl::string_view text);

std::string ReportHtml(const timeledger::v1::PeriodReport& report);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_REPORT_HTML_H_
