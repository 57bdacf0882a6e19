// statement: one account's entries, oldest first, with its balance after each.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/duration.h"
#include "clients/cli/entry_text.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/paging.h"
#include "clients/cli/table.h"
#include "clients/cli/words.h"

namespace timeledger::cli {
namespace {

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

int RunStatement(const ParsedArgs& args, Connection& connection) {
  const std::string bank_id = args.Positional(0);
  const std::string account_id = args.Positional(1);
  v1::GetAccountRequest account_request;
  account_request.set_bank_id(bank_id);
  account_request.set_account_id(account_id);
  v1::Account account;
  grpc::Status status = connection.Call(&v1::Accounts::Stub::GetAccount, account_request, &account);
  if (!status.ok()) return connection.ReportFailure(status);
  connection.Remember(account);

  v1::ListEntriesRequest request;
  request.set_bank_id(bank_id);
  request.set_account_id(account_id);
  v1::ListEntriesResponse all;
  status = ForEachPage(connection, &v1::Ledger::Stub::ListEntries, request,
                       [&all](const v1::ListEntriesResponse& page) {
                         all.mutable_rows()->MergeFrom(page.rows());
                         return true;
                       });
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(all);

  std::printf("Statement for %s, bank %s\n\n",
              AccountLabel(account.display_name(), account_id).c_str(), bank_id.c_str());
  if (all.rows().empty()) {
    std::printf("No entries yet.\n\nClosing balance: %s\n",
                FormatMinutes(account.balance_minutes()).c_str());
    return kExitOk;
  }
  const absl::TimeZone zone = connection.BankTimeZone(bank_id);
  Table table({"Seq", "Date", "Kind", "With", "Activity", "Amount", "Balance"});
  table.AlignRight(0);
  table.AlignRight(5);
  table.AlignRight(6);
  for (const v1::EntryRow& row : all.rows()) {
    const v1::Entry& entry = row.entry();
    const Side side = SideOf(entry, account_id);
    table.AddRow({absl::StrCat(entry.seq()), FormatDate(entry.occurred_at(), zone),
                  EntryKindCell(entry), connection.LabelOf(bank_id, side.other_account_id),
                  entry.activity(), FormatSignedMinutes(side.signed_minutes),
                  FormatMinutes(row.running_balance_minutes())});
  }
  const int64_t closing_minutes = all.rows(all.rows_size() - 1).running_balance_minutes();
  std::printf("%s\n%d %s. Closing balance: %s\n", table.Render().c_str(), all.rows_size(),
              all.rows_size() == 1 ? "entry" : "entries", FormatMinutes(closing_minutes).c_str());
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> StatementCommands() {
  return {
      {
          .group = "statement",
          .summary = "one account's entries with the balance after each",
          .description =
              "Prints an account's statement: every entry that touched it, oldest first, with\n"
              "who the time was with, + for time earned and - for time paid, and the balance\n"
              "after each entry; then the closing balance.",
          .positionals = {{"BANK", "the bank's id, e.g. hcct"},
                          {"ACCOUNT", "the account's id, e.g. alice"}},
          .examples = "  timeledger statement hcct alice\n",
          .run = RunStatement,
      },
  };
}

}  // namespace timeledger::cli
