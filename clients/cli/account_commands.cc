// account open | get | list | suspend | reactivate | close | erase: the accounts of one bank.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/duration.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/paging.h"
#include "clients/cli/table.h"
#include "clients/cli/words.h"

namespace timeledger::cli {
namespace {

constexpr PositionalSpec kBankArg = {"BANK", "the bank's id, e.g. hcct"};
constexpr PositionalSpec kAccountArg = {"ACCOUNT", "the account's id, e.g. alice"};

std::string KindAndRoles(const v1::Account& account) {
  const std::string roles = RolesWords(account.roles());
  const std::string kind = AccountKindWords(account.kind());
  return roles.empty() ? kind : absl::StrCat(kind, " (", roles, ")");
}

std::string StatusSentence(const v1::Account& account) {
  switch (account.status()) {
    case v1::SUSPENDED:
      return "suspended: cannot earn or pay until reactivated";
    case v1::CLOSED:
      return "closed: kept for the record, no new entries";
    default:
      return AccountStatusWords(account.status());
  }
}

// What the bank's policy makes of an account, when the server reported it (GetAccount does):
// pending holds, what it can still pay, and its give-and-take over the policy's window.
void PrintStanding(const v1::Account& account) {
  std::vector<std::pair<std::string, std::string>> fields;
  if (account.held_minutes() != 0) {
    fields.emplace_back("Held", absl::StrCat(FormatMinutes(account.held_minutes()),
                                             " promised by entries waiting for confirmation"));
  }
  if (account.pending_in_minutes() != 0) {
    fields.emplace_back("Waiting", absl::StrCat(FormatMinutes(account.pending_in_minutes()),
                                                " to come once confirmed"));
  }
  if (account.has_reciprocity()) {
    fields.emplace_back("Can still pay", FormatMinutes(account.available_minutes()));
    if (account.kind() == v1::PERSON) {
      fields.emplace_back(
          absl::StrCat("Last ", account.reciprocity().window_days(), " days"),
          absl::StrCat("gave ", FormatMinutes(account.reciprocity().given_minutes()), ", received ",
                       FormatMinutes(account.reciprocity().received_minutes())));
    }
  }
  if (!fields.empty()) std::fputs(RenderFields(fields).c_str(), stdout);
}

void PrintAccount(const v1::Account& account, absl::TimeZone zone) {
  const std::string fields = RenderFields({
      {"Bank", account.bank_id()},
      {"Kind", KindAndRoles(account)},
      {"Status", StatusSentence(account)},
      {"Balance", FormatMinutes(account.balance_minutes())},
      {"Earned", FormatMinutes(account.earned_minutes())},
      {"Spent", FormatMinutes(account.spent_minutes())},
      {"Entries", absl::StrCat(account.entry_count())},
      {"Opened", FormatDate(account.opened_at(), zone)},
  });
  std::printf("%s\n%s", AccountLabel(DisplayNameOf(account), account.account_id()).c_str(),
              fields.c_str());
  PrintStanding(account);
}

// Shows an account that a call returned, as JSON or in words after `headline`.

int ShowAccount(const v1::Account& account, const std::string& headline, Connection& connection) {
  connection.Remember(account);
  if (connection.json()) return connection.PrintJson(account);
  if (!headline.empty()) std::printf("%s\n", headline.c_str());
  PrintAccount(account, connection.BankTimeZone(account.bank_id()));
  return kExitOk;
}

std::string LabelOf(const v1::Account& account) {
  return AccountLabel(DisplayNameOf(account), account.account_id());
}

int RunOpen(const ParsedArgs& args, Connection& connection) {
  const absl::StatusOr<v1::AccountKind> kind = ParseAccountKind(args.Value("kind"));
  if (!kind.ok()) return args.ReportUsageError(std::string(kind.status().message()));
  v1::OpenAccountRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  request.set_kind(*kind);
  request.set_display_name(args.Value("name"));
  if (args.Has("roles")) {
    const absl::StatusOr<std::vector<v1::Role>> roles = ParseRoles(args.Value("roles"));
    if (!roles.ok()) return args.ReportUsageError(std::string(roles.status().message()));
    for (v1::Role role : *roles) request.add_roles(role);
  }
  v1::Account account;
  const grpc::Status status = connection.Call(&v1::Accounts::Stub::OpenAccount, request, &account);
  if (!status.ok()) return connection.ReportFailure(status);
  return ShowAccount(account, absl::StrCat("Opened an account for ", LabelOf(account), "."),
                     connection);
}

int RunGet(const ParsedArgs& args, Connection& connection) {
  v1::GetAccountRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  v1::Account account;
  const grpc::Status status = connection.Call(&v1::Accounts::Stub::GetAccount, request, &account);
  if (!status.ok()) return connection.ReportFailure(status);
  return ShowAccount(account, "", connection);
}

int RunList(const ParsedArgs& args, Connection& connection) {
  v1::ListAccountsRequest request;
  request.set_bank_id(args.Positional(0));
  v1::ListAccountsResponse all;
  const grpc::Status status = ForEachPage(connection, &v1::Accounts::Stub::ListAccounts, request,
                                          [&all](const v1::ListAccountsResponse& page) {
                                            all.mutable_accounts()->MergeFrom(page.accounts());
                                            return true;
                                          });
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(all);
  Table table({"Account", "Name", "Kind", "Status", "Balance"});
  table.AlignRight(4);
  for (const v1::Account& account : all.accounts()) {
    table.AddRow({account.account_id(), DisplayNameOf(account), KindAndRoles(account),
                  AccountStatusWords(account.status()), FormatMinutes(account.balance_minutes())});
  }
  std::printf("%s%d %s in bank %s.\n", table.Render().c_str(), all.accounts_size(),
              all.accounts_size() == 1 ? "account" : "accounts", args.Positional(0).c_str());
  return kExitOk;
}

int RunSuspend(const ParsedArgs& args, Connection& connection) {
  v1::SuspendAccountRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  request.set_reason(args.Value("reason"));
  v1::Account account;
  const grpc::Status status =
      connection.Call(&v1::Accounts::Stub::SuspendAccount, request, &account);
  if (!status.ok()) return connection.ReportFailure(status);
  return ShowAccount(account,
                     absl::StrCat(LabelOf(account),
                                  " is suspended: no time can be earned or paid until it is "
                                  "reactivated."),
                     connection);
}

int RunReactivate(const ParsedArgs& args, Connection& connection) {
  v1::ReactivateAccountRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  v1::Account account;
  const grpc::Status status =
      connection.Call(&v1::Accounts::Stub::ReactivateAccount, request, &account);
  if (!status.ok()) return connection.ReportFailure(status);
  return ShowAccount(account, absl::StrCat(LabelOf(account), " is active again."), connection);
}

int RunClose(const ParsedArgs& args, Connection& connection) {
  v1::CloseAccountRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  request.set_reason(args.Value("reason"));
  request.set_donate_balance_to_pool(args.Has("donate-to-pool"));
  v1::Account account;
  const grpc::Status status = connection.Call(&v1::Accounts::Stub::CloseAccount, request, &account);
  if (!status.ok()) return connection.ReportFailure(status);
  return ShowAccount(account,
                     absl::StrCat(LabelOf(account),
                                  " is closed. Its entries stay on record and can still be read."),
                     connection);
}

// "names, card numbers and notes".
std::string PersonalFieldsWords(const google::protobuf::RepeatedField<int>& fields) {
  std::vector<std::string> words;
  for (int field : fields) {
    switch (static_cast<v1::PersonalField>(field)) {
      case v1::PERSONAL_FIELD_DISPLAY_NAME:
        words.push_back("name");
        break;
      case v1::PERSONAL_FIELD_CARD_NUMBER:
        words.push_back("card (number and PIN)");
        break;
      case v1::PERSONAL_FIELD_NOTE:
        words.push_back("notes of their entries");
        break;
      case v1::PERSONAL_FIELD_REASON:
        words.push_back("reasons given in their records");
        break;
      default:
        words.push_back(absl::StrCat("personal field ", field));
    }
  }
  if (words.empty()) return "";
  std::string text = words.back();
  if (words.size() > 1) {
    words.pop_back();
    text = absl::StrCat(absl::StrJoin(words, ", "), " and ", text);
  }
  return text;
}

int RunErase(const ParsedArgs& args, Connection& connection) {
  v1::ErasePersonalDataRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  request.set_reason(args.Value("reason"));
  v1::ErasePersonalDataResponse response;
  const grpc::Status status =
      connection.Call(&v1::Accounts::Stub::ErasePersonalData, request, &response);
  if (!status.ok()) return connection.ReportFailure(status);
  connection.Remember(response.account());
  if (connection.json()) return connection.PrintJson(response);
  const std::string& id = response.account().account_id();
  const std::string fields = PersonalFieldsWords(response.fields());
  std::printf("Erased the personal data of %s%s.\n", id.c_str(),
              fields.empty() ? " (none was held)" : absl::StrCat(": ", fields).c_str());
  std::printf("Balances, entries, reports and proofs stay, under the id %s; the ledger still "
              "verifies.\n",
              id.c_str());
  if (response.files_compacted()) {
    std::printf("The store's files no longer hold the erased values.\n");
  } else {
    std::fprintf(stderr,
                 "warning: the store's files may still hold the erased values until RocksDB "
                 "compacts them: %s\n",
                 response.compaction_error().c_str());
  }
  if (response.values_in_old_facts()) {
    std::fprintf(stderr,
                 "warning: this bank has facts written before timeledgerd kept personal data "
                 "apart (layout 4): values of %s in them stay in the journal (docs/PRIVACY.md).\n",
                 id.c_str());
  }
  std::printf("Backups made before now still hold the values: erase again after any restore.\n");
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> AccountCommands() {
  return {
      {
          .group = "account",
          .verb = "open",
          .summary = "open an account for a person, an organisation or a pool",
          .description = "Opens an account with a balance of 0 minutes.",
          .positionals = {kBankArg, kAccountArg},
          .flags = {{"kind", "KIND", "person, organisation or pool", true},
                    {"name", "NAME", "the name people know the account by", true},
                    {"roles", "ROLES",
                     "for a person: member, volunteer, staff, separated by commas "
                     "(default: member)"}},
          .examples =
              "  timeledger account open hcct alice --kind person --roles member,volunteer "
              "--name \"Alice Brown\"\n"
              "  timeledger account open hcct cafe --kind organisation --name \"The Caf\u00e9\"\n",
          .run = RunOpen,
      },
      {
          .group = "account",
          .verb = "get",
          .summary = "show an account's balance, what it earned and spent, and its status",
          .description =
              "Shows one account: its balance, the time it has earned and spent in all,\n"
              "and whether it is active, suspended or closed.",
          .positionals = {kBankArg, kAccountArg},
          .examples = "  timeledger account get hcct alice\n",
          .run = RunGet,
      },
      {
          .group = "account",
          .verb = "list",
          .summary = "list every account of a bank with its balance",
          .description = "Lists every account of a bank, in order of id, with its balance.",
          .positionals = {kBankArg},
          .examples = "  timeledger account list hcct\n",
          .run = RunList,
      },
      {
          .group = "account",
          .verb = "suspend",
          .summary = "stop an account earning or paying until it is reactivated",
          .description =
              "Suspends an account: it can neither earn nor pay until it is reactivated.\n"
              "Its balance and entries are kept.",
          .positionals = {kBankArg, kAccountArg},
          .flags = {{"reason", "TEXT", "why, for the record"}},
          .examples = "  timeledger account suspend hcct bob --reason \"away until March\"\n",
          .run = RunSuspend,
      },
      {
          .group = "account",
          .verb = "reactivate",
          .summary = "let a suspended account earn and pay again",
          .description = "Reactivates a suspended account.",
          .positionals = {kBankArg, kAccountArg},
          .examples = "  timeledger account reactivate hcct bob\n",
          .run = RunReactivate,
      },
      {
          .group = "account",
          .verb = "close",
          .summary = "close an account for good (its balance must be 0)",
          .description =
              "Closes an account for good. Its balance must be 0 minutes first, or,\n"
              "with --donate-to-pool, a positive balance is given to the community pool\n"
              "in the same step. Its entries stay on record and can still be read.",
          .positionals = {kBankArg, kAccountArg},
          .flags = {{"reason", "TEXT", "why, for the record"},
                    {"donate-to-pool", "", "first give a positive balance to the pool"}},
          .examples = "  timeledger account close hcct bob --reason \"moved away\"\n",
          .run = RunClose,
      },
      {
          .group = "account",
          .verb = "erase",
          .summary = "erase a member's personal data for good (a right-to-erasure request)",
          .description =
              "Destroys a member's personal data: their name, card number and PIN, and the\n"
              "notes and reasons of their entries and records. It cannot be undone. Their\n"
              "balance, entries, reports and proofs stay, under the account's id, and the\n"
              "ledger still verifies; statements show them as \"an erased member\". The\n"
              "store's files are compacted so that none holds the values any more. Backups\n"
              "made before keep them: erase again after restoring one (docs/PRIVACY.md).",
          .positionals = {kBankArg, kAccountArg},
          .flags = {{"reason", "TEXT",
                     "why, for the record: the request's reference, not the member's name", true}},
          .examples = "  timeledger account erase hcct m-0042 --reason \"erasure request SAR-17 of 2 Dec\"\n",
          .run = RunErase,
      },
  };
}

}  // namespace timeledger::cli
