#include "ledger/reports/report_reads.h"

#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "ledger/reports/report.h"

namespace timeledger::ledger::report_internal {

absl::StatusOr<Bank> FindBank(StoreReader& view, const std::string& bank_id) {
  auto bank = view.GetBank(bank_id);
  if (!bank.ok()) return bank.status();
  if (!bank->has_value()) return BankNotFound(bank_id);
  return **bank;
}

absl::StatusOr<absl::TimeZone> ZoneOf(const Bank& bank) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(bank.time_zone, &zone)) {
    return Refuse(Reason::kTimeZoneMissing,
                  absl::StrCat("bank ", bank.bank_id, " keeps time in ", bank.time_zone,
                               ", which this machine's time zone database lacks"));
  }
  return zone;
}

absl::Status CorruptStore(absl::string_view what) {
  return Refuse(Reason::kCorruptRecord, absl::StrCat("the ledger's store is damaged: ", what));
}

absl::Status ValidatePeriod(absl::CivilDay first_day, absl::CivilDay last_day) {
  if (last_day < first_day) {
    return Refuse(Reason::kInvalidPeriod,
                  absl::StrCat("the period ends (", absl::FormatCivilTime(last_day),
                               ") before it begins (", absl::FormatCivilTime(first_day), ")"),
                  {{"field", "last_day"}});
  }
  if (last_day - first_day + 1 > kReportDaysMax) {
    return Refuse(Reason::kInvalidPeriod,
                  absl::StrCat("a period covers at most ", kReportDaysMax,
                               " days; this one covers ", last_day - first_day + 1),
                  {{"field", "last_day"},
                   {"limit", std::to_string(kReportDaysMax)},
                   {"attempted", std::to_string(last_day - first_day + 1)}});
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> LastSeqRecordedBefore(StoreReader& view, const std::string& bank_id,
                                               uint64_t through_seq, absl::Time time) {
  auto recorded_before = [&](uint64_t seq) -> absl::StatusOr<bool> {
    auto entry = view.GetEntry(bank_id, seq);
    if (!entry.ok()) return entry.status();
    if (!entry->has_value()) return CorruptStore(absl::StrCat("entry ", seq, " is missing"));
    return (*entry)->recorded_at < time;
  };
  if (through_seq == 0) return uint64_t{0};
  auto last = recorded_before(through_seq);
  if (!last.ok()) return last.status();
  if (*last) return through_seq;
  uint64_t low = 0;             // recorded before `time` (0: before everything)
  uint64_t high = through_seq;  // recorded at or after it
  while (high - low > 1) {
    const uint64_t middle = low + (high - low) / 2;
    auto before = recorded_before(middle);
    if (!before.ok()) return before.status();
    (*before ? low : high) = middle;
  }
  return low;
}

}  // namespace timeledger::ledger::report_internal
