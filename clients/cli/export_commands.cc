// export member | bank.
//
// export bank BANK --out DIR: the bank's accounts and entries as the generic CSV files
// (bank_csv.h): accounts.csv and entries.csv.
//
// export member BANK ACCOUNT --out DIR: everything the ledger holds about one member, for a
// subject access request (GDPR article 15) or for them to take elsewhere (article 20). DIR gets:
//   member.json    the account, the kiosk card (never the PIN or its hash: whether one is set),
//                  the qualifications held, the pending entries, and every entry with its note
//                  and the member's balance after it;
//   entries.csv    the same entries, a row each, for a spreadsheet (report_csv.h's conventions);
//   records.jsonl  every fact of the journal about the member (the opening, status changes and
//                  their reasons, cards, languages, awards and their evidence, offers, entries,
//                  pending entries and how they ended, erasures), in the form of
//                  `export journal`, each with its hashes, so the member can check them.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include <google/protobuf/util/json_util.h>

#include "clients/audit/digest_file.h"
#include "clients/cli/bank_csv.h"
#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/exit_code.h"
#include "clients/cli/journal_export.h"
#include "clients/cli/paging.h"
#include "clients/cli/report_csv.h"
#include "clients/cli/words.h"
#include "timeledger/v1/accounts.grpc.pb.h"
#include "timeledger/v1/banks.grpc.pb.h"
#include "timeledger/v1/catalogue.grpc.pb.h"
#include "timeledger/v1/kiosk.grpc.pb.h"
#include "timeledger/v1/ledger.grpc.pb.h"

namespace timeledger::cli {
namespace {

bool Involves(const v1::EntryFact& entry, const std::string& account_id) {
  return entry.from_account_id() == account_id || entry.to_account_id() == account_id;
}

// Whether the journal's `record` is about the member `account_id`: a fact of their account, or
// an entry, pending entry, award or offer they took part in. `pending_ids` collects the ids of
// their pending entries as they are created, so that how each ended is found after it.
bool Concerns(const v1::JournalRecord& record, const std::string& account_id,
              std::set<std::string>* pending_ids) {
  switch (record.body_case()) {
    case v1::JournalRecord::kAccountOpened:
      return record.account_opened().account_id() == account_id;
    case v1::JournalRecord::kAccountChanged:
      return record.account_changed().account_id() == account_id;
    case v1::JournalRecord::kContactSet:
      return record.contact_set().account_id() == account_id;
    case v1::JournalRecord::kAccountStatus:
      return record.account_status().account_id() == account_id;
    case v1::JournalRecord::kEntry:
      return Involves(record.entry(), account_id);
    case v1::JournalRecord::kPendingCreated:
      if (!Involves(record.pending_created().entry(), account_id)) return false;
      pending_ids->insert(record.pending_created().entry().entry_id());
      return true;
    case v1::JournalRecord::kPendingResolved:
      return pending_ids->contains(record.pending_resolved().entry_id());
    case v1::JournalRecord::kCardSet:
      return record.card_set().account_id() == account_id;
    case v1::JournalRecord::kPinSet:
      return record.pin_set().account_id() == account_id;
    case v1::JournalRecord::kLanguageSet:
      return record.language_set().account_id() == account_id;
    case v1::JournalRecord::kPersonalDataErased:
      return record.personal_data_erased().account_id() == account_id;
    case v1::JournalRecord::kQualificationAwarded:
      return record.qualification_awarded().account_id() == account_id;
    case v1::JournalRecord::kOfferRedeemed:
      return record.offer_redeemed().account_id() == account_id;
    default:
      return false;
  }
}

std::string Json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) return "null";
  return json;
}

template <typename Messages>
std::string JsonList(const Messages& messages) {
  std::vector<std::string> items;
  for (const auto& message : messages) items.push_back(Json(message));
  return absl::StrCat("[", absl::StrJoin(items, ",\n  "), "]");
}

std::string Rfc3339Of(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "";
  return absl::FormatTime(absl::RFC3339_sec, absl::FromUnixSeconds(timestamp.seconds()),
                          absl::UTCTimeZone());
}

