#include "services/convert.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

#include "ledger/core/errors.h"

namespace timeledger::services {
namespace {

constexpr char kErrorDomain[] = "timeledger.v1";
// Timestamps the wire may carry: 0001-01-01 to 9999-12-31, as google.protobuf.Timestamp says.
constexpr int64_t kTimestampSecondsMin = -62135596800;
constexpr int64_t kTimestampSecondsMax = 253402300799;

absl::Status BadEnum(const char* field, int value) {
  return ledger::Refuse(ledger::Reason::kInvalidEnum,
                        std::string(field) + " has an unknown value " + std::to_string(value),
                        {{"field", field}});
}

// A reason for errors that carry none (e.g. a cancelled call), so every error has one.
std::string ReasonOrCode(const absl::Status& status) {
  std::string reason = ledger::ReasonOf(status);
  return reason.empty() ? absl::StatusCodeToString(status.code())
                        : ledger::Truncated(reason, kErrorFigureBytesMax);
}

std::string BoundedMessage(const absl::Status& status) {
  return ledger::Truncated(status.message(), kErrorMessageBytesMax);
}

// The figures of `status`, at most kErrorFiguresMax of them (by name), each cut to its limits.
template <typename Map>
void AddBoundedFigures(const absl::Status& status, Map* out) {
  size_t count = 0;
  for (const auto& [name, value] : ledger::FiguresOf(status)) {
    if (count++ == kErrorFiguresMax) break;
    (*out)[ledger::Truncated(name, kErrorFigureNameBytesMax)] =
        ledger::Truncated(value, kErrorFigureBytesMax);
  }
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::ErrorInfo info;
  info.set_reason(ReasonOrCode(status));
  info.set_domain(kErrorDomain);
  AddBoundedFigures(status, info.mutable_metadata());
  const std::string message = BoundedMessage(status);
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(message);
  details.add_details()->PackFrom(info);
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), message,
                      details.SerializeAsString());
}

void ToProblem(const absl::Status& status, v1::Problem* problem) {
  problem->set_code(static_cast<int>(status.code()));
  problem->set_reason(ReasonOrCode(status));
  problem->set_message(BoundedMessage(status));
  AddBoundedFigures(status, problem->mutable_metadata());
}

absl::StatusOr<absl::Time> FromProto(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() < kTimestampSecondsMin || timestamp.seconds() > kTimestampSecondsMax ||
      timestamp.nanos() < 0 || timestamp.nanos() > 999'999'999) {
    return ledger::Refuse(ledger::Reason::kInvalidTimestamp, "a timestamp is out of range",
                          {{"field", "timestamp"}});
  }
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

void ToProto(absl::Time time, google::protobuf::Timestamp* timestamp) {
  const int64_t micros = absl::ToUnixMicros(time);
  int64_t seconds = micros / 1'000'000;
  int64_t rest = micros % 1'000'000;
  if (rest < 0) {
    rest += 1'000'000;
    --seconds;
  }
  timestamp->set_seconds(seconds);
  timestamp->set_nanos(static_cast<int32_t>(rest * 1000));
}

absl::StatusOr<ledger::AccountKind> FromProto(v1::AccountKind kind) {
  switch (kind) {
    case v1::PERSON:
      return ledger::AccountKind::kPerson;
    case v1::ORGANISATION:
      return ledger::AccountKind::kOrganisation;
    case v1::POOL:
      return ledger::AccountKind::kPool;
    case v1::ACCOUNT_KIND_UNSPECIFIED:
      return ledger::Refuse(ledger::Reason::kInvalidKind,
                            "kind is missing: PERSON, ORGANISATION or POOL", {{"field", "kind"}});
    default:
      return BadEnum("kind", kind);
  }
}

absl::StatusOr<ledger::Role> FromProto(v1::Role role) {
  switch (role) {
    case v1::MEMBER:
      return ledger::Role::kMember;
    case v1::VOLUNTEER:
      return ledger::Role::kVolunteer;
    case v1::STAFF:
      return ledger::Role::kStaff;
    default:
      return BadEnum("roles", role);
  }
}

