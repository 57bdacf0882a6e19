#include "services/catalogue_convert.h"

#include "ledger/core/errors.h"
#include "services/convert.h"

namespace timeledger::services {
namespace {

// A time that may be infinite (no expiry, never) is left unset on the wire.
bool Finite(absl::Time time) {
  return time != absl::InfiniteFuture() && time != absl::InfinitePast();
}

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& values) {
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace

absl::StatusOr<ledger::CatalogueKind> FromProto(v1::CatalogueKind kind) {
  switch (kind) {
    case v1::QUALIFICATION:
      return ledger::CatalogueKind::kQualification;
    case v1::ACTIVITY:
      return ledger::CatalogueKind::kActivity;
    case v1::OFFER:
      return ledger::CatalogueKind::kOffer;
    default:
      return ledger::Refuse(
          ledger::Reason::kInvalidEnum,
          "kind must be QUALIFICATION, ACTIVITY or OFFER; got " + std::to_string(kind),
          {{"field", "kind"}});
  }
}

absl::StatusOr<ledger::CatalogueItem> FromProto(const v1::CatalogueItem& item) {
  ledger::CatalogueItem out;
  out.bank_id = item.bank_id();
  out.code = item.code();
  out.title = item.title();
  switch (item.details_case()) {
    case v1::CatalogueItem::kQualification: {
      const v1::QualificationDetails& q = item.qualification();
      out.kind = ledger::CatalogueKind::kQualification;
      out.awarding_body = q.awarding_body();
      out.level = q.level();
      out.reward_account_id = q.reward_account_id();
      out.reward_minutes = q.reward_minutes();
      out.validity_days = q.validity_days();
      out.renewal_reward_minutes = q.renewal_reward_minutes();
      out.prerequisites = Strings(q.prerequisites());
      return out;
    }
    case v1::CatalogueItem::kActivity: {
      const v1::ActivityDetails& a = item.activity();
      out.kind = ledger::CatalogueKind::kActivity;
      out.category = a.category();
      out.required_qualifications = Strings(a.required_qualifications());
      out.staff_on_duty_may_earn = a.staff_on_duty_may_earn();
      return out;
    }
    case v1::CatalogueItem::kOffer: {
      const v1::OfferDetails& o = item.offer();
      out.kind = ledger::CatalogueKind::kOffer;
      out.price_minutes = o.price_minutes();
      out.organisation_account_id = o.organisation_account_id();
      out.leads_to_qualification = o.leads_to_qualification();
      return out;
    }
    default:
      return ledger::Refuse(
          ledger::Reason::kMissingDetails,
          "a catalogue item carries its details: qualification, activity or offer",
          {{"field", "details"}});
  }
}

absl::StatusOr<ledger::AwardSpec> FromProto(const v1::AwardQualificationRequest& request) {
  ledger::AwardSpec spec;
  spec.bank_id = request.bank_id();
  spec.award_id = request.award_id();
  spec.account_id = request.account_id();
  spec.qualification_code = request.qualification_code();
  spec.evidence = request.evidence();
  spec.verified_by = request.verified_by();
  if (request.has_attained_at()) {
    auto attained_at = FromProto(request.attained_at());
    if (!attained_at.ok()) return attained_at.status();
    spec.attained_at = *attained_at;
  }
  return spec;
}

ledger::RedeemSpec FromProto(const v1::RedeemOfferRequest& request) {
  return ledger::RedeemSpec{request.bank_id(), request.redemption_id(), request.account_id(),
                            request.offer_code(), request.note()};
}

void ToProto(const ledger::CatalogueItem& item, v1::CatalogueItem* out) {
  out->set_bank_id(item.bank_id);
  out->set_code(item.code);
  out->set_title(item.title);
  out->set_retired(item.retired);
  out->set_version(item.version);
  if (Finite(item.changed_at)) ToProto(item.changed_at, out->mutable_changed_at());
  out->set_changed_by(item.changed_by);
  switch (item.kind) {
    case ledger::CatalogueKind::kQualification: {
      v1::QualificationDetails* q = out->mutable_qualification();
      q->set_awarding_body(item.awarding_body);
      q->set_level(item.level);
      q->set_reward_account_id(item.reward_account_id);
      q->set_reward_minutes(item.reward_minutes);
      q->set_validity_days(item.validity_days);
      q->set_renewal_reward_minutes(item.renewal_reward_minutes);
      for (const std::string& code : item.prerequisites) q->add_prerequisites(code);
      return;
    }
    case ledger::CatalogueKind::kActivity: {
      v1::ActivityDetails* a = out->mutable_activity();
      a->set_category(item.category);
      for (const std::string& code : item.required_qualifications) {
        a->add_required_qualifications(code);
      }
      a->set_staff_on_duty_may_earn(item.staff_on_duty_may_earn);
      return;
    }
    case ledger::CatalogueKind::kOffer: {
      v1::OfferDetails* o = out->mutable_offer();
      o->set_price_minutes(item.price_minutes);
      o->set_organisation_account_id(item.organisation_account_id);
      o->set_leads_to_qualification(item.leads_to_qualification);
      return;
    }
  }
}

void ToProto(const ledger::Award& award, v1::Award* out) {
  out->set_bank_id(award.bank_id);
  out->set_award_id(award.award_id);
  out->set_account_id(award.account_id);
  out->set_qualification_code(award.qualification_code);
  ToProto(award.attained_at, out->mutable_attained_at());
  if (Finite(award.expires_at)) ToProto(award.expires_at, out->mutable_expires_at());
  out->set_evidence(award.evidence);
  out->set_verified_by(award.verified_by);
  out->set_outcome(static_cast<v1::AwardOutcome>(award.outcome));
  out->set_reward_minutes(award.reward_minutes);
  out->set_paid_by(award.paid_by);
  out->set_reward_seq(award.reward_seq);
  ToProto(award.recorded_at, out->mutable_recorded_at());
  out->set_recorded_by(award.recorded_by);
}

void ToProto(const ledger::AwardReceipt& receipt, v1::AwardQualificationResponse* out) {
  ToProto(receipt.award, out->mutable_award());
  out->set_replayed(receipt.replayed);
  if (receipt.reward_entry.seq != 0) ToProto(receipt.reward_entry, out->mutable_reward_entry());
  out->set_balance_minutes(receipt.balance_minutes);
  out->set_excess_to_pool_minutes(receipt.excess_to_pool_minutes);
}

void ToProto(const ledger::Redemption& redemption, v1::RedeemOfferResponse* out) {
  ToProto(redemption.receipt, out->mutable_receipt());
  out->set_qualification_in_progress(redemption.qualification_in_progress);
}

void ToProto(const ledger::HoldingView& view, v1::Holding* out) {
  const ledger::Holding& holding = view.holding;
  out->set_bank_id(holding.bank_id);
  out->set_account_id(holding.account_id);
  out->set_qualification_code(holding.qualification_code);
  out->set_status(static_cast<v1::QualificationStatus>(view.status));
  for (const ledger::ValidPeriod& period : holding.periods) {
    v1::ValidPeriod* p = out->add_periods();
    ToProto(period.from, p->mutable_from());
    if (Finite(period.until)) ToProto(period.until, p->mutable_until());
  }
  out->set_award_count(holding.award_count);
  out->set_last_award_id(holding.last_award_id);
  out->set_in_progress(holding.in_progress);
  if (Finite(holding.in_progress_since)) {
    ToProto(holding.in_progress_since, out->mutable_in_progress_since());
  }
  out->set_in_progress_offer(holding.in_progress_offer);
}

}  // namespace timeledger::services
