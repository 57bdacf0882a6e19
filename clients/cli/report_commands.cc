// report | statement-report: a period's figures for a commissioner, as a table on the terminal,
// CSV files or one HTML page; and an account's statement over a date range.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include <grpcpp/grpcpp.h>

#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/periods.h"
#include "clients/cli/report_csv.h"
#include "clients/cli/report_html.h"
#include "clients/cli/report_words.h"
#include "clients/cli/statement_lookups.h"
#include "clients/cli/statement_text.h"
#include "clients/cli/statement_words.h"
#include "clients/cli/table.h"
#include "clients/cli/words.h"
#include "timeledger/v1/reports.grpc.pb.h"

namespace timeledger::cli {
namespace {

// A report over a million entries takes a second or two; a slow disk may take longer.
constexpr std::chrono::seconds kReportTimeout{120};
// Terminal lines are wrapped to this width.
constexpr size_t kLineWidth = 78;

constexpr PositionalSpec kBankArg = {"BANK", "the bank's id, e.g. hcct"};

enum class Format { kTable, kCsv, kHtml };

// Parses --from or --to: a day such as 2026-07-01.
bool ParseDay(const std::string& text, v1::Date* date) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) return false;
  date->set_year(static_cast<int32_t>(day.year()));
  date->set_month(day.month());
  date->set_day(day.day());
  return true;
}

void SetDate(absl::CivilDay day, v1::Date* date) {
  date->set_year(static_cast<int32_t>(day.year()));
  date->set_month(day.month());
  date->set_day(day.day());
}

// Reads the period into the two dates: --from and --to, or one of --last-month, --last-quarter
// (before today's, in the bank's time zone) and --year. Says what is wrong and returns false.
bool ParseRange(const ParsedArgs& args, const std::string& bank_id, Connection& connection,
                v1::Date* first_day, v1::Date* last_day, int* exit_code) {
  const int named = static_cast<int>(args.Has("last-month")) +
                    static_cast<int>(args.Has("last-quarter")) + static_cast<int>(args.Has("year"));
  const bool days = args.Has("from") || args.Has("to");
  if (named > 1 || (named == 1 && days)) {
    *exit_code = args.ReportUsageError(
        "give one period: --from and --to, or --last-month, --last-quarter or --year");
    return false;
  }
  if (named == 1) {
    std::optional<Period> period;
    if (args.Has("year")) {
      const absl::StatusOr<Period> year = Year(args.Value("year"));
      if (!year.ok()) {
        *exit_code = args.ReportUsageError(std::string(year.status().message()));
        return false;
      }
      period = *year;
    } else {
      const absl::CivilDay today = absl::ToCivilDay(absl::Now(), connection.BankTimeZone(bank_id));
      period = args.Has("last-month") ? LastMonth(today) : LastQuarter(today);
    }
    SetDate(period->first, first_day);
    SetDate(period->last, last_day);
    return true;
  }
  for (auto [flag, date] : {std::pair{"from", first_day}, std::pair{"to", last_day}}) {
    if (!args.Has(flag)) {
      *exit_code = args.ReportUsageError(absl::StrCat(
          "missing --", flag, " DAY (or give --last-month, --last-quarter or --year)"));
      return false;
    }
    if (!ParseDay(args.Value(flag), date)) {
      *exit_code = args.ReportUsageError(absl::StrCat("--", flag, " '", args.Value(flag),
                                                      "' is not a day; write it as 2026-07-01"));
      return false;
    }
  }
  return true;
}

bool ParseFormat(const ParsedArgs& args, bool html_allowed, Format* format, int* exit_code) {
  const std::string text = args.Value("format", "table");
  if (text == "table") {
    *format = Format::kTable;
  } else if (text == "csv") {
    *format = Format::kCsv;
  } else if (text == "html" && html_allowed) {
    *format = Format::kHtml;
  } else {
    *exit_code = args.ReportUsageError(absl::StrCat(
        "--format must be table, csv", html_allowed ? " or html" : "", ", not '", text, "'"));
    return false;
  }
  return true;
}

// The Reports service: a report may take longer than the CLI's usual deadline, so its calls
// carry their own.
class ReportsClient {
 public:
  explicit ReportsClient(const Connection& connection)
      : connection_(&connection), stub_(v1::Reports::NewStub(connection.channel())) {}

  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (v1::Reports::Stub::*method)(grpc::ClientContext*, const Request&,
                                                              Response*),
                    const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kReportTimeout);
    connection_->Authorize(&context);
    return ((*stub_).*method)(&context, request, response);
  }

 private:
  const Connection* connection_;
  std::unique_ptr<v1::Reports::Stub> stub_;
};