// The member's entries.csv: one row per entry, their side of it.
std::string MemberEntriesCsv(const std::vector<v1::EntryRow>& rows, const std::string& account_id,
                             Connection& connection) {
  std::string csv = kCsvByteOrderMark;
  csv += CsvRecord({"seq", "entry_id", "recorded_at", "occurred_at", "kind", "with_account_id",
                    "with_name", "minutes", "balance_after_minutes", "activity", "note",
                    "note_erased", "reverses_seq", "reversed_by_seq"});
  for (const v1::EntryRow& row : rows) {
    const v1::Entry& entry = row.entry();
    const bool earned = entry.to_account_id() == account_id;
    const std::string& other = earned ? entry.from_account_id() : entry.to_account_id();
    csv += CsvRecord({absl::StrCat(entry.seq()), CsvText(entry.entry_id()),
                      Rfc3339Of(entry.recorded_at()), Rfc3339Of(entry.occurred_at()),
                      EntryKindWords(entry.kind()), CsvText(other),
                      CsvText(connection.LabelOf(entry.bank_id(), other)),
                      absl::StrCat(earned ? entry.minutes() : -entry.minutes()),
                      absl::StrCat(row.running_balance_minutes()), CsvText(entry.activity()),
                      CsvText(entry.note()), entry.note_erased() ? "true" : "false",
                      entry.reverses_seq() == 0 ? "" : absl::StrCat(entry.reverses_seq()),
                      entry.reversed_by_seq() == 0 ? "" : absl::StrCat(entry.reversed_by_seq())});
  }
  return csv;
}

// Writes `content` to DIR/name, readable by its owner only. False (and says why) if it cannot.
bool WriteFile(const std::filesystem::path& dir, const std::string& name,
               const std::string& content) {
  const std::filesystem::path path = dir / name;
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      std::fprintf(stderr, "error: cannot write %s\n", path.c_str());
      return false;
    }
  }
  std::error_code error;
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, error);
  return true;
}

// Makes `dir` (0700) if missing; false (and says why) if it cannot, or if it holds files already:
// a member's data is not mixed with anything else.
bool MakeEmptyDir(const std::filesystem::path& dir) {
  std::error_code error;
  if (std::filesystem::exists(dir, error)) {
    if (!std::filesystem::is_directory(dir, error)) {
      std::fprintf(stderr, "error: %s is not a folder\n", dir.c_str());
      return false;
    }
    if (!std::filesystem::is_empty(dir, error)) {
      std::fprintf(stderr, "error: %s is not empty: give a new folder for the member's data\n",
                   dir.c_str());
      return false;
    }
    return true;
  }
  if (!std::filesystem::create_directories(dir, error)) {
    std::fprintf(stderr, "error: cannot make %s: %s\n", dir.c_str(), error.message().c_str());
    return false;
  }
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, error);
  return true;
}

