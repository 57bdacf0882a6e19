// Qualifications, activities and offers: a bank's catalogue, the qualifications its members hold,
// and the awards that record each attainment.
//
// A CatalogueItem is one qualification, activity or offer, identified within its bank by its kind
// and code; it changes by new versions and is retired, never deleted. A Holding is what one
// account holds of one qualification: the periods it was valid, and whether a course leading to
// it is in progress. An Award records one attainment, with the reward it paid.
//
// The decisions that both the writer and the verifier make (what an award pays, whether a
// qualification was valid on a day) are pure functions here, so that the verifier recomputes
// them with the same rules. Plain values; thread-safe. Decoders accept any bytes and fail cleanly
// (DataLoss, CORRUPT_RECORD).
#ifndef TIMELEDGER_LEDGER_QUALIFICATIONS_H_
#define TIMELEDGER_LEDGER_QUALIFICATIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "ledger/core/reasons.h"
#include "ledger/core/types.h"

namespace timeledger::ledger {

// Limits (docs/API.md lists them).
inline constexpr size_t kCatalogueItemsMax = 10'000;  // of each kind, per bank
inline constexpr size_t kRequirementsMax = 10;        // prerequisites or required qualifications
inline constexpr int64_t kValidityDaysMax = 36'500;   // a hundred years
inline constexpr size_t kEvidenceLengthMax = 500;
inline constexpr size_t kLevelLengthMax = 64;
inline constexpr size_t kCategoryLengthMax = 64;
inline constexpr size_t kValidPeriodsMax = 100;  // attainments and renewals of one holding
inline constexpr int64_t kExpiringWithinDaysMax = 3650;
inline constexpr int64_t kExpiringWithinDaysDefault = 30;

// The reward entry of award X has the entry_id kRewardEntryIdPrefix + X (types.h): it points at
// its award.
std::string RewardEntryId(absl::string_view award_id);

enum class CatalogueKind : uint8_t { kQualification = 1, kActivity = 2, kOffer = 3 };
// "qualification", "activity", "offer".
const char* CatalogueKindName(CatalogueKind kind);
// QUALIFICATION_NOT_FOUND, ACTIVITY_NOT_FOUND, OFFER_NOT_FOUND: no such item of `kind`.
Reason ItemNotFoundReason(CatalogueKind kind);
// QUALIFICATION_RETIRED, ACTIVITY_RETIRED, OFFER_RETIRED: the item of `kind` is retired.
Reason ItemRetiredReason(CatalogueKind kind);

// One item of a bank's catalogue. Which fields count depends on `kind`.
struct CatalogueItem {
  CatalogueKind kind = CatalogueKind::kQualification;
  std::string bank_id;
  std::string code;  // an id: [A-Za-z0-9._-], 1 to 64
  std::string title;
  bool retired = false;
  uint64_t version = 0;  // 1 when defined, one more with each change
  absl::Time changed_at = absl::InfinitePast();
  std::string changed_by;

  // kQualification
  std::string awarding_body;               // who issues it, e.g. "Highfield"
  std::string level;                       // e.g. "2"
  std::string reward_account_id;           // the organisation that pays its rewards
  int64_t reward_minutes = 0;              // on first attainment
  int64_t validity_days = 0;               // 0: it never expires
  int64_t renewal_reward_minutes = 0;      // on attainment again after it expired
  std::vector<std::string> prerequisites;  // qualifications valid on the day it is attained

  // kActivity
  std::string category;                              // for reports
  std::vector<std::string> required_qualifications;  // of whoever earns for it
  bool staff_on_duty_may_earn = false;  // false: under the staff-duty rule, staff do not earn

  // kOffer
  int64_t price_minutes = 0;
  std::string organisation_account_id;  // receives the credits
  std::string leads_to_qualification;   // a course: the qualification it leads to
};

std::string EncodeCatalogueItem(const CatalogueItem& item);
absl::StatusOr<CatalogueItem> DecodeCatalogueItem(absl::string_view bytes);

// [from, until): until is InfiniteFuture for a qualification that does not expire.
struct ValidPeriod {
  absl::Time from;
  absl::Time until;
};

// What one account holds of one qualification.
struct Holding {
  std::string bank_id;
  std::string account_id;
  std::string qualification_code;
  std::vector<ValidPeriod> periods;  // one per attainment or renewal, oldest first
  uint32_t award_count = 0;          // awards recorded, including those that paid nothing
  std::string last_award_id;
  bool in_progress = false;  // a course leading to it was bought and it has not been awarded since
  absl::Time in_progress_since = absl::InfinitePast();
  std::string in_progress_offer;

