// The periods staff name in words: the month before this one, the quarter before this one, a
// calendar year, as first and last day (both included). Pure; thread-safe.
#ifndef TIMELEDGER_CLIENTS_CLI_PERIODS_H_
#define TIMELEDGER_CLIENTS_CLI_PERIODS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace timeledger::cli {

struct Period {
  absl::CivilDay first;
  absl::CivilDay last;
};

// The calendar month before the one `today` is in.
Period LastMonth(absl::CivilDay today);
// The calendar quarter (January-March, April-June, ...) before the one `today` is in.
Period LastQuarter(absl::CivilDay today);
// January 1 to December 31 of `year` ("2026"): InvalidArgument unless it is a year from 2000 to
// 2999.
absl::StatusOr<Period> Year(absl::string_view year);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_PERIODS_H_
