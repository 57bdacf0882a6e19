#include "ledger/rules/rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "ledger/core/errors.h"
#include "ledger/core/given_received.h"

namespace timeledger::ledger {
namespace {

std::string Minutes(int64_t minutes) { return std::to_string(minutes); }

// "1 hour 30 minutes", for messages a coordinator reads out.
std::string InWords(int64_t minutes) {
  const bool negative = minutes < 0;
  const int64_t magnitude = negative ? -minutes : minutes;
  const int64_t hours = magnitude / 60, rest = magnitude % 60;
  std::string words = negative ? "minus " : "";
  if (hours > 0) absl::StrAppend(&words, hours, hours == 1 ? " hour" : " hours");
  if (rest > 0 || hours == 0) {
    absl::StrAppend(&words, hours > 0 ? " " : "", rest, rest == 1 ? " minute" : " minutes");
  }
  return words;
}

int64_t EarnedOnDay(const Account& account, int32_t day) {
  for (const DayActivity& activity : account.recent_days) {
    if (activity.day == day) return activity.given_minutes;
  }
  return 0;
}

absl::Status CheckSize(const RuleInput& in) {
  const Policy& p = in.policy;
  const int64_t minutes = in.entry.minutes;
  if (!IsTimeGiven(in.entry.kind)) return absl::OkStatus();
  if (p.granularity_enabled && minutes % p.unit_minutes != 0) {
    return Refuse(
        Reason::kGranularity,
        absl::StrCat("this bank records time in steps of ", p.unit_minutes, " minutes; ", minutes,
                     " minutes is not one"),
        {{"limit_minutes", Minutes(p.unit_minutes)}, {"attempted_minutes", Minutes(minutes)}});
  }
  if (p.entry_maximum_enabled && minutes > p.entry_minutes_max) {
    return Refuse(
        Reason::kEntryMaximum,
        absl::StrCat("one entry may record at most ", InWords(p.entry_minutes_max),
                     "; this one has ", InWords(minutes)),
        {{"limit_minutes", Minutes(p.entry_minutes_max)}, {"attempted_minutes", Minutes(minutes)}});
  }
  return absl::OkStatus();
}

absl::Status CheckBackdating(const RuleInput& in) {
  const Policy& p = in.policy;
  if (!p.backdating_enabled || in.entry.kind == EntryKind::kReversal) return absl::OkStatus();
  const absl::Time earliest = in.now - absl::Hours(24 * p.backdate_days_max);
  if (in.entry.occurred_at < earliest) {
    return Refuse(
        Reason::kBackdated,
        absl::StrCat("entries may be dated at most ", p.backdate_days_max,
                     " days back; this one is dated ",
                     absl::FormatTime("%Y-%m-%d", in.entry.occurred_at, in.zone)),
        {{"limit_days", std::to_string(p.backdate_days_max)},
         {"occurred_at", absl::FormatTime(absl::RFC3339_sec, in.entry.occurred_at, in.zone)}});
  }
  return absl::OkStatus();
}

absl::Status CheckEarner(const RuleInput& in) {
  const Policy& p = in.policy;
  const Account& to = in.to;
  if (!IsTimeGiven(in.entry.kind) || to.kind != AccountKind::kPerson) return absl::OkStatus();
  const bool duty_in_catalogue = in.activity != nullptr && !in.activity->staff_on_duty_may_earn;
  if (p.staff_duty_enabled && to.HasRole(Role::kStaff) &&
      (duty_in_catalogue ||
       std::find(p.staff_duty_activities.begin(), p.staff_duty_activities.end(),
                 in.entry.activity) != p.staff_duty_activities.end())) {
    return Refuse(
        Reason::kStaffOnDuty,
        absl::StrCat(to.display_name, " is staff, and \"", in.entry.activity,
                     "\" is paid staff duty: staff earn credits only for time given outside duty"),
        {{"account_id", to.account_id}, {"activity", in.entry.activity}});
  }
  if (p.daily_limit_enabled) {
    const int64_t today = EarnedOnDay(to, DayOf(in.entry.occurred_at, in.zone));
    if (today + in.entry.minutes > p.daily_earn_minutes_max) {
      return Refuse(Reason::kDailyLimit,
                    absl::StrCat(to.display_name, " would earn ", InWords(today + in.entry.minutes),
                                 " on one day; the limit is ", InWords(p.daily_earn_minutes_max)),
                    {{"account_id", to.account_id},
                     {"limit_minutes", Minutes(p.daily_earn_minutes_max)},
                     {"current_minutes", Minutes(today)},
                     {"attempted_minutes", Minutes(in.entry.minutes)}});
    }
  }
  return absl::OkStatus();
}

// An activity that requires qualifications pays only an earner who held them, valid, on the day.
absl::Status CheckQualifications(const RuleInput& in) {
  if (in.activity == nullptr || in.activity->required_qualifications.empty() ||
      !IsTimeGiven(in.entry.kind) || in.to.kind != AccountKind::kPerson) {
    return absl::OkStatus();
  }
  static const std::vector<Holding> kNone;
  const QualificationGap gap =
      GapAt(in.activity->required_qualifications,
            in.earner_holdings != nullptr ? *in.earner_holdings : kNone, in.entry.occurred_at);
  if (gap.empty()) return absl::OkStatus();
  std::string what;
  if (!gap.missing.empty())
    absl::StrAppend(&what, "does not hold ", absl::StrJoin(gap.missing, ", "));
  if (!gap.expired.empty()) {
    absl::StrAppend(&what, what.empty() ? "" : ", and ", "held ", absl::StrJoin(gap.expired, ", "),
                    " but not valid then (expired)");
  }
  return Refuse(
      Reason::kQualificationRequired,
      absl::StrCat("\"", in.activity->title, "\" (", in.activity->code, ") needs ",
                   absl::StrJoin(in.activity->required_qualifications, ", "), "; ",
                   in.to.display_name, " ", what, " on ",
                   absl::FormatTime("%Y-%m-%d", in.entry.occurred_at, in.zone)),
      {{"account_id", in.to.account_id},
       {"activity", in.activity->code},
       {"required", absl::StrJoin(in.activity->required_qualifications, ",")},
       {"missing", absl::StrJoin(gap.missing, ",")},
       {"expired", absl::StrJoin(gap.expired, ",")},
       {"occurred_at", absl::FormatTime(absl::RFC3339_sec, in.entry.occurred_at, in.zone)}});
}

absl::Status CheckFloor(const RuleInput& in) {
  if (!in.policy.floors_enabled) return absl::OkStatus();
  const Account& from = in.from;
  const int64_t floor = FloorOf(in.policy, from);
  const int64_t after = from.balance_minutes - from.held_minutes - in.entry.minutes;
  if (after >= floor) return absl::OkStatus();
  const bool newcomer = floor == 0 && in.policy.earn_before_spend && from.earned_minutes == 0;
  return Refuse(
      Reason::kOverdraftLimit,
      newcomer ? absl::StrCat(from.display_name,
                              " has not given any time yet, and this bank asks members to give "
                              "before they receive")
               : absl::StrCat(from.display_name, " can go down to ", InWords(floor), "; paying ",
                              InWords(in.entry.minutes), " would leave ", InWords(after)),
      {{"account_id", from.account_id},
       {"limit_minutes", Minutes(floor)},
       {"balance_minutes", Minutes(from.balance_minutes)},
       {"held_minutes", Minutes(from.held_minutes)},
       {"attempted_minutes", Minutes(in.entry.minutes)}});
}

// Returns a refusal or adds a warning when a person receives much without giving.
absl::Status CheckReciprocity(const RuleInput& in, RuleVerdict* verdict) {
  const Policy& p = in.policy;
  const Account& from = in.from;
  if (from.kind != AccountKind::kPerson) return absl::OkStatus();
  verdict->payer_reciprocity = ReciprocityOf(from, p, DayOf(in.now, in.zone));
  if (!p.reciprocity_enabled || !IsTimeReceived(in.entry.kind)) return absl::OkStatus();
  const ReciprocityFigure& figure = verdict->payer_reciprocity;
  const int64_t received = figure.received_minutes + in.entry.minutes;
  if (figure.given_minutes > 0 || received <= p.received_without_giving_minutes_max) {
    return absl::OkStatus();
  }
  const std::string message =
      absl::StrCat(from.display_name, " has received ", InWords(received), " in the last ",
                   p.reciprocity_window_days,
                   " days without giving any time: a coordinator may want to talk "
                   "about ways to give");
  std::vector<std::pair<std::string, std::string>> figures = {
      {"account_id", from.account_id},
      {"limit_minutes", Minutes(p.received_without_giving_minutes_max)},
      {"received_minutes", Minutes(figure.received_minutes)},
      {"given_minutes", Minutes(figure.given_minutes)},
      {"attempted_minutes", Minutes(in.entry.minutes)}};
  if (p.reciprocity_action == ReciprocityAction::kRefuse) {
    return Refuse(Reason::kReciprocity, message,
                  {{"account_id", from.account_id},
                   {"limit_minutes", Minutes(p.received_without_giving_minutes_max)},
                   {"received_minutes", Minutes(figure.received_minutes)},
                   {"attempted_minutes", Minutes(in.entry.minutes)}});
  }
  verdict->warnings.push_back(
      Warning{std::string(ReasonName(Reason::kReciprocity)), message, std::move(figures)});
  return absl::OkStatus();
}

// True if the entry is a partner's SPEND that the payer has not agreed to with card and PIN.
bool PartnerSpendWithoutCard(const RuleInput& in) {
  return in.recorded_by_partner && in.entry.kind == EntryKind::kSpend &&
         in.payer_card_holder.empty();
}

// Refuses a partner's SPEND that carries another member's card, and one without the payer's
// card and PIN where the policy asks for them.
absl::Status CheckPartnerConsent(const RuleInput& in) {
  if (!in.recorded_by_partner || in.entry.kind != EntryKind::kSpend) return absl::OkStatus();
  if (!in.payer_card_holder.empty() && in.payer_card_holder != in.from.account_id) {
    return Refuse(
        Reason::kNotPayersCard, "the card given is not the paying member's",
        {{"account_id", in.from.account_id}, {"attempted_minutes", Minutes(in.entry.minutes)}});
  }
  if (PartnerSpendWithoutCard(in) &&
      in.policy.partner_spend_consent == PartnerSpendConsent::kCardAndPin) {
    return Refuse(
        Reason::kMemberConsentRequired,
        "this bank asks for the member's card and PIN with a partner's spend",
        {{"account_id", in.from.account_id}, {"attempted_minutes", Minutes(in.entry.minutes)}});
  }
  return absl::OkStatus();
}

void DecideConfirmation(const RuleInput& in, RuleVerdict* verdict) {
  const Policy& p = in.policy;
  if (in.entry.kind == EntryKind::kReversal) return;
  if (PartnerSpendWithoutCard(in) &&
      p.partner_spend_consent == PartnerSpendConsent::kMemberConfirms) {
    verdict->needs_confirmation = true;
    verdict->confirm_by = in.from.account_id;
    verdict->pending_reason = "PARTNER_SPEND";
  } else if (p.self_recorded_needs_confirmation && in.entry.recorded_by == in.to.account_id) {
    verdict->needs_confirmation = true;
    verdict->confirm_by = in.from.account_id;
    verdict->pending_reason = "SELF_RECORDED";
  } else if (p.confirmation_enabled && in.entry.kind == EntryKind::kExchange &&
             in.from.kind == AccountKind::kPerson && in.to.kind == AccountKind::kPerson) {
    verdict->needs_confirmation = true;
    verdict->confirm_by = in.from.account_id;
    verdict->pending_reason = "CONFIRMATION";
  }
}

}  // namespace

int32_t DayOf(absl::Time time, absl::TimeZone zone) {
  const absl::CivilDay day = absl::ToCivilDay(time, zone);
  return static_cast<int32_t>(day - absl::CivilDay(1970, 1, 1));
}

absl::Status CheckCap(const Policy& policy, const Account& to, int64_t minutes,
                      int64_t* excess_to_pool) {
  *excess_to_pool = 0;
  if (!policy.balance_cap_enabled || to.kind != AccountKind::kPerson) return absl::OkStatus();
  const int64_t after = to.balance_minutes + minutes;
  if (after <= policy.person_cap_minutes) return absl::OkStatus();
  if (policy.cap_action == CapAction::kToPool) {
    *excess_to_pool = std::min(minutes, after - policy.person_cap_minutes);
    return absl::OkStatus();
  }
  return Refuse(
      Reason::kBalanceCap,
      absl::StrCat(to.display_name, " can hold at most ", InWords(policy.person_cap_minutes),
                   "; earning ", InWords(minutes), " would bring the balance to ", InWords(after),
                   ". Donating spare hours to the pool makes room"),
      {{"account_id", to.account_id},
       {"limit_minutes", Minutes(policy.person_cap_minutes)},
       {"balance_minutes", Minutes(to.balance_minutes)},
       {"attempted_minutes", Minutes(minutes)}});
}

RuleVerdict CheckEntryRules(const RuleInput& in) {
  RuleVerdict verdict;
  for (auto check : {CheckPartnerConsent, CheckSize, CheckBackdating, CheckEarner,
                     CheckQualifications, CheckFloor}) {
    verdict.refusal = check(in);
    if (!verdict.refusal.ok()) return verdict;
  }
  verdict.refusal = CheckCap(in.policy, in.to, in.entry.minutes, &verdict.excess_to_pool_minutes);
  if (!verdict.refusal.ok()) return verdict;
  verdict.refusal = CheckReciprocity(in, &verdict);
  if (!verdict.refusal.ok()) return verdict;
  DecideConfirmation(in, &verdict);
  if (verdict.needs_confirmation) verdict.excess_to_pool_minutes = 0;  // decided on confirmation
  return verdict;
}

void RecordActivity(Account* account, int32_t day, int64_t given_minutes, int64_t received_minutes,
                    int32_t oldest_day) {
  auto& days = account->recent_days;
  days.erase(std::remove_if(days.begin(), days.end(),
                            [&](const DayActivity& d) { return d.day < oldest_day; }),
             days.end());
  if (day < oldest_day || (given_minutes == 0 && received_minutes == 0)) return;
  auto it = std::lower_bound(days.begin(), days.end(), day,
                             [](const DayActivity& d, int32_t value) { return d.day < value; });
  if (it == days.end() || it->day != day) it = days.insert(it, DayActivity{day, 0, 0});
  it->given_minutes += given_minutes;
  it->received_minutes += received_minutes;
}

ReciprocityFigure ReciprocityOf(const Account& account, const Policy& policy, int32_t today) {
  ReciprocityFigure figure;
  figure.window_days = policy.reciprocity_window_days;
  const int32_t first = today - static_cast<int32_t>(policy.reciprocity_window_days) + 1;
  for (const DayActivity& day : account.recent_days) {
    if (day.day >= first && day.day <= today) {
      figure.given_minutes += day.given_minutes;
      figure.received_minutes += day.received_minutes;
    }
  }
  return figure;
}

}  // namespace timeledger::ledger
