// A member's statement as the terminal prints it, every word from the statement catalogues in
// the member's language (StatementWords): `timeledger statement` (every entry so far) and
// `timeledger statement-report` (a date range). Names, ids and sequence numbers are data and
// printed as they are. Pure functions; thread-safe.
#ifndef TIMELEDGER_CLIENTS_CLI_STATEMENT_TEXT_H_
#define TIMELEDGER_CLIENTS_CLI_STATEMENT_TEXT_H_

#include <functional>
#include <string>

#include "absl/time/time.h"

#include "clients/cli/statement_words.h"
#include "timeledger/v1/ledger.pb.h"
#include "timeledger/v1/reports.pb.h"

namespace timeledger::cli {

// An account's label for a statement, "Alice Brown (alice)", from its id.
using AccountLabelOf = std::function<std::string(const std::string& account_id)>;

// Every entry of `account` (`rows`, oldest first, in its bank's `zone`), with the balance after
// each, then the number of entries and the closing balance.
std::string StatementText(const timeledger::v1::Account& account,
                          const timeledger::v1::ListEntriesResponse& rows, absl::TimeZone zone,
                          const AccountLabelOf& label_of, const StatementWords& words);

// A statement over a date range: the opening balance, each entry with the day it was recorded
// and the day the time was given, then the totals and the closing balance.
std::string StatementRangeText(const timeledger::v1::Statement& statement,
                               const AccountLabelOf& label_of, const StatementWords& words);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_STATEMENT_TEXT_H_
