// Amounts of time as coordinators write and read them.
//
// The ledger counts whole minutes; people say "an hour and a half". FormatMinutes turns minutes
// into plain words ("1 hour 30 minutes"), and ParseMinutes reads what a coordinator types on the
// command line ("90", "1h30m", "1h", "45m", "1:30"). Pure functions; thread-safe.
#ifndef TIMELEDGER_CLIENTS_CLI_DURATION_H_
#define TIMELEDGER_CLIENTS_CLI_DURATION_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace timeledger::cli {

// The largest amount ParseMinutes accepts; the server applies the real, much lower limits.
inline constexpr int64_t kParsedMinutesMax = 1'000'000'000;

// Plain words: "1 hour 30 minutes", "2 hours", "1 minute", "0 minutes", "-2 hours 15 minutes".
// Hours are not rolled up into days: time banks count in hours.
std::string FormatMinutes(int64_t minutes);

// As FormatMinutes, with "+" before amounts above zero: "+1 hour 30 minutes". For the
// amount column of a statement, where the sign says which way the time went.
std::string FormatSignedMinutes(int64_t minutes);

// Reads an amount of time. Accepts plain minutes ("90"), hours and minutes ("1h30m", "1h30",
// "1h 30m", "1h", "45m") and clock form ("1:30"), in any letter case. Returns InvalidArgument
// for anything else, for a sign, for minutes of 60 or more after hours, and for amounts above
// kParsedMinutesMax. Zero is accepted here: whether zero is allowed is the server's rule.
absl::StatusOr<int64_t> ParseMinutes(absl::string_view text);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_DURATION_H_
