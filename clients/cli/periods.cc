#include "clients/cli/periods.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace timeledger::cli {

Period LastMonth(absl::CivilDay today) {
  const absl::CivilMonth this_month(today);
  const absl::CivilMonth last_month = this_month - 1;
  return {absl::CivilDay(last_month), absl::CivilDay(this_month) - 1};
}

Period LastQuarter(absl::CivilDay today) {
  const absl::CivilMonth this_quarter(today.year(), (today.month() - 1) / 3 * 3 + 1);
  return {absl::CivilDay(this_quarter - 3), absl::CivilDay(this_quarter) - 1};
}

absl::StatusOr<Period> Year(absl::string_view year) {
  int number = 0;
  if (year.size() != 4 || !absl::SimpleAtoi(year, &number) || number < 2000 || number > 2999) {
    return absl::InvalidArgumentError(
        absl::StrCat("--year takes a year such as 2026, not '", year, "'"));
  }
  return Period{absl::CivilDay(number, 1, 1), absl::CivilDay(number, 12, 31)};
}

}  // namespace timeledger::cli
