#include "ledger/rules/qualifications.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/core/records.h"

namespace timeledger::ledger {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kPrincipalLengthMax = kIdLengthMax * 2;

absl::Status Malformed(absl::string_view what) {
  return Refuse(Reason::kCorruptRecord, absl::StrCat("a stored ", what, " record is damaged"));
}

// Times as records.h stores them, and InfiniteFuture ("never expires") as the largest i64.
constexpr int64_t kNeverMicros = INT64_MAX;

void PutTime(std::string* out, absl::Time time) {
  PutFixed64Signed(out, time == absl::InfiniteFuture() ? kNeverMicros : ToMicros(time));
}
void PutBool(std::string* out, bool value) { out->push_back(value ? 1 : 0); }
void PutList(std::string* out, const std::vector<std::string>& values) {
  PutVarint64(out, values.size());
  for (const std::string& value : values) PutLengthPrefixed(out, value);
}

bool ReadTime(Reader* reader, absl::Time* time) {
  int64_t micros = 0;
  if (!reader->ReadFixed64Signed(&micros)) return false;
  *time = micros == kNeverMicros ? absl::InfiniteFuture() : FromMicros(micros);
  return true;
}
bool ReadBool(Reader* reader, bool* value) {
  uint8_t byte = 0;
  if (!reader->ReadByte(&byte) || byte > 1) return false;
  *value = byte == 1;
  return true;
}
bool ReadList(Reader* reader, std::vector<std::string>* values) {
  uint64_t count = 0;
  if (!reader->ReadVarint64(&count) || count > kRequirementsMax) return false;
  values->resize(count);
  for (std::string& value : *values) {
    if (!reader->ReadLengthPrefixed(&value, kIdLengthMax)) return false;
  }
  return true;
}
bool ReadEnum(Reader* reader, uint8_t high, uint8_t* value) {
  return reader->ReadByte(value) && *value >= 1 && *value <= high;
}

}  // namespace

std::string RewardEntryId(absl::string_view award_id) {
  return absl::StrCat(kRewardEntryIdPrefix, award_id);
}

const char* CatalogueKindName(CatalogueKind kind) {
  switch (kind) {
    case CatalogueKind::kQualification:
      return "qualification";
    case CatalogueKind::kActivity:
      return "activity";
    case CatalogueKind::kOffer:
      return "offer";
  }
  return "unknown";
}

// A kind outside the enum is refused as INVALID_KIND before any item is looked up.
Reason ItemNotFoundReason(CatalogueKind kind) {
  switch (kind) {
    case CatalogueKind::kQualification:
      return Reason::kQualificationNotFound;
    case CatalogueKind::kActivity:
      return Reason::kActivityNotFound;
    case CatalogueKind::kOffer:
      return Reason::kOfferNotFound;
  }
  return Reason::kInvalidKind;
}

Reason ItemRetiredReason(CatalogueKind kind) {
  switch (kind) {
    case CatalogueKind::kQualification:
      return Reason::kQualificationRetired;
    case CatalogueKind::kActivity:
      return Reason::kActivityRetired;
    case CatalogueKind::kOffer:
      return Reason::kOfferRetired;
  }
  return Reason::kInvalidKind;
}

const char* HoldingStatusName(HoldingStatus status) {
  switch (status) {
    case HoldingStatus::kValid:
      return "valid";
    case HoldingStatus::kExpiring:
      return "expiring";
    case HoldingStatus::kExpired:
      return "expired";
    case HoldingStatus::kInProgress:
      return "in_progress";
  }
  return "unknown";
}

const char* AwardOutcomeName(AwardOutcome outcome) {
  switch (outcome) {
    case AwardOutcome::kAttained:
      return "attained";
    case AwardOutcome::kRenewed:
      return "renewed";
    case AwardOutcome::kAlreadyValid:
      return "already_valid";
  }
  return "unknown";
}

