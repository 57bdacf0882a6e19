// One fact of every type, each with every field its body encodes set to a value other than its
// default: the input of the golden tests that pin the canonical fact bytes
// (tests/ledger/journal/fact_golden_test.cc) and their export (tests/services/fact_export_test.cc).
// A new fact type adds its fact here; both tests then fail until their golden values are added.
#ifndef TIMELEDGER_TESTS_SUPPORT_EVERY_FACT_H_
#define TIMELEDGER_TESTS_SUPPORT_EVERY_FACT_H_

#include <vector>

#include "absl/time/time.h"

#include "ledger/journal/journal.h"

namespace timeledger::testing {

inline const absl::Time kEveryFactAt = absl::FromUnixMicros(1790000000123456);

inline ledger::Entry EveryFieldEntry() {
  ledger::Entry entry;
  entry.bank_id = "camden";
  entry.seq = 7;
  entry.entry_id = "slip-0007";
  entry.kind = ledger::EntryKind::kSpend;
  entry.from_account_id = "bob";
  entry.to_account_id = "cafe";
  entry.minutes = 90;
  entry.activity = "gardening";
  entry.note = "the raised beds";
  entry.occurred_at = kEveryFactAt - absl::Hours(26);
  entry.recorded_at = kEveryFactAt - absl::Minutes(3);
  entry.recorded_by = "carol";
  entry.reverses_seq = 5;
  for (size_t i = 0; i < entry.hash.size(); ++i) entry.hash[i] = static_cast<uint8_t>(0xa0 + i);
  return entry;
}

inline ledger::Policy EveryFieldPolicy() {
  ledger::Policy policy;
  policy.version = 3;
  policy.set_at = kEveryFactAt - absl::Hours(1);
  policy.set_by = "carol";
  policy.unit_minutes = 30;
  policy.person_floor_minutes = -300;
  policy.earn_before_spend = true;
  policy.staff_duty_activities = {"reception", "cleaning"};
  policy.confirmation_enabled = true;
  policy.pending_expiry_hours = 48;
  return policy;
}

inline ledger::CatalogueItem EveryFieldCatalogueItem() {
  ledger::CatalogueItem item;
  item.bank_id = "camden";
  item.code = "food-hygiene-2";
  item.title = "Food hygiene, level 2";
  item.version = 2;
  item.changed_at = kEveryFactAt;
  item.changed_by = "carol";
  item.awarding_body = "Highfield";
  item.level = "2";
  item.reward_account_id = "centre";
  item.reward_minutes = 120;
  item.validity_days = 3 * 365;
  item.renewal_reward_minutes = 60;
  item.prerequisites = {"first-aid"};
  return item;
}

inline ledger::Award EveryFieldAward() {
  ledger::Award award;
  award.bank_id = "camden";
  award.award_id = "cert-1";
  award.account_id = "alice";
  award.qualification_code = "food-hygiene-2";
  award.attained_at = kEveryFactAt - absl::Hours(48);
  award.expires_at = kEveryFactAt + absl::Hours(24 * 3 * 365);
  award.evidence = "certificate 204518";
  award.verified_by = "Carol Jones";
  award.outcome = ledger::AwardOutcome::kRenewed;
  award.reward_minutes = 60;
  award.paid_by = "centre";
  award.reward_seq = 9;
  award.recorded_at = kEveryFactAt;
  award.recorded_by = "carol";
  for (size_t i = 0; i < award.fingerprint.size(); ++i) {
    award.fingerprint[i] = static_cast<uint8_t>(i);
  }
  return award;
}

// The header fields every fact has.
inline ledger::Fact EveryFieldHeader(ledger::FactType type, uint64_t position) {
  ledger::Fact fact;
  fact.type = type;
  fact.bank_id = "camden";
  fact.position = position;
  fact.at = kEveryFactAt + absl::Seconds(position);
  fact.principal = "carol";
  return fact;
}

// One fact of each type, in the order of their type numbers.
inline std::vector<ledger::Fact> EveryFact() {
  using ledger::FactType;
  std::vector<ledger::Fact> facts;
  facts.reserve(32);  // next() hands out references into it: more than there are
  auto next = [&](FactType type) -> ledger::Fact& {
    return facts.emplace_back(EveryFieldHeader(type, facts.size()));
  };
  ledger::Fact& bank = next(FactType::kBankCreated);
  bank.bank_name = "Camden time bank";
  bank.time_zone = "Europe/London";
  ledger::Fact& opened = next(FactType::kAccountOpened);
  opened.account_id = "alice";
  opened.account_kind = ledger::AccountKind::kOrganisation;
  opened.roles = {ledger::Role::kMember, ledger::Role::kVolunteer, ledger::Role::kStaff};
  opened.display_name = "Alice Mensah";
  ledger::Fact& status = next(FactType::kAccountStatus);
  status.account_id = "alice";
  status.from_status = ledger::AccountStatus::kSuspended;
  status.to_status = ledger::AccountStatus::kClosed;
  status.reason = "moved away";
  next(FactType::kPolicySet).policy = EveryFieldPolicy();
  next(FactType::kEntry).entry = EveryFieldEntry();
  ledger::Fact& pending = next(FactType::kPendingCreated);
  pending.entry = EveryFieldEntry();
  pending.entry.seq = 0;
  pending.entry.hash = ledger::Digest{};
  pending.confirm_by = "bob";
  pending.expires_at = kEveryFactAt + absl::Hours(168);
  pending.reason = "CONFIRMATION";
  ledger::Fact& resolved = next(FactType::kPendingResolved);
  resolved.entry_id = "slip-0007";
  resolved.state = ledger::PendingState::kRejected;
  resolved.seq = 8;
  resolved.reason = "not me";
  next(FactType::kCatalogueItem).catalogue_item = EveryFieldCatalogueItem();
  next(FactType::kQualificationAwarded).award = EveryFieldAward();
  ledger::Fact& redeemed = next(FactType::kOfferRedeemed);
  redeemed.offer_code = "hygiene-course";
  redeemed.seq = 11;
  redeemed.account_id = "alice";
  redeemed.qualification_code = "food-hygiene-2";
  ledger::Fact& card = next(FactType::kCardSet);
  card.account_id = "alice";
  card.card_number = "4410021";
  next(FactType::kPinSet).account_id = "alice";
  ledger::Fact& language = next(FactType::kLanguageSet);
  language.account_id = "alice";
  language.language = "bn";
  ledger::Fact& erased = next(FactType::kPersonalDataErased);
  erased.account_id = "alice";
  erased.personal_fields = {ledger::PersonalField::kDisplayName, ledger::PersonalField::kNote};
  ledger::Fact& changed = next(FactType::kAccountChanged);
  changed.account_id = "bob";
  changed.display_name = "Bob Okafor";
  changed.roles = {ledger::Role::kMember, ledger::Role::kStaff};
  // The optional and flagged forms, after one of each type: a member who moved in, with the day
  // she joined, and an imported entry (version 3, sealed).
  ledger::Fact& moved_in = next(FactType::kAccountOpened);
  moved_in.account_id = "maria";
  moved_in.roles = {ledger::Role::kMember};
  moved_in.display_name = "Maria O'Neill";
  moved_in.joined_at = kEveryFactAt - absl::Hours(24 * 1000);
  ledger::Fact& imported = next(FactType::kEntry);
  imported.version = ledger::kFactVersionSealed;
  imported.entry = EveryFieldEntry();
  imported.entry.version = ledger::kEntryVersionFlagged;
  imported.entry.imported = true;
  imported.entry.note.clear();
  ledger::Fact& contact = next(FactType::kContactSet);
  contact.account_id = "alice";
  contact.phone = "+44 20 7946 0000";
  contact.email = "alice@example.org";
  return facts;
}

}  // namespace timeledger::testing

#endif  // TIMELEDGER_TESTS_SUPPORT_EVERY_FACT_H_
