// A property test of the ledger core: several threads issue thousands of random writes at once
// through the asynchronous API (many in flight, so group commit batches them) on a real RocksDB in
// a fresh directory. Every result is kept. Afterwards the test compares the ledger with a model
// that replays every listed entry: zero sums, dense seqs, balances and statements, acknowledged
// entries present and unchanged, refusals with the reasons the request deserved and nothing written
// for them, idempotent retries, single reversals, and the bank's rules (floors, cap, daily limit,
// granularity) never broken by a committed entry. Then it closes and reopens the ledger and checks
// that nothing moved.
//
// Two banks with different policies: "hcct" enforces floors, a refusing cap, a daily limit and
// quarter hours; "camden" sends minutes over its cap to the pool and enforces little else, so its
// valid entries must all succeed. The operations come from a fixed seed per thread; the
// interleaving of threads is the scheduler's, so every expectation holds for any interleaving.
#include "tests/ledger/engine/ledger_property_model.h"

namespace timeledger::ledger::property {
namespace {

Policy StrictPolicy() {
  Policy policy;
  policy.granularity_enabled = true;
  policy.unit_minutes = kUnit;
  policy.entry_maximum_enabled = true;
  policy.entry_minutes_max = kEntryMax;
  policy.floors_enabled = true;
  policy.person_floor_minutes = kPersonFloor;
  policy.organisation_floor_minutes = kOrganisationFloor;
  policy.pool_floor_minutes = 0;
  policy.earn_before_spend = false;
  policy.balance_cap_enabled = true;
  policy.person_cap_minutes = kPersonCap;
  policy.cap_action = CapAction::kRefuse;
  policy.daily_limit_enabled = true;
  policy.daily_earn_minutes_max = kDailyEarnMax;
  policy.backdating_enabled = true;
  policy.backdate_days_max = kBackdateDays;
  policy.reciprocity_enabled = true;  // warns only
  policy.reciprocity_action = ReciprocityAction::kWarn;
  policy.staff_duty_enabled = true;
  policy.staff_duty_activities = {kDutyActivity};
  policy.self_recorded_needs_confirmation = true;  // no principal is an account id here
  policy.confirmation_enabled = false;
  policy.expiry_enabled = false;
  return policy;
}

Policy LenientPolicy() {
  Policy policy;
  policy.granularity_enabled = policy.entry_maximum_enabled = policy.floors_enabled = false;
  policy.daily_limit_enabled = policy.reciprocity_enabled = policy.staff_duty_enabled = false;
  policy.self_recorded_needs_confirmation = policy.confirmation_enabled = false;
  policy.expiry_enabled = false;
  policy.backdating_enabled = true;
  policy.backdate_days_max = kBackdateDays;
  policy.balance_cap_enabled = true;
  policy.person_cap_minutes = kOtherCap;
  policy.cap_action = CapAction::kToPool;
  return policy;
}

}  // namespace

void LedgerPropertyTest::SetUp() {
  OpenLedger();
  CreateBank(kBank, StrictPolicy());
  CreateBank(kOtherBank, LenientPolicy());
  OpenAccount(kBank, "centre", AccountKind::kOrganisation, {});
  OpenAccount(kBank, "cafe", AccountKind::kOrganisation, {});
  for (int i = 0; i < kPersons; ++i) {
    OpenAccount(kBank, PersonId(i), AccountKind::kPerson, RolesOf(i));
  }
  OpenAccount(kBank, kClosed, AccountKind::kPerson, {});
  auto closed = Await<Account>([&](auto done) {
    ledger_->SetAccountStatus(BankId(kBank), AccountId(kClosed), AccountStatus::kClosed,
                              "moved away", false, AdminNamed("setup"), std::move(done));
  });
  ASSERT_TRUE(closed.ok()) << closed.status();
  OpenAccount(kOtherBank, "hall", AccountKind::kOrganisation, {});
  for (int i = 0; i < kOtherPersons; ++i) {
    OpenAccount(kOtherBank, PersonId(i), AccountKind::kPerson, {});
  }
}

void LedgerPropertyTest::OpenLedger() {
  LedgerOptions options;
  options.data_dir = dir_.path();
  options.sync = false;  // durability is the crash test's business
  auto opened = Ledger::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  ledger_ = *std::move(opened);
}

void LedgerPropertyTest::CreateBank(const std::string& bank_id, const Policy& policy) {
  auto bank = Await<Bank>([&](auto done) {
    ledger_->CreateBank(Bank{bank_id, "Bank " + bank_id, "Europe/London", {}}, AdminNamed("setup"),
                        std::move(done));
  });
  ASSERT_TRUE(bank.ok()) << bank.status();
  auto set = Await<Policy>([&](auto done) {
    ledger_->SetPolicy(BankId(bank_id), policy, 0, AdminNamed("setup"), std::move(done));
  });
  ASSERT_TRUE(set.ok()) << set.status();
}

void LedgerPropertyTest::OpenAccount(const std::string& bank_id, const std::string& account_id,
                                     AccountKind kind, std::vector<Role> roles) {
  Account account;
  account.bank_id = bank_id;
  account.account_id = account_id;
  account.kind = kind;
  account.roles = std::move(roles);
  account.display_name = "Name of " + account_id;
  auto opened = Await<Account>(
      [&](auto done) { ledger_->OpenAccount(account, AdminNamed("setup"), std::move(done)); });
  ASSERT_TRUE(opened.ok()) << opened.status();
}

void LedgerPropertyTest::RunWorkers() {
  for (int i = 0; i < kThreads; ++i) {
    workers_.push_back(std::make_unique<Worker>(ledger_.get(), i, &acked_seq_max_));
  }
  std::vector<std::thread> threads;
  for (auto& worker : workers_) threads.emplace_back([&worker] { worker->Run(); });
  for (auto& thread : threads) thread.join();
}

std::vector<Account> LedgerPropertyTest::ListAllAccounts(const std::string& bank_id) {
  std::vector<Account> accounts;
  std::string token;
  for (int pages = 0; pages < 1000; ++pages) {
    auto page = ledger_->ListAccounts(BankId(bank_id), 7, token);
    if (!page.ok()) {
      problems_.Add(absl::StrCat("ListAccounts ", bank_id, ": ", page.status().ToString()));
      break;
    }
    for (Account& account : page->items) accounts.push_back(std::move(account));
    token = page->next_page_token;
    if (token.empty()) break;
  }
  return accounts;
}

BankModel LedgerPropertyTest::LoadModel(const std::string& bank_id) {
  BankModel model;
  std::string token;
  for (int pages = 0;; ++pages) {
    auto page = ledger_->ListEntries(BankId(bank_id), AccountId(), kPageSize, token);
    if (!page.ok()) {
      problems_.Add(absl::StrCat("ListEntries ", bank_id, ": ", page.status().ToString()));
      break;
    }
    for (EntryRow& row : page->items) model.entries.push_back(std::move(row.entry));
    token = page->next_page_token;
    if (token.empty()) break;
    if (pages > 100'000) {
      problems_.Add("ListEntries does not end");
      break;
    }
  }
  for (const Account& account : ListAllAccounts(bank_id)) {
    Account& replayed = model.replayed[account.account_id];
    replayed = account;
    replayed.balance_minutes = replayed.earned_minutes = replayed.spent_minutes = 0;
    replayed.held_minutes = replayed.pending_in_minutes = 0;
    replayed.entry_count = 0;
    replayed.last_activity_at = absl::InfinitePast();
    model.balances_seen[account.account_id].insert(0);
  }
  for (size_t i = 0; i < model.entries.size(); ++i) {
    const Entry& entry = model.entries[i];
    if (entry.seq != i + 1) {
      problems_.Add(absl::StrCat(bank_id, ": listing position ", i + 1, " holds seq ", entry.seq,
                                 ": seqs are not dense"));
    }
    if (entry.bank_id != bank_id) {
      problems_.Add(absl::StrCat(bank_id, ": entry ", entry.seq, " names bank ", entry.bank_id));
    }
    if (!model.seq_of_entry_id.emplace(entry.entry_id, entry.seq).second) {
      problems_.Add(absl::StrCat(bank_id, ": entry_id ", entry.entry_id, " recorded twice"));
    }
    auto from = model.replayed.find(entry.from_account_id);
    auto to = model.replayed.find(entry.to_account_id);
    if (from == model.replayed.end() || to == model.replayed.end()) {
      problems_.Add(absl::StrCat(bank_id, ": entry ", entry.seq, " names an unknown account"));
      model.after.emplace_back(0, 0);
      continue;
    }
    for (Account* account : {&from->second, &to->second}) {
      const bool pays = account == &from->second;
      account->balance_minutes += pays ? -entry.minutes : entry.minutes;
      (pays ? account->spent_minutes : account->earned_minutes) += entry.minutes;
      ++account->entry_count;
      account->last_activity_at = entry.recorded_at;
      model.balances_seen[account->account_id].insert(account->balance_minutes);
    }
    model.after.emplace_back(from->second.balance_minutes, to->second.balance_minutes);
  }
  return model;
}

const BankModel* LedgerPropertyTest::ModelOf(const std::string& bank_id) const {
  auto it = models_.find(bank_id);
  return it == models_.end() ? nullptr : &it->second;
}

namespace {

TEST_F(LedgerPropertyTest, ConcurrentRandomWritesKeepEveryInvariantAndSurviveReopen) {
  std::cout << "seed " << kSeed << ", " << kThreads << " threads x " << kOpsPerThread
            << " operations, up to " << kInFlightMax << " in flight each" << std::endl;
  RunWorkers();
  CheckEverything();
  ReportAndCheckCoverage();
  EXPECT_EQ(problems_.count(), 0) << "problems (the first few are shown above)";

  // Close and reopen on the same directory: every entry, account and policy is as it was.
  std::map<std::string, std::vector<Entry>> entries_before;
  std::map<std::string, std::vector<Account>> accounts_before;
  std::map<std::string, std::string> policy_before;
  for (const char* bank_id : {kBank, kOtherBank}) {
    entries_before[bank_id] = models_.at(bank_id).entries;
    accounts_before[bank_id] = ListAllAccounts(bank_id);
    policy_before[bank_id] = EncodePolicy(*ledger_->GetPolicy(BankId(bank_id)));
  }
  ledger_.reset();
  OpenLedger();
  for (const char* bank_id : {kBank, kOtherBank}) {
    BankModel reopened = LoadModel(bank_id);
    ASSERT_EQ(reopened.entries.size(), entries_before[bank_id].size()) << bank_id;
    for (size_t i = 0; i < reopened.entries.size(); ++i) {
      if (auto diff = EntryDifference(reopened.entries[i], entries_before[bank_id][i], true);
          !diff.empty()) {
        problems_.Add(absl::StrCat(bank_id, ": entry ", i + 1, " changed on reopen: ", diff));
      }
    }
    const std::vector<Account> accounts = ListAllAccounts(bank_id);
    ASSERT_EQ(accounts.size(), accounts_before[bank_id].size()) << bank_id;
    for (size_t i = 0; i < accounts.size(); ++i) {
      if (auto diff = AccountDifference(accounts[i], accounts_before[bank_id][i], true);
          !diff.empty()) {
        problems_.Add(
            absl::StrCat(bank_id, "/", accounts[i].account_id, ": changed on reopen: ", diff));
      }
    }
    EXPECT_EQ(EncodePolicy(*ledger_->GetPolicy(BankId(bank_id))), policy_before[bank_id])
        << bank_id;
  }
  absl::Status consistency = ledger_->CheckConsistency();
  EXPECT_TRUE(consistency.ok()) << consistency;

  // After reopening, idempotency keys still replay and the chain goes on from its head.
  for (const auto& worker : workers_) {
    int retried = 0;
    for (const EntryAttempt& attempt : worker->singles()) {
      if (retried == 50) break;
      if (!attempt.result.has_value() || !attempt.result->ok() || (*attempt.result)->replayed) {
        continue;
      }
      ++retried;
      auto again = Await<Receipt>([&](auto done) {
        ledger_->RecordEntry(attempt.spec, AdminNamed("after-reopen"), std::move(done));
      });
      if (!again.ok() || !again->replayed || again->entry.seq != (*attempt.result)->entry.seq) {
        problems_.Add(absl::StrCat(
            Describe(attempt.spec), ": after reopen, retry gives ",
            again.ok() ? absl::StrCat("seq ", again->entry.seq) : again.status().ToString()));
      }
    }
  }
  EntrySpec next;
  next.bank_id = kBank;
  next.entry_id = "after-reopen";
  next.kind = EntryKind::kExchange;
  next.from_account_id = "centre";
  next.to_account_id = "cafe";
  next.minutes = 60;
  auto receipt = Await<Receipt>(
      [&](auto done) { ledger_->RecordEntry(next, AdminNamed("after-reopen"), std::move(done)); });
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->entry.seq, entries_before[kBank].size() + 1);
  EXPECT_EQ(receipt->entry.hash, ChainHash(entries_before[kBank].back().hash, receipt->entry));
  consistency = ledger_->CheckConsistency();
  EXPECT_TRUE(consistency.ok()) << consistency;
  EXPECT_EQ(problems_.count(), 0) << "problems (the first few are shown above)";
}

}  // namespace
}  // namespace timeledger::ledger::property
