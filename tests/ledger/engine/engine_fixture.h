// EngineTest: the writer's parts without the Ledger around them. A real RocksDB store in a fresh
// directory, the committed state (BankMap) that the writer would keep, and Commit(), which runs
// a body in one WriteTxn and commits and publishes it as CommitGroup does. Bank "hcct" holds the
// persons alice, bob and carol (a coordinator's own account) and the organisation centre; the
// rules are off, so that a test sees the mechanics and the caller's rights alone.
#ifndef TIMELEDGER_TESTS_LEDGER_ENGINE_ENGINE_FIXTURE_H_
#define TIMELEDGER_TESTS_LEDGER_ENGINE_ENGINE_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include <gtest/gtest.h>

#include "ledger/engine/commands.h"
#include "ledger/engine/write_txn.h"
#include "ledger/store/store.h"
#include "tests/support/temp_dir.h"

namespace timeledger::ledger {

inline const absl::Time kEngineNow = absl::FromUnixSeconds(1'790'000'000);  // 2026-09-21

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.path = dir_.path() + "/store";
    options.sync = false;
    auto store = OpenRocksDbStore(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(
        Commit([](WriteTxn& txn) {
          const std::string setup = "test-setup";
          ASSERT_TRUE(ExecuteCreateBank(txn, Bank{"hcct", "Holy Cross", "Europe/London", {}},
                                        AdminNamed(setup))
                          .ok());
          for (const char* person : {"alice", "bob", "carol"}) {
            ASSERT_TRUE(
                ExecuteOpenAccount(txn, NewAccount(person, AccountKind::kPerson), AdminNamed(setup))
                    .ok());
          }
          ASSERT_TRUE(ExecuteOpenAccount(txn, NewAccount("centre", AccountKind::kOrganisation),
                                         AdminNamed(setup))
                          .ok());
          ASSERT_TRUE(
              ExecuteSetPolicy(txn, "hcct", RulesOffPolicy(false), 0, AdminNamed(setup)).ok());
        }).ok());
  }

  // Runs `body` in one WriteTxn over the committed state, then finalizes, commits and publishes
  // it. Returns Finalize's or the store's refusal (nothing is then published).
  absl::Status Commit(absl::FunctionRef<void(WriteTxn&)> body) {
    auto batch = store_->NewBatch();
    WriteTxn txn(banks_, store_.get(), batch.get(), kEngineNow, {}, &accounts_);
    body(txn);
    if (auto finalized = txn.Finalize(); !finalized.ok()) return finalized;
    if (!batch->empty()) {
      if (auto committed = store_->Commit(batch.get()); !committed.ok()) return committed;
    }
    txn.ApplyTo(&banks_, &accounts_);
    return absl::OkStatus();
  }

  static Account NewAccount(const std::string& id, AccountKind kind) {
    Account account;
    account.bank_id = "hcct";
    account.account_id = id;
    account.kind = kind;
    account.display_name = "Name of " + id;
    return account;
  }

  // Every rule off; `self_recorded` sends a coordinator's own credit to the payer to confirm.
  static Policy RulesOffPolicy(bool self_recorded) {
    Policy policy;
    policy.granularity_enabled = policy.entry_maximum_enabled = policy.floors_enabled = false;
    policy.balance_cap_enabled = policy.daily_limit_enabled = policy.backdating_enabled = false;
    policy.reciprocity_enabled = policy.staff_duty_enabled = false;
    policy.confirmation_enabled = false;
    policy.self_recorded_needs_confirmation = self_recorded;
    return policy;
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

  const BankState& Committed(const std::string& bank_id = "hcct") const {
    return *banks_.at(bank_id);
  }

  // The account of bank hcct as the writer's cache keeps it after the last commit, or nullptr.
  const Account* Kept(const std::string& account_id) const {
    return accounts_.Find(AccountCache::KeyOf("hcct", account_id));
  }
  // Its balance; a failure (and 0) if it is not kept.
  int64_t KeptBalance(const std::string& account_id) const {
    const Account* account = Kept(account_id);
    EXPECT_NE(account, nullptr) << account_id << " is not in the cache";
    return account == nullptr ? 0 : account->balance_minutes;
  }

  timeledger::testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  BankMap banks_;
  AccountCache accounts_{1024};
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_TESTS_LEDGER_ENGINE_ENGINE_FIXTURE_H_
