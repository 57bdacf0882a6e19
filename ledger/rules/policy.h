// Policy: a bank's reciprocity rules, each with a default that a real time bank would accept and
// each switchable. The ledger checks every entry against the policy in force when the entry is
// committed; a change applies to entries committed after it and never rewrites the past.
//
// A plain value type; copy it between threads. docs/POLICY.md explains every field.
#ifndef TIMELEDGER_LEDGER_POLICY_H_
#define TIMELEDGER_LEDGER_POLICY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "ledger/core/types.h"

namespace timeledger::ledger {

enum class CapAction : uint8_t { kRefuse = 1, kToPool = 2 };
enum class ReciprocityAction : uint8_t { kWarn = 1, kRefuse = 2 };
// How a member agrees to a partner's SPEND from their account (docs/POLICY.md, "partner spends").
enum class PartnerSpendConsent : uint8_t {
  kNotAsked = 1,        // the partner charges any member up to their floor
  kMemberConfirms = 2,  // the spend waits, holding its minutes, until the member confirms it
  kCardAndPin = 3,      // the partner sends the member's card and PIN with it, or it is refused
};

// Limits on the policy's own values.
inline constexpr int64_t kPolicyMinutesMax = 1'000'000 * 60;  // a million hours
inline constexpr int64_t kPolicyDaysMax = 3660;
inline constexpr size_t kDutyActivitiesMax = 100;

struct Policy {
  uint64_t version = 0;  // 0: the defaults, never set; then 1, 2, ... per change
  absl::Time set_at = absl::InfinitePast();
  std::string set_by;

  // 1. Granularity and size of time given (exchange, award).
  bool granularity_enabled = true;
  int64_t unit_minutes = 15;
  bool entry_maximum_enabled = true;
  int64_t entry_minutes_max = 8 * 60;

  // 2. Overdraft floors: how far below zero an account may go (counting pending holds).
  bool floors_enabled = true;
  int64_t person_floor_minutes = -10 * 60;
  int64_t organisation_floor_minutes = -100'000 * 60;
  int64_t pool_floor_minutes = 0;
  bool earn_before_spend = false;  // new persons at 0 until they first earn

  // 3. Balance cap for persons.
  bool balance_cap_enabled = true;
  int64_t person_cap_minutes = 100 * 60;
  CapAction cap_action = CapAction::kRefuse;

  // 4. Plausibility.
  bool daily_limit_enabled = true;
  int64_t daily_earn_minutes_max = 12 * 60;  // per person per calendar day, bank's time zone
  bool backdating_enabled = true;
  int64_t backdate_days_max = 60;

  // 5. Reciprocity: receiving a lot without giving any.
  bool reciprocity_enabled = true;
  int64_t reciprocity_window_days = 90;
  int64_t received_without_giving_minutes_max = 20 * 60;
  ReciprocityAction reciprocity_action = ReciprocityAction::kWarn;

  // 6. Staff on duty, and entries recorded by their own beneficiary.
  bool staff_duty_enabled = true;
  std::vector<std::string> staff_duty_activities;  // staff cannot earn for these
  bool self_recorded_needs_confirmation = true;

  // 8. Confirmation of member-to-member exchanges by the paying member.
  bool confirmation_enabled = false;
  int64_t pending_expiry_hours = 7 * 24;

  // 9. Expiry of credits untouched for a long time (to the pool).
  bool expiry_enabled = false;
  int64_t expiry_months = 12;

  // 10. A partner's SPEND from a member needs the member's consent. A card and PIN checked with
  // the spend is consent under any setting. A policy stored before this setting existed reads as
  // kNotAsked: it was set when partners were not asked, and a policy never rewrites the past.
  PartnerSpendConsent partner_spend_consent = PartnerSpendConsent::kMemberConfirms;

  // 11. Four eyes on writing off a closing member's debt: the first coordinator's close asks for
  // it (a pending GRANT from the pool), a second coordinator's close confirms it and closes.
  bool write_off_needs_second_coordinator = false;
};

// Returns every problem with `policy` as a sentence naming the field; empty if it is valid.
std::vector<std::string> PolicyProblems(const Policy& policy);

// Returns the floor of `account` under `policy` (the lowest balance it may reach).
int64_t FloorOf(const Policy& policy, const Account& account);

// The days the rules look back over: activity older than this can be forgotten.
int64_t RetainedDays(const Policy& policy);

std::string EncodePolicy(const Policy& policy);
absl::StatusOr<Policy> DecodePolicy(absl::string_view bytes);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_POLICY_H_