// Writes `content` to `path`; says why not and returns false if it cannot.
bool WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) {
    std::fprintf(stderr, "error: cannot write %s\n", path.string().c_str());
    return false;
  }
  return true;
}

std::string DefaultName(const std::string& bank_id, const v1::Date& first, const v1::Date& last) {
  return absl::StrCat("report-", bank_id, "-", IsoDay(first), "-to-", IsoDay(last));
}

// "  - " and the text, wrapped at kLineWidth with the continuation lines indented.
std::string Bullet(const std::string& text) {
  std::string out = "  -";
  size_t column = 3;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (column + 1 + word.size() > kLineWidth && column > 4) {
      out += "\n   ";
      column = 3;
    }
    absl::StrAppend(&out, " ", word);
    column += 1 + word.size();
  }
  return out + "\n";
}

std::string Section(const std::string& title, const std::string& body) {
  return absl::StrCat(title, "\n", body, "\n");
}

// The columns "This period" and, with a comparison, "Previous period".
Table FigureTable(const v1::PeriodReport& report, const std::string& first) {
  std::vector<std::string> header = {first, "This period"};
  if (report.has_previous()) header.push_back("Previous period");
  Table table(header);
  table.AlignRight(1);
  if (report.has_previous()) table.AlignRight(2);
  return table;
}

void AddFigureRow(Table& table, const v1::PeriodReport& report, const std::string& label,
                  std::string now, std::string before) {
  std::vector<std::string> row = {label, std::move(now)};
  if (report.has_previous()) row.push_back(std::move(before));
  table.AddRow(std::move(row));
}

std::string Count(int64_t value) { return absl::StrCat(value); }

// The title, the period (and the one compared with) and the headlines in plain words.
std::string HeadingText(const v1::PeriodReport& report) {
  const v1::PeriodFigures& now = report.current();
  const v1::PeriodFigures& before = report.previous();
  std::string out = absl::StrCat("Report for ", AccountLabel(report.bank_name(), report.bank_id()),
                                 "\n", PeriodText(now.first_day(), now.last_day()));
  if (report.has_previous()) {
    absl::StrAppend(&out, ", compared with ", PeriodText(before.first_day(), before.last_day()));
  }
  out += "\n\nIn plain words\n";
  for (const std::string& line : Headlines(report)) out += Bullet(line);
  return out + "\n";
}

// Hours by kind, then the corrections to earlier periods if there were any.
std::string KindsText(const v1::PeriodReport& report) {
  const v1::PeriodFigures& now = report.current();
  const v1::PeriodFigures& before = report.previous();
  Table kinds = FigureTable(report, "Kind");
  const std::vector<KindMinutes> kinds_now = KindsOf(now.minutes());
  const std::vector<KindMinutes> kinds_before = KindsOf(before.minutes());
  for (size_t i = 0; i < kinds_now.size(); ++i) {
    AddFigureRow(kinds, report,
                 absl::StrCat(kinds_now[i].kind, " (", kinds_now[i].description, ")"),
                 HoursText(kinds_now[i].minutes), HoursText(kinds_before[i].minutes));
  }
  AddFigureRow(kinds, report, "all kinds", HoursText(now.total_minutes()),
               HoursText(before.total_minutes()));
  std::string out = Section("Hours by kind", kinds.Render());
  std::string corrections;
  for (const KindMinutes& k : KindsOf(now.corrections())) {
    if (k.minutes != 0)
      absl::StrAppend(&corrections, Bullet(absl::StrCat(k.kind, ": ", HoursText(k.minutes))));
  }
  if (!corrections.empty()) {
    out += Section("Corrections to earlier periods (reversals made now of earlier entries)",
                   corrections);
  }
  return out;
}

