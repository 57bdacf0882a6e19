// import timeoverflow, import generic: a bank moved in from another system (import_files.h reads
// the files). The files are read whole and every row checked before anything is written; a file
// with a refused row is refused whole, each such row named by its line. Then the accounts are
// opened (with the day each member joined), the entries recorded as imported entries in atomic
// batches of 1,000, several in flight, and each account's balance from the files is compared
// with the ledger's. Every entry has an idempotency key made from its row, so a second run (or a
// run after an interruption) records nothing twice.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/import_files.h"
#include "clients/cli/paging.h"
#include "clients/common/error_info.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"

namespace timeledger::cli {
namespace {

// Entries in one RecordEntries call (the server's kBatchSizeMax) and calls in flight at once.
constexpr size_t kImportBatch = 1000;
constexpr size_t kImportCallsInFlight = 8;
constexpr size_t kImportAccountCallsInFlight = 8;
// A file larger than this is refused before it is read.
constexpr std::uintmax_t kImportFileBytesMax = 1ull << 30;
constexpr std::chrono::seconds kImportCallTimeout{120};
constexpr char kImportReason[] = "moved in by timeledger import";
// Tries of an erasure that the writer put off (BUSY), about 5 s in all.
constexpr int kEraseAttemptsMax = 8;

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) {
    std::fprintf(stderr, "error: cannot read %s: %s\n", path.c_str(), error.message().c_str());
    return std::nullopt;
  }
  if (size > kImportFileBytesMax) {
    std::fprintf(stderr, "error: %s is larger than 1 GiB: split it\n", path.c_str());
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) {
    std::fprintf(stderr, "error: cannot read %s\n", path.c_str());
    return std::nullopt;
  }
  return text.str();
}

std::string BaseName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

std::string Hours(int64_t minutes) {
  const int64_t magnitude = minutes < 0 ? -minutes : minutes;
  return absl::StrFormat("%s%d:%02d", minutes < 0 ? "-" : "", magnitude / 60, magnitude % 60);
}

void SetTime(absl::Time time, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(time);
  out->set_seconds(micros / 1'000'000);
  out->set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
}

// Runs `work(i)` for i in [0, count) on `threads` threads; stops handing out work once one fails.
template <typename Work>
bool RunInParallel(size_t count, size_t threads, Work work) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> pool;
  for (size_t t = 0; t < std::min(threads, count); ++t) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < count && !failed; i = next++) {
        if (!work(i)) failed = true;
      }
    });
  }
  for (std::thread& thread : pool) thread.join();
  return !failed;
}

struct Existing {
  std::map<std::string, v1::Account> accounts;  // the bank's, by id
};

// What the bank holds now, for the ids a plan may take and what it finds already there.
grpc::Status ReadAccounts(Connection& connection, const std::string& bank_id, Existing* existing) {
  existing->accounts.clear();
  v1::ListAccountsRequest request;
  request.set_bank_id(bank_id);
  return ForEachPage(connection, &v1::Accounts::Stub::ListAccounts, request,
                     [existing](const v1::ListAccountsResponse& page) {
                       for (const v1::Account& account : page.accounts()) {
                         existing->accounts[account.account_id()] = account;
                       }
                       return true;
                     });
}

// Accounts of the plan already in the bank: the same account (same kind and name, or erased) is
// not opened again; an id taken by another account refuses the import.
std::set<std::string> Reconcile(ImportPlan& plan, const ImportOptions& options) {
  std::set<std::string> present;
  for (const ImportAccount& account : plan.accounts) {
    auto it = options.existing.find(account.account_id);
    if (it == options.existing.end()) continue;
    const ImportOptions::Existing& there = it->second;
    if (!SameAccount(there, account)) {
      plan.Refuse(account.where,
                  absl::StrCat("account ", account.account_id, " is in the bank already, as ",
                               there.name.empty() ? "an erased member" : "\"" + there.name + "\"",
                               " (not opened by an earlier run of this import): give it another "
                               "id"));
      continue;
    }
    present.insert(account.account_id);
  }
  return present;
}

