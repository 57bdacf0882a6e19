// bank create | get | list: the time banks on a server.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/paging.h"
#include "clients/cli/table.h"
#include "clients/cli/words.h"

namespace timeledger::cli {
namespace {

constexpr PositionalSpec kBankIdArg = {"BANK_ID", "the bank's short id, e.g. hcct"};

absl::TimeZone ZoneOf(const v1::Bank& bank) {
  absl::TimeZone zone = absl::UTCTimeZone();
  absl::LoadTimeZone(bank.time_zone(), &zone);
  return zone;
}

void PrintBank(const v1::Bank& bank) {
  const std::string fields = RenderFields({
      {"Time zone", bank.time_zone()},
      {"Opened", FormatDate(bank.created_at(), ZoneOf(bank))},
      {"Accounts", absl::StrCat(bank.account_count())},
      {"Entries", absl::StrCat(bank.entry_count())},
      {"Community pool", bank.pool_account_id()},
  });
  std::printf("%s\n%s", AccountLabel(bank.name(), bank.bank_id()).c_str(), fields.c_str());
}

int RunCreate(const ParsedArgs& args, Connection& connection) {
  v1::CreateBankRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_name(args.Value("name"));
  request.set_time_zone(args.Value("time-zone"));
  v1::Bank bank;
  const grpc::Status status = connection.Call(&v1::Banks::Stub::CreateBank, request, &bank);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(bank);
  std::printf("Created bank %s, with its community pool account '%s'.\n",
              AccountLabel(bank.name(), bank.bank_id()).c_str(), bank.pool_account_id().c_str());
  PrintBank(bank);
  return kExitOk;
}

int RunGet(const ParsedArgs& args, Connection& connection) {
  v1::GetBankRequest request;
  request.set_bank_id(args.Positional(0));
  v1::Bank bank;
  const grpc::Status status = connection.Call(&v1::Banks::Stub::GetBank, request, &bank);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(bank);
  PrintBank(bank);
  return kExitOk;
}

int RunList(const ParsedArgs&, Connection& connection) {
  v1::ListBanksResponse all;
  const grpc::Status status =
      ForEachPage(connection, &v1::Banks::Stub::ListBanks, v1::ListBanksRequest(),
                  [&all](const v1::ListBanksResponse& page) {
                    all.mutable_banks()->MergeFrom(page.banks());
                    return true;
                  });
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(all);
  if (all.banks().empty()) {
    std::printf("There are no banks yet. Create one with 'timeledger bank create'.\n");
    return kExitOk;
  }
  Table table({"Bank", "Name", "Time zone", "Accounts", "Entries"});
  table.AlignRight(3);
  table.AlignRight(4);
  for (const v1::Bank& bank : all.banks()) {
    table.AddRow({bank.bank_id(), bank.name(), bank.time_zone(), absl::StrCat(bank.account_count()),
                  absl::StrCat(bank.entry_count())});
  }
  std::fputs(table.Render().c_str(), stdout);
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> BankCommands() {
  return {
      {
          .group = "bank",
          .verb = "create",
          .summary = "create a time bank and its community pool",
          .description =
              "Creates a time bank: a set of accounts whose balances always add up to zero.\n"
              "Its community pool account (id 'pool') is opened with it.",
          .positionals = {kBankIdArg},
          .flags = {{"name", "NAME", "the bank's name as people know it", true},
                    {"time-zone", "ZONE", "where the bank is, for dates (default: Europe/London)"}},
          .examples = "  timeledger bank create hcct --name \"Holy Cross Centre\"\n",
          .run = RunCreate,
      },
      {
          .group = "bank",
          .verb = "get",
          .summary = "show one bank",
          .description =
              "Shows a bank's name, time zone, and how many accounts and entries it has.",
          .positionals = {kBankIdArg},
          .examples = "  timeledger bank get hcct\n",
          .run = RunGet,
      },
      {
          .group = "bank",
          .verb = "list",
          .summary = "list every bank on the server",
          .description = "Lists every bank on the server, in order of id.",
          .examples = "  timeledger bank list\n",
          .run = RunList,
      },
  };
}

}  // namespace timeledger::cli
