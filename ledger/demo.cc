#include "ledger/demo.h"

#include <string>
#include <vector>

#include "ledger/kiosk_desk.h"

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
      ledger.SetMemberCard(kDemoBankId, spec.account_id, spec.card_number, kDemoPrincipal,
                           std::move(done));
    });
    if (!card.ok()) return card.status();
    auto hash = HashPin(spec.pin);
    if (!hash.ok()) return hash.status();
    card = Await<MemberCard>([&](auto done) {
      ledger.SetMemberPin(kDemoBankId, spec.account_id, *hash, kDemoPrincipal, std::move(done));
    });
    if (!card.ok()) return card.status();
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadDemoBankIfEmpty(Ledger& ledger) {
  auto banks = ledger.ListBanks(1, "");
  if (!banks.ok()) return banks.status();
  if (!banks->items.empty()) return absl::OkStatus();

  Bank bank{kDemoBankId, "Holy Cross Centre time bank", "Europe/London", absl::Time()};
  auto created = Await<Bank>([&](auto done) {
    ledger.CreateBank(bank, kDemoPrincipal, std::move(done));
  });
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
      ledger.OpenAccount(account, kDemoPrincipal, std::move(done));
    });
    if (!opened.ok()) return opened.status();
  }

  const std::vector<DemoEntry> entries = {
      {"demo-1", EntryKind::kExchange, "bob", "alice", 90, "gardening", 20},
      {"demo-2", EntryKind::kAward, "centre", "dev", 180, "cooking the day-centre lunch", 14},
      {"demo-3", EntryKind::kSpend, "bob", "cafe", 60, "lunch", 12},
      {"demo-4", EntryKind::kExchange, "dev", "bob", 60, "computer help", 9},
      {"demo-5", EntryKind::kAward, "centre", "alice", 240, "mentoring a newcomer", 7},
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
    auto recorded = Await<Receipt>([&](auto done) {
      ledger.RecordEntry(entry, kDemoPrincipal, std::move(done));
    });
    if (!recorded.ok()) return recorded.status();
  }
  // Alice records an hour of shopping that Bob owes her: it waits for Bob, at the kiosk.
  EntrySpec shopping;
  shopping.bank_id = kDemoBankId;
  shopping.entry_id = "demo-9";
  shopping.from_account_id = "bob";
  shopping.to_account_id = "alice";
  shopping.minutes = 60;
  shopping.activity = "shopping";
  shopping.occurred_at = now - absl::Hours(24);
  auto recorded = Await<Receipt>([&](auto done) {
    ledger.RecordEntry(shopping, "alice", std::move(done));
  });
  if (!recorded.ok()) return recorded.status();
  return LoadDemoCards(ledger);
}

}  // namespace timeledger::ledger
