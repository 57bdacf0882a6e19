#include "clients/cli/statement_text.h"

#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"

#include "clients/cli/table.h"

namespace timeledger::cli {
namespace {

namespace v1 = ::timeledger::v1;

// The statement's view of one entry: the other party, and the amount signed from the
// account's side (+ earned, - paid).
struct Side {
  std::string other_account_id;
  int64_t signed_minutes;
};

Side SideOf(const v1::Entry& entry, const std::string& account_id) {
  if (entry.to_account_id() == account_id) return {entry.from_account_id(), entry.minutes()};
  return {entry.to_account_id(), -entry.minutes()};
}

std::string Heading(const std::string& label, const std::string& bank_id,
                    const StatementWords& words) {
  return words.Say("statement.heading", {{"name", label}, {"bank", bank_id}});
}

// The table's headings, from the catalogue keys of its columns.
std::vector<std::string> Columns(const std::vector<const char*>& keys,
                                 const StatementWords& words) {
  std::vector<std::string> columns;
  for (const char* key : keys) columns.push_back(words.Say(key));
  return columns;
}

std::string RangeTable(const v1::Statement& statement, absl::TimeZone zone,
                       const AccountLabelOf& label_of, const StatementWords& words) {
  Table table(Columns({"column.seq", "column.recorded", "column.given_on", "column.kind",
                       "column.with", "column.activity", "column.amount", "column.balance"},
                      words));
  table.AlignRight(0);
  table.AlignRight(6);
  table.AlignRight(7);
  for (const v1::StatementLine& line : statement.lines()) {
    const v1::Entry& entry = line.entry();
    table.AddRow({absl::StrCat(entry.seq()), words.Day(entry.recorded_at(), zone),
                  words.Day(entry.occurred_at(), zone),
                  words.KindCell(entry, /*mark_reversed=*/false), label_of(line.other_account_id()),
                  words.Activity(entry),
                  words.SignedTime(line.signed_minutes(), /*zero_in_hours=*/true),
                  words.Time(line.balance_after_minutes(), /*zero_in_hours=*/true)});
  }
  return table.Render();
}

}  // namespace

std::string StatementText(const v1::Account& account, const v1::ListEntriesResponse& rows,
                          absl::TimeZone zone, const AccountLabelOf& label_of,
                          const StatementWords& words) {
  std::string out =
      absl::StrCat(Heading(label_of(account.account_id()), account.bank_id(), words), "\n\n");
  if (rows.rows().empty()) {
    return absl::StrCat(
        out, words.Say("statement.empty"), "\n\n",
        words.Say("statement.closing", {{"time", words.Time(account.balance_minutes())}}), "\n");
  }
  Table table(Columns({"column.seq", "column.date", "column.kind", "column.with", "column.activity",
                       "column.amount", "column.balance"},
                      words));
  table.AlignRight(0);
  table.AlignRight(5);
  table.AlignRight(6);
  for (const v1::EntryRow& row : rows.rows()) {
    const v1::Entry& entry = row.entry();
    const Side side = SideOf(entry, account.account_id());
    table.AddRow({absl::StrCat(entry.seq()), words.Day(entry.occurred_at(), zone),
                  words.KindCell(entry), label_of(side.other_account_id), words.Activity(entry),
                  words.SignedTime(side.signed_minutes),
                  words.Time(row.running_balance_minutes())});
  }
  const int64_t closing_minutes = rows.rows(rows.rows_size() - 1).running_balance_minutes();
  return absl::StrCat(out, table.Render(), "\n",
                      words.Say("statement.count_closing", {{"entries", int64_t{rows.rows_size()}},
                                                            {"time", words.Time(closing_minutes)}}),
                      "\n");
}

std::string StatementRangeText(const v1::Statement& statement, const AccountLabelOf& label_of,
                               const StatementWords& words) {
  absl::TimeZone zone = absl::UTCTimeZone();
  absl::LoadTimeZone(statement.time_zone(), &zone);
  const auto day = [&words](const v1::Date& date) {
    return words.Day(absl::CivilDay(date.year(), date.month(), date.day()));
  };
  std::string out = absl::StrCat(
      Heading(label_of(statement.account().account_id()), statement.bank_id(), words), "\n",
      words.Say("range.recorded",
                {{"first", day(statement.first_day())}, {"last", day(statement.last_day())}}),
      "\n\n",
      words.Say("range.opening", {{"time", words.Time(statement.opening_balance_minutes(), true)}}),
      "\n\n");
  if (statement.lines().empty()) {
    absl::StrAppend(&out, words.Say("range.empty"), "\n\n");
  } else {
    absl::StrAppend(&out, RangeTable(statement, zone, label_of, words), "\n");
  }
  const auto hours = [&words](int64_t minutes) { return words.Time(minutes, true); };
  absl::StrAppend(&out,
                  RenderFields({
                      {words.Say("total.earned"), hours(statement.earned_minutes())},
                      {words.Say("total.paid"), hours(statement.paid_minutes())},
                      {words.Say("total.given"), hours(statement.given_minutes())},
                      {words.Say("total.received"), hours(statement.received_minutes())},
                      {words.Say("total.closing"), hours(statement.closing_balance_minutes())},
                  }));
  return out;
}

}  // namespace timeledger::cli
