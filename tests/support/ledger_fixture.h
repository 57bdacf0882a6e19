// LedgerTest: a Ledger on a real RocksDB in a fresh directory with a clock the test sets, a bank
// "hcct" with persons alice and bob and an organisation, and helpers that wait for each write.
#ifndef TIMELEDGER_TESTS_LEDGER_LEDGER_FIXTURE_H_
#define TIMELEDGER_TESTS_LEDGER_LEDGER_FIXTURE_H_

#include <atomic>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "ledger/core/errors.h"
#include "ledger/engine/ledger.h"
#include "tests/support/temp_dir.h"

namespace timeledger::ledger {

inline const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);  // 2026-09-21

// An account `id` of hcct with `balance`, as the caches hold them (nothing else set).
inline Account AccountIn(const std::string& id, int64_t balance) {
  Account account;
  account.bank_id = "hcct";
  account.account_id = id;
  account.balance_minutes = balance;
  return account;
}

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
    ASSERT_TRUE(CreateBank("hcct").ok());
    ASSERT_TRUE(Open("alice", AccountKind::kPerson).ok());
    ASSERT_TRUE(Open("bob", AccountKind::kPerson).ok());
    ASSERT_TRUE(Open("centre", AccountKind::kOrganisation).ok());
  }

  void Reopen() {
    ledger_.reset();
    LedgerOptions options;
    options.data_dir = dir_.path();
    options.clock = [this] { return now_.load(); };
    options.verify_on_open = verify_on_reopen_;
    options.full_verify_on_open = full_verify_on_reopen_;
    options.account_cache_max = account_cache_max_;
    options.published_accounts_max = published_accounts_max_;
    auto opened = Ledger::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    ledger_ = *std::move(opened);
  }

  absl::StatusOr<Bank> CreateBank(const std::string& id) {
    return Await<Bank>([&](auto done) {
      ledger_->CreateBank(Bank{id, "Holy Cross", "Europe/London", {}}, AdminNamed("test"),
                          std::move(done));
    });
  }

  absl::StatusOr<Account> Open(const std::string& id, AccountKind kind,
                               const std::string& bank = "hcct") {
    Account account;
    account.bank_id = bank;
    account.account_id = id;
    account.kind = kind;
    account.display_name = "Name of " + id;
    return Await<Account>(
        [&](auto done) { ledger_->OpenAccount(account, AdminNamed("test"), std::move(done)); });
  }

  // A person with the staff role (who may award qualifications).
  absl::Status OpenStaff(const std::string& id) {
    Account account;
    account.bank_id = "hcct";
    account.account_id = id;
    account.kind = AccountKind::kPerson;
    account.roles = {Role::kStaff};
    account.display_name = "Staff " + id;
    return Await<Account>([&](auto done) {
             ledger_->OpenAccount(account, AdminNamed("test"), std::move(done));
           })
        .status();
  }

  static EntrySpec Spec(const std::string& entry_id, const std::string& from, const std::string& to,
                        int64_t minutes) {
    EntrySpec spec;
    spec.bank_id = "hcct";
    spec.entry_id = entry_id;
    spec.from_account_id = from;
    spec.to_account_id = to;
    spec.minutes = minutes;
    spec.activity = "gardening";
    return spec;
  }

  absl::StatusOr<Receipt> Record(const EntrySpec& spec) {
    return Await<Receipt>(
        [&](auto done) { ledger_->RecordEntry(spec, AdminNamed("coordinator"), std::move(done)); });
  }

  absl::StatusOr<Receipt> Reverse(uint64_t seq, const std::string& entry_id = "") {
    return Await<Receipt>([&](auto done) {
      ledger_->ReverseEntry(BankId("hcct"), seq, EntryId(entry_id), "recorded twice",
                            AdminNamed("coordinator"), std::move(done));
    });
  }

  absl::StatusOr<Account> SetStatus(const std::string& id, AccountStatus status) {
    return Await<Account>([&](auto done) {
      ledger_->SetAccountStatus(BankId("hcct"), AccountId(id), status, "", false,
                                AdminNamed("coordinator"), std::move(done));
    });
  }

  absl::Status SetPolicy(const Policy& policy) {
    return Await<Policy>([&](auto done) {
             ledger_->SetPolicy(BankId("hcct"), policy, 0, AdminNamed("coordinator"),
                                std::move(done));
           })
        .status();
  }

  // Switches every rule off, for tests of the ledger's own mechanics.
  void RulesOff() {
    Policy policy;
    policy.granularity_enabled = policy.entry_maximum_enabled = policy.floors_enabled = false;
    policy.balance_cap_enabled = policy.daily_limit_enabled = policy.backdating_enabled = false;
    policy.reciprocity_enabled = policy.staff_duty_enabled = false;
    policy.self_recorded_needs_confirmation = false;
    auto set = Await<Policy>([&](auto done) {
      ledger_->SetPolicy(BankId("hcct"), policy, 0, AdminNamed("coordinator"), std::move(done));
    });
    ASSERT_TRUE(set.ok()) << set.status();
  }

  int64_t Balance(const std::string& id) {
    auto account = ledger_->GetAccount(BankId("hcct"), AccountId(id));
    EXPECT_TRUE(account.ok()) << account.status();
    return account.ok() ? account->balance_minutes : 0;
  }

  timeledger::testing::TempDir dir_;
  std::atomic<absl::Time> now_{kNow};
  std::unique_ptr<Ledger> ledger_;
  // Reopen verifies every bank in full rather than its journal since its checkpoint.
  bool full_verify_on_reopen_ = false;
  // Reopen verifies at all (LedgerOptions::verify_on_open).
  bool verify_on_reopen_ = true;
  // The writer's account cache (LedgerOptions::account_cache_max) on the next Reopen.
  size_t account_cache_max_ = LedgerOptions().account_cache_max;
  // The readers' accounts (LedgerOptions::published_accounts_max) on the next Reopen.
  size_t published_accounts_max_ = LedgerOptions().published_accounts_max;
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_TESTS_LEDGER_LEDGER_FIXTURE_H_
