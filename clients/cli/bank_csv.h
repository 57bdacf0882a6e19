// A bank's accounts and entries as the generic CSV files (docs/OPERATIONS.md, "Moving a bank in
// and out"): what `timeledger export bank` writes and what an import of another system's data
// is to be given in, and what `account list` and `entry list` print with --format csv. The
// conventions of report_csv.h (UTF-8 with a byte order mark, CRLF, RFC 4180 quoting, an
// apostrophe before a text cell that a spreadsheet would run as a formula); codes in lower case
// for machines; names beside ids for people (an importer reads the ids).
//
// Pure functions; thread-safe.
#ifndef TIMELEDGER_CLIENTS_CLI_BANK_CSV_H_
#define TIMELEDGER_CLIENTS_CLI_BANK_CSV_H_

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "google/protobuf/repeated_ptr_field.h"

#include "timeledger/v1/types.pb.h"

namespace timeledger::cli {

// The name a file shows beside an account id: its display name, "" if unknown or erased.
using AccountNameOf = std::function<std::string(const std::string& account_id)>;

// accounts.csv: account_id, name, kind, roles (";"-separated), status, joined_on (the day it was
// opened, in `zone`), balance_minutes, earned_minutes, spent_minutes, personal_data_erased, phone,
// email.
std::string AccountsCsv(const google::protobuf::RepeatedPtrField<timeledger::v1::Account>& accounts,
                        absl::TimeZone zone);

// entries.csv: entry_id, seq, occurred_at, recorded_at (RFC 3339, UTC), kind, from_account_id,
// from_name, to_account_id, to_name, minutes, activity, note, reverses_seq, reversed_by_seq,
// recorded_by, imported (true for history moved in by an import). A note that was erased is empty.
std::string EntriesCsv(const google::protobuf::RepeatedPtrField<timeledger::v1::Entry>& entries,
                       const AccountNameOf& name_of);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_BANK_CSV_H_
