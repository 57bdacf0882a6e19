// Reading another system's files for `timeledger import`: TimeOverflow's two forms (its admin
// "complete" reports, with a header row, and its importers' headerless files) and the generic
// CSV files that `timeledger export bank` writes (docs/OPERATIONS.md, "Moving a bank in and
// out"). Each is read into one ImportPlan: the accounts to open, the entries to record (each
// with an idempotency key made from its content, so running an import again records nothing
// twice), the balances the files give, and every refused row named by its file and line.
//
// Pure functions over the files' text; no I/O; thread-safe.
#ifndef TIMELEDGER_CLIENTS_CLI_IMPORT_FILES_H_
#define TIMELEDGER_CLIENTS_CLI_IMPORT_FILES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "timeledger/v1/types.pb.h"

namespace timeledger::cli {

// Rows one file may hold at most (a million transfers and some).
inline constexpr size_t kImportRowsMax = 2'000'000;
// Refused rows listed at most; the count says how many more there were.
inline constexpr size_t kImportProblemsShownMax = 200;
// The activity an opening balance is recorded with.
inline constexpr char kOpeningBalanceActivity[] = "opening balance";

// One record of a CSV file: the line it starts on (1 is the first) and its fields.
struct CsvRow {
  size_t line = 0;
  std::vector<std::string> fields;
};

// RFC 4180: fields separated by commas, quoted with '"' (doubled inside) when they hold a comma,
// a quote or a line end; records end in CRLF or LF; a UTF-8 byte order mark first is skipped;
// blank lines are skipped. InvalidArgument naming the line for a quote left open, a character
// after a closing quote, or more than kImportRowsMax records.
absl::StatusOr<std::vector<CsvRow>> ReadCsv(absl::string_view text);

// An account id made from a name: folded as a search folds it (accents and apostrophes gone:
// "José García" -> "jose-garcia", "Maria O'Neill" -> "maria-oneill"), words joined by '-', at
// most 48 characters; "member" if nothing is left.
std::string IdFromName(absl::string_view name);

struct ImportAccount {
  std::string account_id;
  std::string name;
  timeledger::v1::AccountKind kind = timeledger::v1::PERSON;
  std::vector<timeledger::v1::Role> roles;                        // persons; MEMBER if empty
  timeledger::v1::AccountStatus status = timeledger::v1::ACTIVE;  // set after the entries
  std::optional<absl::Time> joined_at;  // the day they joined their bank before moving in
  int64_t opening_balance_minutes = 0;  // an imported entry against the pool, if not 0
  absl::Time opening_balance_at = absl::InfinitePast();  // InfinitePast: when imported
  bool personal_data_erased = false;  // erased in the system it comes from: erased again
  std::string phone, email;           // as the ledger takes them; others are left out
  std::string source_id;              // the other system's member number, if any
  bool id_made = false;               // account_id was made from the name (IdFromName)
  // TimeOverflow's organisation: the bank's organisation account of this id is it, whatever its
  // name (--organisation names it).
  bool any_name = false;
  std::string where;  // "members.csv line 4", for messages
};

struct ImportEntry {
  std::string entry_id;  // idempotency key
  timeledger::v1::EntryKind kind = timeledger::v1::EXCHANGE;
  std::string from_account_id;
  std::string to_account_id;
  int64_t minutes = 0;
  std::string activity;
  std::string note;
  absl::Time occurred_at = absl::InfinitePast();  // InfinitePast: when imported
  // A REVERSAL (generic files only): the row's own seq in its file, and the seq it undoes there.
  uint64_t source_seq = 0;
  uint64_t reverses_source_seq = 0;
  std::string where;  // "transfers.csv line 12"
};

struct ImportPlan {
  std::vector<ImportAccount> accounts;  // in the order they are opened
  std::vector<ImportEntry> entries;     // in the order of the files; reversals after the rest
  // Each refused row, "transfers.csv line 12: why" (at most kImportProblemsShownMax), and how
  // many there were. Any problem refuses the import whole.
  std::vector<std::string> problems;
  size_t problem_count = 0;
  size_t rows_rounded = 0;         // amounts that were not whole minutes, rounded to the minute
  size_t texts_shortened = 0;      // activities and notes cut to the ledger's limits
  size_t contacts_left_out = 0;    // phone numbers and emails the ledger would not take
  std::vector<std::string> notes;  // what the files hold that is not imported, and why
  // Each imported account's balance as the files give it (opening balance and entries), the
  // pool's left out: the import compares them with the ledger's afterwards.
  std::map<std::string, int64_t> balances;

  void Refuse(const std::string& where, absl::string_view why);
};

struct ImportOptions {
  std::string bank_id;
  absl::TimeZone zone = absl::UTCTimeZone();  // for dates without a zone
  absl::Time now;                             // dates after now + 5 minutes are refused
  // TimeOverflow: the id of the account that stands for the organisation (its ID 0), an
  // organisation account opened under the name the file gives it (or `organisation_name`).
  std::string organisation_id = "centre";
  std::string organisation_name = "The centre";
  // TimeOverflow: account ids from member numbers ("m-12") instead of names.
  bool ids_from_numbers = false;
  // TimeOverflow: the account that takes the transfers of members it shows only as
  // inactive_user or deleted_user; "" refuses those rows.
  std::string former_members_id;
  // The bank's accounts before the import, by id: a made id avoids the others' ids, and an
  // account of the files is the bank's own (an earlier run's) only if it is the same one.
  struct Existing {
    std::string name;  // "" if erased
    timeledger::v1::AccountKind kind = timeledger::v1::PERSON;
    bool active = true;
    absl::Time opened_at;
  };
  std::map<std::string, Existing> existing;
};

// Whether the bank's account `existing` is `account` of the files, as an earlier run of the same
// import opened it: the same kind and name, and (if the files give one) opened on the day the
// member joined.
bool SameAccount(const ImportOptions::Existing& existing, const ImportAccount& account);

// TimeOverflow's members and transfers, either form (told apart by the header row).
ImportPlan PlanTimeOverflow(absl::string_view members, absl::string_view members_file,
                            absl::string_view transfers, absl::string_view transfers_file,
                            const ImportOptions& options);

// The generic accounts.csv and, if `entries_file` is not empty, entries.csv.
ImportPlan PlanGeneric(absl::string_view accounts, absl::string_view accounts_file,
                       absl::string_view entries, absl::string_view entries_file,
                       const ImportOptions& options);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_IMPORT_FILES_H_
