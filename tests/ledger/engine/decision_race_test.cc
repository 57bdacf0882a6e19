// The writer decides a caller's rights against the state it commits: a coordinator's own credit
// is refused (SELF_CREDIT) or sent to the payer for confirmation (SELF_RECORDED) by the policy
// in force at that very write, however the policy changes meanwhile. Before the decision moved
// into the writer, the service read the policy first and submitted after, so a change in between
// was not seen.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include <gtest/gtest.h>

#include "ledger/core/errors.h"
#include "ledger/engine/ledger.h"
#include "ledger/journal/journal.h"
#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

constexpr int kRecords = 300;

// What the writer did, in the order it did it: its callbacks run on the writer thread, one
// after another, in the order the commands ran.
struct Event {
  bool is_policy = false;
  uint64_t policy_version = 0;  // a policy change: the version it made
  bool self_recorded_on = false;
  std::string entry_id;  // a record: its id, and whether it was taken
  bool accepted = false;
  absl::Status status;
};

class DecisionRaceTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    RulesOff();
    ASSERT_TRUE(Open("carol", AccountKind::kPerson).ok());
    carol_.name = "carol";
    carol_.role = PrincipalRole::kCoordinator;
    carol_.bank_id = "hcct";
    auto policy = ledger_->GetPolicy(BankId("hcct"));
    ASSERT_TRUE(policy.ok()) << policy.status();
    base_policy_ = *policy;
    base_policy_.confirmation_enabled = false;  // only SELF_RECORDED sends anything to confirm
    initial_version_ = policy->version;
  }

  void Log(Event event) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(event));
  }

  // Turns the confirmation of self-recorded entries on and off, waiting for each change, until
  // the records are done; returns how many changes it made.
  int TogglePolicy() {
    int i = 0;
    for (; !records_done_.load(); ++i) {
      Policy policy = base_policy_;
      policy.self_recorded_needs_confirmation = i % 2 == 0;
      auto set = Await<Policy>([&](auto done) {
        ledger_->SetPolicy(BankId("hcct"), policy, 0, AdminNamed("admin"),
                           [this, done = std::move(done)](absl::StatusOr<Policy> result) mutable {
                             if (result.ok()) {
                               Log({true, result->version, result->self_recorded_needs_confirmation,
                                    "", false, absl::OkStatus()});
                             }
                             std::move(done)(std::move(result));
                           });
      });
      EXPECT_TRUE(set.ok()) << set.status();
    }
    return i;
  }

  // Carol records credits to herself, paid by bob, each waiting for its answer.
  void RecordOwnCredits() {
    for (int i = 0; i < kRecords; ++i) {
      const std::string id = absl::StrCat("own-", i);
      Await<Receipt>([&](auto done) {
        ledger_->RecordEntry(Spec(id, "bob", "carol", 60), carol_,
                             [this, id, done = std::move(done)](absl::StatusOr<Receipt> r) mutable {
                               Log({false, 0, false, id, r.ok() && r->pending, r.status()});
                               std::move(done)(std::move(r));
                             });
      }).IgnoreError();
    }
    records_done_ = true;
  }

  // The journal position of each policy version and of each pending entry's creation.
  void ReadJournal(std::map<uint64_t, uint64_t>* policy_at,
                   std::map<std::string, uint64_t>* pending_at) {
    uint64_t from = 0;
    while (true) {
      auto page = ledger_->ListJournal(BankId("hcct"), from, 0, 1000);
      ASSERT_TRUE(page.ok()) << page.status();
      for (const Fact& fact : page->facts) {
        if (fact.type == FactType::kPolicySet) (*policy_at)[fact.policy.version] = fact.position;
        if (fact.type == FactType::kPendingCreated) {
          (*pending_at)[fact.entry.entry_id] = fact.position;
        }
      }
      if (page->done) return;
      from = page->next_position;
    }
  }

  Principal carol_;
  Policy base_policy_;
  uint64_t initial_version_ = 0;
  std::atomic<bool> records_done_{false};
  std::mutex mu_;
  std::vector<Event> events_;
};

TEST_F(DecisionRaceTest, EveryOwnCreditFollowsThePolicyInForceAtItsWrite) {
  int policy_changes = 0;
  std::thread policies([&] { policy_changes = TogglePolicy(); });
  std::thread records([this] { RecordOwnCredits(); });
  records.join();
  policies.join();
  ASSERT_EQ(events_.size(), static_cast<size_t>(policy_changes + kRecords));

  std::map<uint64_t, uint64_t> policy_at;
  std::map<std::string, uint64_t> pending_at;
  ReadJournal(&policy_at, &pending_at);

  // In the writer's order: each record follows the last policy before it, and the journal holds
  // the facts in that same order.
  bool self_recorded_on = base_policy_.self_recorded_needs_confirmation;
  uint64_t last_position = 0;
  int accepted = 0;
  int refused = 0;
  for (const Event& event : events_) {
    if (event.is_policy) {
      self_recorded_on = event.self_recorded_on;
      ASSERT_TRUE(policy_at.contains(event.policy_version));
      EXPECT_GT(policy_at[event.policy_version], last_position);
      last_position = policy_at[event.policy_version];
      continue;
    }
    if (self_recorded_on) {
      ASSERT_TRUE(event.accepted) << event.entry_id << ": " << event.status;
      ASSERT_TRUE(pending_at.contains(event.entry_id)) << event.entry_id;
      EXPECT_GT(pending_at[event.entry_id], last_position);
      last_position = pending_at[event.entry_id];
      ++accepted;
    } else {
      ASSERT_FALSE(event.accepted) << event.entry_id;
      EXPECT_EQ(event.status.code(), absl::StatusCode::kPermissionDenied);
      EXPECT_EQ(ReasonOf(event.status), "SELF_CREDIT") << event.status;
      EXPECT_FALSE(pending_at.contains(event.entry_id)) << event.entry_id;
      ++refused;
    }
  }
  EXPECT_EQ(pending_at.size(), static_cast<size_t>(accepted));
  // By the journal alone: the policy version in force before each pending entry's position
  // sent self-recorded entries to confirmation (versions alternate, starting with "on").
  for (const auto& [entry_id, position] : pending_at) {
    uint64_t version_in_force = initial_version_;
    for (const auto& [version, at] : policy_at) {
      if (at < position) version_in_force = std::max(version_in_force, version);
    }
    ASSERT_GT(version_in_force, initial_version_) << entry_id;
    EXPECT_EQ((version_in_force - initial_version_) % 2, 1u) << entry_id << " at " << position;
  }
  // Both outcomes occurred, so the policy did change under the records.
  EXPECT_GT(accepted, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace timeledger::ledger