// Hours by activity, then month by month.
std::string ActivitiesAndMonthsText(const v1::PeriodFigures& now) {
  Table categories({"Activity", "Entries", "Hours"});
  categories.AlignRight(1);
  categories.AlignRight(2);
  for (const v1::CategoryFigures& c : now.categories()) {
    categories.AddRow(
        {CategoryText(c), absl::StrCat(c.entry_count()), HoursText(c.total_minutes())});
  }
  std::string out =
      Section("Hours by activity", categories.row_count() == 0 ? "  none\n" : categories.Render());

  Table months({"Month", "Given", "Received", "All kinds", "Entries"});
  for (size_t column = 1; column < 5; ++column) months.AlignRight(column);
  for (const v1::MonthFigures& m : now.months()) {
    months.AddRow({MonthText(m.year(), m.month()), HoursText(m.given_minutes()),
                   HoursText(m.received_minutes()), HoursText(m.total_minutes()),
                   absl::StrCat(m.entry_count())});
  }
  return out + Section("Month by month", months.Render());
}

// Who took part, then how their giving and taking compare.
std::string PeopleText(const v1::PeriodReport& report) {
  const v1::MemberFigures& m = report.current().members();
  const v1::MemberFigures& mb = report.previous().members();
  Table people = FigureTable(report, "People");
  AddFigureRow(people, report, "took part (gave or received)", Count(m.active_persons()),
               Count(mb.active_persons()));
  AddFigureRow(people, report, "new members", Count(m.new_persons()), Count(mb.new_persons()));
  AddFigureRow(people, report, "took part the period before too",
               m.returning_counted() ? Count(m.returning_persons()) : "-", "-");
  AddFigureRow(people, report, "gave time", Count(m.gave_persons()), Count(mb.gave_persons()));
  AddFigureRow(people, report, "received time", Count(m.received_persons()),
               Count(mb.received_persons()));
  AddFigureRow(people, report, "both gave and received",
               absl::StrCat(m.gave_and_received_persons(), " (",
                            PercentText(m.gave_and_received_persons(), m.active_persons()), ")"),
               absl::StrCat(mb.gave_and_received_persons(), " (",
                            PercentText(mb.gave_and_received_persons(), mb.active_persons()), ")"));
  AddFigureRow(people, report, "member accounts at the end", Count(m.persons_at_period_end()),
               Count(mb.persons_at_period_end()));
  std::string out = Section("Who took part", people.Render());

  Table buckets = FigureTable(report, "People who");
  for (int i = 0; i < m.ratio_buckets_size(); ++i) {
    AddFigureRow(buckets, report, RatioBucketText(m.ratio_buckets(i).bucket()),
                 Count(m.ratio_buckets(i).persons()),
                 i < mb.ratio_buckets_size() ? Count(mb.ratio_buckets(i).persons()) : "0");
  }
  return out + Section("Give and take", buckets.Render());
}

// The organisations, then the members' balances at the end of the period.
std::string OrganisationsAndBalancesText(const v1::PeriodReport& report) {
  Table organisations({"Organisation", "Credits issued (awards)", "Credits spent there"});
  organisations.AlignRight(1);
  organisations.AlignRight(2);
  for (const v1::OrganisationFigures& o : report.current().organisations()) {
    organisations.AddRow({AccountLabel(o.display_name(), o.account_id()),
                          HoursText(o.issued_minutes()), HoursText(o.spent_at_minutes())});
  }
  std::string out = Section("Organisations",
                            organisations.row_count() == 0 ? "  none\n" : organisations.Render());

  const v1::BalanceFigures& b = report.current().balances();
  const v1::BalanceFigures& bb = report.previous().balances();
  Table balances = FigureTable(report, "Members");
  AddFigureRow(balances, report, "counted", Count(b.persons_counted()),
               Count(bb.persons_counted()));
  AddFigureRow(balances, report, "below zero", Count(b.below_zero_persons()),
               Count(bb.below_zero_persons()));
  AddFigureRow(balances, report, "within 10% of their floor", Count(b.near_floor_persons()),
               Count(bb.near_floor_persons()));
  AddFigureRow(balances, report, "within 10% of the cap", Count(b.near_cap_persons()),
               Count(bb.near_cap_persons()));
  return out + Section("Balances at the end of the period", balances.Render());
}