//   item := 0x01 u8(kind) str(bank_id) str(code) str(title) u8(retired) u64(version)
//           i64(changed_at_us) str(changed_by) str(awarding_body) str(level)
//           str(reward_account_id) i64(reward_minutes) i64(validity_days)
//           i64(renewal_reward_minutes) list(prerequisites) str(category)
//           list(required_qualifications) u8(staff_on_duty_may_earn) i64(price_minutes)
//           str(organisation_account_id) str(leads_to_qualification)
//   list := varint(count) str*
std::string EncodeCatalogueItem(const CatalogueItem& item) {
  std::string out(1, static_cast<char>(kVersion));
  out.push_back(static_cast<char>(item.kind));
  PutLengthPrefixed(&out, item.bank_id);
  PutLengthPrefixed(&out, item.code);
  PutLengthPrefixed(&out, item.title);
  PutBool(&out, item.retired);
  PutFixed64BigEndian(&out, item.version);
  PutTime(&out, item.changed_at);
  PutLengthPrefixed(&out, item.changed_by);
  PutLengthPrefixed(&out, item.awarding_body);
  PutLengthPrefixed(&out, item.level);
  PutLengthPrefixed(&out, item.reward_account_id);
  PutFixed64Signed(&out, item.reward_minutes);
  PutFixed64Signed(&out, item.validity_days);
  PutFixed64Signed(&out, item.renewal_reward_minutes);
  PutList(&out, item.prerequisites);
  PutLengthPrefixed(&out, item.category);
  PutList(&out, item.required_qualifications);
  PutBool(&out, item.staff_on_duty_may_earn);
  PutFixed64Signed(&out, item.price_minutes);
  PutLengthPrefixed(&out, item.organisation_account_id);
  PutLengthPrefixed(&out, item.leads_to_qualification);
  return out;
}

absl::StatusOr<CatalogueItem> DecodeCatalogueItem(absl::string_view bytes) {
  Reader r(bytes);
  CatalogueItem item;
  uint8_t version = 0, kind = 0;
  if (!r.ReadByte(&version) || version != kVersion || !ReadEnum(&r, 3, &kind) ||
      !r.ReadLengthPrefixed(&item.bank_id, kIdLengthMax) ||
      !r.ReadLengthPrefixed(&item.code, kIdLengthMax) ||
      !r.ReadLengthPrefixed(&item.title, kNameLengthMax) || !ReadBool(&r, &item.retired) ||
      !r.ReadFixed64BigEndian(&item.version) || !ReadTime(&r, &item.changed_at) ||
      !r.ReadLengthPrefixed(&item.changed_by, kPrincipalLengthMax) ||
      !r.ReadLengthPrefixed(&item.awarding_body, kNameLengthMax) ||
      !r.ReadLengthPrefixed(&item.level, kLevelLengthMax) ||
      !r.ReadLengthPrefixed(&item.reward_account_id, kIdLengthMax) ||
      !r.ReadFixed64Signed(&item.reward_minutes) || !r.ReadFixed64Signed(&item.validity_days) ||
      !r.ReadFixed64Signed(&item.renewal_reward_minutes) || !ReadList(&r, &item.prerequisites) ||
      !r.ReadLengthPrefixed(&item.category, kCategoryLengthMax) ||
      !ReadList(&r, &item.required_qualifications) || !ReadBool(&r, &item.staff_on_duty_may_earn) ||
      !r.ReadFixed64Signed(&item.price_minutes) ||
      !r.ReadLengthPrefixed(&item.organisation_account_id, kIdLengthMax) ||
      !r.ReadLengthPrefixed(&item.leads_to_qualification, kIdLengthMax) || !r.done()) {
    return Malformed("catalogue item");
  }
  item.kind = static_cast<CatalogueKind>(kind);
  return item;
}

bool Holding::ValidAt(absl::Time time) const {
  return std::any_of(periods.begin(), periods.end(), [time](const ValidPeriod& period) {
    return period.from <= time && time < period.until;
  });
}

absl::Time Holding::valid_until() const {
  return periods.empty() ? absl::InfinitePast() : periods.back().until;
}