absl::StatusOr<ledger::EntryKind> FromProto(v1::EntryKind kind) {
  switch (kind) {
    case v1::ENTRY_KIND_UNSPECIFIED:
    case v1::EXCHANGE:
      return ledger::EntryKind::kExchange;
    case v1::AWARD:
      return ledger::EntryKind::kAward;
    case v1::SPEND:
      return ledger::EntryKind::kSpend;
    case v1::DONATION:
      return ledger::EntryKind::kDonation;
    case v1::GRANT:
      return ledger::EntryKind::kGrant;
    case v1::REVERSAL:
      return ledger::EntryKind::kReversal;
    case v1::QUALIFICATION_REWARD:
      return ledger::EntryKind::kQualificationReward;
    default:
      return BadEnum("kind", kind);
  }
}

absl::StatusOr<std::vector<ledger::Role>> RolesFromProto(
    const google::protobuf::RepeatedField<int>& roles) {
  if (roles.size() > static_cast<int>(ledger::kRolesMax)) {
    return ledger::Refuse(ledger::Reason::kInvalidRoles, "roles must not repeat",
                          {{"field", "roles"}});
  }
  std::vector<ledger::Role> out;
  for (int role_value : roles) {
    auto role = FromProto(static_cast<v1::Role>(role_value));
    if (!role.ok()) return role.status();
    out.push_back(*role);
  }
  return out;
}

absl::StatusOr<ledger::Account> FromProto(const v1::OpenAccountRequest& request) {
  ledger::Account account;
  account.bank_id = request.bank_id();
  account.account_id = request.account_id();
  account.display_name = request.display_name();
  account.phone = request.phone();
  account.email = request.email();
  auto kind = FromProto(request.kind());
  if (!kind.ok()) return kind.status();
  account.kind = *kind;
  auto roles = RolesFromProto(request.roles());
  if (!roles.ok()) return roles.status();
  account.roles = *std::move(roles);
  return account;
}

absl::StatusOr<ledger::EntrySpec> FromProto(const v1::RecordEntryRequest& request) {
  ledger::EntrySpec spec;
  spec.bank_id = request.bank_id();
  spec.entry_id = request.entry_id();
  auto kind = FromProto(request.kind());
  if (!kind.ok()) return kind.status();
  spec.kind = *kind;
  spec.from_account_id = request.from_account_id();
  spec.to_account_id = request.to_account_id();
  spec.minutes = request.minutes();
  spec.activity = request.activity();
  spec.note = request.note();
  if (request.has_occurred_at()) {
    auto occurred_at = FromProto(request.occurred_at());
    if (!occurred_at.ok()) return ledger::WithFigure(occurred_at.status(), "field", "occurred_at");
    spec.occurred_at = *occurred_at;
  }
  spec.imported = request.imported();
  spec.reverses_seq = request.reverses_seq();
  return spec;
}

void ToProto(const ledger::BankSummary& summary, v1::Bank* bank) {
  bank->set_bank_id(summary.bank.bank_id);
  bank->set_name(summary.bank.name);
  bank->set_time_zone(summary.bank.time_zone);
  ToProto(summary.bank.created_at, bank->mutable_created_at());
  bank->set_account_count(static_cast<int64_t>(summary.account_count));
  bank->set_entry_count(summary.entry_count);
  bank->set_pool_account_id(ledger::kPoolAccountId);
}

void ToProto(const ledger::Account& account, v1::Account* out) {
  out->set_bank_id(account.bank_id);
  out->set_account_id(account.account_id);
  out->set_kind(static_cast<v1::AccountKind>(account.kind));
  for (ledger::Role role : account.roles) out->add_roles(static_cast<v1::Role>(role));
  out->set_display_name(account.display_name);
  out->set_personal_data_erased(account.personal_data_erased);
  out->set_phone(account.phone);
  out->set_email(account.email);
  out->set_status(static_cast<v1::AccountStatus>(account.status));
  out->set_balance_minutes(account.balance_minutes);
  out->set_earned_minutes(account.earned_minutes);
  out->set_spent_minutes(account.spent_minutes);
  ToProto(account.opened_at, out->mutable_opened_at());
  out->set_entry_count(account.entry_count);
  out->set_held_minutes(account.held_minutes);
  out->set_pending_in_minutes(account.pending_in_minutes);
  if (account.last_activity_at != absl::InfinitePast()) {
    ToProto(account.last_activity_at, out->mutable_last_activity_at());
  }
}

