// Period reports and member statements: the figures a time bank hands to its commissioners,
// computed from one consistent snapshot of the ledger (a StoreReader, store.h).
//
// Pure computation over what the view holds: no gRPC, no clock of its own (the caller says when
// "now" is). docs/REPORTS.md defines every figure in one sentence; the comments here say the
// same, briefly.
//
// Which entries count. A period is whole days in the bank's time zone. Its figures count the
// entries that *occurred* in it (occurred_at), whenever they were recorded, so late paper slips
// land in the period they belong to. A reversal that occurs in the same period as the entry it
// undoes takes that entry out of every figure. A reversal of an entry of an earlier period
// leaves this period's figures alone and is shown, by kind, as a correction to earlier periods:
// the report of a period that has been handed over never changes because of a later correction.
// Balances at the period end, and statements, are as the ledger stood: every entry *recorded* by
// then, the balances the floors and caps were checked against.
//
// Cost: a report reads the entries that occurred in its period and in the period before it
// (through the store's time index), one entry per reversal among them, and a few reads per
// account of the bank; never the whole ledger. A statement reads the account's postings
// recorded in its range. Both are bounded by the limits below.
//
// Thread-compatible: the functions keep no state.
#ifndef TIMELEDGER_LEDGER_REPORT_H_
#define TIMELEDGER_LEDGER_REPORT_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

#include "ledger/core/ids.h"
#include "ledger/core/types.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

// Limits on what one report or statement reads and returns.
inline constexpr int64_t kReportDaysMax = 3700;            // about ten years per period
inline constexpr size_t kReportEntriesMax = 20'000'000;    // entries one period may hold
inline constexpr size_t kReportCategoriesMax = 100;        // rows; the rest are summed
inline constexpr size_t kReportTitlesPerCategoryMax = 20;  // activity titles named on a row
inline constexpr size_t kReportOrganisationsMax = 200;     // rows; the rest are summed
inline constexpr size_t kReportAwardsMax = 1'000'000;      // awards one period may hold
inline constexpr size_t kStatementLinesMax = 10'000;

// The category of an entry without an activity, and the row that sums the categories (or
// organisations) past the row limits.
inline constexpr char kUncategorised[] = "uncategorised";
inline constexpr char kOtherCategories[] = "other activities";
inline constexpr char kOtherOrganisations[] = "other organisations";

// How an entry's activity is reported: the title it is named by and the category (the row) it is
// counted in. Either may be empty: a missing title is the activity as recorded, a missing
// category is the title; an entry without an activity is kUncategorised.
struct ActivityLabel {
  std::string title;
  std::string category;
};

// Says how `activity` of an entry of `kind` is reported. Called once per distinct kind and
// activity of a report.
using ActivityLabelLookup =
    std::function<absl::StatusOr<ActivityLabel>(EntryKind kind, absl::string_view activity)>;

// The bank's catalogue as `view` holds it: an exchange's or award's activity is named by the
// catalogue activity's title and counted in its category; a spend's by the offer's title, a
// qualification reward's by the qualification's. Codes the catalogue does not hold are reported
// as recorded. Errors: Unavailable or DataLoss from the store.
absl::StatusOr<ActivityLabel> CatalogueLabel(StoreReader& view, absl::string_view bank_id,
                                             EntryKind kind, absl::string_view activity);

// Minutes by the kind of entry that moved them. A reversal is counted under the kind of the
// entry it undoes, so there is no reversal field.
struct MinutesByKind {
  int64_t exchange_minutes = 0;  // member to member
  int64_t award_minutes = 0;     // awarded by an organisation for time given to it
  int64_t spend_minutes = 0;     // spent on what an organisation offers
  int64_t donation_minutes = 0;  // given to the community pool
  int64_t grant_minutes = 0;     // granted by the pool
  int64_t reward_minutes = 0;    // rewards for qualifications, paid by organisations

