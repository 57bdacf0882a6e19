#include "ledger/rules/policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/core/records.h"
#include "ledger/core/validate.h"

namespace timeledger::ledger {
namespace {

constexpr uint8_t kPolicyVersion = 1;

void CheckRange(std::vector<std::string>* problems, absl::string_view field, int64_t value,
                int64_t low, int64_t high) {
  if (value < low || value > high) {
    problems->push_back(
        absl::StrCat(field, " is ", value, "; it must be between ", low, " and ", high));
  }
}

void PutBool(std::string* out, bool value) { out->push_back(value ? 1 : 0); }

bool ReadBool(Reader* reader, bool* value) {
  uint8_t byte = 0;
  if (!reader->ReadByte(&byte) || byte > 1) return false;
  *value = byte == 1;
  return true;
}

}  // namespace

std::vector<std::string> PolicyProblems(const Policy& p) {
  std::vector<std::string> problems;
  if (p.granularity_enabled) {
    CheckRange(&problems, "granularity.unit_minutes", p.unit_minutes, 1, 24 * 60);
  }
  if (p.entry_maximum_enabled) {
    CheckRange(&problems, "entry_maximum.minutes_max", p.entry_minutes_max, 1, kEntryMinutesMax);
    if (p.granularity_enabled && p.unit_minutes > 0 && p.entry_minutes_max < p.unit_minutes) {
      problems.push_back(
          "entry_maximum.minutes_max is below granularity.unit_minutes: "
          "no entry could pass");
    }
  }
  if (p.floors_enabled) {
    CheckRange(&problems, "floors.person_minutes", p.person_floor_minutes, -kPolicyMinutesMax, 0);
    CheckRange(&problems, "floors.organisation_minutes", p.organisation_floor_minutes,
               -kPolicyMinutesMax, 0);
    CheckRange(&problems, "floors.pool_minutes", p.pool_floor_minutes, -kPolicyMinutesMax, 0);
  }
  if (p.balance_cap_enabled) {
    CheckRange(&problems, "balance_cap.person_minutes", p.person_cap_minutes, 1, kPolicyMinutesMax);
  }
  if (p.daily_limit_enabled) {
    CheckRange(&problems, "daily_limit.earn_minutes_max", p.daily_earn_minutes_max, 1, 24 * 60);
  }
  if (p.backdating_enabled) {
    CheckRange(&problems, "backdating.days_max", p.backdate_days_max, 0, kPolicyDaysMax);
  }
  if (p.reciprocity_enabled) {
    CheckRange(&problems, "reciprocity.window_days", p.reciprocity_window_days, 1, kPolicyDaysMax);
    CheckRange(&problems, "reciprocity.received_minutes_max", p.received_without_giving_minutes_max,
               0, kPolicyMinutesMax);
  }
  if (p.staff_duty_activities.size() > kDutyActivitiesMax) {
    problems.push_back(absl::StrCat("staff_duty.duty_activities lists ",
                                    p.staff_duty_activities.size(), "; the limit is ",
                                    kDutyActivitiesMax));
  }
  for (const std::string& activity : p.staff_duty_activities) {
    if (auto s = ValidateText("staff_duty.duty_activities", activity, kActivityLengthMax, true);
        !s.ok()) {
      problems.push_back(std::string(s.message()));
    }
  }
  if (p.confirmation_enabled || p.self_recorded_needs_confirmation ||
      p.partner_spend_consent == PartnerSpendConsent::kMemberConfirms ||
      p.write_off_needs_second_coordinator) {
    const size_t before = problems.size();
    CheckRange(&problems, "confirmation.expiry_hours", p.pending_expiry_hours, 1, 24 * 90);
    if (problems.size() > before && !p.confirmation_enabled) {
      // The section may be off and still needed: say what else waits for a confirmation.
      absl::StrAppend(&problems.back(),
                      " (entries still wait for confirmation with confirmation off: ",
                      p.self_recorded_needs_confirmation ? "self-recorded entries" : "",
                      p.self_recorded_needs_confirmation &&
                              p.partner_spend_consent == PartnerSpendConsent::kMemberConfirms
                          ? " and "
                          : "",
                      p.partner_spend_consent == PartnerSpendConsent::kMemberConfirms
                          ? "partner spends the member confirms (partner_spends.consent)"
                          : "",
                      ")");
    }
  }
  if (p.expiry_enabled) CheckRange(&problems, "expiry.months", p.expiry_months, 1, 120);
  return problems;
}

int64_t FloorOf(const Policy& policy, const Account& account) {
  if (!policy.floors_enabled) return INT64_MIN / 2;
  switch (account.kind) {
    case AccountKind::kPerson:
      if (policy.earn_before_spend && account.earned_minutes == 0) return 0;
      return policy.person_floor_minutes;
    case AccountKind::kOrganisation:
      return policy.organisation_floor_minutes;
    case AccountKind::kPool:
      return policy.pool_floor_minutes;
  }
  return 0;
}

int64_t RetainedDays(const Policy& policy) {
  return std::max<int64_t>({policy.reciprocity_window_days, policy.backdate_days_max, 1}) + 1;
}

std::string EncodePolicy(const Policy& p) {
  std::string out;
  out.push_back(static_cast<char>(kPolicyVersion));
  PutVarint64(&out, p.version);
  PutVarsint64(&out, ToMicros(p.set_at));
  PutLengthPrefixed(&out, p.set_by);
  PutBool(&out, p.granularity_enabled);
  PutVarsint64(&out, p.unit_minutes);
  PutBool(&out, p.entry_maximum_enabled);
  PutVarsint64(&out, p.entry_minutes_max);
  PutBool(&out, p.floors_enabled);
  PutVarsint64(&out, p.person_floor_minutes);
  PutVarsint64(&out, p.organisation_floor_minutes);
  PutVarsint64(&out, p.pool_floor_minutes);
  PutBool(&out, p.earn_before_spend);
  PutBool(&out, p.balance_cap_enabled);
  PutVarsint64(&out, p.person_cap_minutes);
  out.push_back(static_cast<char>(p.cap_action));
  PutBool(&out, p.daily_limit_enabled);
  PutVarsint64(&out, p.daily_earn_minutes_max);
  PutBool(&out, p.backdating_enabled);
  PutVarsint64(&out, p.backdate_days_max);
  PutBool(&out, p.reciprocity_enabled);
  PutVarsint64(&out, p.reciprocity_window_days);
  PutVarsint64(&out, p.received_without_giving_minutes_max);
  out.push_back(static_cast<char>(p.reciprocity_action));
  PutBool(&out, p.staff_duty_enabled);
  PutVarint64(&out, p.staff_duty_activities.size());
  for (const auto& activity : p.staff_duty_activities) PutLengthPrefixed(&out, activity);
  PutBool(&out, p.self_recorded_needs_confirmation);
  PutBool(&out, p.confirmation_enabled);
  PutVarsint64(&out, p.pending_expiry_hours);
  PutBool(&out, p.expiry_enabled);
  PutVarsint64(&out, p.expiry_months);
  // Written only when partners are asked, so that a policy of an older store, which has no such
  // byte and meant kNotAsked, encodes to the very bytes it was read from; and before a later
  // setting that is written (kNotAsked then written too).
  if (p.partner_spend_consent != PartnerSpendConsent::kNotAsked ||
      p.write_off_needs_second_coordinator) {
    out.push_back(static_cast<char>(p.partner_spend_consent));
  }
  // Written only when on (u8(1)), for the same reason.
  if (p.write_off_needs_second_coordinator) out.push_back(1);
  return out;
}

absl::StatusOr<Policy> DecodePolicy(absl::string_view bytes) {
  Reader r(bytes);
  Policy p;
  uint8_t version = 0, cap_action = 0, reciprocity_action = 0;
  uint8_t partner_spend_consent = static_cast<uint8_t>(PartnerSpendConsent::kNotAsked);
  int64_t set_at = 0;
  uint64_t activities = 0;
  bool ok =
      r.ReadByte(&version) && version == kPolicyVersion && r.ReadVarint64(&p.version) &&
      r.ReadVarsint64(&set_at) && r.ReadLengthPrefixed(&p.set_by, kIdLengthMax * 2) &&
      ReadBool(&r, &p.granularity_enabled) && r.ReadVarsint64(&p.unit_minutes) &&
      ReadBool(&r, &p.entry_maximum_enabled) && r.ReadVarsint64(&p.entry_minutes_max) &&
      ReadBool(&r, &p.floors_enabled) && r.ReadVarsint64(&p.person_floor_minutes) &&
      r.ReadVarsint64(&p.organisation_floor_minutes) && r.ReadVarsint64(&p.pool_floor_minutes) &&
      ReadBool(&r, &p.earn_before_spend) && ReadBool(&r, &p.balance_cap_enabled) &&
      r.ReadVarsint64(&p.person_cap_minutes) && r.ReadByte(&cap_action) &&
      (cap_action == 1 || cap_action == 2) && ReadBool(&r, &p.daily_limit_enabled) &&
      r.ReadVarsint64(&p.daily_earn_minutes_max) && ReadBool(&r, &p.backdating_enabled) &&
      r.ReadVarsint64(&p.backdate_days_max) && ReadBool(&r, &p.reciprocity_enabled) &&
      r.ReadVarsint64(&p.reciprocity_window_days) &&
      r.ReadVarsint64(&p.received_without_giving_minutes_max) && r.ReadByte(&reciprocity_action) &&
      (reciprocity_action == 1 || reciprocity_action == 2) && ReadBool(&r, &p.staff_duty_enabled) &&
      r.ReadVarint64(&activities) && activities <= kDutyActivitiesMax;
  for (uint64_t i = 0; ok && i < activities; ++i) {
    std::string activity;
    ok = r.ReadLengthPrefixed(&activity, kActivityLengthMax);
    p.staff_duty_activities.push_back(std::move(activity));
  }
  ok = ok && ReadBool(&r, &p.self_recorded_needs_confirmation) &&
       ReadBool(&r, &p.confirmation_enabled) && r.ReadVarsint64(&p.pending_expiry_hours) &&
       ReadBool(&r, &p.expiry_enabled) && r.ReadVarsint64(&p.expiry_months);
  if (ok && !r.done()) {
    // kNotAsked is written only before a later setting (EncodePolicy).
    ok = r.ReadByte(&partner_spend_consent) &&
         partner_spend_consent >= static_cast<uint8_t>(PartnerSpendConsent::kNotAsked) &&
         partner_spend_consent <= static_cast<uint8_t>(PartnerSpendConsent::kCardAndPin);
    uint8_t four_eyes = 0;
    if (ok && !r.done()) {
      ok = r.ReadByte(&four_eyes) && four_eyes == 1;
      p.write_off_needs_second_coordinator = true;
    } else {
      ok = ok && partner_spend_consent != static_cast<uint8_t>(PartnerSpendConsent::kNotAsked);
    }
  }
  ok = ok && r.done();
  if (!ok) {
    return Refuse(Reason::kCorruptRecord, "a stored policy record is damaged");
  }
  p.set_at = FromMicros(set_at);
  p.cap_action = static_cast<CapAction>(cap_action);
  p.reciprocity_action = static_cast<ReciprocityAction>(reciprocity_action);
  p.partner_spend_consent = static_cast<PartnerSpendConsent>(partner_spend_consent);
  return p;
}

}  // namespace timeledger::ledger
