// The commands decide the caller's rights against the state they commit (ledger/engine/commands.h),
// and a command refused leaves nothing behind. Each test runs commands as the writer does:
// inside a TypedCommand's savepoint, in one WriteTxn, on a real store.
#include "ledger/engine/commands.h"

#include <functional>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "ledger/core/errors.h"
#include "tests/ledger/engine/engine_fixture.h"

namespace timeledger::ledger {
namespace {

// A command whose work is `body`, with its result kept where the test can read it.
template <typename T>
class TestCommand : public TypedCommand<T> {
 public:
  using Body = std::function<absl::StatusOr<T>(WriteTxn&)>;
  TestCommand(Body body, absl::StatusOr<T>* out)
      : TypedCommand<T>([out](absl::StatusOr<T> result) { *out = std::move(result); }),
        body_(std::move(body)) {}
  void Execute(WriteTxn& txn) override {
    this->Guarded(txn, [&] { return body_(txn); });
  }

 private:
  Body body_;
};

template <typename T>
struct Outcome {
  absl::StatusOr<T> result = absl::UnknownError("not run");
  bool wrote = false;  // whether the command left anything in the batch
};

Principal Coordinator(const std::string& name, const std::string& bank = "hcct") {
  Principal principal;
  principal.name = name;
  principal.role = PrincipalRole::kCoordinator;
  principal.bank_id = bank;
  return principal;
}

Principal Partner() {
  Principal principal;
  principal.name = "cafe";
  principal.role = PrincipalRole::kPartner;
  principal.bank_id = "hcct";
  principal.account_id = "centre";
  return principal;
}

// The registry knows nobody.
std::optional<Principal> NoBinding(absl::string_view) { return std::nullopt; }

class CommandsTest : public EngineTest {
 protected:
  // Runs one command in its own group, as CommitGroup does.
  template <typename T>
  Outcome<T> Run(typename TestCommand<T>::Body body) {
    Outcome<T> outcome;
    TestCommand<T> command(std::move(body), &outcome.result);
    auto batch = store_->NewBatch();
    WriteTxn txn(banks_, store_.get(), batch.get(), kEngineNow, {}, &accounts_);
    command.Execute(txn);
    outcome.wrote = !batch->empty();
    absl::Status commit = txn.Finalize();
    if (commit.ok() && !batch->empty()) commit = store_->Commit(batch.get());
    if (commit.ok()) txn.ApplyTo(&banks_, &accounts_);
    command.Finish(commit);
    return outcome;
  }

  Outcome<Receipt> Record(const EntrySpec& spec, const Principal& caller) {
    return Run<Receipt>([&](WriteTxn& txn) { return ExecuteRecordEntry(txn, spec, caller); });
  }

  Outcome<Receipt> Confirm(const std::string& entry_id, const Principal& caller,
                           BindingLookup binding_of = NoBinding) {
    return Run<Receipt>([&](WriteTxn& txn) {
      return ExecuteConfirmEntry(txn, "hcct", entry_id, caller, binding_of);
    });
  }

  void SetPolicy(const Policy& policy) {
    ASSERT_TRUE(Run<Policy>([&](WriteTxn& txn) {
                  return ExecuteSetPolicy(txn, "hcct", policy, 0, AdminNamed("test"));
                }).result.ok());
  }

  // An entry from bob to `to` waiting for bob's confirmation, recorded by `recorded_by`.
  void Pending(const std::string& entry_id, const std::string& to,
               const std::string& recorded_by = "desk") {
    Policy policy = RulesOffPolicy(false);
    policy.confirmation_enabled = true;
    SetPolicy(policy);
    auto recorded = Record(Spec(entry_id, "bob", to, 60), AdminNamed(recorded_by));
    ASSERT_TRUE(recorded.result.ok()) << recorded.result.status();
    ASSERT_TRUE(recorded.result->pending);
  }

