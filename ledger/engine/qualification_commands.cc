// The write operations of qualifications, activities and offers (declared in commands.h): the
// catalogue, awards with their rewards, and offers redeemed. Like every command, each stages all
// of its writes and facts in the group's WriteTxn or none of them.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "ledger/core/errors.h"
#include "ledger/core/given_received.h"
#include "ledger/core/validate.h"
#include "ledger/engine/commands.h"
#include "ledger/engine/postings.h"
#include "ledger/rules/rules.h"

namespace timeledger::ledger {
namespace {

absl::StatusOr<CatalogueItem> FindItem(WriteTxn& txn, const std::string& bank_id,
                                       CatalogueKind kind, const std::string& code) {
  auto item = txn.GetCatalogueItem(bank_id, kind, code);
  if (!item.ok()) return item.status();
  if (!item->has_value()) {
    return Refuse(ItemNotFoundReason(kind),
                  absl::StrCat("bank ", bank_id, " has no ", CatalogueKindName(kind), " ", code),
                  {{"bank_id", bank_id}, {"kind", CatalogueKindName(kind)}, {"code", code}});
  }
  return **std::move(item);
}

absl::Status Retired(const CatalogueItem& item) {
  return Refuse(ItemRetiredReason(item.kind),
                absl::StrCat("the ", CatalogueKindName(item.kind), " ", item.code, " (", item.title,
                             ") is retired: it is kept for the record and not used any more"),
                {{"kind", CatalogueKindName(item.kind)}, {"code", item.code}});
}

// An item that exists and is not retired.
absl::StatusOr<CatalogueItem> FindUsableItem(WriteTxn& txn, const std::string& bank_id,
                                             CatalogueKind kind, const std::string& code) {
  auto item = FindItem(txn, bank_id, kind, code);
  if (item.ok() && item->retired) return Retired(*item);
  return item;
}

absl::Status MinutesWithin(absl::string_view field, int64_t minutes, int64_t low) {
  if (minutes >= low && minutes <= kEntryMinutesMax) return absl::OkStatus();
  return ledger::Refuse(Reason::kInvalidMinutes,
                        absl::StrCat(field, " must be between ", low, " and ", kEntryMinutesMax,
                                     " (one day); got ", minutes),
                        {{"field", std::string(field)},
                         {"limit_minutes", std::to_string(kEntryMinutesMax)},
                         {"attempted_minutes", std::to_string(minutes)}});
}

absl::Status ValidateCodes(absl::string_view field, const std::vector<std::string>& codes,
                           const std::string& own_code) {
  if (codes.size() > kRequirementsMax) {
    return ledger::Refuse(
        Reason::kTooManyRequirements,
        absl::StrCat(field, " may name at most ", kRequirementsMax, " qualifications; got ",
                     codes.size()),
        {{"field", std::string(field)}, {"limit", std::to_string(kRequirementsMax)}});
  }
  std::set<std::string> seen;
  for (const std::string& code : codes) {
    if (auto s = ValidateId(field, code); !s.ok()) return s;
    if (!seen.insert(code).second || code == own_code) {
      return Refuse(
          Reason::kInvalidRequirements,
          absl::StrCat(field, " names ", code, code == own_code ? ", the item itself" : " twice"),
          {{"field", std::string(field)}, {"code", code}});
    }
  }
  return absl::OkStatus();
}

// Keeps only the fields of the item's kind.
CatalogueItem Normalised(CatalogueItem item) {
  CatalogueItem kept;
  kept.kind = item.kind;
  kept.bank_id = std::move(item.bank_id);
  kept.code = std::move(item.code);
  kept.title = std::move(item.title);
  switch (item.kind) {
    case CatalogueKind::kQualification:
      kept.awarding_body = std::move(item.awarding_body);
      kept.level = std::move(item.level);
      kept.reward_account_id = std::move(item.reward_account_id);
      kept.reward_minutes = item.reward_minutes;
      kept.validity_days = item.validity_days;
      kept.renewal_reward_minutes = item.renewal_reward_minutes;
      kept.prerequisites = std::move(item.prerequisites);
      break;
    case CatalogueKind::kActivity:
      kept.category = std::move(item.category);
      kept.required_qualifications = std::move(item.required_qualifications);
      kept.staff_on_duty_may_earn = item.staff_on_duty_may_earn;
      break;
    case CatalogueKind::kOffer:
      kept.price_minutes = item.price_minutes;
      kept.organisation_account_id = std::move(item.organisation_account_id);
      kept.leads_to_qualification = std::move(item.leads_to_qualification);
      break;
  }
  return kept;
}

absl::Status ValidateQualification(const CatalogueItem& item) {
  if (auto s = ValidateName("awarding_body", item.awarding_body, kNameLengthMax, false); !s.ok()) {
    return s;
  }
  if (auto s = ValidateText("level", item.level, kLevelLengthMax, false); !s.ok()) return s;
  if (auto s = MinutesWithin("reward_minutes", item.reward_minutes, 0); !s.ok()) return s;
  if (auto s = MinutesWithin("renewal_reward_minutes", item.renewal_reward_minutes, 0); !s.ok()) {
    return s;
  }
  const bool pays = item.reward_minutes > 0 || item.renewal_reward_minutes > 0;
  if (pays || !item.reward_account_id.empty()) {
    if (auto s = ValidateId("reward_account_id", item.reward_account_id); !s.ok()) return s;
  }
  if (item.validity_days < 0 || item.validity_days > kValidityDaysMax) {
    return ledger::Refuse(
        Reason::kInvalidValidity,
        absl::StrCat("validity_days must be between 0 (never expires) and ", kValidityDaysMax,
                     "; got ", item.validity_days),
        {{"field", "validity_days"}, {"limit", std::to_string(kValidityDaysMax)}});
  }
  if (item.validity_days == 0 && item.renewal_reward_minutes > 0) {
    return ledger::Refuse(Reason::kInvalidValidity,
                          "a renewal reward needs a validity period: without one the "
                          "qualification never expires, so it is never renewed",
                          {{"field", "renewal_reward_minutes"}});
  }
  return ValidateCodes("prerequisites", item.prerequisites, item.code);
}

absl::Status ValidateItem(const CatalogueItem& item) {
  if (auto s = ValidateId("bank_id", item.bank_id); !s.ok()) return s;
  if (auto s = ValidateId("code", item.code); !s.ok()) return s;
  if (auto s = ValidateName("title", item.title, kNameLengthMax, true); !s.ok()) return s;
  switch (item.kind) {
    case CatalogueKind::kQualification:
      return ValidateQualification(item);
    case CatalogueKind::kActivity:
      if (auto s = ValidateText("category", item.category, kCategoryLengthMax, false); !s.ok()) {
        return s;
      }
      return ValidateCodes("required_qualifications", item.required_qualifications, "");
    case CatalogueKind::kOffer:
      if (auto s = MinutesWithin("price_minutes", item.price_minutes, 1); !s.ok()) return s;
      if (auto s = ValidateId("organisation_account_id", item.organisation_account_id); !s.ok()) {
        return s;
      }
      if (item.leads_to_qualification.empty()) return absl::OkStatus();
      return ValidateId("leads_to_qualification", item.leads_to_qualification);
  }
  return ledger::Refuse(Reason::kInvalidKind, "kind must be qualification, activity or offer",
                        {{"field", "kind"}});
}

// An organisation account of the bank, open for business.
absl::Status CheckOrganisation(WriteTxn& txn, const std::string& bank_id, absl::string_view field,
                               const std::string& account_id) {
  auto account = FindAccount(txn, bank_id, account_id);
  if (!account.ok()) return account.status();
  if (account->kind != AccountKind::kOrganisation) {
    return ledger::Refuse(Reason::kKindMismatch,
                          absl::StrCat(field, " must be an organisation account; ", account_id,
                                       " is a ", AccountKindName(account->kind)),
                          {{"field", std::string(field)}, {"account_id", account_id}});
  }
  return CheckActive(*account);
}

absl::Status CheckQualificationsUsable(WriteTxn& txn, const std::string& bank_id,
                                       const std::vector<std::string>& codes) {
  for (const std::string& code : codes) {
    if (auto item = FindUsableItem(txn, bank_id, CatalogueKind::kQualification, code); !item.ok()) {
      return item.status();
    }
  }
  return absl::OkStatus();
}

// What an item names must exist: accounts, and qualifications that are not retired.
absl::Status CheckReferences(WriteTxn& txn, const CatalogueItem& item) {
  switch (item.kind) {
    case CatalogueKind::kQualification:
      if (!item.reward_account_id.empty()) {
        if (auto s =
                CheckOrganisation(txn, item.bank_id, "reward_account_id", item.reward_account_id);
            !s.ok()) {
          return s;
        }
      }
      return CheckQualificationsUsable(txn, item.bank_id, item.prerequisites);
    case CatalogueKind::kActivity:
      return CheckQualificationsUsable(txn, item.bank_id, item.required_qualifications);
    case CatalogueKind::kOffer:
      if (auto s = CheckOrganisation(txn, item.bank_id, "organisation_account_id",
                                     item.organisation_account_id);
          !s.ok()) {
        return s;
      }
      if (item.leads_to_qualification.empty()) return absl::OkStatus();
      return CheckQualificationsUsable(txn, item.bank_id, {item.leads_to_qualification});
  }
  return absl::OkStatus();
}

// The item with the bookkeeping of `other`, for comparing what a caller asked for.
bool SameContent(CatalogueItem item, const CatalogueItem& other) {
  item.version = other.version;
  item.changed_at = other.changed_at;
  item.changed_by = other.changed_by;
  item.retired = other.retired;
  return EncodeCatalogueItem(item) == EncodeCatalogueItem(other);
}

absl::Status CheckNewItemFits(WriteTxn& txn, const CatalogueItem& item) {
  auto count = txn.CatalogueCount(item.bank_id, item.kind);
  if (!count.ok()) return count.status();
  if (*count < kCatalogueItemsMax) return absl::OkStatus();
  return Refuse(
      Reason::kCatalogueLimit,
      absl::StrCat("a bank's catalogue holds at most ", kCatalogueItemsMax, " items of each kind; ",
                   "retired ones count too"),
      {{"kind", CatalogueKindName(item.kind)}, {"limit", std::to_string(kCatalogueItemsMax)}});
}

absl::Status VersionMismatch(const CatalogueItem* current, uint64_t expected_version) {
  const uint64_t version = current == nullptr ? 0 : current->version;
  return Refuse(
      Reason::kCatalogueVersionMismatch,
      absl::StrCat("the item is at version ", version, ", not ", expected_version,
                   ": someone changed it meanwhile; read it again and reapply your change"),
      {{"current_version", std::to_string(version)},
       {"expected_version", std::to_string(expected_version)}});
}

void RecordItem(WriteTxn& txn, const CatalogueItem& item) {
  txn.PutCatalogueItem(item);
  txn.AppendFact(CatalogueItemFact(item));
}

// Only a member of staff of the bank, and never for themselves.
absl::Status CheckMayAward(WriteTxn& txn, const AwardSpec& spec, const std::string& principal) {
  const Account* staff = txn.GetAccount(spec.bank_id, principal);
  if (staff == nullptr || !staff->HasRole(Role::kStaff) ||
      staff->status != AccountStatus::kActive) {
    return Refuse(
        Reason::kStaffOnly,
        absl::StrCat("only active staff of bank ", spec.bank_id, " award qualifications; ",
                     principal.empty() ? "anonymous" : principal,
                     " is not one (a coordinator's token names them)"),
        {{"principal", principal}});
  }
  if (principal == spec.account_id) {
    return ledger::Refuse(
        Reason::kSelfAward,
        absl::StrCat(principal,
                     " cannot award a qualification to themselves: another member of "
                     "staff records it"),
        {{"principal", principal}, {"account_id", spec.account_id}});
  }
  return absl::OkStatus();
}

absl::Status ValidateAwardSpec(const AwardSpec& spec, absl::Time now) {
  if (auto s = ValidateId("bank_id", spec.bank_id); !s.ok()) return s;
  if (auto s = ValidateId("award_id", spec.award_id); !s.ok()) return s;
  if (auto s = ValidateId("account_id", spec.account_id); !s.ok()) return s;
  if (auto s = ValidateId("qualification_code", spec.qualification_code); !s.ok()) return s;
  if (auto s = ValidateText("evidence", spec.evidence, kEvidenceLengthMax, true); !s.ok()) {
    return s;
  }
  if (auto s = ValidateName("verified_by", spec.verified_by, kNameLengthMax, true); !s.ok()) {
    return s;
  }
  if (spec.attained_at == absl::InfinitePast()) return absl::OkStatus();
  if (spec.attained_at > now + kClockSkewMax) {
    return Refuse(
        Reason::kAttainedInFuture,
        absl::StrCat("attained_at ", absl::FormatTime(spec.attained_at), " is in the future"),
        {{"field", "attained_at"}});
  }
  if (spec.attained_at < absl::FromUnixSeconds(kOccurredAtMinUnixSeconds)) {
    return ledger::Refuse(Reason::kInvalidAttainedAt,
                          "attained_at is before the year 2000; check the date",
                          {{"field", "attained_at"}});
  }
  return absl::OkStatus();
}

// What the member holds of `codes`, as this batch sees it.
absl::StatusOr<std::vector<Holding>> HoldingsOf(WriteTxn& txn, const std::string& bank_id,
                                                const std::string& account_id,
                                                const std::vector<std::string>& codes) {
  std::vector<Holding> holdings;
  for (const std::string& code : codes) {
    auto holding = txn.GetHolding(bank_id, account_id, code);
    if (!holding.ok()) return holding.status();
    if (holding->has_value()) holdings.push_back(**std::move(holding));
  }
  return holdings;
}

absl::Status CheckPrerequisites(WriteTxn& txn, const AwardSpec& spec,
                                const CatalogueItem& qualification, absl::Time attained_at) {
  auto holdings = HoldingsOf(txn, spec.bank_id, spec.account_id, qualification.prerequisites);
  if (!holdings.ok()) return holdings.status();
  const QualificationGap gap = GapAt(qualification.prerequisites, *holdings, attained_at);
  if (gap.empty()) return absl::OkStatus();
  std::vector<std::string> lacking = gap.missing;
  for (const std::string& code : gap.expired) lacking.push_back(absl::StrCat(code, " (expired)"));
  return ledger::Refuse(Reason::kPrerequisiteMissing,
                        absl::StrCat(qualification.code, " (", qualification.title, ") needs ",
                                     absl::StrJoin(qualification.prerequisites, ", "), " first; ",
                                     spec.account_id, " lacks ", absl::StrJoin(lacking, ", ")),
                        {{"account_id", spec.account_id},
                         {"qualification_code", qualification.code},
                         {"missing", absl::StrJoin(gap.missing, ",")},
                         {"expired", absl::StrJoin(gap.expired, ",")}});
}

// The receipt of an award recorded before under the same award_id.
absl::StatusOr<AwardReceipt> ReplayAward(WriteTxn& txn, const Award& award) {
  AwardReceipt receipt;
  receipt.award = award;
  receipt.replayed = true;
  if (award.reward_seq != 0) {
    auto entry = txn.GetEntry(award.bank_id, award.reward_seq);
    if (!entry.ok()) return entry.status();
    if (entry->has_value()) receipt.reward_entry = **entry;
  }
  if (const Account* member = txn.GetAccount(award.bank_id, award.account_id)) {
    receipt.balance_minutes = member->balance_minutes;
  }
  return receipt;
}

// Pays the award's reward by a QUALIFICATION_REWARD entry, under the policy's rules.
absl::Status PayReward(WriteTxn& txn, const Award& award, const CatalogueItem& qualification,
                       Account member, AwardReceipt* receipt) {
  auto payer = FindAccount(txn, award.bank_id, award.paid_by);
  if (!payer.ok()) return payer.status();
  if (auto s = CheckActive(*payer); !s.ok()) return s;
  if (auto s = CheckKindFits(EntryKind::kQualificationReward, *payer, member); !s.ok()) return s;
  Entry entry;
  entry.bank_id = award.bank_id;
  entry.entry_id = RewardEntryId(award.award_id);
  entry.kind = EntryKind::kQualificationReward;
  entry.from_account_id = award.paid_by;
  entry.to_account_id = award.account_id;
  entry.minutes = award.reward_minutes;
  entry.activity = qualification.code;
  entry.note = absl::StrCat(award.outcome == AwardOutcome::kRenewed ? "renewed: " : "attained: ",
                            qualification.title);
  entry.occurred_at = award.attained_at;
  entry.recorded_by = award.recorded_by;
  auto taken = txn.GetEntryId(award.bank_id, entry.entry_id);
  if (!taken.ok()) return taken.status();
  if (taken->has_value()) {
    return ledger::Refuse(Reason::kEntryIdReused,
                          absl::StrCat("entry_id ", entry.entry_id,
                                       " is taken by another entry; choose another award_id"),
                          {{"entry_id", entry.entry_id}});
  }
  const BankHeader* bank = txn.GetBank(award.bank_id);
  const RuleVerdict verdict =
      CheckEntryRules(RuleInput{bank->policy, bank->zone, txn.now(), entry, *payer, member});
  if (!verdict.refusal.ok()) return verdict.refusal;
  txn.PutEntryId(award.bank_id, entry.entry_id,
                 EntryIdRecord{award.reward_seq, MadeEntryFingerprint(entry)});
  Receipt paid = AppendEntry(txn, *bank, std::move(entry), *std::move(payer), std::move(member));
  if (verdict.excess_to_pool_minutes > 0) {
    if (auto s = DonateExcess(txn, award.bank_id, award.account_id, verdict.excess_to_pool_minutes,
                              &paid);
        !s.ok()) {
      return s;
    }
  }
  receipt->reward_entry = paid.entry;
  receipt->balance_minutes = paid.to_balance_minutes;
  receipt->excess_to_pool_minutes = paid.excess_to_pool_minutes;
  return absl::OkStatus();
}

absl::StatusOr<Award> DecideNewAward(WriteTxn& txn, const AwardSpec& spec,
                                     const CatalogueItem& qualification,
                                     const std::optional<Holding>& holding,
                                     const std::string& principal) {
  const absl::Time attained_at =
      spec.attained_at == absl::InfinitePast() ? txn.now() : spec.attained_at;
  if (auto s = CheckPrerequisites(txn, spec, qualification, attained_at); !s.ok()) return s;
  if (holding.has_value() && holding->attained() && attained_at < holding->periods.back().from) {
    return ledger::Refuse(
        Reason::kAwardOutOfOrder,
        absl::StrCat(
            spec.account_id, " attained ", qualification.code, " again on ",
            absl::FormatTime("%Y-%m-%d", holding->periods.back().from, absl::UTCTimeZone()),
            "; an award cannot be dated before the latest one"),
        {{"account_id", spec.account_id}, {"qualification_code", qualification.code}});
  }
  const AwardDecision decision =
      DecideAward(qualification, holding.has_value() ? &*holding : nullptr, attained_at);
  if (decision.outcome != AwardOutcome::kAlreadyValid && holding.has_value() &&
      holding->periods.size() >= kValidPeriodsMax) {
    return ledger::Refuse(Reason::kRenewalLimit,
                          absl::StrCat("a qualification is attained or renewed at most ",
                                       kValidPeriodsMax, " times by one member"),
                          {{"limit", std::to_string(kValidPeriodsMax)}});
  }
  Award award;
  award.bank_id = spec.bank_id;
  award.award_id = spec.award_id;
  award.account_id = spec.account_id;
  award.qualification_code = qualification.code;
  award.attained_at = attained_at;
  award.expires_at = decision.expires_at;
  award.evidence = spec.evidence;
  award.verified_by = spec.verified_by;
  award.outcome = decision.outcome;
  award.reward_minutes = decision.reward_minutes;
  award.paid_by = decision.reward_minutes > 0 ? qualification.reward_account_id : "";
  award.reward_seq = decision.reward_minutes > 0 ? txn.GetBank(spec.bank_id)->head.next_seq : 0;
  award.recorded_at = txn.now();
  award.recorded_by = principal;
  award.fingerprint = AwardFingerprint(spec);
  return award;
}

}  // namespace

absl::StatusOr<ActivityRules> LoadActivityRules(WriteTxn& txn, const Entry& entry,
                                                const Account& earner) {
  ActivityRules rules;
  const bool time_given = IsTimeGiven(entry.kind);
  if (!time_given || !ValidateId("activity", entry.activity).ok()) return rules;
  auto item = txn.GetCatalogueItem(entry.bank_id, CatalogueKind::kActivity, entry.activity);
  if (!item.ok()) return item.status();
  if (!item->has_value()) return rules;
  if ((*item)->retired) return Retired(**item);
  auto holdings =
      HoldingsOf(txn, entry.bank_id, earner.account_id, (*item)->required_qualifications);
  if (!holdings.ok()) return holdings.status();
  rules.item = **std::move(item);
  rules.earner_holdings = *std::move(holdings);
  return rules;
}

absl::StatusOr<CatalogueItem> ExecutePutCatalogueItem(WriteTxn& txn, CatalogueItem item,
                                                      uint64_t expected_version,
                                                      const Principal& caller) {
  if (auto s = CheckStaffOf(caller, item.bank_id); !s.ok()) return s;
  item = Normalised(std::move(item));
  if (auto s = ValidateItem(item); !s.ok()) return s;
  if (auto bank = FindBank(txn, item.bank_id); !bank.ok()) return bank.status();
  auto current = txn.GetCatalogueItem(item.bank_id, item.kind, item.code);
  if (!current.ok()) return current.status();
  const CatalogueItem* existing = current->has_value() ? &**current : nullptr;
  if (expected_version != 0 && (existing == nullptr || existing->version != expected_version)) {
    return VersionMismatch(existing, expected_version);
  }
  if (existing != nullptr && existing->retired) return Retired(*existing);
  if (existing != nullptr && SameContent(item, *existing)) return *existing;  // a retry
  if (existing == nullptr) {
    if (auto s = CheckNewItemFits(txn, item); !s.ok()) return s;
  }
  if (auto s = CheckReferences(txn, item); !s.ok()) return s;
  item.version = existing == nullptr ? 1 : existing->version + 1;
  item.changed_at = txn.now();
  item.changed_by = caller.name;
  RecordItem(txn, item);
  return item;
}

absl::StatusOr<CatalogueItem> ExecuteRetireCatalogueItem(WriteTxn& txn, const std::string& bank_id,
                                                         CatalogueKind kind,
                                                         const std::string& code,
                                                         const Principal& caller) {
  if (auto s = CheckStaffOf(caller, bank_id); !s.ok()) return s;
  if (auto s = ValidateId("bank_id", bank_id); !s.ok()) return s;
  if (auto s = ValidateId("code", code); !s.ok()) return s;
  if (auto bank = FindBank(txn, bank_id); !bank.ok()) return bank.status();
  auto item = FindItem(txn, bank_id, kind, code);
  if (!item.ok() || item->retired) return item;  // retiring twice changes nothing
  item->retired = true;
  ++item->version;
  item->changed_at = txn.now();
  item->changed_by = caller.name;
  RecordItem(txn, *item);
  return item;
}

absl::StatusOr<AwardReceipt> ExecuteAwardQualification(WriteTxn& txn, const AwardSpec& spec,
                                                       const Principal& caller) {
  if (auto s = CheckStaffOf(caller, spec.bank_id); !s.ok()) return s;
  if (auto s = ValidateAwardSpec(spec, txn.now()); !s.ok()) return s;
  if (auto bank = FindBank(txn, spec.bank_id); !bank.ok()) return bank.status();
  if (auto s = CheckMayAward(txn, spec, caller.name); !s.ok()) return s;
  auto earlier = txn.GetAward(spec.bank_id, spec.award_id);
  if (!earlier.ok()) return earlier.status();
  if (earlier->has_value()) {
    if ((*earlier)->fingerprint == AwardFingerprint(spec)) return ReplayAward(txn, **earlier);
    return ledger::Refuse(Reason::kAwardIdReused,
                          absl::StrCat("award_id ", spec.award_id,
                                       " was already used for a different award; use a new "
                                       "award_id for a new award"),
                          {{"award_id", spec.award_id}});
  }
  auto member = FindAccount(txn, spec.bank_id, spec.account_id);
  if (!member.ok()) return member.status();
  if (member->kind != AccountKind::kPerson) {
    return ledger::Refuse(Reason::kKindMismatch, "qualifications are awarded to persons",
                          {{"account_id", spec.account_id}});
  }
  if (auto s = CheckActive(*member); !s.ok()) return s;
  auto qualification =
      FindUsableItem(txn, spec.bank_id, CatalogueKind::kQualification, spec.qualification_code);
  if (!qualification.ok()) return qualification.status();
  auto holding = txn.GetHolding(spec.bank_id, spec.account_id, spec.qualification_code);
  if (!holding.ok()) return holding.status();
  auto award = DecideNewAward(txn, spec, *qualification, *holding, caller.name);
  if (!award.ok()) return award.status();

  // The award's fact comes first; its reward entry, which points at it, follows.
  txn.AppendFact(QualificationAwardedFact(*award));
  txn.PutAward(*award);
  AwardReceipt receipt;
  receipt.award = *award;
  receipt.balance_minutes = member->balance_minutes;
  if (award->reward_minutes > 0) {
    if (auto s = PayReward(txn, *award, *qualification, *member, &receipt); !s.ok()) return s;
  }
  Holding updated = holding->value_or(Holding{});
  ApplyAward(*award, &updated);
  txn.PutHolding(updated);
  return receipt;
}

absl::StatusOr<Redemption> ExecuteRedeemOffer(WriteTxn& txn, const RedeemSpec& spec,
                                              const Principal& caller) {
  if (auto s = CheckStaffOf(caller, spec.bank_id); !s.ok()) return s;
  if (auto s = ValidateId("bank_id", spec.bank_id); !s.ok()) return s;
  if (auto s = ValidateNewEntryId("redemption_id", spec.redemption_id, false); !s.ok()) return s;
  if (auto s = ValidateId("account_id", spec.account_id); !s.ok()) return s;
  if (auto s = ValidateId("offer_code", spec.offer_code); !s.ok()) return s;
  if (auto bank = FindBank(txn, spec.bank_id); !bank.ok()) return bank.status();
  auto offer = FindItem(txn, spec.bank_id, CatalogueKind::kOffer, spec.offer_code);
  if (!offer.ok()) return offer.status();
  auto earlier = txn.GetEntryId(spec.bank_id, spec.redemption_id);
  if (!earlier.ok()) return earlier.status();
  if (!earlier->has_value() && offer->retired) return Retired(*offer);

  EntrySpec entry;
  entry.bank_id = spec.bank_id;
  entry.entry_id = spec.redemption_id;
  entry.kind = EntryKind::kSpend;
  entry.from_account_id = spec.account_id;
  entry.to_account_id = offer->organisation_account_id;
  entry.minutes = offer->price_minutes;
  entry.activity = offer->code;
  entry.note = spec.note.empty() ? offer->title : spec.note;
  auto receipt = RecordCheckedEntry(txn, entry, caller.name);
  if (!receipt.ok()) return receipt.status();
  Redemption redemption;
  redemption.qualification_in_progress = offer->leads_to_qualification;
  if (receipt->replayed || receipt->pending) {
    redemption.receipt = *std::move(receipt);
    return redemption;
  }
  txn.AppendFact(OfferRedeemedFact(receipt->entry, *offer));
  if (!offer->leads_to_qualification.empty()) {
    auto holding = txn.GetHolding(spec.bank_id, spec.account_id, offer->leads_to_qualification);
    if (!holding.ok()) return holding.status();
    Holding updated = holding->value_or(Holding{});
    updated.bank_id = spec.bank_id;
    updated.account_id = spec.account_id;
    updated.qualification_code = offer->leads_to_qualification;
    ApplyCourseStarted(offer->code, txn.now(), &updated);
    txn.PutHolding(updated);
  }
  redemption.receipt = *std::move(receipt);
  return redemption;
}

}  // namespace timeledger::ledger