  // The field of `kind`; kind must not be kReversal.
  int64_t& Of(EntryKind kind);
  int64_t Total() const;
  // Time given: earned by EXCHANGE or AWARD. Time received: paid by EXCHANGE or SPEND. A
  // qualification reward is neither.
  int64_t Given() const { return exchange_minutes + award_minutes; }
  int64_t Received() const { return exchange_minutes + spend_minutes; }
};

struct CategoryFigures {
  std::string category;
  int64_t entry_count = 0;
  MinutesByKind minutes;
  // The titles of the activities counted in it, in name order, at most
  // kReportTitlesPerCategoryMax; empty on the kUncategorised and kOtherCategories rows.
  std::vector<std::string> titles;
};

struct MonthFigures {
  absl::CivilMonth month;
  int64_t entry_count = 0;
  MinutesByKind minutes;
};

// How a person's time given compares with time received in the period (given / received).
enum class RatioBucket : uint8_t {
  kOnlyReceived = 0,      // gave nothing
  kReceivedMuchMore = 1,  // ratio below 0.5
  kReceivedMore = 2,      // 0.5 to below 0.8
  kBalanced = 3,          // 0.8 to 1.25
  kGaveMore = 4,          // above 1.25 to 2
  kGaveMuchMore = 5,      // above 2
  kOnlyGave = 6,          // received nothing
};
inline constexpr size_t kRatioBucketCount = 7;

// Stable names: "only_received", "received_much_more", ..., "only_gave".
const char* RatioBucketName(RatioBucket bucket);
// The bucket of a person who gave `given_minutes` and received `received_minutes`; at least one
// of them is above zero. Exact: integer arithmetic only.
RatioBucket RatioBucketOf(int64_t given_minutes, int64_t received_minutes);

struct MemberFigures {
  int64_t persons_at_period_end = 0;      // person accounts opened before the period ended
  int64_t active_persons = 0;             // persons who earned or paid at least once
  int64_t new_persons = 0;                // person accounts opened in the period
  int64_t returning_persons = 0;          // active in this period and in the one before it
  bool returning_counted = false;         // false for the comparison period, whose own previous
                                          // period is not read
  int64_t gave_persons = 0;               // persons who gave time (earned by exchange or award)
  int64_t received_persons = 0;           // persons who received (paid by exchange or spend)
  int64_t gave_and_received_persons = 0;  // the reciprocity figure
  std::array<int64_t, kRatioBucketCount> ratio_buckets{};  // persons who gave or received
};

struct OrganisationFigures {
  std::string account_id;  // empty on the kOtherOrganisations row
  std::string display_name;
  int64_t issued_minutes = 0;    // AWARD entries it paid
  int64_t spent_at_minutes = 0;  // SPEND entries paid to it
};

// Qualifications awarded in the period, by the day they were attained
// (ledger/rules/qualifications.h).
struct QualificationFigures {
  int64_t attained = 0;       // first attainments
  int64_t renewed = 0;        // attained again after they expired
  int64_t already_valid = 0;  // awards of one still valid: recorded, not counted above
  int64_t persons = 0;        // people who attained or renewed at least one
};

// Persons' balances as the ledger stood at the end of the period, against the policy in force
// at the time of the report.
struct BalanceFigures {
  int64_t persons_counted = 0;  // person accounts opened before the period ended
  int64_t below_zero_persons = 0;
  int64_t near_floor_persons = 0;  // at or within 10% of a floor below zero
  int64_t near_cap_persons = 0;    // at or within 10% of the balance cap
};

// Pending entries resolved without being confirmed, in the period.
struct PendingFigures {
  int64_t expired_count = 0;
  int64_t expired_minutes = 0;
  int64_t rejected_count = 0;
  int64_t rejected_minutes = 0;
};