void ToProto(const ledger::Entry& entry, v1::Entry* out) {
  out->set_bank_id(entry.bank_id);
  out->set_entry_id(entry.entry_id);
  out->set_kind(static_cast<v1::EntryKind>(entry.kind));
  out->set_from_account_id(entry.from_account_id);
  out->set_to_account_id(entry.to_account_id);
  out->set_minutes(entry.minutes);
  out->set_activity(entry.activity);
  out->set_note(entry.note);
  ToProto(entry.occurred_at, out->mutable_occurred_at());
  out->set_seq(entry.seq);
  ToProto(entry.recorded_at, out->mutable_recorded_at());
  out->set_recorded_by(entry.recorded_by);
  out->set_reverses_seq(entry.reverses_seq);
  out->set_hash(entry.hash.data(), entry.hash.size());
  out->set_reversed_by_seq(entry.reversed_by_seq);
  // What a client needs to recompute `hash` of a sealed entry (layout 4); nothing for version 1.
  if (entry.version == ledger::kEntryVersionInline) return;
  out->set_encoding(entry.version);
  out->set_imported(entry.imported);
  const ledger::PersonalSeal& seal = entry.note_seal;
  if (!seal.committed()) return;
  out->set_note_commitment(seal.commitment.data(), seal.commitment.size());
  out->set_note_erased(seal.state == ledger::PersonalState::kErased);
  if (!out->note_erased()) out->set_note_salt(seal.salt.data(), seal.salt.size());
}

void ToProto(const ledger::Receipt& receipt, v1::RecordEntryResponse* out) {
  ToProto(receipt.entry, out->mutable_entry());
  out->set_replayed(receipt.replayed);
  out->set_from_balance_minutes(receipt.from_balance_minutes);
  out->set_to_balance_minutes(receipt.to_balance_minutes);
  out->set_pending(receipt.pending);
  out->set_confirm_by(receipt.confirm_by);
  for (const ledger::Warning& warning : receipt.warnings) {
    auto* w = out->add_warnings();
    w->set_reason(warning.reason);
    w->set_message(warning.message);
    for (const auto& [name, value] : warning.figures) (*w->mutable_metadata())[name] = value;
  }
  out->set_excess_to_pool_minutes(receipt.excess_to_pool_minutes);
  out->set_excess_entry_seq(receipt.excess_entry_seq);
  auto* reciprocity = out->mutable_payer_reciprocity();
  reciprocity->set_given_minutes(receipt.payer_reciprocity.given_minutes);
  reciprocity->set_received_minutes(receipt.payer_reciprocity.received_minutes);
  reciprocity->set_window_days(receipt.payer_reciprocity.window_days);
}

void ToProto(const ledger::AccountStanding& standing, v1::Account* out) {
  ToProto(standing.account, out);
  out->set_floor_minutes(standing.floor_minutes.count());
  out->set_cap_minutes(standing.cap_minutes.count());
  out->set_available_minutes(standing.available_minutes.count());
  auto* reciprocity = out->mutable_reciprocity();
  reciprocity->set_given_minutes(standing.reciprocity.given_minutes);
  reciprocity->set_received_minutes(standing.reciprocity.received_minutes);
  reciprocity->set_window_days(standing.reciprocity.window_days);
}

void ToProto(const ledger::PendingEntry& pending, v1::PendingEntry* out) {
  ToProto(pending.entry, out->mutable_entry());
  out->set_state(static_cast<v1::PendingState>(pending.state));
  out->set_confirm_by(pending.confirm_by);
  ToProto(pending.expires_at, out->mutable_expires_at());
  if (pending.resolved_at != absl::InfinitePast()) {
    ToProto(pending.resolved_at, out->mutable_resolved_at());
  }
  out->set_resolved_by(pending.resolved_by);
  out->set_reason(pending.reason);
}