  // Nothing changed in the committed state since `before`.
  void ExpectUnchanged(const ChainHead& before) {
    EXPECT_EQ(Committed().head.journal_size(), before.journal_size());
    EXPECT_EQ(Committed().head.next_seq, before.next_seq);
  }
};

TEST_F(CommandsTest, ACoordinatorsOwnCreditIsRefusedWhereThePolicySendsItNowhere) {
  const ChainHead before = Committed().head;
  auto outcome = Record(Spec("own", "bob", "carol", 60), Coordinator("carol"));
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(outcome.result.status()), "SELF_CREDIT");
  EXPECT_FALSE(outcome.wrote);
  ExpectUnchanged(before);
}

TEST_F(CommandsTest, TheOwnCreditFollowsThePolicyInForceInTheSameTransaction) {
  std::vector<absl::StatusOr<Receipt>> results;
  ASSERT_TRUE(
      Commit([&](WriteTxn& txn) {
        const Principal carol = Coordinator("carol");
        ASSERT_TRUE(ExecuteSetPolicy(txn, "hcct", RulesOffPolicy(true), 0, AdminNamed("t")).ok());
        results.push_back(ExecuteRecordEntry(txn, Spec("on", "bob", "carol", 60), carol));
        ASSERT_TRUE(ExecuteSetPolicy(txn, "hcct", RulesOffPolicy(false), 0, AdminNamed("t")).ok());
        txn.SetSavePoint();
        results.push_back(ExecuteRecordEntry(txn, Spec("off", "bob", "carol", 60), carol));
        txn.RollbackToSavePoint();
      }).ok());
  ASSERT_TRUE(results[0].ok()) << results[0].status();
  EXPECT_TRUE(results[0]->pending);
  EXPECT_EQ(results[0]->confirm_by, "bob");
  EXPECT_EQ(ReasonOf(results[1].status()), "SELF_CREDIT");
}

TEST_F(CommandsTest, APartnerRecordsOnlySpendsIntoItsOwnAccount) {
  const ChainHead before = Committed().head;
  auto exchange = Record(Spec("x", "bob", "alice", 60), Partner());
  EXPECT_EQ(exchange.result.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(exchange.result.status()), "PARTNER_SPEND_ONLY");
  EXPECT_FALSE(exchange.wrote);
  ExpectUnchanged(before);

  EntrySpec spend = Spec("coffee", "bob", "centre", 30);
  spend.kind = EntryKind::kSpend;
  spend.recorded_by_partner = true;
  auto recorded = Record(spend, Partner());
  ASSERT_TRUE(recorded.result.ok()) << recorded.result.status();
  EXPECT_TRUE(recorded.wrote);
  // The bank's default: the member confirms a partner's spend.
  EXPECT_TRUE(recorded.result->pending);
  EXPECT_EQ(recorded.result->entry.recorded_by, "cafe");
}

TEST_F(CommandsTest, APrincipalOfAnotherBankIsOutOfScope) {
  auto outcome = Record(Spec("x", "bob", "alice", 60), Coordinator("zed", "elsewhere"));
  EXPECT_EQ(ReasonOf(outcome.result.status()), "OUT_OF_SCOPE");
  EXPECT_FALSE(outcome.wrote);
}

TEST_F(CommandsTest, ACoordinatorDoesNotConfirmWhatCreditsTheirOwnAccount) {
  Pending("to-carol", "carol");
  const ChainHead before = Committed().head;
  auto refused = Confirm("to-carol", Coordinator("carol"));
  EXPECT_EQ(refused.result.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(refused.result.status()), "SELF_CREDIT");
  EXPECT_FALSE(refused.wrote);
  ExpectUnchanged(before);
  auto confirmed = Confirm("to-carol", Coordinator("dan"));
  ASSERT_TRUE(confirmed.result.ok()) << confirmed.result.status();
  EXPECT_EQ(KeptBalance("carol"), 60);
}

TEST_F(CommandsTest, ACoordinatorDoesNotConfirmWhatTheyRecordedUnderAnotherName) {
  Pending("by-phone", "alice", "carol-phone");
  // The registry binds carol-phone to carol's account: the same person as coordinator carol.
  auto binding_of = [](absl::string_view name) -> std::optional<Principal> {
    if (name != "carol-phone") return std::nullopt;
    Principal phone = Coordinator("carol-phone");
    phone.account_id = "carol";
    return phone;
  };
  const ChainHead before = Committed().head;
  auto refused = Confirm("by-phone", Coordinator("carol"), binding_of);
  EXPECT_EQ(refused.result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(refused.result.status()), "SELF_CONFIRMATION");
  EXPECT_FALSE(refused.wrote);
  ExpectUnchanged(before);
  // Without that binding, carol is someone else.
  EXPECT_TRUE(Confirm("by-phone", Coordinator("carol")).result.ok());
}

TEST_F(CommandsTest, AMemberAtAKioskConfirmsOnlyWhatWaitsForThem) {
  Pending("for-bob", "alice");
  const ChainHead before = Committed().head;
  auto not_theirs = Confirm("for-bob", MemberAtKiosk("hcct", "alice"));
  EXPECT_EQ(not_theirs.result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(not_theirs.result.status()), "PENDING_NOT_FOUND");
  EXPECT_FALSE(not_theirs.wrote);
  auto rejected = Run<PendingEntry>([](WriteTxn& txn) {
    return ExecuteReleasePending(txn, "hcct", "for-bob", PendingState::kRejected,
                                 MemberAtKiosk("hcct", "alice"), "not mine");
  });
  EXPECT_EQ(ReasonOf(rejected.result.status()), "PENDING_NOT_FOUND");
  EXPECT_FALSE(rejected.wrote);
  ExpectUnchanged(before);

  auto confirmed = Confirm("for-bob", MemberAtKiosk("hcct", "bob"));
  ASSERT_TRUE(confirmed.result.ok()) << confirmed.result.status();
  EXPECT_EQ(confirmed.result->entry.entry_id, "for-bob");
  // Settled, it no longer waits for bob either: not there, rather than a replay.
  EXPECT_EQ(ReasonOf(Confirm("for-bob", MemberAtKiosk("hcct", "bob")).result.status()),
            "PENDING_NOT_FOUND");
}

TEST_F(CommandsTest, ACoordinatorDoesNotReverseWhatTheyPaid) {
  auto paid = Record(Spec("carol-pays", "carol", "bob", 60), AdminNamed("desk"));
  ASSERT_TRUE(paid.result.ok()) << paid.result.status();
  const uint64_t seq = paid.result->entry.seq;
  const ChainHead before = Committed().head;
  auto reverse = [&](const Principal& caller) {
    return Run<Receipt>([&, caller](WriteTxn& txn) {
      return ExecuteReverseEntry(txn, "hcct", seq, "undo", "mistake", caller);
    });
  };
  auto refused = reverse(Coordinator("carol"));
  EXPECT_EQ(refused.result.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(refused.result.status()), "SELF_CREDIT");
  EXPECT_FALSE(refused.wrote);
  ExpectUnchanged(before);
  auto reversed = reverse(Coordinator("dan"));
  ASSERT_TRUE(reversed.result.ok()) << reversed.result.status();
  EXPECT_EQ(KeptBalance("carol"), 0);
}

TEST_F(CommandsTest, ARuleRefusalAfterTheCallerPassesLeavesNothingBehind) {
  const ChainHead before = Committed().head;
  // Open, but suspended: the command finds both accounts, then refuses.
  ASSERT_TRUE(Run<Account>([](WriteTxn& txn) {
                return ExecuteSetAccountStatus(txn, "hcct", "alice", AccountStatus::kSuspended,
                                               "away", ClosingSettlement{}, AdminNamed("test"));
              }).result.ok());
  const ChainHead suspended = Committed().head;
  EXPECT_GT(suspended.journal_size(), before.journal_size());
  auto refused = Record(Spec("x", "bob", "alice", 60), Coordinator("dan"));
  EXPECT_EQ(ReasonOf(refused.result.status()), "ACCOUNT_SUSPENDED");
  EXPECT_FALSE(refused.wrote);
  ExpectUnchanged(suspended);
}

}  // namespace
}  // namespace timeledger::ledger