// The entries waiting for confirmation, the qualifications, and when the report was made.
std::string PendingAndQualificationsText(const v1::PeriodReport& report) {
  const v1::PendingFigures& p = report.current().pending();
  std::string out = Section(
      "Entries waiting for confirmation",
      absl::StrCat(Bullet(absl::StrCat("waiting now: ", report.open_pending_count(), " (",
                                       HoursText(report.open_pending_minutes()), " held)")),
                   Bullet(absl::StrCat("expired unconfirmed in the period: ", p.expired_count(),
                                       " (", HoursText(p.expired_minutes()), ")")),
                   Bullet(absl::StrCat("rejected in the period: ", p.rejected_count(), " (",
                                       HoursText(p.rejected_minutes()), ")"))));
  const v1::QualificationFigures& q = report.current().qualifications();
  const v1::QualificationFigures& qq = report.previous().qualifications();
  Table qualifications = FigureTable(report, "Qualifications");
  AddFigureRow(qualifications, report, "attained", Count(q.attained()), Count(qq.attained()));
  AddFigureRow(qualifications, report, "renewed after they expired", Count(q.renewed()),
               Count(qq.renewed()));
  AddFigureRow(qualifications, report, "people who attained or renewed one", Count(q.persons()),
               Count(qq.persons()));
  out += Section("Qualifications", qualifications.Render());
  absl::TimeZone zone = absl::UTCTimeZone();
  absl::LoadTimeZone(report.time_zone(), &zone);
  absl::StrAppend(&out, "Made ", FormatDateTime(report.generated_at(), zone),
                  " from the ledger up to entry ", report.through_seq(), ".\n");
  return out;
}

// The report as the terminal shows it, section by section.
std::string ReportText(const v1::PeriodReport& report) {
  return absl::StrCat(HeadingText(report), KindsText(report),
                      ActivitiesAndMonthsText(report.current()), PeopleText(report),
                      OrganisationsAndBalancesText(report), PendingAndQualificationsText(report));
}

int WriteReport(const v1::PeriodReport& report, Format format, const ParsedArgs& args) {
  const std::string name =
      DefaultName(report.bank_id(), report.current().first_day(), report.current().last_day());
  std::error_code error;
  if (format == Format::kHtml) {
    std::filesystem::path path = args.Value("out", name + ".html");
    if (std::filesystem::is_directory(path, error)) path /= name + ".html";
    if (!WriteFile(path, ReportHtml(report))) return kExitRefused;
    std::printf("Wrote the HTML report to %s\n", path.string().c_str());
    return kExitOk;
  }
  const std::filesystem::path dir = args.Value("out", name);
  std::filesystem::create_directories(dir, error);
  if (error || !std::filesystem::is_directory(dir)) {
    std::fprintf(stderr, "error: cannot make the directory %s for the CSV files%s%s\n",
                 dir.string().c_str(), error ? ": " : "", error ? error.message().c_str() : "");
    return kExitRefused;
  }
  const std::vector<CsvFile> files = ReportCsvFiles(report);
  for (const CsvFile& file : files) {
    if (!WriteFile(dir / file.name, file.content)) return kExitRefused;
  }
  std::printf("Wrote %zu CSV files to %s:", files.size(), dir.string().c_str());
  for (const CsvFile& file : files) std::printf(" %s", file.name.c_str());
  std::printf("\n");
  return kExitOk;
}

int RunReport(const ParsedArgs& args, Connection& connection) {
  v1::GetPeriodReportRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_compare_with_previous(args.Has("compare"));
  int exit_code = kExitOk;
  if (!ParseRange(args, request.bank_id(), connection, request.mutable_first_day(),
                  request.mutable_last_day(), &exit_code)) {
    return exit_code;
  }
  Format format = Format::kTable;
  if (!ParseFormat(args, /*html_allowed=*/true, &format, &exit_code)) return exit_code;

  v1::PeriodReport report;
  ReportsClient client(connection);
  const grpc::Status status = client.Call(&v1::Reports::Stub::GetPeriodReport, request, &report);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(report);
  if (format != Format::kTable) return WriteReport(report, format, args);
  std::fputs(ReportText(report).c_str(), stdout);
  return kExitOk;
}