  bool attained() const { return !periods.empty(); }
  // True if a period holds `time`.
  bool ValidAt(absl::Time time) const;
  // The end of the latest period (InfiniteFuture if it does not expire); InfinitePast if none.
  absl::Time valid_until() const;
};

std::string EncodeHolding(const Holding& holding);
absl::StatusOr<Holding> DecodeHolding(absl::string_view bytes);

enum class HoldingStatus : uint8_t { kValid = 1, kExpiring = 2, kExpired = 3, kInProgress = 4 };
// "valid", "expiring", "expired", "in_progress".
const char* HoldingStatusName(HoldingStatus status);
// Valid at `now` (kExpiring if it ends within `expiring_within`); else in progress if a course
// is; else expired.
HoldingStatus StatusOf(const Holding& holding, absl::Time now, absl::Duration expiring_within);

enum class AwardOutcome : uint8_t { kAttained = 1, kRenewed = 2, kAlreadyValid = 3 };
// "attained", "renewed", "already_valid".
const char* AwardOutcomeName(AwardOutcome outcome);

// What a coordinator asks to record.
struct AwardSpec {
  std::string bank_id;
  std::string award_id;  // idempotency key, an id
  std::string account_id;
  std::string qualification_code;
  absl::Time attained_at = absl::InfinitePast();  // InfinitePast: now
  std::string evidence;                           // e.g. the certificate number
  std::string verified_by;                        // who saw the evidence
};
Digest AwardFingerprint(const AwardSpec& spec);

// One recorded attainment.
struct Award {
  std::string bank_id;
  std::string award_id;
  std::string account_id;
  std::string qualification_code;
  absl::Time attained_at;
  absl::Time expires_at = absl::InfiniteFuture();
  std::string evidence;
  std::string verified_by;
  AwardOutcome outcome = AwardOutcome::kAttained;
  int64_t reward_minutes = 0;
  std::string paid_by;      // the organisation that paid the reward
  uint64_t reward_seq = 0;  // the QUALIFICATION_REWARD entry; 0 if it paid nothing
  absl::Time recorded_at;
  std::string recorded_by;
  Digest fingerprint{};
};

std::string EncodeAward(const Award& award);
absl::StatusOr<Award> DecodeAward(absl::string_view bytes);

// What AwardQualification gives back.
struct AwardReceipt {
  Award award;
  bool replayed = false;        // the award_id was already recorded with this content
  Entry reward_entry;           // the QUALIFICATION_REWARD entry; seq 0 if the award paid nothing
  int64_t balance_minutes = 0;  // the member's balance now
  int64_t excess_to_pool_minutes = 0;  // what the balance cap sent on to the pool
};

// A member spends credits on an offer.
struct RedeemSpec {
  std::string bank_id;
  std::string redemption_id;  // idempotency key: the SPEND entry's entry_id
  std::string account_id;     // who spends
  std::string offer_code;
  std::string note;
};

struct Redemption {
  Receipt receipt;                        // of the SPEND entry
  std::string qualification_in_progress;  // the qualification the course leads to, if any
};

// A holding with what it means now.
struct HoldingView {
  Holding holding;
  HoldingStatus status = HoldingStatus::kValid;
};

// What attaining `qualification` at `attained_at` means for `holding` (nullptr: never held).
struct AwardDecision {
  AwardOutcome outcome = AwardOutcome::kAttained;
  int64_t reward_minutes = 0;
  absl::Time expires_at = absl::InfiniteFuture();
};
AwardDecision DecideAward(const CatalogueItem& qualification, const Holding* holding,
                          absl::Time attained_at);
// Adds `award` to `holding`: a new valid period unless it was already valid; ends a course.
void ApplyAward(const Award& award, Holding* holding);
// Marks a course towards the holding's qualification as begun.
void ApplyCourseStarted(absl::string_view offer_code, absl::Time at, Holding* holding);

// The qualifications of `required` that `holdings` do not make valid at `at`: never attained
// by then (missing), or attained but not valid then (expired).
struct QualificationGap {
  std::vector<std::string> missing;
  std::vector<std::string> expired;
  bool empty() const { return missing.empty() && expired.empty(); }
};
QualificationGap GapAt(const std::vector<std::string>& required,
                       const std::vector<Holding>& holdings, absl::Time at);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_QUALIFICATIONS_H_
