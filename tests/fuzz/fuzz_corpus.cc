// fuzz_corpus DIR: writes the seed corpus of the fuzz targets into DIR/<target>/, from the real
// encoders, so that fuzzing starts from valid records and requests rather than from nothing.
// scripts/fuzz.sh --corpus regenerates tests/fuzz/corpus/ with it.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

#include "ledger/core/merkle.h"
#include "ledger/core/records.h"
#include "ledger/core/sha256.h"
#include "ledger/journal/journal.h"
#include "ledger/rules/access.h"
#include "ledger/rules/kiosk.h"
#include "ledger/rules/policy.h"
#include "ledger/rules/qualifications.h"
#include "timeledger/v1/access.pb.h"
#include "timeledger/v1/accounts.pb.h"
#include "timeledger/v1/banks.pb.h"
#include "timeledger/v1/catalogue.pb.h"
#include "timeledger/v1/kiosk.pb.h"
#include "timeledger/v1/ledger.pb.h"
#include "timeledger/v1/policies.pb.h"
#include "timeledger/v1/reports.pb.h"

namespace {

namespace ledger = timeledger::ledger;
namespace v1 = timeledger::v1;
namespace fs = std::filesystem;

const absl::Time kAt = absl::FromUnixSeconds(1790000000);

// Writes `selector` followed by `bytes` as DIR/target/NAME.
void Write(const fs::path& dir, const std::string& target, const std::string& name, char selector,
           const std::string& bytes) {
  fs::create_directories(dir / target);
  std::ofstream out(dir / target / name, std::ios::binary);
  out << selector << bytes;
}

ledger::Entry SampleEntry() {
  ledger::Entry entry;
  entry.bank_id = "camden";
  entry.seq = 7;
  entry.entry_id = "slip-0007";
  entry.from_account_id = "bob";
  entry.to_account_id = "alice";
  entry.minutes = 90;
  entry.activity = "gardening";
  entry.note = "the raised beds";
  entry.occurred_at = kAt;
  entry.recorded_at = kAt + absl::Hours(2);
  entry.recorded_by = "carol";
  entry.hash[0] = 0x5a;
  return entry;
}

ledger::Account SampleAccount() {
  ledger::Account account;
  account.bank_id = "camden";
  account.account_id = "alice";
  account.roles = {ledger::Role::kMember, ledger::Role::kVolunteer};
  account.display_name = "Alice Mensah";
  account.opened_at = kAt;
  account.balance_minutes = 30;
  account.earned_minutes = 90;
  account.spent_minutes = 60;
  account.entry_count = 2;
  account.last_activity_at = kAt;
  account.recent_days = {{20000, 90, 0}, {20001, 0, 60}};
  return account;
}

ledger::CatalogueItem SampleQualification() {
  ledger::CatalogueItem item;
  item.bank_id = "camden";
  item.code = "food-hygiene-2";
  item.title = "Food hygiene, level 2";
  item.version = 1;
  item.changed_at = kAt;
  item.changed_by = "carol";
  item.awarding_body = "Highfield";
  item.level = "2";
  item.reward_account_id = "centre";
  item.reward_minutes = 120;
  item.validity_days = 3 * 365;
  item.renewal_reward_minutes = 60;
  return item;
}

ledger::Award SampleAward() {
  ledger::Award award;
  award.bank_id = "camden";
  award.award_id = "cert-1";
  award.account_id = "alice";
  award.qualification_code = "food-hygiene-2";
  award.attained_at = kAt;
  award.expires_at = kAt + absl::Hours(24 * 3 * 365);
  award.evidence = "certificate 204518";
  award.verified_by = "Carol Jones";
  award.reward_minutes = 120;
  award.paid_by = "centre";
  award.reward_seq = 9;
  award.recorded_at = kAt;
  award.recorded_by = "carol";
  return award;
}

// The records of qualifications, kiosk cards and tokens: selectors 9 to 14 of records_fuzz.
void QualificationAndCardRecords(const fs::path& dir) {
  Write(dir, "records_fuzz", "catalogue-item", 9,
        ledger::EncodeCatalogueItem(SampleQualification()));
  Write(dir, "records_fuzz", "award", 10, ledger::EncodeAward(SampleAward()));
  ledger::Holding holding;
  holding.bank_id = "camden";
  holding.account_id = "alice";
  holding.qualification_code = "food-hygiene-2";
  holding.periods = {{kAt, kAt + absl::Hours(24 * 3 * 365)}};
  holding.award_count = 1;
  holding.last_award_id = "cert-1";
  Write(dir, "records_fuzz", "holding", 11, ledger::EncodeHolding(holding));
  ledger::MemberCard card;
  card.bank_id = "camden";
  card.account_id = "alice";
  card.card_number = "4410021";
  card.pin_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo";
  card.card_set_at = card.pin_set_at = card.language_set_at = kAt;
  card.language = "bn";
  Write(dir, "records_fuzz", "member-card", 12, ledger::EncodeMemberCard(card));
  Write(dir, "records_fuzz", "card-attempts", 13,
        ledger::EncodeCardAttempts({3, kAt + absl::Minutes(15)}));
  ledger::TokenRecord token;
  token.token_id = "3f2a9c0b1d4e5f60";
  token.principal = {"cafe-till", ledger::PrincipalRole::kPartner, "camden", "cafe"};
  token.secret_hash = ledger::Sha256::Hash("secret");
  token.created_at = kAt;
  token.created_by = "admin";
  token.revoked_at = kAt + absl::Hours(1);
  token.revoked_by = "sam";
  Write(dir, "records_fuzz", "token", 14, ledger::EncodeTokenRecord(token));
}

void Records(const fs::path& dir) {
  const ledger::Entry entry = SampleEntry();
  Write(dir, "records_fuzz", "canonical-entry", 0, ledger::CanonicalEntryBytes(entry));
  Write(dir, "records_fuzz", "stored-entry", 1, ledger::EncodeEntry(entry));
  ledger::Bank bank{"camden", "Camden time bank", "Europe/London", kAt};
  std::vector<ledger::Fact> facts = {
      ledger::BankCreatedFact(bank, "admin"), ledger::AccountOpenedFact(SampleAccount(), "carol"),
      ledger::AccountStatusFact(SampleAccount(), ledger::AccountStatus::kActive,
                                ledger::AccountStatus::kSuspended, "moved away", "carol"),
      ledger::PolicySetFact("camden", ledger::Policy(), "carol"), ledger::EntryFact(entry)};
  ledger::PendingEntry pending;
  pending.entry = entry;
  pending.entry.seq = 0;
  pending.confirm_by = "bob";
  pending.expires_at = kAt + absl::Hours(168);
  pending.reason = "CONFIRMATION";
  facts.push_back(ledger::PendingCreatedFact(pending));
  ledger::PendingEntry resolved = pending;
  resolved.state = ledger::PendingState::kConfirmed;
  resolved.entry.seq = 8;
  resolved.resolved_at = kAt + absl::Hours(3);
  resolved.resolved_by = "bob";
  facts.push_back(ledger::PendingResolvedFact(resolved));
  facts.push_back(ledger::CardSetFact("camden", "alice", "4410021", "carol"));
  facts.push_back(ledger::CatalogueItemFact(SampleQualification()));
  facts.push_back(ledger::QualificationAwardedFact(SampleAward()));
  ledger::CatalogueItem course;
  course.kind = ledger::CatalogueKind::kOffer;
  course.bank_id = "camden";
  course.code = "hygiene-course";
  course.leads_to_qualification = "food-hygiene-2";
  ledger::Entry spend = entry;
  spend.kind = ledger::EntryKind::kSpend;
  facts.push_back(ledger::OfferRedeemedFact(spend, course));
  facts.push_back(ledger::PinSetFact("camden", "alice", "carol"));
  facts.push_back(ledger::LanguageSetFact("camden", "alice", "bn", "carol"));
  // A type of fact not sampled above still gets a seed, with its fields at their defaults.
  for (ledger::FactType type : ledger::FactTypes()) {
    const bool sampled = std::any_of(facts.begin(), facts.end(),
                                     [&](const auto& fact) { return fact.type == type; });
    if (sampled) continue;
    ledger::Fact fact;
    fact.type = type;
    fact.bank_id = "camden";
    facts.push_back(std::move(fact));
  }
  for (size_t i = 0; i < facts.size(); ++i) {
    facts[i].position = i;
    facts[i].at = kAt;
    Write(dir, "records_fuzz", "fact-" + std::to_string(i), 2, ledger::EncodeFact(facts[i]));
    Write(dir, "proofs_fuzz", "fact-" + std::to_string(i), 2, ledger::EncodeFact(facts[i]));
  }
  Write(dir, "records_fuzz", "bank", 3, ledger::EncodeBank(bank));
  Write(dir, "records_fuzz", "account", 4, ledger::EncodeAccount(SampleAccount()));
  ledger::ChainHead head;
  head.next_seq = 8;
  for (int i = 0; i < 5; ++i) (void)head.journal_tree.Append(ledger::MerkleLeafHash("x"));
  Write(dir, "records_fuzz", "chain-head", 5, ledger::EncodeChainHead(head));
  Write(dir, "records_fuzz", "entry-id", 6, ledger::EncodeEntryIdRecord({7, 0}));
  Write(dir, "records_fuzz", "pending", 7, ledger::EncodePendingEntry(pending));
  Write(dir, "records_fuzz", "resolved", 7, ledger::EncodePendingEntry(resolved));
  Write(dir, "records_fuzz", "policy", 8, ledger::EncodePolicy(ledger::Policy()));
  ledger::Policy four_eyes;
  four_eyes.partner_spend_consent = ledger::PartnerSpendConsent::kNotAsked;
  four_eyes.write_off_needs_second_coordinator = true;
  Write(dir, "records_fuzz", "policy-four-eyes", 8, ledger::EncodePolicy(four_eyes));
  ledger::Account reachable = SampleAccount();
  reachable.phone = "+44 20 7946 0000";
  reachable.email = "a@example.org";
  Write(dir, "records_fuzz", "account-contact", 4, ledger::EncodeAccount(reachable));
}

void Requests(const fs::path& dir) {
  v1::RecordEntryRequest entry;
  entry.set_bank_id("camden");
  entry.set_entry_id("slip-0007");
  entry.set_kind(v1::EXCHANGE);
  entry.set_from_account_id("bob");
  entry.set_to_account_id("alice");
  entry.set_minutes(90);
  entry.set_activity("gardening");
  entry.set_note("the raised beds");
  entry.mutable_occurred_at()->set_seconds(1790000000);
  Write(dir, "requests_fuzz", "record-entry", 0, entry.SerializeAsString());
  v1::OpenAccountRequest account;
  account.set_bank_id("camden");
  account.set_account_id("alice");
  account.set_kind(v1::PERSON);
  account.add_roles(v1::MEMBER);
  account.set_display_name("Alice Mensah");
  Write(dir, "requests_fuzz", "open-account", 1, account.SerializeAsString());
  v1::CreateBankRequest bank;
  bank.set_bank_id("camden");
  bank.set_name("Camden time bank");
  bank.set_time_zone("Europe/London");
  Write(dir, "requests_fuzz", "create-bank", 2, bank.SerializeAsString());
  v1::SetPolicyRequest policy;
  policy.set_bank_id("camden");
  policy.mutable_policy()->mutable_floors()->set_enabled(true);
  policy.mutable_policy()->mutable_floors()->set_person_minutes(-600);
  policy.mutable_policy()->mutable_granularity()->set_enabled(true);
  policy.mutable_policy()->mutable_granularity()->set_unit_minutes(15);
  Write(dir, "requests_fuzz", "set-policy", 3, policy.SerializeAsString());
  v1::GetPeriodReportRequest report;
  report.set_bank_id("camden");
  report.mutable_first_day()->set_year(2026);
  report.mutable_first_day()->set_month(7);
  report.mutable_first_day()->set_day(1);
  report.mutable_last_day()->set_year(2026);
  report.mutable_last_day()->set_month(9);
  report.mutable_last_day()->set_day(30);
  Write(dir, "requests_fuzz", "period-report", 4, report.SerializeAsString());
  v1::PutCatalogueItemRequest put;
  put.mutable_item()->set_bank_id("camden");
  put.mutable_item()->set_code("food-hygiene-2");
  put.mutable_item()->set_title("Food hygiene, level 2");
  put.mutable_item()->mutable_qualification()->set_reward_minutes(120);
  Write(dir, "requests_fuzz", "put-catalogue-item", 5, put.SerializeAsString());
  v1::SignInRequest sign_in;
  sign_in.set_bank_id("camden");
  sign_in.set_card_number("4410021");
  sign_in.set_pin("2580");
  Write(dir, "requests_fuzz", "sign-in", 6, sign_in.SerializeAsString());
  v1::CreateTokenRequest token;
  token.mutable_principal()->set_name("cafe-till");
  token.mutable_principal()->set_role(v1::PRINCIPAL_ROLE_PARTNER);
  token.mutable_principal()->set_bank_id("camden");
  token.mutable_principal()->set_account_id("cafe");
  Write(dir, "requests_fuzz", "create-token", 7, token.SerializeAsString());
}

void Proofs(const fs::path& dir) {
  // Honest trees of a few shapes: selector 1, then size, index, old size, seed, flip.
  const std::vector<std::string> shapes = {std::string("\x07\x03\x04\x01\x05\x02", 6),
                                           std::string("\x20\x1f\x10\x02\x00\x07", 6),
                                           std::string("\x01\x00\x01\x03\x09\x00", 6)};
  for (size_t i = 0; i < shapes.size(); ++i) {
    Write(dir, "proofs_fuzz", "honest-" + std::to_string(i), 1, shapes[i]);
  }
  Write(dir, "proofs_fuzz", "hostile-0", 0, std::string(8 * 2 + 32 * 3 + 1, '\x01'));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_corpus DIR\n");
    return 2;
  }
  const fs::path dir = argv[1];
  Records(dir);
  QualificationAndCardRecords(dir);
  Requests(dir);
  Proofs(dir);
  std::printf("fuzz_corpus: seeds written under %s\n", dir.c_str());
  return 0;
}