// The imported entry that gives an account its opening balance, against the pool.
ImportEntry OpeningBalance(const ImportAccount& account) {
  ImportEntry entry;
  entry.entry_id = absl::StrCat("opening-balance-", account.account_id);
  const bool positive = account.opening_balance_minutes > 0;
  entry.kind = positive ? v1::GRANT : v1::DONATION;
  entry.from_account_id = positive ? "pool" : account.account_id;
  entry.to_account_id = positive ? account.account_id : "pool";
  entry.minutes = positive ? account.opening_balance_minutes : -account.opening_balance_minutes;
  entry.activity = kOpeningBalanceActivity;
  entry.occurred_at = account.opening_balance_at;
  entry.where = account.where;
  return entry;
}

v1::RecordEntryRequest RequestOf(const std::string& bank_id, const ImportEntry& entry,
                                 uint64_t reverses_seq) {
  v1::RecordEntryRequest request;
  request.set_bank_id(bank_id);
  request.set_entry_id(entry.entry_id);
  request.set_kind(entry.kind);
  request.set_from_account_id(entry.from_account_id);
  request.set_to_account_id(entry.to_account_id);
  request.set_minutes(entry.minutes);
  request.set_activity(entry.activity);
  request.set_note(entry.note);
  if (entry.occurred_at != absl::InfinitePast()) {
    SetTime(entry.occurred_at, request.mutable_occurred_at());
  }
  request.set_imported(true);
  request.set_reverses_seq(reverses_seq);
  return request;
}

// What RecordAll counted, and the seq of each entry by id (for the reversals that follow).
struct Recorded {
  std::atomic<size_t> added{0};
  std::atomic<size_t> replayed{0};
  std::mutex mu;
  std::map<std::string, uint64_t> seqs;  // entry id -> seq, for reversals
  std::string failure;                   // the first refusal, said as the user reads it
};

// Records `entries` in atomic batches, several in flight, each reversal pointing at the seq its
// original got (`reversed_ids`: source seq -> entry id); keeps every seq if `keep_seqs`.
bool RecordAll(Connection& connection, const std::string& bank_id,
               const std::vector<const ImportEntry*>& entries,
               const std::map<uint64_t, std::string>& reversed_ids, bool keep_seqs, size_t total,
               Recorded* recorded) {
  const size_t batches = (entries.size() + kImportBatch - 1) / kImportBatch;
  std::atomic<size_t> done_batches{0};
  return RunInParallel(batches, kImportCallsInFlight, [&](size_t b) {
    const size_t first = b * kImportBatch;
    const size_t last = std::min(entries.size(), first + kImportBatch);
    v1::RecordEntriesRequest request;
    request.set_atomic(true);
    for (size_t i = first; i < last; ++i) {
      uint64_t reverses_seq = 0;
      if (entries[i]->reverses_source_seq != 0) {
        std::lock_guard<std::mutex> lock(recorded->mu);
        reverses_seq = recorded->seqs[reversed_ids.at(entries[i]->reverses_source_seq)];
      }
      *request.add_entries() = RequestOf(bank_id, *entries[i], reverses_seq);
    }
    v1::RecordEntriesResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kImportCallTimeout);
    connection.Authorize(&context);
    v1::Ledger::Stub stub(connection.channel());
    const grpc::Status status = stub.RecordEntries(&context, request, &response);
    if (!status.ok()) {
      const clients::Refusal refusal = clients::RefusalOf(status);
      std::string where;
      size_t index = 0;
      auto it = refusal.figures.find("index");
      if (it != refusal.figures.end() && absl::SimpleAtoi(it->second, &index) &&
          first + index < last) {
        where = entries[first + index]->where + ": ";
      }
      std::lock_guard<std::mutex> lock(recorded->mu);
      if (recorded->failure.empty()) {
        recorded->failure = absl::StrCat(where, status.error_message(),
                                         refusal.reason.empty() ? "" : " (" + refusal.reason + ")");
      }
      return false;
    }
    size_t added = 0;
    std::lock_guard<std::mutex> lock(recorded->mu);
    for (int i = 0; i < response.results_size(); ++i) {
      const v1::RecordEntryResponse& receipt = response.results(i).receipt();
      receipt.replayed() ? ++recorded->replayed : ++added;
      if (keep_seqs) recorded->seqs[entries[first + i]->entry_id] = receipt.entry().seq();
    }
    recorded->added += added;
    const size_t finished = ++done_batches;
    if (total >= 100'000 && finished % 100 == 0) {
      std::fprintf(stderr, "  %zu of %zu entries...\n", std::min(finished * kImportBatch, total),
                   total);
    }
    return true;
  });
}