void ToProto(const ledger::Policy& p, v1::Policy* out) {
  out->set_version(p.version);
  if (p.set_at != absl::InfinitePast()) ToProto(p.set_at, out->mutable_set_at());
  out->set_set_by(p.set_by);
  out->mutable_granularity()->set_enabled(p.granularity_enabled);
  out->mutable_granularity()->set_unit_minutes(p.unit_minutes);
  out->mutable_entry_maximum()->set_enabled(p.entry_maximum_enabled);
  out->mutable_entry_maximum()->set_minutes_max(p.entry_minutes_max);
  auto* floors = out->mutable_floors();
  floors->set_enabled(p.floors_enabled);
  floors->set_person_minutes(p.person_floor_minutes);
  floors->set_organisation_minutes(p.organisation_floor_minutes);
  floors->set_pool_minutes(p.pool_floor_minutes);
  floors->set_earn_before_spend(p.earn_before_spend);
  auto* cap = out->mutable_balance_cap();
  cap->set_enabled(p.balance_cap_enabled);
  cap->set_person_minutes(p.person_cap_minutes);
  cap->set_action(p.cap_action == ledger::CapAction::kToPool ? v1::Policy::TO_POOL
                                                             : v1::Policy::REFUSE);
  out->mutable_daily_limit()->set_enabled(p.daily_limit_enabled);
  out->mutable_daily_limit()->set_earn_minutes_max(p.daily_earn_minutes_max);
  out->mutable_backdating()->set_enabled(p.backdating_enabled);
  out->mutable_backdating()->set_days_max(p.backdate_days_max);
  auto* reciprocity = out->mutable_reciprocity();
  reciprocity->set_enabled(p.reciprocity_enabled);
  reciprocity->set_window_days(p.reciprocity_window_days);
  reciprocity->set_received_minutes_max(p.received_without_giving_minutes_max);
  reciprocity->set_action(p.reciprocity_action == ledger::ReciprocityAction::kRefuse
                              ? v1::Policy::REFUSE_ENTRY
                              : v1::Policy::WARN);
  auto* duty = out->mutable_staff_duty();
  duty->set_enabled(p.staff_duty_enabled);
  for (const auto& activity : p.staff_duty_activities) duty->add_duty_activities(activity);
  duty->set_self_recorded_needs_confirmation(p.self_recorded_needs_confirmation);
  out->mutable_confirmation()->set_enabled(p.confirmation_enabled);
  out->mutable_confirmation()->set_expiry_hours(p.pending_expiry_hours);
  out->mutable_expiry()->set_enabled(p.expiry_enabled);
  out->mutable_expiry()->set_months(p.expiry_months);
  switch (p.partner_spend_consent) {
    case ledger::PartnerSpendConsent::kNotAsked:
      out->mutable_partner_spends()->set_consent(v1::Policy::NOT_ASKED);
      break;
    case ledger::PartnerSpendConsent::kMemberConfirms:
      out->mutable_partner_spends()->set_consent(v1::Policy::MEMBER_CONFIRMS);
      break;
    case ledger::PartnerSpendConsent::kCardAndPin:
      out->mutable_partner_spends()->set_consent(v1::Policy::CARD_AND_PIN);
      break;
  }
  // Only when on, so that every policy exported before the setting existed keeps its bytes.
  if (p.write_off_needs_second_coordinator) {
    out->mutable_closing()->set_write_off_needs_second_coordinator(true);
  }
}