struct PeriodFigures {
  absl::CivilDay first_day;      // inclusive, in the bank's time zone
  absl::CivilDay last_day;       // inclusive
  int64_t entry_count = 0;       // entries counted (not reversals; not reversed in the period)
  MinutesByKind minutes;         // hours exchanged, by kind
  int64_t reversal_count = 0;    // reversals that occurred in the period
  int64_t reversed_minutes = 0;  // minutes they moved back
  MinutesByKind corrections;     // reversed minutes of entries of earlier periods, by kind
  std::vector<CategoryFigures> categories;  // most minutes first, then by name
  std::vector<MonthFigures> months;         // every month the period touches, in order
  MemberFigures members;
  std::vector<OrganisationFigures> organisations;  // most minutes first, then by id
  BalanceFigures balances;
  PendingFigures pending;
  QualificationFigures qualifications;
};

struct PeriodReportRequest {
  BankId bank_id;
  absl::CivilDay first_day;
  absl::CivilDay last_day;  // inclusive
  bool compare = false;     // also return the previous period's figures
};

struct PeriodReport {
  Bank bank;
  absl::Time generated_at;
  uint64_t through_seq = 0;  // the bank's last entry in the snapshot the report read
  PeriodFigures current;
  std::optional<PeriodFigures> previous;  // set when asked to compare
  int64_t open_pending_count = 0;         // pending entries open at the time of the report
  int64_t open_pending_minutes = 0;       // what they hold
  bool qualifications_recorded = true;    // the ledger records awards of qualifications
};

struct ReportOptions {
  ActivityLabelLookup label_of;  // unset: CatalogueLabel, the bank's catalogue in the snapshot
  absl::Time now = absl::UnixEpoch();  // stamped on the report as generated_at
};

// The previous period of the same length: as many whole calendar months before, if the period
// is whole months (a quarter's is the quarter before); else as many days before.
std::pair<absl::CivilDay, absl::CivilDay> PreviousPeriod(absl::CivilDay first_day,
                                                         absl::CivilDay last_day);

// Returns the report. Errors: InvalidArgument (bad id, last day before first, a period over
// kReportDaysMax), NotFound (BANK_NOT_FOUND), FailedPrecondition (REPORT_TOO_LARGE: over
// kReportEntriesMax entries), DataLoss (a damaged store), Unavailable (I/O).
absl::StatusOr<PeriodReport> BuildPeriodReport(StoreReader& view,
                                               const PeriodReportRequest& request,
                                               const ReportOptions& options = {});

struct StatementRequest {
  BankId bank_id;
  AccountId account_id;
  absl::CivilDay first_day;
  absl::CivilDay last_day;  // inclusive
};

struct StatementLine {
  Entry entry;
  int64_t signed_minutes = 0;         // + earned, - paid, from the account's side
  int64_t balance_after_minutes = 0;  // the account's balance after this entry
  std::string other_account_id;
};

// An account's entries recorded in the range, with the running balance: like a bank statement,
// by the date an entry was recorded (each line also carries when the time was given).
struct Statement {
  Bank bank;
  Account account;  // as it stands in the snapshot
  absl::CivilDay first_day;
  absl::CivilDay last_day;
  absl::Time generated_at;
  uint64_t through_seq = 0;
  int64_t opening_balance_minutes = 0;
  int64_t closing_balance_minutes = 0;  // opening + earned - paid
  int64_t earned_minutes = 0;           // every entry that credited the account
  int64_t paid_minutes = 0;             // every entry that debited it
  int64_t given_minutes = 0;         // time given (exchange, award earned), net of their reversals
  int64_t received_minutes = 0;      // time received (exchange, spend paid), net of reversals
  std::vector<StatementLine> lines;  // oldest first
};

// Returns the statement. Errors: InvalidArgument, NotFound (BANK_NOT_FOUND,
// ACCOUNT_NOT_FOUND), FailedPrecondition (STATEMENT_TOO_LONG: over kStatementLinesMax lines),
// DataLoss (the postings do not add up: a damaged store), Unavailable.
absl::StatusOr<Statement> BuildStatement(StoreReader& view, const StatementRequest& request,
                                         absl::Time now);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_REPORT_H_
