// What the period report and the statement share (internal to ledger/reports/): finding the
// bank and its time zone, checking a period, and finding entries by the time they were recorded.
#ifndef TIMELEDGER_LEDGER_REPORTS_REPORT_READS_H_
#define TIMELEDGER_LEDGER_REPORTS_REPORT_READS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

#include "ledger/store/store.h"

namespace timeledger::ledger::report_internal {

// Returns the bank as the view sees it, or NotFound.
absl::StatusOr<Bank> FindBank(StoreReader& view, const std::string& bank_id);

// The bank's time zone; FailedPrecondition TIME_ZONE_MISSING if this machine lacks it.
absl::StatusOr<absl::TimeZone> ZoneOf(const Bank& bank);

// DataLoss CORRUPT_RECORD: the store is damaged, as `what` says.
absl::Status CorruptStore(absl::string_view what);

// InvalidArgument INVALID_PERIOD if the period ends before it begins or is too long.
absl::Status ValidatePeriod(absl::CivilDay first_day, absl::CivilDay last_day);

// Returns the last seq recorded before `time` (0 if none), by binary search over the entries:
// seqs are assigned in commit order by the one writer, so recorded_at rises with seq.
absl::StatusOr<uint64_t> LastSeqRecordedBefore(StoreReader& view, const std::string& bank_id,
                                               uint64_t through_seq, absl::Time time);

}  // namespace timeledger::ledger::report_internal

#endif  // TIMELEDGER_LEDGER_REPORTS_REPORT_READS_H_
