// entry record | reverse | get | list: the journal of time given and received.
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "clients/cli/bank_csv.h"
#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/duration.h"
#include "clients/cli/entry_text.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/paging.h"
#include "clients/cli/receipt.h"
#include "clients/cli/table.h"
#include "clients/cli/words.h"

namespace timeledger::cli {
namespace {

constexpr PositionalSpec kBankArg = {"BANK", "the bank's id, e.g. hcct"};

// Generated idempotency keys: "cli-" and 128 random bits in hex.
constexpr char kGeneratedKeyPrefix[] = "cli-";

std::string NewEntryKey() {
  std::random_device random;
  std::string key = kGeneratedKeyPrefix;
  for (int i = 0; i < 4; ++i) absl::StrAppendFormat(&key, "%08x", random());
  return key;
}

// Parses a positive whole number, such as SEQ or --limit.
bool ParsePositive(const std::string& text, uint64_t& value) {
  return absl::SimpleAtoi(text, &value) && value > 0;
}

}  // namespace

// What a rule added to a receipt: warnings a coordinator should see, and minutes that a balance
// cap sent on to the pool.
void PrintReceiptNotes(const v1::RecordEntryResponse& receipt, const std::string& to_label) {
  for (const v1::Warning& warning : receipt.warnings()) {
    std::printf("Note: %s (%s)\n", warning.message().c_str(), warning.reason().c_str());
  }
  if (receipt.excess_to_pool_minutes() > 0) {
    std::printf("%s over %s's balance cap went to the community pool (entry %s).\n",
                FormatMinutes(receipt.excess_to_pool_minutes()).c_str(), to_label.c_str(),
                absl::StrCat(receipt.excess_entry_seq()).c_str());
  }
}

// The receipt of a recorded or reversed entry: what happened and both balances after it, or,
// for an entry waiting for confirmation, whose confirmation it waits for.
void PrintReceipt(const v1::RecordEntryResponse& receipt, const std::string& headline,
                  Connection& connection) {
  const v1::Entry& entry = receipt.entry();
  const std::string from = connection.LabelOf(entry.bank_id(), entry.from_account_id());
  const std::string to = connection.LabelOf(entry.bank_id(), entry.to_account_id());
  if (receipt.pending()) {
    std::printf("Waiting for %s to confirm entry %s; no time has moved yet.\n%s\n",
                connection.LabelOf(entry.bank_id(), receipt.confirm_by()).c_str(),
                entry.entry_id().c_str(), DescribeEntry(entry, from, to).c_str());
  } else {
    std::printf("%s\n%s\nBalances after this entry:\n%s", headline.c_str(),
                DescribeEntry(entry, from, to).c_str(),
                RenderFields({{to, FormatMinutes(receipt.to_balance_minutes())},
                              {from, FormatMinutes(receipt.from_balance_minutes())}})
                    .c_str());
  }
  PrintReceiptNotes(receipt, to);
}

namespace {

// Reports a failed RecordEntry; when it may or may not have been written, says how to retry.
int ReportRecordFailure(const grpc::Status& status, const std::string& key,
                        Connection& connection) {
  const int exit_code = connection.ReportFailure(status);
  if (exit_code == kExitUnreachable) {
    std::fprintf(stderr,
                 "The entry may or may not have been recorded. To retry safely, run the same "
                 "command again with --id %s\n",
                 key.c_str());
  }
  return exit_code;
}

// The request that `entry record` sends, with `key` as its entry_id. Returns InvalidArgument,
// saying what is wrong, for an --minutes, --kind or --occurred-at that cannot be read.
absl::StatusOr<v1::RecordEntryRequest> RecordRequest(const ParsedArgs& args, const std::string& key,
                                                     Connection& connection) {
  v1::RecordEntryRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_entry_id(key);
  // --helped/--helper say the same as --from/--to the way staff say it ("Alice helped Bob").
  const bool staff_words = args.Has("helper") || args.Has("helped");
  if (staff_words && (args.Has("from") || args.Has("to"))) {
    return absl::InvalidArgumentError(
        "give either --helper and --helped, or --to and --from, not a mix of them");
  }
  const std::string payer_flag = staff_words ? "--helped PAYER" : "--from PAYER";
  const std::string earner_flag = staff_words ? "--helper EARNER" : "--to EARNER";
  const std::string payer = args.Value(staff_words ? "helped" : "from");
  const std::string earner = args.Value(staff_words ? "helper" : "to");
  if (payer.empty() && earner.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing ", earner_flag, " and ", payer_flag, " (or --helper and --helped)"));
  }
  if (payer.empty()) return absl::InvalidArgumentError(absl::StrCat("missing ", payer_flag));
  if (earner.empty()) return absl::InvalidArgumentError(absl::StrCat("missing ", earner_flag));
  request.set_from_account_id(payer);
  request.set_to_account_id(earner);
  request.set_activity(args.Value("activity"));
  request.set_note(args.Value("note"));
  const absl::StatusOr<int64_t> minutes = ParseMinutes(args.Value("minutes"));
  if (!minutes.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--minutes: ", minutes.status().message()));
  }
  request.set_minutes(*minutes);
  const absl::StatusOr<v1::EntryKind> kind = ParseEntryKind(args.Value("kind", "exchange"));
  if (!kind.ok()) return kind.status();
  request.set_kind(*kind);
  if (args.Has("occurred-at")) {
    const std::string text = args.Value("occurred-at");
    // A bare date means that day where the bank is, so only then is the bank's zone needed.
    const absl::TimeZone zone =
        IsBareDate(text) ? connection.BankTimeZone(request.bank_id()) : absl::UTCTimeZone();
    const absl::StatusOr<absl::Time> when = ParseOccurredAt(text, zone);
    if (!when.ok()) return when.status();
    *request.mutable_occurred_at() = ToTimestamp(*when);
  }
  return request;
}

int RunRecord(const ParsedArgs& args, Connection& connection) {
  const bool key_generated = !args.Has("id");
  const std::string key = key_generated ? NewEntryKey() : args.Value("id");
  const absl::StatusOr<v1::RecordEntryRequest> request = RecordRequest(args, key, connection);
  if (!request.ok()) return args.ReportUsageError(std::string(request.status().message()));

  v1::RecordEntryResponse receipt;
  const grpc::Status status = connection.Call(&v1::Ledger::Stub::RecordEntry, *request, &receipt);
  if (!status.ok()) return ReportRecordFailure(status, key, connection);
  if (connection.json()) {
    if (key_generated) std::fprintf(stderr, "entry key: %s\n", key.c_str());
    return connection.PrintJson(receipt);
  }
  const uint64_t seq = receipt.entry().seq();
  PrintReceipt(receipt,
               receipt.replayed()
                   ? absl::StrCat("Entry ", seq,
                                  " was already recorded with this key; nothing new was written.")
                   : absl::StrCat("Recorded entry ", seq, " (",
                                  EntryKindWords(receipt.entry().kind()), ")."),
               connection);
  if (key_generated) {
    std::printf("Entry key: %s (to retry this entry safely, repeat the command with --id %s)\n",
                key.c_str(), key.c_str());
  }
  return kExitOk;
}

int RunReverse(const ParsedArgs& args, Connection& connection) {
  // ENTRY is the entry's number if it is all digits (unless --by-key), else its key
  // (slip-0001), looked up. An all-digit key of another entry makes a number ambiguous.
  const std::string& ref = args.Positional(1);
  const bool by_number =
      !args.Has("by-key") && !ref.empty() && absl::c_all_of(ref, absl::ascii_isdigit);
  uint64_t seq = 0;
  if (by_number && !ParsePositive(ref, seq)) {
    return args.ReportUsageError(absl::StrCat(
        "ENTRY must be an entry number from 1, or an entry's key (with --by-key if it is all "
        "digits), not '",
        ref, "'"));
  }
  v1::GetEntryRequest get;
  get.set_bank_id(args.Positional(0));
  get.set_entry_id(ref);
  v1::Entry keyed;
  const grpc::Status found = connection.Call(&v1::Ledger::Stub::GetEntry, get, &keyed);
  if (!by_number) {
    if (!found.ok()) return connection.ReportFailure(found);
    seq = keyed.seq();
  } else if (found.ok() && keyed.seq() != seq) {
    return args.ReportUsageError(absl::StrCat("ENTRY ", ref, " is entry number ", seq,
                                              " and also the key of entry ", keyed.seq(),
                                              "; add --by-key to mean the key"));
  }
  v1::ReverseEntryRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_seq(seq);
  request.set_entry_id(args.Value("id"));  // empty: the server uses "reversal-of-<seq>"
  request.set_note(args.Value("note"));
  v1::RecordEntryResponse receipt;
  const grpc::Status status = connection.Call(&v1::Ledger::Stub::ReverseEntry, request, &receipt);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(receipt);
  const uint64_t reversal_seq = receipt.entry().seq();
  PrintReceipt(receipt,
               receipt.replayed() ? absl::StrCat("Entry ", seq, " was already reversed by entry ",
                                                 reversal_seq, "; nothing new was written.")
                                  : absl::StrCat("Reversed entry ", seq, " by recording entry ",
                                                 reversal_seq, "."),
               connection);
  return kExitOk;
}

// "entry 12", or "" for no entry (seq 0).
std::string EntryRef(uint64_t seq) { return seq == 0 ? "" : absl::StrCat("entry ", seq); }

void PrintEntry(const v1::Entry& entry, Connection& connection) {
  const absl::TimeZone zone = connection.BankTimeZone(entry.bank_id());
  const std::string from = connection.LabelOf(entry.bank_id(), entry.from_account_id());
  const std::string to = connection.LabelOf(entry.bank_id(), entry.to_account_id());
  std::string recorded = FormatDateTime(entry.recorded_at(), zone);
  if (!entry.recorded_by().empty()) absl::StrAppend(&recorded, " by ", entry.recorded_by());
  const std::string fields = RenderFields({
      {"Amount", absl::StrCat(FormatMinutes(entry.minutes()), " (", entry.minutes(),
                              entry.minutes() == 1 ? " minute)" : " minutes)")},
      {"Earned by", to},
      {"Paid by", from},
      {"Activity", entry.activity()},
      {"Note", entry.note()},
      {"Occurred", FormatDateTime(entry.occurred_at(), zone)},
      {"Recorded", recorded},
      {"Imported", entry.imported() ? "yes: moved in from another system, with its own date" : ""},
      {"Undoes", EntryRef(entry.reverses_seq())},
      {"Reversed by", EntryRef(entry.reversed_by_seq())},
      {"Key", entry.entry_id()},
      {"Hash", absl::BytesToHexString(entry.hash())},
  });
  std::printf("Entry %s in bank %s: %s\n%s\n%s", absl::StrCat(entry.seq()).c_str(),
              entry.bank_id().c_str(), EntryKindWords(entry.kind()).c_str(),
              DescribeEntry(entry, from, to).c_str(), fields.c_str());
}

int RunGet(const ParsedArgs& args, Connection& connection) {
  const bool by_seq = !args.Positional(1).empty();
  if (by_seq && args.Has("id")) {
    return args.ReportUsageError("give the entry's SEQ or its --id KEY, not both");
  }
  if (!by_seq && !args.Has("id")) {
    return args.ReportUsageError("missing SEQ: give the entry's number, or its --id KEY");
  }
  v1::GetEntryRequest request;
  request.set_bank_id(args.Positional(0));
  if (by_seq) {
    uint64_t seq = 0;
    if (!ParsePositive(args.Positional(1), seq)) {
      return args.ReportUsageError(
          absl::StrCat("SEQ must be an entry number such as 12, not '", args.Positional(1), "'"));
    }
    request.set_seq(seq);
  } else {
    request.set_entry_id(args.Value("id"));
  }
  v1::Entry entry;
  const grpc::Status status = connection.Call(&v1::Ledger::Stub::GetEntry, request, &entry);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(entry);
  PrintEntry(entry, connection);
  return kExitOk;
}

// Rows of ListEntries, oldest first, at most `limit` of them. Sets *more if rows were left out.
grpc::Status CollectEntries(Connection& connection, const v1::ListEntriesRequest& request,
                            uint64_t limit, v1::ListEntriesResponse* all, bool* more) {
  *more = false;
  return ForEachPage(connection, &v1::Ledger::Stub::ListEntries, request,
                     [&](const v1::ListEntriesResponse& page) {
                       for (const v1::EntryRow& row : page.rows()) {
                         if (static_cast<uint64_t>(all->rows_size()) == limit) {
                           *more = true;
                           return false;
                         }
                         *all->add_rows() = row;
                       }
                       return true;
                     });
}

// The table of `entry list`; with an account filter, a column of its balance after each entry.
std::string EntryTable(const v1::ListEntriesResponse& all, const std::string& bank_id,
                       bool with_balance, Connection& connection) {
  const absl::TimeZone zone = connection.BankTimeZone(bank_id);
  std::vector<std::string> headers = {"Seq",       "Date",   "Kind",    "Paid by",
                                      "Earned by", "Amount", "Activity"};
  if (with_balance) headers.push_back("Balance after");
  Table table(std::move(headers));
  table.AlignRight(0);
  table.AlignRight(5);
  table.AlignRight(7);
  for (const v1::EntryRow& row : all.rows()) {
    const v1::Entry& entry = row.entry();
    std::vector<std::string> cells = {absl::StrCat(entry.seq()),
                                      FormatDate(entry.occurred_at(), zone),
                                      EntryKindCell(entry),
                                      connection.LabelOf(bank_id, entry.from_account_id()),
                                      connection.LabelOf(bank_id, entry.to_account_id()),
                                      FormatMinutes(entry.minutes()),
                                      entry.activity()};
    if (with_balance) cells.push_back(FormatMinutes(row.running_balance_minutes()));
    table.AddRow(std::move(cells));
  }
  return table.Render();
}

int RunList(const ParsedArgs& args, Connection& connection) {
  uint64_t limit = UINT64_MAX;
  if (args.Has("limit") && !ParsePositive(args.Value("limit"), limit)) {
    return args.ReportUsageError(
        absl::StrCat("--limit must be a whole number above 0, not '", args.Value("limit"), "'"));
  }
  v1::ListEntriesRequest request;
  request.set_bank_id(args.Positional(0));
  request.set_account_id(args.Value("account"));
  v1::ListEntriesResponse all;
  bool more = false;
  const grpc::Status status = CollectEntries(connection, request, limit, &all, &more);
  if (!status.ok()) return connection.ReportFailure(status);
  if (connection.json()) return connection.PrintJson(all);
  const std::string format = args.Value("format", "table");
  if (format == "csv") {
    google::protobuf::RepeatedPtrField<v1::Entry> entries;
    for (const v1::EntryRow& row : all.rows()) *entries.Add() = row.entry();
    // Every account's name, read once (not one lookup per account, which is capped).
    std::map<std::string, std::string> names;
    v1::ListAccountsRequest accounts;
    accounts.set_bank_id(request.bank_id());
    const grpc::Status read = ForEachPage(connection, &v1::Accounts::Stub::ListAccounts, accounts,
                                          [&names](const v1::ListAccountsResponse& page) {
                                            for (const v1::Account& a : page.accounts()) {
                                              names[a.account_id()] = a.display_name();
                                            }
                                            return true;
                                          });
    if (!read.ok()) return connection.ReportFailure(read);
    const AccountNameOf name_of = [&names](const std::string& account_id) {
      auto it = names.find(account_id);
      return it == names.end() ? std::string() : it->second;
    };
    std::fputs(EntriesCsv(entries, name_of).c_str(), stdout);
    if (more)
      std::fprintf(stderr, "Only the oldest %d; raise --limit for more.\n", all.rows_size());
    return kExitOk;
  }
  if (format != "table") {
    return args.ReportUsageError(absl::StrCat("--format must be table or csv, not '", format, "'"));
  }

  std::fputs(EntryTable(all, request.bank_id(), args.Has("account"), connection).c_str(), stdout);
  if (more) {
    std::printf("Showing the oldest %d; there are more (raise --limit to see them).\n",
                all.rows_size());
  } else {
    std::printf("%d %s.\n", all.rows_size(), all.rows_size() == 1 ? "entry" : "entries");
  }
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> EntryCommands() {
  return {
      {
          .group = "entry",
          .verb = "record",
          .summary = "record time given: who gave it, who received it, how long",
          .description =
              "Records that EARNER gave time and PAYER received it: EARNER's balance goes up\n"
              "and PAYER's goes down by the same amount. Prints a receipt with both balances.\n"
              "\n"
              "Every entry has a key. If you leave out --id, a new random key is made and\n"
              "printed. Passing --id makes retries safe: if you are not sure an entry went\n"
              "through (for example the connection dropped), run the same command again with\n"
              "the same --id and it will never be recorded twice.",
          .positionals = {kBankArg},
          .flags = {{"from", "PAYER", "the account that received the time and pays for it"},
                    {"to", "EARNER", "the account that gave the time and earns it"},
                    {"helper", "EARNER", "instead of --to: who gave the time (helped)"},
                    {"helped", "PAYER", "instead of --from: who received the time"},
                    {"minutes", "AMOUNT", "how long: 90, 1h30m, 1h, 45m or 1:30", true},
                    {"kind", "KIND", "exchange (default), award, spend, donation or grant"},
                    {"activity", "WORD", "what the time was for, e.g. gardening"},
                    {"note", "TEXT", "anything worth keeping with the entry"},
                    {"occurred-at", "WHEN",
                     "when the time was given: 2026-11-20 or 2026-11-20T10:00:00Z (default: now)"},
                    {"id", "KEY", "the entry's key; the same key never records twice"}},
          .examples =
              "  # Alice gave Bob an hour and a half of gardening:\n"
              "  timeledger entry record hcct --from bob --to alice --minutes 1h30m "
              "--activity gardening\n"
              "  # The same, as staff say it (\"Alice helped Bob\"):\n"
              "  timeledger entry record hcct --helper alice --helped bob --minutes 1h30m "
              "--activity gardening\n"
              "  # The centre credits Alice for helping at lunch, from a paper slip:\n"
              "  timeledger entry record hcct --kind award --from centre --to alice --minutes 2h "
              "--activity lunch --occurred-at 2026-11-20 --id slip-0042\n",
          .run = RunRecord,
      },
      {
          .group = "entry",
          .verb = "reverse",
          .summary = "undo an entry by recording its reversal",
          .description =
              "Undoes an entry by recording a new entry that moves the time back. Nothing is\n"
              "edited or deleted: both entries stay on record. An entry can be reversed once.\n"
              "Running the same command again is safe: it shows the reversal already made.",
          .positionals = {kBankArg,
                          {"ENTRY", "the entry's number, e.g. 12, or its key, e.g. slip-0042"}},
          .flags = {{"note", "TEXT", "why the entry is undone"},
                    {"id", "KEY", "the reversal's key (default: reversal-of-SEQ)"},
                    {"by-key", "", "ENTRY is a key even if it is all digits, e.g. 0042"}},
          .examples = "  timeledger entry reverse hcct 12 --note \"recorded twice by mistake\"\n"
                      "  timeledger entry reverse hcct slip-0042 --note \"wrong member\"\n",
          .run = RunReverse,
      },
      {
          .group = "entry",
          .verb = "get",
          .summary = "show one entry in full",
          .description = "Shows one entry in full, found by its number (SEQ) or by its --id key.",
          .positionals = {kBankArg, {"SEQ", "the entry's number, e.g. 12", true}},
          .flags = {{"id", "KEY", "find the entry by its key instead of its number"}},
          .examples =
              "  timeledger entry get hcct 12\n  timeledger entry get hcct --id slip-0042\n",
          .run = RunGet,
      },
      {
          .group = "entry",
          .verb = "list",
          .summary = "list a bank's entries, oldest first",
          .description = "Lists a bank's entries, oldest first, or only those of one account.",
          .positionals = {kBankArg},
          .flags = {{"account", "ACCOUNT",
                     "only this account's entries, with its balance after each"},
                    {"limit", "N", "show at most the first N entries"},
                    {"format", "FORMAT",
                     "table (the default), or csv: entries.csv's columns, with names"}},
          .examples = "  timeledger entry list hcct --limit 50\n"
                      "  timeledger entry list hcct --account alice\n",
          .run = RunList,
      },
  };
}

}  // namespace timeledger::cli
