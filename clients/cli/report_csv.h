// Period reports and statements as CSV, for spreadsheets: one file per table, a header row of
// stable snake_case column names, RFC 4180 quoting, CRLF line ends, UTF-8 with a byte order mark
// (so that Excel reads "café" right). Amounts are given twice: exact whole minutes, and hours as
// h:mm for people. A text cell that a spreadsheet would run as a formula (starting with = + - @)
// is prefixed with an apostrophe. docs/REPORTS.md lists every file and column.
//
// Pure functions; thread-safe.
#ifndef TIMELEDGER_CLIENTS_CLI_REPORT_CSV_H_
#define TIMELEDGER_CLIENTS_CLI_REPORT_CSV_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

#include "clients/cli/statement_words.h"
#include "timeledger/v1/reports.pb.h"

namespace timeledger::cli {

// The UTF-8 byte order mark that starts every file.
inline constexpr char kCsvByteOrderMark[] = "\xEF\xBB\xBF";

struct CsvFile {
  std::string name;     // e.g. "by_category.csv"
  std::string content;  // the whole file
};

// One field: quoted if it holds a comma, a quote, CR or LF (quotes doubled).
std::string CsvField(absl::string_view text);

// A free-text cell (a name, an activity): CsvField, apostrophe first if it could be a formula.
std::string CsvText(absl::string_view text);

// One record: the fields joined by commas, ending in CRLF. Fields are used as given.
std::string CsvRecord(const std::vector<std::string>& fields);

// The report's tables, one file each: about, summary, by_kind, by_category, by_month, members,
// give_and_take, organisations, balances, pending. With a comparison, each table holds the rows
// of both periods, told apart by its first column, `period` ("2026-07-01/2026-09-30").
std::vector<CsvFile> ReportCsvFiles(const timeledger::v1::PeriodReport& report);

// A statement as one file: one row per entry, then nothing else (opening and closing balances
// are the first row's balance before it and the last row's balance_after). The columns for
// machines (codes, minutes, ISO days) come first and never change; after them, for the member,
// in `words`' language: the kind, and the catalogue's title of the activity (its code if none).
std::string StatementCsv(const timeledger::v1::Statement& statement, const StatementWords& words);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_REPORT_CSV_H_
