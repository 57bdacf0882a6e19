// The check at open (ledger/verify/tail.h): each bank's journal since its checkpoint is walked,
// a bank without one is verified in full, and a clean shutdown leaves the head as checkpoint.
// Damage is made to a closed ledger directly in RocksDB, as in verify_test.cc.
#include "ledger/verify/tail.h"

#include <gtest/gtest.h>

#include "ledger/core/records.h"
#include "ledger/store/data_dir.h"
#include "ledger/store/keys.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/raw_store.h"

namespace timeledger::ledger {
namespace {

class TailTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    RulesOff();
    ASSERT_TRUE(CreateBank("other").ok());
    ASSERT_TRUE(Open("zed", AccountKind::kPerson, "other").ok());
    ASSERT_TRUE(Open("yan", AccountKind::kPerson, "other").ok());
    RecordSome("a", 4);
  }

  void RecordSome(const std::string& prefix, int count) {
    for (int i = 0; i < count; ++i) {
      ASSERT_TRUE(Record(Spec(prefix + std::to_string(i), i % 2 ? "alice" : "bob",
                              i % 2 ? "bob" : "alice", 30 + i))
                      .ok());
    }
  }

  // The closed ledger's store, read-only.
  std::unique_ptr<Store> ClosedStore() {
    ledger_.reset();
    StoreOptions options;
    options.path = StorePathOf(dir_.path());
    options.read_only = true;
    auto store = OpenRocksDbStore(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  // hcct's head now, read from its closed store; the ledger is closed afterwards.
  ChainHead HeadOfHcct() {
    auto store = ClosedStore();
    return *store->GetChainHead("hcct");
  }

  // Closes the ledger and sets hcct's checkpoint to `checkpoint`, as if it had crashed since.
  void SetCheckpoint(const ChainHead& checkpoint) {
    ledger_.reset();
    RawStore raw(dir_.path());
    raw.Put("Khcct", EncodeChainHead(checkpoint));
  }

  void ExpectHcctDamaged(const std::string& finding) {
    auto refused = ledger_->GetAccount(BankId("hcct"), AccountId("alice"));
    EXPECT_EQ(ReasonOf(refused.status()), "BANK_DAMAGED") << refused.status();
    EXPECT_EQ(FiguresOf(refused.status())["finding"], finding) << refused.status();
    EXPECT_TRUE(ledger_->GetAccount(BankId("other"), AccountId("zed")).ok());
  }
};

TEST_F(TailTest, ACleanShutdownLeavesEachBanksHeadAsItsCheckpoint) {
  auto store = ClosedStore();
  for (const std::string bank : {"hcct", "other"}) {
    auto checkpoint = store->GetCheckpoint(bank);
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
    ASSERT_TRUE(checkpoint->has_value()) << bank;
    EXPECT_EQ(EncodeChainHead(**checkpoint), EncodeChainHead(*store->GetChainHead(bank))) << bank;
  }
}

TEST_F(TailTest, TheWalkCoversExactlyWhatWasWrittenSinceTheCheckpoint) {
  const ChainHead before = HeadOfHcct();
  Reopen();
  RecordSome("b", 3);
  auto store = ClosedStore();
  const ChainHead head = *store->GetChainHead("hcct");
  const TailCheck tail = VerifyTail(*store, "hcct", before, head);
  EXPECT_TRUE(tail.status.ok()) << tail.status;
  EXPECT_EQ(tail.facts, head.journal_size() - before.journal_size());
  EXPECT_EQ(tail.entries, 3u);
  const TailCheck none = VerifyTail(*store, "hcct", head, head);
  EXPECT_TRUE(none.status.ok()) << none.status;
  EXPECT_EQ(none.facts, 0u);
}

TEST_F(TailTest, AnAlteredFactAfterTheCheckpointIsCaughtAtOpen) {
  const ChainHead before = HeadOfHcct();
  Reopen();
  RecordSome("b", 3);
  SetCheckpoint(before);
  {
    RawStore raw(dir_.path());
    raw.Edit(Scoped('j', "hcct", Fixed64(before.journal_size() + 1)),
             [](std::string* value) { (*value)[20] ^= 0x40; });
  }
  Reopen();
  ExpectHcctDamaged("JOURNAL_CHAIN_BROKEN");
}

TEST_F(TailTest, AnUndamagedTailPassesAndTheCheckpointMovesToTheHead) {
  const ChainHead before = HeadOfHcct();
  Reopen();
  RecordSome("b", 3);
  SetCheckpoint(before);
  Reopen();
  EXPECT_TRUE(ledger_->GetAccount(BankId("hcct"), AccountId("alice")).ok());
  auto view = ledger_->NewReadView();  // what the open wrote, before any shutdown
  EXPECT_EQ(EncodeChainHead(**view->GetCheckpoint("hcct")),
            EncodeChainHead(*view->GetChainHead("hcct")));
}

TEST_F(TailTest, ACheckpointThatTheStoredJournalDoesNotHoldIsCaught) {
  ChainHead forged = HeadOfHcct();
  forged.journal_hash[0] ^= 0x01;
  SetCheckpoint(forged);
  Reopen();
  ExpectHcctDamaged("JOURNAL_CHAIN_BROKEN");
}

TEST_F(TailTest, AnEntryWhoseHashDoesNotChainIsCaught) {
  ChainHead forged = HeadOfHcct();
  Reopen();
  RecordSome("b", 1);
  ledger_.reset();
  // The checkpoint claims another entry hash before the new entry: the entry does not chain.
  forged.last_hash[0] ^= 0x01;
  SetCheckpoint(forged);
  Reopen();
  ExpectHcctDamaged("CHAIN_BROKEN");
}

TEST_F(TailTest, ABankWithoutCheckpointIsVerifiedInFullAndGetsOneIfItPasses) {
  ledger_.reset();
  {
    RawStore raw(dir_.path());
    raw.Delete("Khcct");
    raw.Delete("Kother");
    raw.Edit(Scoped('j', "hcct", Fixed64(2)), [](std::string* value) { (*value)[20] ^= 0x40; });
  }
  Reopen();
  ExpectHcctDamaged("JOURNAL_CHAIN_BROKEN");
  // Read while the ledger is open: what the open wrote, not what a shutdown writes.
  auto view = ledger_->NewReadView();
  auto checkpoint = view->GetCheckpoint("hcct");
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_FALSE(checkpoint->has_value()) << "a damaged bank gets no checkpoint";
  auto other = view->GetCheckpoint("other");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->has_value());
  EXPECT_EQ(EncodeChainHead(**other), EncodeChainHead(*view->GetChainHead("other")));
}

// The trade-off the check at open makes: damage before the checkpoint is left to the full
// verification, which the option and the online Verify still run.
TEST_F(TailTest, DamageBeforeTheCheckpointIsLeftToTheFullVerification) {
  ledger_.reset();
  {
    RawStore raw(dir_.path());
    raw.Edit(Scoped('j', "hcct", Fixed64(2)), [](std::string* value) { (*value)[20] ^= 0x40; });
  }
  Reopen();
  EXPECT_TRUE(ledger_->GetAccount(BankId("hcct"), AccountId("alice")).ok());
  EXPECT_EQ(ReasonOf(ledger_->Verify().status), "JOURNAL_CHAIN_BROKEN");
  full_verify_on_reopen_ = true;
  Reopen();
  ExpectHcctDamaged("JOURNAL_CHAIN_BROKEN");
}

TEST_F(TailTest, ALayoutTwoLedgerIsCountedOnceAndEachHeadGainsItsCountAtItsNextWrite) {
  const uint64_t hcct_accounts = ledger_->GetBank(BankId("hcct"))->account_count;
  const uint64_t other_accounts = ledger_->GetBank(BankId("other"))->account_count;
  ledger_.reset();
  {
    // As the previous timeledgerd left it: layout 2, heads and checkpoints without the count.
    RawStore raw(dir_.path());
    raw.Put("V", Fixed64(2));
    for (const char* key : {"chcct", "Khcct", "cother", "Kother"}) {
      raw.Edit(key, [](std::string* value) {
        ChainHead head = *DecodeChainHead(*value);
        head.has_account_count = false;
        *value = EncodeChainHead(head);
      });
      EXPECT_EQ(raw.Get(key)[0], 2) << key;
    }
  }
  {
    auto store = ClosedStore();  // read as it is, without migrating it
    ASSERT_NE(store, nullptr);
    EXPECT_FALSE(store->GetChainHead("hcct")->has_account_count);
  }
  Reopen();  // migrates, and counts each bank's accounts once
  EXPECT_EQ(ledger_->GetBank(BankId("hcct"))->account_count, hcct_accounts);
  EXPECT_EQ(ledger_->GetBank(BankId("other"))->account_count, other_accounts);
  RecordSome("b", 1);  // hcct's next write; other has none
  ledger_.reset();
  {
    RawStore raw(dir_.path());
    EXPECT_EQ(raw.Get("V"), Fixed64(kLayoutVersionCurrent));
    const ChainHead hcct = *DecodeChainHead(raw.Get("chcct"));
    EXPECT_TRUE(hcct.has_account_count);
    EXPECT_EQ(hcct.account_count, hcct_accounts);
    EXPECT_FALSE(DecodeChainHead(raw.Get("cother"))->has_account_count);
  }
  full_verify_on_reopen_ = true;
  Reopen();
  EXPECT_TRUE(ledger_->GetBank(BankId("hcct")).ok());
  EXPECT_TRUE(ledger_->GetBank(BankId("other")).ok());
  EXPECT_TRUE(ledger_->Verify().ok());
}

TEST_F(TailTest, AnOpenThatFailsAfterTheStoreOpenedRefusesCleanly) {
  // A token record that does not decode fails the open after the banks loaded, before the
  // writer and its pipeline start: the refusal comes back, and closing the half-made ledger
  // writes no checkpoint (it once dereferenced the pipeline that was never made).
  const std::string checkpoint_before = [&] {
    ledger_.reset();
    return RawStore(dir_.path()).Get("Khcct");
  }();
  RawStore(dir_.path()).Put("Tbroken", "not a token record");
  LedgerOptions options;
  options.data_dir = dir_.path();
  auto opened = Ledger::Open(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss) << opened.status();
  EXPECT_EQ(RawStore(dir_.path()).Get("Khcct"), checkpoint_before);
}

TEST_F(TailTest, AHeadWhoseCountOfAccountsDoesNotFollowFromTheTailIsDamage) {
  // Opening believes the head's count; the walk from the checkpoint holds it to the checkpoint's
  // count and the accounts opened since.
  ChainHead checkpoint = HeadOfHcct();
  Reopen();
  ASSERT_TRUE(Open("dora", AccountKind::kPerson).ok());
  RecordSome("b", 2);
  SetCheckpoint(checkpoint);
  {
    RawStore raw(dir_.path());
    raw.Edit("chcct", [](std::string* value) {
      ChainHead head = *DecodeChainHead(*value);
      head.account_count += 5;
      *value = EncodeChainHead(head);
    });
  }
  Reopen();
  ExpectHcctDamaged("CHAIN_HEAD_MISMATCH");
}

}  // namespace
}  // namespace timeledger::ledger
