// statement: one account's entries, oldest first, with its balance after each.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/paging.h"
#include "clients/cli/statement_lookups.h"
#include "clients/cli/statement_text.h"
#include "clients/cli/statement_words.h"

namespace timeledger::cli {
namespace {

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

  int exit_code = kExitOk;
  const std::optional<StatementWords> words =
      StatementWordsFor(args, connection, bank_id, account_id, &exit_code);
  if (!words.has_value()) return exit_code;
  const std::string erased = words->Say("party.erased");
  const AccountLabelOf label_of = [&connection, &bank_id, &erased](const std::string& id) {
    return connection.LabelOf(bank_id, id, erased);
  };
  std::fputs(
      StatementText(account, all, connection.BankTimeZone(bank_id), label_of, *words).c_str(),
      stdout);
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
              "after each entry; then the closing balance. It is written in the member's\n"
              "language (account set-language), or the one --language names; else English.",
          .positionals = {{"BANK", "the bank's id, e.g. hcct"},
                          {"ACCOUNT", "the account's id, e.g. alice"}},
          .flags = {kStatementLanguageFlag},
          .examples = "  timeledger statement hcct alice\n"
                      "  timeledger statement hcct alice --language bn\n",
          .run = RunStatement,
      },
  };
}

}  // namespace timeledger::cli