int RunExportMember(const ParsedArgs& args, Connection& connection) {
  const std::string bank_id = args.Positional(0);
  const std::string account_id = args.Positional(1);
  const std::filesystem::path dir = args.Value("out");

  v1::GetAccountRequest account_request;
  account_request.set_bank_id(bank_id);
  account_request.set_account_id(account_id);
  v1::Account account;
  grpc::Status status = connection.Call(&v1::Accounts::Stub::GetAccount, account_request, &account);
  if (!status.ok()) return connection.ReportFailure(status);
  connection.Remember(account);

  v1::GetMemberCardRequest card_request;
  card_request.set_bank_id(bank_id);
  card_request.set_account_id(account_id);
  v1::MemberCard card;
  status = connection.Call(&v1::Kiosk::Stub::GetMemberCard, card_request, &card);
  const bool has_card = status.ok();
  if (!status.ok() && status.error_code() != grpc::StatusCode::NOT_FOUND) {
    return connection.ReportFailure(status);
  }

  std::vector<v1::EntryRow> entries;
  v1::ListEntriesRequest entries_request;
  entries_request.set_bank_id(bank_id);
  entries_request.set_account_id(account_id);
  status = ForEachPage(connection, &v1::Ledger::Stub::ListEntries, entries_request,
                       [&entries](const v1::ListEntriesResponse& page) {
                         entries.insert(entries.end(), page.rows().begin(), page.rows().end());
                         return true;
                       });
  if (!status.ok()) return connection.ReportFailure(status);

  v1::ListPendingEntriesRequest pending_request;
  pending_request.set_bank_id(bank_id);
  pending_request.set_account_id(account_id);
  pending_request.set_page_size(kPageSize);
  v1::ListPendingEntriesResponse pending;
  status = connection.Call(&v1::Ledger::Stub::ListPendingEntries, pending_request, &pending);
  if (!status.ok()) return connection.ReportFailure(status);

  std::vector<v1::Holding> qualifications;
  v1::ListQualificationsRequest qualifications_request;
  qualifications_request.set_bank_id(bank_id);
  qualifications_request.set_account_id(account_id);
  status =
      ForEachPage(connection, &v1::Qualifications::Stub::ListQualifications, qualifications_request,
                  [&qualifications](const v1::ListQualificationsResponse& page) {
                    qualifications.insert(qualifications.end(), page.qualifications().begin(),
                                          page.qualifications().end());
                    return true;
                  });
  if (!status.ok()) return connection.ReportFailure(status);

  std::string records;
  size_t record_count = 0;
  std::set<std::string> pending_ids;
  v1::Digest digest;
  status = ForEachJournalRecord(
      connection, bank_id, &digest, [](const v1::Digest&) {},
      [&](const v1::JournalRecord& record) {
        if (!Concerns(record, account_id, &pending_ids)) return;
        records += JournalExportLine(record);
        ++record_count;
      });
  if (!status.ok()) return connection.ReportFailure(status);

  const std::string member_json = absl::StrCat(
      "{\"exported_at\": ",
      audit::JsonString(absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone())),
      ",\n \"bank_id\": ", audit::JsonString(bank_id), ",\n \"journal_size\": ", digest.tree_size(),
      ",\n \"account\": ", Json(account), ",\n \"card\": ", has_card ? Json(card) : "null",
      ",\n \"qualifications\": ", JsonList(qualifications),
      ",\n \"pending_entries\": ", JsonList(pending.pending()),
      ",\n \"entries\": ", JsonList(entries), "}\n");
  if (!MakeEmptyDir(dir) || !WriteFile(dir, "member.json", member_json) ||
      !WriteFile(dir, "entries.csv", MemberEntriesCsv(entries, account_id, connection)) ||
      !WriteFile(dir, "records.jsonl", records)) {
    return kExitRefused;
  }
  std::printf("Wrote what bank %s holds about %s to %s:\n", bank_id.c_str(),
              AccountLabel(DisplayNameOf(account), account_id).c_str(), dir.c_str());
  std::printf(
      "  member.json    the account, card, %zu qualification%s, %d pending and %zu "
      "entr%s\n",
      qualifications.size(), qualifications.size() == 1 ? "" : "s", pending.pending_size(),
      entries.size(), entries.size() == 1 ? "y" : "ies");
  std::printf("  entries.csv    the entries, for a spreadsheet\n");
  std::printf("  records.jsonl  %zu fact%s of the journal about them, with their hashes\n",
              record_count, record_count == 1 ? "" : "s");
  return kExitOk;
}

