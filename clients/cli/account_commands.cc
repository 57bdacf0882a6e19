// account open | get | list | find | change | suspend | reactivate | close | reopen | erase: the
// accounts of one bank.
#include <chrono>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "clients/cli/bank_csv.h"
#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/duration.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/paging.h"
#include "clients/cli/table.h"
#include "clients/cli/words.h"
#include "clients/common/search_text.h"

namespace timeledger::cli {
namespace {

constexpr PositionalSpec kBankArg = {"BANK", "the bank's id, e.g. hcct"};
constexpr PositionalSpec kAccountArg = {"ACCOUNT", "the account's id, e.g. alice"};
// How long `account erase` waits for the erasure and the compaction after it.
constexpr std::chrono::seconds kEraseTimeout{15 * 60};
constexpr FlagSpec kFormatFlag = {
    "format", "FORMAT", "table (the default), or csv: accounts.csv's columns, with names"};

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
      {"Phone", account.phone()},
      {"Email", account.email()},
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

// Every account of `bank_id` that `keep` keeps, in order of id.
template <typename Keep>
grpc::Status ReadAccounts(Connection& connection, const std::string& bank_id, Keep keep,
                          v1::ListAccountsResponse* kept) {
  v1::ListAccountsRequest request;
  request.set_bank_id(bank_id);
  return ForEachPage(connection, &v1::Accounts::Stub::ListAccounts, request,
                     [&](const v1::ListAccountsResponse& page) {
                       for (const v1::Account& account : page.accounts()) {
                         if (keep(account)) *kept->add_accounts() = account;
                       }
                       return true;
                     });
}

// The accounts as a table, then "N accounts in bank B." (or `what` instead of "in bank B"); with
// --format csv, as accounts.csv (bank_csv.h).
int PrintAccounts(const ParsedArgs& args, const v1::ListAccountsResponse& accounts,
                  const std::string& what, Connection& connection) {
  if (connection.json()) return connection.PrintJson(accounts);
  const std::string format = args.Value("format", "table");
  if (format == "csv") {
    const std::string bank_id = args.Positional(0);
    std::fputs(AccountsCsv(accounts.accounts(), connection.BankTimeZone(bank_id)).c_str(), stdout);
    return kExitOk;
  }
  if (format != "table") {
    return args.ReportUsageError(absl::StrCat("--format must be table or csv, not '", format, "'"));
  }
  Table table({"Account", "Name", "Kind", "Status", "Balance"});
  table.AlignRight(4);
  for (const v1::Account& account : accounts.accounts()) {
    table.AddRow({account.account_id(), DisplayNameOf(account), KindAndRoles(account),
                  AccountStatusWords(account.status()), FormatMinutes(account.balance_minutes())});
  }
  std::printf("%s%d %s %s.\n", table.Render().c_str(), accounts.accounts_size(),
              accounts.accounts_size() == 1 ? "account" : "accounts", what.c_str());
  return kExitOk;
}

bool HasRole(const v1::Account& account, v1::Role role) {
  for (int held : account.roles()) {
    if (held == role) return true;
  }
  return false;
}

absl::StatusOr<v1::AccountStatus> ParseAccountStatus(absl::string_view text) {
  if (text == "active") return v1::ACTIVE;
  if (text == "suspended") return v1::SUSPENDED;
  if (text == "closed") return v1::CLOSED;
  return absl::InvalidArgumentError(
      absl::StrCat("--status must be active, suspended or closed, not '", text, "'"));
}

// Whether `account`'s balance is below the floor its bank's policy sets it now (GetAccount says;
// a floor is never above 0, so only an account below 0 is asked about).
absl::StatusOr<bool> BelowFloor(const v1::Account& account, Connection& connection) {
  if (account.balance_minutes() >= 0) return false;
  v1::GetAccountRequest request;
  request.set_bank_id(account.bank_id());
  request.set_account_id(account.account_id());
  v1::Account standing;
  const grpc::Status status = connection.Call(&v1::Accounts::Stub::GetAccount, request, &standing);
  if (!status.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot read account ", account.account_id(), ": ", status.error_message()));
  }
  // With the policy's floors off there is no floor: what it can pay is unbounded (INT64_MAX).
  const bool floors_on = standing.available_minutes() != std::numeric_limits<int64_t>::max();
  return floors_on && standing.balance_minutes() < standing.floor_minutes();
}

// After an account is opened: warns if another account of the bank has the same name, folded
// as a search folds it (so "Jose Garcia" and "José García" are the same name).
void WarnOfSameName(const v1::Account& opened, Connection& connection) {
  const std::string name = clients::FoldForSearch(opened.display_name());
  if (name.empty()) return;
  v1::ListAccountsResponse same;
  const grpc::Status status = ReadAccounts(
      connection, opened.bank_id(),
      [&](const v1::Account& account) {
        return account.account_id() != opened.account_id() &&
               clients::FoldForSearch(account.display_name()) == name;
      },
      &same);
  if (!status.ok()) return;  // a nicety: the account is open either way
  for (const v1::Account& account : same.accounts()) {
    std::fprintf(
        stderr,
        "warning: %s also has this name (opened %s): check this is not the same person "
        "opened twice\n",
        AccountLabel(account.display_name(), account.account_id()).c_str(),
        FormatDate(account.opened_at(), connection.BankTimeZone(account.bank_id())).c_str());
  }
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
  request.set_phone(args.Value("phone"));
  request.set_email(args.Value("email"));
  v1::Account account;
  const grpc::Status status = connection.Call(&v1::Accounts::Stub::OpenAccount, request, &account);
  if (!status.ok()) return connection.ReportFailure(status);
  WarnOfSameName(account, connection);
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
  const std::string bank_id = args.Positional(0);
  std::optional<v1::AccountKind> kind;
  std::optional<v1::Role> role;
  std::optional<v1::AccountStatus> status_wanted;
  if (args.Has("kind")) {
    const absl::StatusOr<v1::AccountKind> parsed = ParseAccountKind(args.Value("kind"));
    if (!parsed.ok()) return args.ReportUsageError(std::string(parsed.status().message()));
    kind = *parsed;
  }
  if (args.Has("role")) {
    const absl::StatusOr<std::vector<v1::Role>> parsed = ParseRoles(args.Value("role"));
    if (!parsed.ok()) return args.ReportUsageError(std::string(parsed.status().message()));
    if (parsed->size() != 1) return args.ReportUsageError("--role takes one role");
    role = parsed->front();
  }
  if (args.Has("status")) {
    const absl::StatusOr<v1::AccountStatus> parsed = ParseAccountStatus(args.Value("status"));
    if (!parsed.ok()) return args.ReportUsageError(std::string(parsed.status().message()));
    status_wanted = *parsed;
  }
  const bool below_floor = args.Has("below-floor");
  absl::Status floor_error;
  v1::ListAccountsResponse kept;
  const grpc::Status status = ReadAccounts(
      connection, bank_id,
      [&](const v1::Account& account) {
        if (kind.has_value() && account.kind() != *kind) return false;
        if (role.has_value() && !HasRole(account, *role)) return false;
        if (status_wanted.has_value() && account.status() != *status_wanted) return false;
        if (!below_floor || !floor_error.ok()) return floor_error.ok();
        const absl::StatusOr<bool> below = BelowFloor(account, connection);
        if (!below.ok()) floor_error = below.status();
        return below.ok() && *below;
      },
      &kept);
  if (!status.ok()) return connection.ReportFailure(status);
  if (!floor_error.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(floor_error.message()).c_str());
    return kExitRefused;
  }
  const bool filtered = kind || role || status_wanted || below_floor;
  return PrintAccounts(args, kept, absl::StrCat(filtered ? "match in bank " : "in bank ", bank_id),
                       connection);
}

int RunFind(const ParsedArgs& args, Connection& connection) {
  const std::string bank_id = args.Positional(0);
  const std::string query = args.Positional(1);
  if (clients::FoldForSearch(query).empty()) {
    return args.ReportUsageError("NAME must hold a letter or a digit to search for");
  }
  v1::ListAccountsResponse found;
  const grpc::Status status = ReadAccounts(
      connection, bank_id,
      [&query](const v1::Account& account) {
        return clients::MatchesSearch(
            absl::StrCat(account.display_name(), " ", account.account_id()), query);
      },
      &found);
  if (!status.ok()) return connection.ReportFailure(status);
  return PrintAccounts(args, found, absl::StrCat("in bank ", bank_id, " match \"", query, "\""),
                       connection);
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
  request.set_write_off_debt_to_pool(args.Has("write-off-debt"));
  v1::Account account;
  const grpc::Status status = connection.Call(&v1::Accounts::Stub::CloseAccount, request, &account);
  if (!status.ok()) return connection.ReportFailure(status);
  if (account.status() != v1::CLOSED) {
    // The bank's policy wants four eyes on a write-off: this close asked for it.
    return ShowAccount(
        account,
        absl::StrCat("The write-off of ", LabelOf(account), "'s debt of ",
                     FormatMinutes(-account.balance_minutes()),
                     " waits for a second coordinator, as this bank's policy asks: the account "
                     "stays open until another coordinator closes it with --write-off-debt too."),
        connection);
  }
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
      case v1::PERSONAL_FIELD_PHONE:
        words.push_back("phone number");
        break;
      case v1::PERSONAL_FIELD_EMAIL:
        words.push_back("email");
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

int RunChange(const ParsedArgs& args, Connection& connection) {
  v1::ChangeAccountRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  request.set_display_name(args.Value("name"));
  if (args.Has("roles")) {
    const absl::StatusOr<std::vector<v1::Role>> roles = ParseRoles(args.Value("roles"));
    if (!roles.ok()) return args.ReportUsageError(std::string(roles.status().message()));
    for (v1::Role role : *roles) request.add_roles(role);
  }
  for (const char* field : {"phone", "email"}) {
    const std::string clear = absl::StrCat("clear-", field);
    if (args.Has(field) && args.Has(clear)) {
      return args.ReportUsageError(absl::StrCat("give --", field, " or --", clear, ", not both"));
    }
  }
  if (args.Has("phone")) request.set_phone(args.Value("phone"));
  if (args.Has("clear-phone")) request.set_phone("");
  if (args.Has("email")) request.set_email(args.Value("email"));
  if (args.Has("clear-email")) request.set_email("");
  if (request.display_name().empty() && request.roles().empty() && !request.has_phone() &&
      !request.has_email()) {
    return args.ReportUsageError("give --name, --roles, --phone or --email (or a --clear- one)");
  }
  v1::Account account;
  const grpc::Status status =
      connection.Call(&v1::Accounts::Stub::ChangeAccount, request, &account);
  if (!status.ok()) return connection.ReportFailure(status);
  if (!request.display_name().empty()) WarnOfSameName(account, connection);
  return ShowAccount(account, absl::StrCat("Changed ", LabelOf(account), "."), connection);
}

int RunReopen(const ParsedArgs& args, Connection& connection) {
  v1::ReopenAccountRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  request.set_reason(args.Value("reason"));
  v1::Account account;
  const grpc::Status status =
      connection.Call(&v1::Accounts::Stub::ReopenAccount, request, &account);
  if (!status.ok()) return connection.ReportFailure(status);
  return ShowAccount(
      account, absl::StrCat(LabelOf(account), " is open again: it can earn and pay."), connection);
}

int RunErase(const ParsedArgs& args, Connection& connection) {
  v1::ErasePersonalDataRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Positional(1));
  request.set_reason(args.Value("reason"));
  v1::ErasePersonalDataResponse response;
  // The server answers after compacting the store's files, which takes as long as rewriting the
  // bank's personal ranges: more than an ordinary call's deadline on a large ledger.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kEraseTimeout);
  connection.Authorize(&context);
  const grpc::Status status =
      v1::Accounts::Stub(connection.channel()).ErasePersonalData(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    std::fprintf(stderr,
                 "error: no answer within %lld minutes: the erasure may have been done. Check "
                 "with 'timeledger account get %s %s' (an erased member shows as one), and run "
                 "this again if not: erasing again does no harm.\n",
                 static_cast<long long>(kEraseTimeout.count() / 60), request.bank_id().c_str(),
                 request.account_id().c_str());
    return kExitUnreachable;
  }
  if (!status.ok()) return connection.ReportFailure(status);
  connection.Remember(response.account());
  if (connection.json()) return connection.PrintJson(response);
  const std::string& id = response.account().account_id();
  const std::string fields = PersonalFieldsWords(response.fields());
  std::printf("Erased the personal data of %s%s.\n", id.c_str(),
              fields.empty() ? " (none was held)" : absl::StrCat(": ", fields).c_str());
  std::printf(
      "Balances, entries, reports and proofs stay, under the id %s; the ledger still "
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
                     "(default: member)"},
                    {"phone", "PHONE", "how staff ring them, e.g. \"020 7946 0000\""},
                    {"email", "EMAIL", "how staff write to them"}},
          .examples =
              "  timeledger account open hcct alice --kind person --roles member,volunteer "
              "--name \"Alice Brown\" --phone \"020 7946 0000\"\n"
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
          .summary = "list the accounts of a bank with their balances, or those that match",
          .description =
              "Lists the accounts of a bank, in order of id, with their balances: all of them,\n"
              "or those of one kind, role or status, or those whose balance is below the floor\n"
              "the bank's policy sets them.",
          .positionals = {kBankArg},
          .flags = {{"kind", "KIND", "only person, organisation or pool accounts"},
                    {"role", "ROLE", "only people with this role: member, volunteer or staff"},
                    {"status", "STATUS", "only active, suspended or closed accounts"},
                    {"below-floor", "", "only accounts whose balance is below their floor"},
                    kFormatFlag},
          .examples = "  timeledger account list hcct\n"
                      "  timeledger account list hcct --role volunteer --status active\n"
                      "  timeledger account list hcct --below-floor\n",
          .run = RunList,
      },
      {
          .group = "account",
          .verb = "find",
          .summary = "find accounts by name or id, accents and case ignored",
          .description =
              "Lists the accounts whose name or id holds every word of NAME, wherever in it:\n"
              "\"jose garc\" finds José García, \"oneill\" finds Maria O'Neill. Case, accents\n"
              "and apostrophes do not matter.",
          .positionals = {kBankArg, {"NAME", "the words to look for, in quotes if more than one"}},
          .flags = {kFormatFlag},
          .examples = "  timeledger account find hcct \"jose garcia\"\n"
                      "  timeledger account find hcct oneill\n",
          .run = RunFind,
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
              "Closes an account. Its balance must be 0 minutes first, or, with\n"
              "--donate-to-pool, a positive balance is given to the community pool in the same\n"
              "step; with --write-off-debt the pool takes on a negative balance (an entry from\n"
              "the pool, \"debt written off\", noting --reason, which it then needs), if the\n"
              "pool's floor allows. Its entries stay on record and can still be read. An\n"
              "account closed by mistake can be reopened (account reopen).",
          .positionals = {kBankArg, kAccountArg},
          .flags = {{"reason", "TEXT", "why, for the record"},
                    {"donate-to-pool", "", "first give a positive balance to the pool"},
                    {"write-off-debt", "", "first let the pool take on a negative balance"}},
          .examples = "  timeledger account close hcct bob --reason \"moved away\"\n"
                      "  timeledger account close hcct dev --write-off-debt "
                      "--reason \"passed away; agreed at the team meeting\"\n",
          .run = RunClose,
      },
      {
          .group = "account",
          .verb = "change",
          .summary = "correct an account's name, a person's roles or the contact details",
          .description =
              "Changes the name people know an account by, a person's roles, its phone number\n"
              "and email, any of them; recorded in the journal with who changed them and when\n"
              "(the phone and email as personal data, erased with the member's). The id stays.",
          .positionals = {kBankArg, kAccountArg},
          .flags = {{"name", "NAME", "the new name"},
                    {"roles", "ROLES", "a person's new roles: member, volunteer, staff"},
                    {"phone", "PHONE", "the new phone number"},
                    {"email", "EMAIL", "the new email"},
                    {"clear-phone", "", "take the phone number away"},
                    {"clear-email", "", "take the email away"}},
          .examples =
              "  timeledger account change hcct maria --name \"Maria O'Neill-Byrne\"\n"
              "  timeledger account change hcct bob --roles member,volunteer\n"
              "  timeledger account change hcct bob --phone \"07700 900123\" --clear-email\n",
          .run = RunChange,
      },
      {
          .group = "account",
          .verb = "reopen",
          .summary = "reopen an account that was closed by mistake",
          .description =
              "Reopens a closed account: it can earn and pay again. Recorded in the journal\n"
              "with the reason, which is required.",
          .positionals = {kBankArg, kAccountArg},
          .flags = {{"reason", "TEXT", "why it is reopened", true}},
          .examples = "  timeledger account reopen hcct bob --reason \"closed by mistake\"\n",
          .run = RunReopen,
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
          .examples = "  timeledger account erase hcct m-0042 --reason \"erasure request SAR-17 of "
                      "2 Dec\"\n",
          .run = RunErase,
      },
  };
}

}  // namespace timeledger::cli