//   holding := 0x01 str(bank_id) str(account_id) str(qualification_code)
//              varint(period count) (i64(from_us) i64(until_us))* u64(award_count)
//              str(last_award_id) u8(in_progress) i64(in_progress_since_us)
//              str(in_progress_offer)
std::string EncodeHolding(const Holding& holding) {
  std::string out(1, static_cast<char>(kVersion));
  PutLengthPrefixed(&out, holding.bank_id);
  PutLengthPrefixed(&out, holding.account_id);
  PutLengthPrefixed(&out, holding.qualification_code);
  PutVarint64(&out, holding.periods.size());
  for (const ValidPeriod& period : holding.periods) {
    PutTime(&out, period.from);
    PutTime(&out, period.until);
  }
  PutFixed64BigEndian(&out, holding.award_count);
  PutLengthPrefixed(&out, holding.last_award_id);
  PutBool(&out, holding.in_progress);
  PutTime(&out, holding.in_progress_since);
  PutLengthPrefixed(&out, holding.in_progress_offer);
  return out;
}

absl::StatusOr<Holding> DecodeHolding(absl::string_view bytes) {
  Reader r(bytes);
  Holding holding;
  uint8_t version = 0;
  uint64_t count = 0, awards = 0;
  if (!r.ReadByte(&version) || version != kVersion ||
      !r.ReadLengthPrefixed(&holding.bank_id, kIdLengthMax) ||
      !r.ReadLengthPrefixed(&holding.account_id, kIdLengthMax) ||
      !r.ReadLengthPrefixed(&holding.qualification_code, kIdLengthMax) || !r.ReadVarint64(&count) ||
      count > kValidPeriodsMax) {
    return Malformed("qualification holding");
  }
  holding.periods.resize(count);
  for (ValidPeriod& period : holding.periods) {
    if (!ReadTime(&r, &period.from) || !ReadTime(&r, &period.until)) {
      return Malformed("qualification holding");
    }
  }
  if (!r.ReadFixed64BigEndian(&awards) || awards > UINT32_MAX ||
      !r.ReadLengthPrefixed(&holding.last_award_id, kIdLengthMax) ||
      !ReadBool(&r, &holding.in_progress) || !ReadTime(&r, &holding.in_progress_since) ||
      !r.ReadLengthPrefixed(&holding.in_progress_offer, kIdLengthMax) || !r.done()) {
    return Malformed("qualification holding");
  }
  holding.award_count = static_cast<uint32_t>(awards);
  return holding;
}

HoldingStatus StatusOf(const Holding& holding, absl::Time now, absl::Duration expiring_within) {
  if (holding.ValidAt(now)) {
    return holding.valid_until() - now <= expiring_within ? HoldingStatus::kExpiring
                                                          : HoldingStatus::kValid;
  }
  return holding.in_progress ? HoldingStatus::kInProgress : HoldingStatus::kExpired;
}

Digest AwardFingerprint(const AwardSpec& spec) {
  std::string out;
  PutLengthPrefixed(&out, spec.bank_id);
  PutLengthPrefixed(&out, spec.award_id);
  PutLengthPrefixed(&out, spec.account_id);
  PutLengthPrefixed(&out, spec.qualification_code);
  const bool has_time = spec.attained_at != absl::InfinitePast();
  PutFixed64Signed(&out, has_time ? ToMicros(spec.attained_at) : 0);
  PutLengthPrefixed(&out, spec.evidence);
  PutLengthPrefixed(&out, spec.verified_by);
  return Sha256Of(out);
}

//   award := 0x01 str(bank_id) str(award_id) str(account_id) str(qualification_code)
//            i64(attained_at_us) i64(expires_at_us) str(evidence) str(verified_by)
//            u8(outcome: 1 attained, 2 renewed, 3 already valid) i64(reward_minutes)
//            str(paid_by) u64(reward_seq) i64(recorded_at_us) str(recorded_by) fingerprint(32)
std::string EncodeAward(const Award& award) {
  std::string out(1, static_cast<char>(kVersion));
  PutLengthPrefixed(&out, award.bank_id);
  PutLengthPrefixed(&out, award.award_id);
  PutLengthPrefixed(&out, award.account_id);
  PutLengthPrefixed(&out, award.qualification_code);
  PutTime(&out, award.attained_at);
  PutTime(&out, award.expires_at);
  PutLengthPrefixed(&out, award.evidence);
  PutLengthPrefixed(&out, award.verified_by);
  out.push_back(static_cast<char>(award.outcome));
  PutFixed64Signed(&out, award.reward_minutes);
  PutLengthPrefixed(&out, award.paid_by);
  PutFixed64BigEndian(&out, award.reward_seq);
  PutTime(&out, award.recorded_at);
  PutLengthPrefixed(&out, award.recorded_by);
  out.append(reinterpret_cast<const char*>(award.fingerprint.data()), award.fingerprint.size());
  return out;
}