int RunImport(const ParsedArgs& args, Connection& connection, bool timeoverflow) {
  const std::string bank_id = args.Value("bank");
  const bool dry_run = args.Has("dry-run");
  const std::string first_path = args.Positional(0), second_path = args.Positional(1);
  const std::string ids = timeoverflow ? args.Value("ids", "names") : "names";
  if (ids != "names" && ids != "numbers") {
    return args.ReportUsageError("--ids is names or numbers");
  }
  v1::GetBankRequest bank_request;
  bank_request.set_bank_id(bank_id);
  v1::Bank bank;
  grpc::Status status = connection.Call(&v1::Banks::Stub::GetBank, bank_request, &bank);
  if (!status.ok()) return connection.ReportFailure(status);
  Existing existing;
  status = ReadAccounts(connection, bank_id, &existing);
  if (!status.ok()) return connection.ReportFailure(status);

  auto first = ReadWholeFile(first_path);
  if (!first.has_value()) return kExitRefused;
  std::optional<std::string> second = std::string();
  if (!second_path.empty()) second = ReadWholeFile(second_path);
  if (!second.has_value()) return kExitRefused;

  ImportOptions options;
  options.bank_id = bank_id;
  options.zone = connection.BankTimeZone(bank_id);
  options.now = absl::Now();
  options.ids_from_numbers = ids == "numbers";
  if (timeoverflow) {
    options.organisation_id = args.Value("organisation", "centre");
    options.former_members_id = args.Value("former-members");
  }
  options.organisation_name = bank.name();
  for (const auto& [id, account] : existing.accounts) {
    ImportOptions::Existing& known = options.existing[id];
    known.name = account.personal_data_erased() ? "" : account.display_name();
    known.kind = account.kind();
    known.active = account.status() == v1::ACTIVE;
    known.opened_at = absl::FromUnixSeconds(account.opened_at().seconds()) +
                      absl::Nanoseconds(account.opened_at().nanos());
  }
  ImportPlan plan =
      timeoverflow
          ? PlanTimeOverflow(*first, BaseName(first_path), *second, BaseName(second_path), options)
          : PlanGeneric(*first, BaseName(first_path), *second,
                        second_path.empty() ? "" : BaseName(second_path), options);
  const std::set<std::string> present = Reconcile(plan, options);

  std::printf("%s into bank %s%s\n", timeoverflow ? "TimeOverflow files" : "Generic files",
              bank_id.c_str(), dry_run ? " (dry run: nothing is written)" : "");
  if (plan.problem_count > 0) {
    std::fflush(stdout);
    std::fprintf(stderr, "error: %zu row%s cannot be imported, so nothing %s written:\n",
                 plan.problem_count, plan.problem_count == 1 ? "" : "s",
                 dry_run ? "would be" : "was");
    for (const std::string& problem : plan.problems)
      std::fprintf(stderr, "  %s\n", problem.c_str());
    if (plan.problem_count > plan.problems.size()) {
      std::fprintf(stderr, "  ... and %zu more\n", plan.problem_count - plan.problems.size());
    }
    return kExitRefused;
  }

  std::vector<ImportEntry> openings;
  for (const ImportAccount& account : plan.accounts) {
    if (account.opening_balance_minutes != 0) openings.push_back(OpeningBalance(account));
  }
  size_t made = 0;
  for (const ImportAccount& account : plan.accounts) made += account.id_made ? 1 : 0;
  std::printf("Accounts: %zu to open, %zu in the bank already.\n",
              plan.accounts.size() - present.size(), present.size());
  if (made > 0) {
    std::printf("Ids made (%s):\n",
                options.ids_from_numbers ? "from member numbers" : "from names");
    for (const ImportAccount& account : plan.accounts) {
      if (!account.id_made) continue;
      std::printf("  %-8s %-32s -> %s\n", account.source_id.c_str(), account.name.c_str(),
                  account.account_id.c_str());
    }
  }
  size_t reversals = 0;
  for (const ImportEntry& entry : plan.entries) reversals += entry.reverses_source_seq != 0;
  std::printf("Entries: %zu to record as imported (%zu reversals), %zu opening balances.\n",
              plan.entries.size(), reversals, openings.size());
  if (plan.rows_rounded > 0) {
    std::printf("Rounded to the minute: %zu rows (their amounts were not whole minutes).\n",
                plan.rows_rounded);
  }
  if (plan.contacts_left_out > 0) {
    std::printf(
        "Left out: %zu phone numbers or emails that are none (a phone needs 3 digits and "
        "only + - ( ) . besides; an email one @ and a domain).\n",
        plan.contacts_left_out);
  }
  if (plan.texts_shortened > 0) {
    std::printf("Shortened to the ledger's limits: %zu texts (activity 64 bytes, note 500).\n",
                plan.texts_shortened);
  }
  for (const std::string& note : plan.notes) std::printf("Note: %s.\n", note.c_str());
  if (dry_run) {
    std::printf("Would open:\n");
    for (const ImportAccount& account : plan.accounts) {
      if (present.count(account.account_id) > 0) continue;
      std::printf("  %-24s %-32s %s joined %s, balance from the files %s\n",
                  account.account_id.c_str(), account.name.c_str(),
                  v1::AccountKind_Name(account.kind).c_str(),
                  account.joined_at.has_value()
                      ? absl::FormatTime("%Y-%m-%d", *account.joined_at, options.zone).c_str()
                      : "today",
                  Hours(plan.balances[account.account_id]).c_str());
    }
    return kExitOk;
  }

  // Accounts, several at once; an erased member's data is erased again.
  std::mutex failure_mu;
  std::string failure;
  std::vector<const ImportAccount*> to_open;
  for (const ImportAccount& account : plan.accounts) {
    if (present.count(account.account_id) == 0) to_open.push_back(&account);
  }
  bool opened = RunInParallel(to_open.size(), kImportAccountCallsInFlight, [&](size_t i) {
    const ImportAccount& account = *to_open[i];
    v1::OpenAccountRequest request;
    request.set_bank_id(bank_id);
    request.set_account_id(account.account_id);
    request.set_kind(account.kind);
    for (v1::Role role : account.roles) request.add_roles(role);
    request.set_display_name(account.name);
    request.set_phone(account.phone);
    request.set_email(account.email);
    if (account.joined_at.has_value()) SetTime(*account.joined_at, request.mutable_joined_at());
    v1::Account reply;
    const grpc::Status s = connection.Call(&v1::Accounts::Stub::OpenAccount, request, &reply);
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(failure_mu);
      if (failure.empty()) failure = account.where + ": " + s.error_message();
    }
    return s.ok();
  });
  // Members erased where they come from are erased again, once no opening is in flight (an
  // erasure waits while a write in flight holds personal data: BUSY, tried again).
  for (const ImportAccount* account : to_open) {
    if (!opened || !account->personal_data_erased) continue;
    v1::ErasePersonalDataRequest erase;
    erase.set_bank_id(bank_id);
    erase.set_account_id(account->account_id);
    erase.set_reason("erased in the system the bank moved from");
    v1::ErasePersonalDataResponse erased;
    grpc::Status s;
    for (int attempt = 0; attempt < kEraseAttemptsMax; ++attempt) {
      s = connection.Call(&v1::Accounts::Stub::ErasePersonalData, erase, &erased);
      if (s.error_code() != grpc::StatusCode::UNAVAILABLE) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100 << std::min(attempt, 4)));
    }
    if (!s.ok()) {
      failure = account->where + ": " + s.error_message();
      opened = false;
    }
  }
  if (!opened) {
    std::fflush(stdout);
    std::fprintf(stderr,
                 "error: stopped: %s\nRun the same import again once that is put right: "
                 "what is in the bank already is not written twice.\n",
                 failure.c_str());
    return kExitRefused;
  }

  // Entries: the opening balances and the entries, then the reversals, which need the seqs of
  // the entries they undo.
  const size_t total = openings.size() + plan.entries.size();
  Recorded recorded;
  std::vector<const ImportEntry*> first_pass, reversal_pass;
  for (const ImportEntry& entry : openings) first_pass.push_back(&entry);
  std::map<uint64_t, std::string> id_of_source_seq;
  for (const ImportEntry& entry : plan.entries) {
    (entry.reverses_source_seq != 0 ? reversal_pass : first_pass).push_back(&entry);
    if (entry.source_seq != 0) id_of_source_seq[entry.source_seq] = entry.entry_id;
  }
  const absl::Time started = absl::Now();
  bool ok = RecordAll(connection, bank_id, first_pass, id_of_source_seq, !reversal_pass.empty(),
                      total, &recorded);
  if (ok && !reversal_pass.empty()) {
    ok = RecordAll(connection, bank_id, reversal_pass, id_of_source_seq, false, total, &recorded);
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - started);
  if (!ok) {
    std::fflush(stdout);
    std::fprintf(stderr,
                 "error: stopped: %s\n%zu entries were recorded before it. Run the same "
                 "import again once that is put right: what is recorded is not recorded twice.\n",
                 recorded.failure.c_str(), recorded.added.load());
    return kExitRefused;
  }

  // Statuses last: a closed or suspended account took part in its history first.
  for (const ImportAccount& account : plan.accounts) {
    if (account.status == v1::ACTIVE) continue;
    auto it = existing.accounts.find(account.account_id);
    if (it != existing.accounts.end() && it->second.status() == account.status) continue;
    v1::Account reply;
    grpc::Status s;
    if (account.status == v1::SUSPENDED) {
      v1::SuspendAccountRequest request;
      request.set_bank_id(bank_id);
      request.set_account_id(account.account_id);
      request.set_reason(kImportReason);
      s = connection.Call(&v1::Accounts::Stub::SuspendAccount, request, &reply);
    } else {
      v1::CloseAccountRequest request;
      request.set_bank_id(bank_id);
      request.set_account_id(account.account_id);
      request.set_reason(kImportReason);
      s = connection.Call(&v1::Accounts::Stub::CloseAccount, request, &reply);
    }
    if (!s.ok()) {
      std::fflush(stdout);
      std::fprintf(stderr, "stopped at %s:\n", account.where.c_str());
      return connection.ReportFailure(s);
    }
  }

  // Each account's balance from the files beside the ledger's.
  status = ReadAccounts(connection, bank_id, &existing);
  if (!status.ok()) return connection.ReportFailure(status);
  size_t differ = 0;
  std::printf("Recorded %zu entries (%zu there already) in %.1f s.\n", recorded.added.load(),
              recorded.replayed.load(), seconds);
  std::printf("Balances (hours:minutes), from the files and in the ledger:\n");
  for (const ImportAccount& account : plan.accounts) {
    const int64_t expected = plan.balances[account.account_id];
    auto it = existing.accounts.find(account.account_id);
    const bool found = it != existing.accounts.end();
    const int64_t actual = found ? it->second.balance_minutes() : 0;
    const bool same = found && actual == expected;
    differ += same ? 0 : 1;
    std::printf("  %-24s %10s %10s%s\n", account.account_id.c_str(), Hours(expected).c_str(),
                found ? Hours(actual).c_str() : "missing", same ? "" : "  DIFFERS");
  }
  if (differ > 0) {
    std::fflush(stdout);
    std::fprintf(stderr,
                 "error: %zu account%s in the ledger differ%s from the files: entries of "
                 "these accounts were in the bank before the import, or were recorded meanwhile\n",
                 differ, differ == 1 ? "" : "s", differ == 1 ? "s" : "");
    return kExitRefused;
  }
  std::printf("Every balance agrees with the files.\n");
  return kExitOk;
}