namespace {

// An unset action is the default, REFUSE.
absl::StatusOr<ledger::CapAction> CapActionFromProto(v1::Policy::CapAction action) {
  switch (action) {
    case v1::Policy::REFUSE:
    case v1::Policy::CAP_ACTION_UNSPECIFIED:
      return ledger::CapAction::kRefuse;
    case v1::Policy::TO_POOL:
      return ledger::CapAction::kToPool;
    default:
      return BadEnum("balance_cap.action", action);
  }
}

// An unset action is the default, WARN.
absl::StatusOr<ledger::ReciprocityAction> ReciprocityActionFromProto(
    v1::Policy::ReciprocityAction action) {
  switch (action) {
    case v1::Policy::WARN:
    case v1::Policy::RECIPROCITY_ACTION_UNSPECIFIED:
      return ledger::ReciprocityAction::kWarn;
    case v1::Policy::REFUSE_ENTRY:
      return ledger::ReciprocityAction::kRefuse;
    default:
      return BadEnum("reciprocity.action", action);
  }
}

// An unset consent is the default, MEMBER_CONFIRMS.
absl::StatusOr<ledger::PartnerSpendConsent> PartnerSpendConsentFromProto(
    v1::Policy::PartnerSpendConsent consent) {
  switch (consent) {
    case v1::Policy::PARTNER_SPEND_CONSENT_UNSPECIFIED:
    case v1::Policy::MEMBER_CONFIRMS:
      return ledger::PartnerSpendConsent::kMemberConfirms;
    case v1::Policy::CARD_AND_PIN:
      return ledger::PartnerSpendConsent::kCardAndPin;
    case v1::Policy::NOT_ASKED:
      return ledger::PartnerSpendConsent::kNotAsked;
    default:
      return BadEnum("partner_spends.consent", consent);
  }
}

// Refuses a list of duty activities longer than the policy may hold.
absl::Status StaffDutyFromProto(const v1::Policy::StaffDuty& in, ledger::Policy* p) {
  p->staff_duty_enabled = in.enabled();
  if (in.duty_activities_size() > static_cast<int>(ledger::kDutyActivitiesMax)) {
    return ledger::Refuse(ledger::Reason::kInvalidPolicy,
                          "staff_duty.duty_activities lists too many activities",
                          {{"field", "staff_duty.duty_activities"}});
  }
  p->staff_duty_activities.assign(in.duty_activities().begin(), in.duty_activities().end());
  p->self_recorded_needs_confirmation = in.self_recorded_needs_confirmation();
  return absl::OkStatus();
}

// The sections of numbers and switches alone: nothing here refuses them, the ledger judges
// their values (PolicyProblems).
void LimitsFromProto(const v1::Policy& in, ledger::Policy* p) {
  if (in.has_granularity()) {
    p->granularity_enabled = in.granularity().enabled();
    p->unit_minutes = in.granularity().unit_minutes();
  }
  if (in.has_entry_maximum()) {
    p->entry_maximum_enabled = in.entry_maximum().enabled();
    p->entry_minutes_max = in.entry_maximum().minutes_max();
  }
  if (in.has_floors()) {
    p->floors_enabled = in.floors().enabled();
    p->person_floor_minutes = in.floors().person_minutes();
    p->organisation_floor_minutes = in.floors().organisation_minutes();
    p->pool_floor_minutes = in.floors().pool_minutes();
    p->earn_before_spend = in.floors().earn_before_spend();
  }
  if (in.has_daily_limit()) {
    p->daily_limit_enabled = in.daily_limit().enabled();
    p->daily_earn_minutes_max = in.daily_limit().earn_minutes_max();
  }
  if (in.has_backdating()) {
    p->backdating_enabled = in.backdating().enabled();
    p->backdate_days_max = in.backdating().days_max();
  }
  if (in.has_confirmation()) {
    p->confirmation_enabled = in.confirmation().enabled();
    p->pending_expiry_hours = in.confirmation().expiry_hours();
  }
  if (in.has_expiry()) {
    p->expiry_enabled = in.expiry().enabled();
    p->expiry_months = in.expiry().months();
  }
}

}  // namespace

absl::StatusOr<ledger::Policy> FromProto(const v1::Policy& in) {
  ledger::Policy p;
  LimitsFromProto(in, &p);
  if (in.has_balance_cap()) {
    p.balance_cap_enabled = in.balance_cap().enabled();
    p.person_cap_minutes = in.balance_cap().person_minutes();
    absl::StatusOr<ledger::CapAction> action = CapActionFromProto(in.balance_cap().action());
    if (!action.ok()) return action.status();
    p.cap_action = *action;
  }
  if (in.has_reciprocity()) {
    p.reciprocity_enabled = in.reciprocity().enabled();
    p.reciprocity_window_days = in.reciprocity().window_days();
    p.received_without_giving_minutes_max = in.reciprocity().received_minutes_max();
    absl::StatusOr<ledger::ReciprocityAction> action =
        ReciprocityActionFromProto(in.reciprocity().action());
    if (!action.ok()) return action.status();
    p.reciprocity_action = *action;
  }
  if (in.has_staff_duty()) {
    absl::Status status = StaffDutyFromProto(in.staff_duty(), &p);
    if (!status.ok()) return status;
  }
  if (in.has_partner_spends()) {
    absl::StatusOr<ledger::PartnerSpendConsent> consent =
        PartnerSpendConsentFromProto(in.partner_spends().consent());
    if (!consent.ok()) return consent.status();
    p.partner_spend_consent = *consent;
  }
  if (in.has_closing()) {
    p.write_off_needs_second_coordinator = in.closing().write_off_needs_second_coordinator();
  }
  return p;
}

}  // namespace timeledger::services
