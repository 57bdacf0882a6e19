#include "services/daemon/demo.h"

#include <string>
#include <vector>

#include "ledger/rules/kiosk.h"

namespace timeledger::ledger {
namespace {

constexpr char kDemoPrincipal[] = "demo";

struct DemoAccount {
  const char* id;
  AccountKind kind;
  std::vector<Role> roles;
  const char* name;
};

struct DemoCard {
  const char* account_id;
  const char* card_number;
  const char* pin;
};
constexpr DemoCard kDemoCards[] = {
    {"alice", "1001", "1234"},
    {"bob", "1002", "2468"},
    {"dev", "1004", "1357"},
};

struct DemoEntry {
  const char* id;
  EntryKind kind;
  const char* from;
  const char* to;
  int64_t minutes;
  const char* activity;
  int days_ago;
};

// Kiosk cards and PINs of the demo members (README.md lists them).
absl::Status LoadDemoCards(Ledger& ledger) {
  for (const DemoCard& spec : kDemoCards) {
    auto card = Await<MemberCard>([&](auto done) {
      ledger.SetMemberCard(BankId(kDemoBankId), AccountId(spec.account_id), spec.card_number,
                           AdminNamed(kDemoPrincipal), std::move(done));
    });
    if (!card.ok()) return card.status();
    auto hash = HashPin(spec.pin);
    if (!hash.ok()) return hash.status();
    card = Await<MemberCard>([&](auto done) {
      ledger.SetMemberPin(BankId(kDemoBankId), AccountId(spec.account_id), *hash,
                          AdminNamed(kDemoPrincipal), std::move(done));
    });
    if (!card.ok()) return card.status();
  }
  return absl::OkStatus();
}

// The centre's catalogue: what it rewards, what needs a qualification, and what credits buy.
std::vector<CatalogueItem> DemoCatalogue() {
  auto item = [](CatalogueKind kind, const char* code, const char* title) {
    CatalogueItem item;
    item.kind = kind;
    item.bank_id = kDemoBankId;
    item.code = code;
    item.title = title;
    return item;
  };
  CatalogueItem hygiene =
      item(CatalogueKind::kQualification, "food-hygiene-2", "Food hygiene, level 2");
  hygiene.awarding_body = "Highfield";
  hygiene.level = "2";
  hygiene.reward_account_id = "centre";
  hygiene.reward_minutes = 120;
  hygiene.validity_days = 3 * 365;
  hygiene.renewal_reward_minutes = 60;
  CatalogueItem first_aid = item(CatalogueKind::kQualification, "first-aid", "First aid at work");
  first_aid.awarding_body = "St John Ambulance";
  first_aid.reward_account_id = "centre";
  first_aid.reward_minutes = 180;
  first_aid.validity_days = 3 * 365;
  first_aid.renewal_reward_minutes = 90;
  CatalogueItem cooking =
      item(CatalogueKind::kActivity, "cook-lunch", "Cooking the day-centre lunch");
  cooking.category = "kitchen";
  cooking.required_qualifications = {"food-hygiene-2"};
  CatalogueItem mentoring = item(CatalogueKind::kActivity, "mentoring", "Mentoring a newcomer");
  mentoring.category = "mentoring";
  mentoring.staff_on_duty_may_earn = true;
  CatalogueItem lunch = item(CatalogueKind::kOffer, "lunch", "A lunch at the café");
  lunch.price_minutes = 60;
  lunch.organisation_account_id = "cafe";
  CatalogueItem course = item(CatalogueKind::kOffer, "hygiene-course", "Food hygiene course");
  course.price_minutes = 180;
  course.organisation_account_id = "centre";
  course.leads_to_qualification = "food-hygiene-2";
  return {hygiene, first_aid, cooking, mentoring, lunch, course};
}

absl::Status LoadCatalogue(Ledger& ledger) {
  for (const CatalogueItem& item : DemoCatalogue()) {
    auto put = Await<CatalogueItem>([&](auto done) {
      ledger.PutCatalogueItem(item, 0, AdminNamed(kDemoPrincipal), std::move(done));
    });
    if (!put.ok()) return put.status();
  }
  return absl::OkStatus();
}

// Carol (staff) awarded Dev food hygiene a month ago, so that Dev may cook the lunch.
absl::Status LoadAwards(Ledger& ledger) {
  AwardSpec spec{kDemoBankId,
                 "cert-dev-hygiene",
                 "dev",
                 "food-hygiene-2",
                 ledger.Now() - absl::Hours(24 * 30),
                 "Highfield certificate 204518",
                 "Carol Jones"};
  return Await<AwardReceipt>([&](auto done) {
           ledger.AwardQualification(spec, AdminNamed("carol"), std::move(done));
         })
      .status();
}

// Bob buys the food hygiene course with credits: it shows in progress on his record.
absl::Status LoadRedemptions(Ledger& ledger) {
  RedeemSpec spec{kDemoBankId, "demo-course-bob", "bob", "hygiene-course", ""};
  return Await<Redemption>(
             [&](auto done) { ledger.RedeemOffer(spec, AdminNamed("bob"), std::move(done)); })
      .status();
}

// The bank, its two organisations and four members.
absl::Status LoadBankAndAccounts(Ledger& ledger) {
  Bank bank{kDemoBankId, "Holy Cross Centre time bank", "Europe/London", absl::Time()};
  auto created = Await<Bank>(
      [&](auto done) { ledger.CreateBank(bank, AdminNamed(kDemoPrincipal), std::move(done)); });
  if (!created.ok()) return created.status();

  const std::vector<DemoAccount> accounts = {
      {"centre", AccountKind::kOrganisation, {}, "Holy Cross Centre"},
      {"cafe", AccountKind::kOrganisation, {}, "Community café"},
      {"alice", AccountKind::kPerson, {Role::kMember, Role::kVolunteer}, "Alice Brown"},
      {"bob", AccountKind::kPerson, {Role::kMember}, "Bob Okafor"},
      {"carol", AccountKind::kPerson, {Role::kMember, Role::kStaff}, "Carol Jones"},
      {"dev", AccountKind::kPerson, {Role::kMember, Role::kVolunteer}, "Dev Patel"},
  };
  for (const DemoAccount& spec : accounts) {
    Account account;
    account.bank_id = kDemoBankId;
    account.account_id = spec.id;
    account.kind = spec.kind;
    account.roles = spec.roles;
    account.display_name = spec.name;
    auto opened = Await<Account>([&](auto done) {
      ledger.OpenAccount(account, AdminNamed(kDemoPrincipal), std::move(done));
    });
    if (!opened.ok()) return opened.status();
  }
  return absl::OkStatus();
}

// A few weeks of exchanges, awards, a spend, a donation and a grant, dated back from now.
absl::Status LoadEntries(Ledger& ledger) {
  const std::vector<DemoEntry> entries = {
      {"demo-1", EntryKind::kExchange, "bob", "alice", 90, "gardening", 20},
      {"demo-2", EntryKind::kAward, "centre", "dev", 180, "cook-lunch", 14},
      {"demo-3", EntryKind::kSpend, "bob", "cafe", 60, "lunch", 12},
      {"demo-4", EntryKind::kExchange, "dev", "bob", 60, "computer help", 9},
      {"demo-5", EntryKind::kAward, "centre", "alice", 240, "mentoring", 7},
      {"demo-6", EntryKind::kDonation, "alice", "pool", 60, "", 5},
      {"demo-7", EntryKind::kGrant, "pool", "bob", 30, "", 3},
      {"demo-8", EntryKind::kExchange, "alice", "carol", 45, "film night", 1},
  };
  const absl::Time now = ledger.Now();
  for (const DemoEntry& spec : entries) {
    EntrySpec entry;
    entry.bank_id = kDemoBankId;
    entry.entry_id = spec.id;
    entry.kind = spec.kind;
    entry.from_account_id = spec.from;
    entry.to_account_id = spec.to;
    entry.minutes = spec.minutes;
    entry.activity = spec.activity;
    entry.occurred_at = now - absl::Hours(24 * spec.days_ago);
    auto recorded = Await<Receipt>(
        [&](auto done) { ledger.RecordEntry(entry, AdminNamed(kDemoPrincipal), std::move(done)); });
    if (!recorded.ok()) return recorded.status();
  }
  return absl::OkStatus();
}

// Alice records an hour of shopping that Bob owes her: it waits for Bob, at the kiosk.
absl::Status LoadPendingEntry(Ledger& ledger) {
  EntrySpec shopping;
  shopping.bank_id = kDemoBankId;
  shopping.entry_id = "demo-9";
  shopping.from_account_id = "bob";
  shopping.to_account_id = "alice";
  shopping.minutes = 60;
  shopping.activity = "shopping";
  shopping.occurred_at = ledger.Now() - absl::Hours(24);
  return Await<Receipt>(
             [&](auto done) { ledger.RecordEntry(shopping, AdminNamed("alice"), std::move(done)); })
      .status();
}

}  // namespace

absl::Status LoadDemoBankIfEmpty(Ledger& ledger) {
  auto banks = ledger.ListBanks(1, "");
  if (!banks.ok()) return banks.status();
  if (!banks->items.empty()) return absl::OkStatus();
  // Each part names what the parts before it made (an award the catalogue's qualification, an
  // entry the award's holder): keep the order.
  for (absl::Status (*load)(Ledger&) : {LoadBankAndAccounts, LoadCatalogue, LoadAwards, LoadEntries,
                                        LoadRedemptions, LoadPendingEntry, LoadDemoCards}) {
    if (absl::Status status = load(ledger); !status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace timeledger::ledger
