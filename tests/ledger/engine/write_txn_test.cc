// WriteTxn, the overlay one group commit builds over the committed state: what its reads see,
// what a savepoint undoes, what Finalize refuses and writes, and what ApplyTo publishes.
#include "ledger/engine/write_txn.h"

#include "absl/strings/str_cat.h"
#include <gtest/gtest.h>

#include "ledger/core/errors.h"
#include "ledger/engine/postings.h"
#include "tests/ledger/engine/engine_fixture.h"

namespace timeledger::ledger {
namespace {

class WriteTxnTest : public EngineTest {
 protected:
  // Stages an entry from `from` to `to` as the commands do.
  static Receipt Post(WriteTxn& txn, const std::string& from, const std::string& to,
                      int64_t minutes) {
    Entry entry;
    entry.bank_id = "hcct";
    entry.entry_id = absl::StrCat("e-", from, "-", to, "-", minutes);
    entry.kind = EntryKind::kExchange;
    entry.from_account_id = from;
    entry.to_account_id = to;
    entry.minutes = minutes;
    entry.occurred_at = txn.now();
    entry.recorded_by = "test";
    return AppendEntry(txn, *txn.GetBank("hcct"), entry, *txn.GetAccount("hcct", from),
                       *txn.GetAccount("hcct", to));
  }
};

TEST_F(WriteTxnTest, ReadsSeeTheEarlierCommandsOfTheGroup) {
  const uint64_t next_seq = Committed().head.next_seq;
  ASSERT_TRUE(Commit([&](WriteTxn& txn) {
                ASSERT_TRUE(ExecuteOpenAccount(txn, NewAccount("dave", AccountKind::kPerson),
                                               AdminNamed("test"))
                                .ok());
                ASSERT_NE(txn.GetAccount("hcct", "dave"), nullptr);
                const Receipt first = Post(txn, "bob", "alice", 60);
                EXPECT_EQ(first.entry.seq, next_seq);
                // A later command sees the first one's entry, balances and chain head.
                EXPECT_EQ(txn.GetAccount("hcct", "alice")->balance_minutes, 60);
                EXPECT_EQ(txn.GetBank("hcct")->head.next_seq, next_seq + 1);
                EXPECT_EQ(txn.GetBank("hcct")->head.last_hash, first.entry.hash);
                auto stored = txn.GetEntry("hcct", first.entry.seq);
                ASSERT_TRUE(stored.ok() && stored->has_value());
                EXPECT_EQ((*stored)->entry_id, first.entry.entry_id);
                const Receipt second = Post(txn, "alice", "dave", 20);
                EXPECT_EQ(second.entry.seq, next_seq + 1);
                EXPECT_EQ(second.to_balance_minutes, 20);
                // The committed state is not touched before ApplyTo.
                EXPECT_EQ(Kept("dave"), nullptr);
                EXPECT_EQ(Committed().head.next_seq, next_seq);
              }).ok());
  EXPECT_EQ(KeptBalance("alice"), 40);
  EXPECT_EQ(KeptBalance("dave"), 20);
}

TEST_F(WriteTxnTest, RollingBackASavepointUndoesEverythingAfterIt) {
  const ChainHead head_before = Committed().head;
  uint64_t undone_seq = 0;
  ASSERT_TRUE(Commit([&](WriteTxn& txn) {
                txn.SetSavePoint();
                undone_seq = Post(txn, "bob", "alice", 60).entry.seq;
                txn.PutEntryId("hcct", "kept-out", EntryIdRecord{undone_seq, 0});
                txn.RollbackToSavePoint();
                EXPECT_EQ(txn.GetAccount("hcct", "alice")->balance_minutes, 0);
                EXPECT_EQ(txn.GetBank("hcct")->head.next_seq, head_before.next_seq);
                EXPECT_EQ(txn.GetBank("hcct")->head.journal_size(), head_before.journal_size());
                auto id = txn.GetEntryId("hcct", "kept-out");
                ASSERT_TRUE(id.ok());
                EXPECT_FALSE(id->has_value());
                auto entry = txn.GetEntry("hcct", undone_seq);
                ASSERT_TRUE(entry.ok());
                EXPECT_FALSE(entry->has_value());
              }).ok());
  // Nothing of it reached the store either.
  auto stored = store_->GetEntry("hcct", undone_seq);
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value());
  EXPECT_EQ(Committed().head.journal_size(), head_before.journal_size());
}

// An entry and a fact move the bank's head on in place; a rollback gives back the head as it
// was, byte for byte: seq, both chains and the Merkle frontier.
TEST_F(WriteTxnTest, RollingBackRestoresTheWholeChainHead) {
  ASSERT_TRUE(Commit([&](WriteTxn& txn) {
                Post(txn, "bob", "alice", 15);
                const std::string head_before = EncodeChainHead(txn.GetBank("hcct")->head);
                txn.SetSavePoint();
                for (int i = 1; i <= 5; ++i) Post(txn, "bob", "alice", 15 * i);
                Account alice = *txn.GetAccount("hcct", "alice");
                txn.AppendFact(AccountStatusFact(alice, AccountStatus::kActive,
                                                 AccountStatus::kSuspended, "away", "test"));
                EXPECT_NE(EncodeChainHead(txn.GetBank("hcct")->head), head_before);
                txn.RollbackToSavePoint();
                EXPECT_EQ(EncodeChainHead(txn.GetBank("hcct")->head), head_before);
                Post(txn, "bob", "alice", 30);
              }).ok());
  EXPECT_EQ(KeptBalance("alice"), 45);
}

// The batch reads a catalogue item from the store once and keeps what it read, an item or none;
// an item the batch itself defines is found before what it read.
TEST_F(WriteTxnTest, CatalogueReadsAreKeptButTheBatchsOwnItemsComeFirst) {
  ASSERT_TRUE(Commit([&](WriteTxn& txn) {
                for (int i = 0; i < 2; ++i) {
                  auto none = txn.GetCatalogueItem("hcct", CatalogueKind::kActivity, "sewing");
                  ASSERT_TRUE(none.ok());
                  EXPECT_FALSE(none->has_value());
                }
                CatalogueItem item;
                item.kind = CatalogueKind::kActivity;
                item.bank_id = "hcct";
                item.code = "sewing";
                item.title = "Sewing";
                item.version = 1;
                txn.SetSavePoint();
                txn.PutCatalogueItem(item);
                auto found = txn.GetCatalogueItem("hcct", CatalogueKind::kActivity, "sewing");
                ASSERT_TRUE(found.ok() && found->has_value());
                EXPECT_EQ((*found)->title, "Sewing");
                txn.RollbackToSavePoint();
                auto gone = txn.GetCatalogueItem("hcct", CatalogueKind::kActivity, "sewing");
                ASSERT_TRUE(gone.ok());
                EXPECT_FALSE(gone->has_value());
              }).ok());
}

TEST_F(WriteTxnTest, AnInnerSavepointReleasedStaysUntilTheOuterOneRollsBack) {
  ASSERT_TRUE(Commit([&](WriteTxn& txn) {
                txn.SetSavePoint();
                Post(txn, "bob", "alice", 30);
                txn.SetSavePoint();
                Post(txn, "bob", "alice", 20);
                txn.ReleaseSavePoint();
                EXPECT_EQ(txn.GetAccount("hcct", "alice")->balance_minutes, 50);
                txn.SetSavePoint();
                Post(txn, "bob", "alice", 5);
                txn.RollbackToSavePoint();
                EXPECT_EQ(txn.GetAccount("hcct", "alice")->balance_minutes, 50);
                txn.RollbackToSavePoint();
                EXPECT_EQ(txn.GetAccount("hcct", "alice")->balance_minutes, 0);
                Post(txn, "bob", "alice", 7);
              }).ok());
  EXPECT_EQ(KeptBalance("alice"), 7);
  EXPECT_EQ(KeptBalance("bob"), -7);
}

TEST_F(WriteTxnTest, FinalizeRefusesABatchThatDoesNotSumToZero) {
  const ChainHead head_before = Committed().head;
  const absl::Status refused = Commit([&](WriteTxn& txn) {
    Post(txn, "bob", "alice", 60);
    // Minutes from nowhere: earned, so it is a posting, but paid by no one.
    Account alice = *txn.GetAccount("hcct", "alice");
    alice.balance_minutes += 10;
    alice.earned_minutes += 10;
    txn.PutAccount(alice);
  });
  EXPECT_EQ(refused.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(ReasonOf(refused), "ZERO_SUM_BROKEN");
  // Nothing published, nothing stored.
  EXPECT_EQ(KeptBalance("alice"), 0);
  EXPECT_EQ(Committed().head.next_seq, head_before.next_seq);
  auto stored = store_->GetEntry("hcct", head_before.next_seq);
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(stored->has_value());
}

TEST_F(WriteTxnTest, FinalizeWritesTheFinalAccountsAndHeadsAndApplyToPublishesThem) {
  auto batch = store_->NewBatch();
  WriteTxn txn(banks_, store_.get(), batch.get(), kEngineNow, {}, &accounts_);
  const Receipt receipt = Post(txn, "bob", "alice", 45);
  ASSERT_TRUE(txn.Finalize().ok());
  ASSERT_TRUE(store_->Commit(batch.get()).ok());
  // Committed to the store, not yet published.
  EXPECT_EQ(KeptBalance("alice"), 0);
  auto stored = store_->GetEntry("hcct", receipt.entry.seq);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  txn.ApplyTo(&banks_, &accounts_);
  EXPECT_EQ(KeptBalance("alice"), 45);
  EXPECT_EQ(KeptBalance("bob"), -45);
  EXPECT_EQ(Committed().head.next_seq, receipt.entry.seq + 1);
  EXPECT_EQ(Committed().head.last_hash, receipt.entry.hash);
}

TEST_F(WriteTxnTest, ApplyToPublishesPendingEntriesByWhenTheyExpire) {
  ASSERT_TRUE(
      Commit([&](WriteTxn& txn) {
        ASSERT_TRUE(
            ExecuteSetPolicy(txn, "hcct", RulesOffPolicy(true), 0, AdminNamed("test")).ok());
        Principal carol;
        carol.name = "carol";
        carol.role = PrincipalRole::kCoordinator;
        carol.bank_id = "hcct";
        auto receipt = ExecuteRecordEntry(txn, Spec("own", "bob", "carol", 60), carol);
        ASSERT_TRUE(receipt.ok()) << receipt.status();
        EXPECT_TRUE(receipt->pending);
      }).ok());
  ASSERT_EQ(Committed().pending_by_expiry.size(), 1u);
  EXPECT_EQ(Committed().pending_by_expiry.begin()->second, "own");
  ASSERT_NE(Kept("bob"), nullptr);
  EXPECT_EQ(Kept("bob")->held_minutes, 60);
}

TEST_F(WriteTxnTest, ABalanceThatMovesWithoutAPostingStopsTheWriter) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto batch = store_->NewBatch();
        WriteTxn txn(banks_, store_.get(), batch.get(), kEngineNow, {}, &accounts_);
        Account alice = *txn.GetAccount("hcct", "alice");
        alice.balance_minutes += 10;  // and bob's down by as much, but neither earned nor paid
        Account bob = *txn.GetAccount("hcct", "bob");
        bob.balance_minutes -= 10;
        txn.PutAccount(alice);
        txn.PutAccount(bob);
        txn.Finalize().IgnoreError();
      },
      "invariant broken");
}

}  // namespace
}  // namespace timeledger::ledger