absl::StatusOr<Award> DecodeAward(absl::string_view bytes) {
  Reader r(bytes);
  Award award;
  uint8_t version = 0, outcome = 0;
  absl::string_view fingerprint;
  if (!r.ReadByte(&version) || version != kVersion ||
      !r.ReadLengthPrefixed(&award.bank_id, kIdLengthMax) ||
      !r.ReadLengthPrefixed(&award.award_id, kIdLengthMax) ||
      !r.ReadLengthPrefixed(&award.account_id, kIdLengthMax) ||
      !r.ReadLengthPrefixed(&award.qualification_code, kIdLengthMax) ||
      !ReadTime(&r, &award.attained_at) || !ReadTime(&r, &award.expires_at) ||
      !r.ReadLengthPrefixed(&award.evidence, kEvidenceLengthMax) ||
      !r.ReadLengthPrefixed(&award.verified_by, kNameLengthMax) || !ReadEnum(&r, 3, &outcome) ||
      !r.ReadFixed64Signed(&award.reward_minutes) ||
      !r.ReadLengthPrefixed(&award.paid_by, kIdLengthMax) ||
      !r.ReadFixed64BigEndian(&award.reward_seq) || !ReadTime(&r, &award.recorded_at) ||
      !r.ReadLengthPrefixed(&award.recorded_by, kPrincipalLengthMax) ||
      !r.ReadBytes(award.fingerprint.size(), &fingerprint) || !r.done()) {
    return Malformed("award");
  }
  award.outcome = static_cast<AwardOutcome>(outcome);
  std::copy(fingerprint.begin(), fingerprint.end(), award.fingerprint.begin());
  return award;
}

AwardDecision DecideAward(const CatalogueItem& qualification, const Holding* holding,
                          absl::Time attained_at) {
  AwardDecision decision;
  if (qualification.validity_days > 0) {
    decision.expires_at = attained_at + absl::Hours(24 * qualification.validity_days);
  }
  if (holding == nullptr || !holding->attained()) {
    decision.outcome = AwardOutcome::kAttained;
    decision.reward_minutes = qualification.reward_minutes;
  } else if (holding->ValidAt(attained_at)) {
    decision.outcome = AwardOutcome::kAlreadyValid;
    decision.expires_at = holding->valid_until();
  } else {
    decision.outcome = AwardOutcome::kRenewed;
    decision.reward_minutes = qualification.renewal_reward_minutes;
  }
  return decision;
}

void ApplyAward(const Award& award, Holding* holding) {
  holding->bank_id = award.bank_id;
  holding->account_id = award.account_id;
  holding->qualification_code = award.qualification_code;
  if (award.outcome != AwardOutcome::kAlreadyValid) {
    holding->periods.push_back(ValidPeriod{award.attained_at, award.expires_at});
  }
  ++holding->award_count;
  holding->last_award_id = award.award_id;
  holding->in_progress = false;
  holding->in_progress_since = absl::InfinitePast();
  holding->in_progress_offer.clear();
}

void ApplyCourseStarted(absl::string_view offer_code, absl::Time at, Holding* holding) {
  holding->in_progress = true;
  holding->in_progress_since = at;
  holding->in_progress_offer = std::string(offer_code);
}

QualificationGap GapAt(const std::vector<std::string>& required,
                       const std::vector<Holding>& holdings, absl::Time at) {
  QualificationGap gap;
  for (const std::string& code : required) {
    auto held = std::find_if(holdings.begin(), holdings.end(), [&](const Holding& holding) {
      return holding.qualification_code == code;
    });
    const bool attained_by_then =
        held != holdings.end() && held->attained() && held->periods.front().from <= at;
    if (!attained_by_then) {
      gap.missing.push_back(code);
    } else if (!held->ValidAt(at)) {
      gap.expired.push_back(code);
    }
  }
  return gap;
}

}  // namespace timeledger::ledger