int RunExportBank(const ParsedArgs& args, Connection& connection) {
  const std::string bank_id = args.Positional(0);
  const std::filesystem::path dir = args.Value("out");
  v1::GetBankRequest bank_request;
  bank_request.set_bank_id(bank_id);
  v1::Bank bank;
  grpc::Status status = connection.Call(&v1::Banks::Stub::GetBank, bank_request, &bank);
  if (!status.ok()) return connection.ReportFailure(status);

  v1::ListAccountsRequest accounts_request;
  accounts_request.set_bank_id(bank_id);
  v1::ListAccountsResponse accounts;
  status = ForEachPage(connection, &v1::Accounts::Stub::ListAccounts, accounts_request,
                       [&accounts](const v1::ListAccountsResponse& page) {
                         accounts.mutable_accounts()->MergeFrom(page.accounts());
                         return true;
                       });
  if (!status.ok()) return connection.ReportFailure(status);
  std::map<std::string, std::string> names;
  int64_t sum = 0;
  for (const v1::Account& account : accounts.accounts()) {
    names[account.account_id()] = account.display_name();
    sum += account.balance_minutes();
  }

  v1::ListEntriesRequest entries_request;
  entries_request.set_bank_id(bank_id);
  google::protobuf::RepeatedPtrField<v1::Entry> entries;
  status = ForEachPage(connection, &v1::Ledger::Stub::ListEntries, entries_request,
                       [&entries](const v1::ListEntriesResponse& page) {
                         for (const v1::EntryRow& row : page.rows()) *entries.Add() = row.entry();
                         return true;
                       });
  if (!status.ok()) return connection.ReportFailure(status);
  // What was read must be the bank as one moment saw it: the entries give each account's balance,
  // and the bank holds as many entries after the reads as were read. An entry recorded between
  // the reads breaks one or the other.
  std::map<std::string, int64_t> from_entries;
  for (const v1::Entry& entry : entries) {
    from_entries[entry.from_account_id()] -= entry.minutes();
    from_entries[entry.to_account_id()] += entry.minutes();
  }
  bool agree = sum == 0;
  for (const v1::Account& account : accounts.accounts()) {
    agree = agree && from_entries[account.account_id()] == account.balance_minutes();
  }
  v1::Bank after;
  status = connection.Call(&v1::Banks::Stub::GetBank, bank_request, &after);
  if (!status.ok()) return connection.ReportFailure(status);
  if (!agree || after.entry_count() != static_cast<uint64_t>(entries.size())) {
    std::fprintf(stderr,
                 "error: the accounts and entries read do not agree (%d entries read, %llu now): "
                 "entries were recorded meanwhile; run it again\n",
                 entries.size(), static_cast<unsigned long long>(after.entry_count()));
    return kExitRefused;
  }
  const AccountNameOf name_of = [&names](const std::string& account_id) {
    auto it = names.find(account_id);
    return it == names.end() ? std::string() : it->second;
  };
  absl::TimeZone zone = absl::UTCTimeZone();
  absl::LoadTimeZone(bank.time_zone(), &zone);
  if (!MakeEmptyDir(dir) ||
      !WriteFile(dir, "accounts.csv", AccountsCsv(accounts.accounts(), zone)) ||
      !WriteFile(dir, "entries.csv", EntriesCsv(entries, name_of))) {
    return kExitRefused;
  }
  std::printf("Wrote bank %s to %s: accounts.csv (%d accounts), entries.csv (%d entries).\n",
              bank_id.c_str(), dir.c_str(), accounts.accounts_size(), entries.size());
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> ExportCommands() {
  return {
      {
          .group = "export",
          .verb = "member",
          .summary = "write everything the bank holds about one member (a subject access request)",
          .description =
              "Writes everything the ledger holds about one member into a new folder, for a\n"
              "subject access request or for the member to take elsewhere: member.json (the\n"
              "account, the kiosk card without the PIN, qualifications, pending entries and\n"
              "every entry with its note), entries.csv (the entries, for a spreadsheet) and\n"
              "records.jsonl (every fact of the journal about them, with their hashes).\n"
              "The folder must be new or empty; its files are readable by you only.",
          .positionals = {{"BANK", "the bank's id, e.g. hcct"},
                          {"ACCOUNT", "the member's account id, e.g. alice"}},
          .flags = {{"out", "DIR", "the folder to write (made if missing)", true}},
          .examples = "  timeledger export member hcct alice --out alice-data\n",
          .run = RunExportMember,
      },
      {
          .group = "export",
          .verb = "bank",
          .summary =
              "write a bank's accounts and entries as CSV files, for spreadsheets and moving",
          .description =
              "Writes the bank's accounts and entries into a new folder as the generic CSV files\n"
              "(docs/OPERATIONS.md, \"Moving a bank in and out\"): accounts.csv (each account\n"
              "with its name, kind, roles, status, the day it joined and its balance) and\n"
              "entries.csv (each entry with both accounts' names). They open in a spreadsheet;\n"
              "the folder must be new or empty, its files readable by you only.",
          .positionals = {{"BANK", "the bank's id, e.g. hcct"}},
          .flags = {{"out", "DIR", "the folder to write (made if missing)", true}},
          .examples = "  timeledger export bank hcct --out hcct-2026-12\n",
          .run = RunExportBank,
      },
  };
}

}  // namespace timeledger::cli