int RunImportTimeOverflow(const ParsedArgs& args, Connection& connection) {
  return RunImport(args, connection, /*timeoverflow=*/true);
}

int RunImportGeneric(const ParsedArgs& args, Connection& connection) {
  return RunImport(args, connection, /*timeoverflow=*/false);
}

}  // namespace

std::vector<CommandSpec> ImportCommands() {
  return {
      {
          .group = "import",
          .verb = "timeoverflow",
          .summary = "move a bank in from TimeOverflow: its members and transfers",
          .description =
              "Reads TimeOverflow's members and transfers files, in either form it writes: its\n"
              "admin reports (with a header row: members N, Username, Email, ...; transfers\n"
              "Date, from, from ID, to, to ID, post, post ID, Reason, quantity in hours) or\n"
              "its importers' files (no header: members member_uid, entry_date, three name\n"
              "parts, gender, date_of_birth, phone, alt_phone, email; transfers source_id,\n"
              "source_type, destination_id, destination_type, amount in seconds, created_at,\n"
              "reason, post_id). Members become person accounts (ids made from their names,\n"
              "or from their numbers with --ids numbers; joined on their TimeOverflow date);\n"
              "the organisation (ID 0) becomes an organisation account; transfers become\n"
              "entries marked imported, with their own dates: exchanges, awards from the\n"
              "organisation, spends at it. Amounts are rounded to the minute (the count is\n"
              "shown). Every row is checked first: one refused row refuses the files whole,\n"
              "each refused row named by its line. Afterwards each account's balance from the\n"
              "files is shown beside the ledger's, and any difference fails the import.\n"
              "Running it again records nothing twice. --dry-run shows what would be made.",
          .positionals = {{"MEMBERS", "TimeOverflow's members file (CSV)"},
                          {"TRANSFERS", "TimeOverflow's transfers file (CSV)"}},
          .flags = {{"bank", "BANK", "the bank to import into (it must exist)", true},
                    {"dry-run", "", "check the files and show what would be made; write nothing"},
                    {"ids", "names|numbers", "make account ids from names (default) or numbers"},
                    {"organisation", "ID",
                     "the account id of TimeOverflow's organisation (default centre)"},
                    {"former-members", "ID",
                     "gather the transfers of inactive or deleted members on this account"}},
          .examples =
              "  timeledger import timeoverflow --bank hcct members.csv transfers.csv --dry-run\n"
              "  timeledger import timeoverflow --bank hcct members.csv transfers.csv\n",
          .run = RunImportTimeOverflow,
      },
      {
          .group = "import",
          .verb = "generic",
          .summary = "move a bank in from the generic CSV files (a spreadsheet, an export)",
          .description =
              "Reads the generic accounts.csv and, if given, entries.csv (docs/OPERATIONS.md,\n"
              "\"Moving a bank in and out\"; what `timeledger export bank` writes). Columns are\n"
              "found by their names in the header row. accounts.csv: name (required),\n"
              "account_id (made from the name if empty), kind, roles, status, joined_on,\n"
              "opening_balance_minutes, opening_balance_on, balance_minutes. Without\n"
              "entries.csv, balance_minutes is where each account starts (an opening balance\n"
              "against the pool, marked imported); with it, it is checked against the\n"
              "entries. entries.csv: from_account_id, to_account_id, minutes (or hours),\n"
              "occurred_at, kind, activity, note, entry_id, seq, reverses_seq. Checked whole\n"
              "first, recorded as imported entries, balances compared afterwards; running it\n"
              "again records nothing twice.",
          .positionals = {{"ACCOUNTS", "accounts.csv"},
                          {"ENTRIES", "entries.csv (optional)", /*optional=*/true}},
          .flags = {{"bank", "BANK", "the bank to import into (it must exist)", true},
                    {"dry-run", "", "check the files and show what would be made; write nothing"}},
          .examples = "  timeledger import generic --bank hcct accounts.csv entries.csv\n"
                      "  timeledger import generic --bank hcct balances.csv --dry-run\n",
          .run = RunImportGeneric,
      },
  };
}

}  // namespace timeledger::cli