int RunStatementReport(const ParsedArgs& args, Connection& connection) {
  v1::GetStatementRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  int exit_code = kExitOk;
  if (!ParseRange(args, request.bank_id(), connection, request.mutable_first_day(),
                  request.mutable_last_day(), &exit_code)) {
    return exit_code;
  }
  Format format = Format::kTable;
  if (!ParseFormat(args, /*html_allowed=*/false, &format, &exit_code)) return exit_code;

  v1::Statement statement;
  ReportsClient client(connection);
  const grpc::Status status = client.Call(&v1::Reports::Stub::GetStatement, request, &statement);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(statement);
  const std::string bank_id = statement.bank_id();
  const std::optional<StatementWords> words =
      StatementWordsFor(args, connection, bank_id, request.account_id(), &exit_code);
  if (!words.has_value()) return exit_code;
  if (format == Format::kCsv) {
    const std::filesystem::path path =
        args.Value("out", absl::StrCat("statement-", bank_id, "-", statement.account().account_id(),
                                       "-", IsoDay(statement.first_day()), "-to-",
                                       IsoDay(statement.last_day()), ".csv"));
    if (!WriteFile(path, StatementCsv(statement, *words))) return kExitRefused;
    std::printf("Wrote the statement to %s\n", path.string().c_str());
    return kExitOk;
  }
  connection.Remember(statement.account());
  const AccountLabelOf label_of = [&connection, &bank_id](const std::string& id) {
    return connection.LabelOf(bank_id, id);
  };
  std::fputs(StatementRangeText(statement, label_of, *words).c_str(), stdout);
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> ReportCommands() {
  return {
      {
          .group = "report",
          .summary = "a period's figures for commissioners: table, CSV files or an HTML page",
          .description =
              "Makes the report of a bank for the days --from to --to (both included, in the\n"
              "bank's time zone): hours given and received by kind, activity and month; who\n"
              "took part, who both gave and received, new and returning members; credits\n"
              "issued by organisations and spent there; balances at the end of the period;\n"
              "pending entries. --compare adds the previous period of the same length (the\n"
              "quarter before a quarter). docs/REPORTS.md defines every figure.\n"
              "\n"
              "--format table prints it; csv writes one file per table into the directory\n"
              "--out (made if missing); html writes one self-contained page (charts, printable\n"
              "on A4) to the file --out, or into --out if it is a directory.",
          .positionals = {kBankArg},
          .flags = {{"from", "DAY", "the first day, e.g. 2026-07-01"},
                    {"to", "DAY", "the last day, e.g. 2026-09-30"},
                    {"last-month", "", "instead of --from and --to: the month before this one"},
                    {"last-quarter", "", "instead of --from and --to: the quarter before this one"},
                    {"year", "YEAR", "instead of --from and --to: a calendar year, e.g. 2026"},
                    {"compare", "", "also show the previous period of the same length"},
                    {"format", "FORMAT", "table (the default), csv or html"},
                    {"out", "PATH", "where csv and html go (default: report-BANK-FROM-to-TO)"}},
          .examples =
              "  timeledger report hcct --from 2026-07-01 --to 2026-09-30 --compare\n"
              "  timeledger report hcct --from 2026-07-01 --to 2026-09-30 --format html --out "
              "q3.html\n"
              "  timeledger report hcct --from 2026-07-01 --to 2026-09-30 --format csv --out q3/\n"
              "  timeledger report hcct --last-quarter --compare\n"
              "  timeledger report hcct --year 2026 --format html --out 2026.html\n",
          .run = RunReport,
      },
      {
          .group = "statement-report",
          .summary = "an account's statement for a date range, with opening and closing balances",
          .description =
              "Prints the entries of an account recorded from --from to --to (both included),\n"
              "like a bank statement: the opening balance, each entry with the balance after\n"
              "it and the day the time was given, the totals earned, paid, given and received,\n"
              "and the closing balance. --format csv writes it to a file (--out). Its words are\n"
              "in the member's language (account set-language), or the one --language names.",
          .positionals = {kBankArg, {"ACCOUNT", "the account's id, e.g. alice"}},
          .flags = {{"from", "DAY", "the first day, e.g. 2026-07-01"},
                    {"to", "DAY", "the last day, e.g. 2026-09-30"},
                    {"last-month", "", "instead of --from and --to: the month before this one"},
                    {"last-quarter", "", "instead of --from and --to: the quarter before this one"},
                    {"year", "YEAR", "instead of --from and --to: a calendar year, e.g. 2026"},
                    {"format", "FORMAT", "table (the default) or csv"},
                    {"out", "FILE", "where the CSV goes"},
                    kStatementLanguageFlag},
          .examples = "  timeledger statement-report hcct alice --from 2026-07-01 --to 2026-09-30\n"
                      "  timeledger statement-report hcct alice --last-month\n",
          .run = RunStatementReport,
      },
  };
}

}  // namespace timeledger::cli
