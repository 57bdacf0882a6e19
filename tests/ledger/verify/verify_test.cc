// Verification against damage: each test damages one kind of stored record directly in RocksDB
// (as a disk fault or a tamperer would, with the server stopped), then checks that verification
// names the damage exactly, and that a reopened ledger refuses to serve the damaged bank while
// it serves the others.
#include "ledger/verify/verify.h"

#include <filesystem>
#include <functional>

#include "absl/strings/str_cat.h"
#include <gtest/gtest.h>

#include "ledger/core/merkle.h"
#include "ledger/core/records.h"
#include "ledger/engine/journal_feed.h"
#include "ledger/journal/journal.h"
#include "ledger/store/data_dir.h"
#include "ledger/store/keys.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/raw_store.h"

namespace timeledger::ledger {
namespace {

// The key of the journal fact that holds entry `seq` of hcct: the store keeps an entry only there
// (ledger/store/keys.h), found through 'x'.
std::string EntryFactKey(RawStore& raw, uint64_t seq) {
  return Scoped('j', "hcct", raw.Get(Scoped('x', "hcct", Fixed64(seq))));
}

// A journal record's value is `0x00 || chain hash[0..8) || fact`, or `fact || chain hash(32)` at
// every 64th position
// (keys.h, JournalValue): the fact in it, and the record with another fact in the same form.
std::string FactOf(const std::string& record) {
  absl::string_view fact, chain_hash;
  EXPECT_TRUE(keys::SplitJournalValue(record, &fact, &chain_hash));
  return std::string(fact);
}
std::string WithFact(const std::string& record, const std::string& fact) {
  absl::string_view old, chain_hash;
  EXPECT_TRUE(keys::SplitJournalValue(record, &old, &chain_hash));
  return chain_hash.size() < kDigestBytes ? std::string(1, '\0') + std::string(chain_hash) + fact
                                          : fact + std::string(chain_hash);
}

// Flips a bit of the entry inside an entry fact's record, the fact ending with the entry's
// canonical bytes || its hash(32): a byte of the canonical bytes' last field.
void FlipEntryByte(std::string* record, char bit) {
  std::string fact = FactOf(*record);
  fact[fact.size() - 40] ^= bit;
  *record = WithFact(*record, fact);
}

class VerifyTest : public LedgerTest {
 protected:
  void SetUp() override {
    // The damage below is made to a closed ledger, before the checkpoint its clean shutdown
    // left: the full verification at open finds it (tail_test.cc: what the default check finds).
    full_verify_on_reopen_ = true;
    LedgerTest::SetUp();
    RulesOff();
    ASSERT_TRUE(CreateBank("other").ok());
    ASSERT_TRUE(Open("zed", AccountKind::kPerson, "other").ok());
    ASSERT_TRUE(Open("yan", AccountKind::kPerson, "other").ok());
    for (int i = 0; i < 6; ++i) {
      ASSERT_TRUE(Record(Spec("e" + std::to_string(i), i % 2 ? "alice" : "bob",
                              i % 2 ? "bob" : "alice", 30 + i))
                      .ok());
    }
    ASSERT_TRUE(ledger_->CheckConsistency().ok());
  }

  // Closes the ledger, lets `damage` edit its store, and returns the offline verification.
  VerifyReport Damage(const std::function<void(RawStore&)>& damage) {
    ledger_.reset();
    {
      RawStore raw(dir_.path());
      damage(raw);
    }
    StoreOptions options;
    options.path = StorePathOf(dir_.path());
    return VerifyStoreOffline(options);
  }

  // Reopens (verifying in full on open) and checks that hcct is refused and "other" is served.
  void ExpectHcctRefusedOthersServed(const std::string& finding) {
    Reopen();
    auto refused = ledger_->GetAccount(BankId("hcct"), AccountId("alice"));
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_EQ(ReasonOf(refused.status()), "BANK_DAMAGED");
    EXPECT_EQ(FiguresOf(refused.status())["finding"], finding);
    EXPECT_EQ(ReasonOf(ledger_->GetBank(BankId("hcct")).status()), "BANK_DAMAGED");
    EXPECT_EQ(ReasonOf(ledger_->ListEntries(BankId("hcct"), AccountId(), 10, "").status()),
              "BANK_DAMAGED");
    EXPECT_EQ(ReasonOf(ledger_->GetDigest(BankId("hcct")).status()), "BANK_DAMAGED");
    EXPECT_EQ(ReasonOf(Record(Spec("after", "bob", "alice", 15)).status()), "BANK_DAMAGED");
    EXPECT_TRUE(ledger_->GetAccount(BankId("other"), AccountId("zed")).ok());
    EntrySpec spec = Spec("o1", "yan", "zed", 15);
    spec.bank_id = "other";
    EXPECT_TRUE(Record(spec).ok()) << Record(spec).status();
  }

  static void ExpectFinding(const VerifyReport& report, const std::string& reason,
                            const std::map<std::string, std::string>& figures) {
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(ReasonOf(report.status), reason) << report.status;
    auto found = FiguresOf(report.status);
    EXPECT_EQ(found["bank_id"], "hcct");
    for (const auto& [name, value] : figures) EXPECT_EQ(found[name], value) << name;
    ASSERT_EQ(report.banks.size(), 2u);
    EXPECT_TRUE(report.banks[1].status.ok()) << "bank other: " << report.banks[1].status;
  }
};

TEST_F(VerifyTest, AnUndamagedLedgerVerifiesAndReportsWhatItChecked) {
  ledger_.reset();
  StoreOptions options;
  options.path = StorePathOf(dir_.path());
  const VerifyReport report = VerifyStoreOffline(options);
  ASSERT_TRUE(report.ok()) << report.status;
  ASSERT_EQ(report.banks.size(), 2u);
  EXPECT_EQ(report.banks[0].bank_id, "hcct");
  EXPECT_EQ(report.banks[0].entry_count, 6u);
  EXPECT_EQ(report.banks[0].account_count, 4u);
  EXPECT_EQ(report.entries, 6u);
  EXPECT_NE(FormatVerifyReport(report).find(": OK"), std::string::npos);
  Reopen();
  EXPECT_EQ(ledger_->GetDigest(BankId("hcct"))->root_hash, report.banks[0].root_hash);
}

TEST_F(VerifyTest, AFlippedByteInAStoredEntryIsNamedBySeqAndPosition) {
  const VerifyReport report = Damage([&](RawStore& raw) {
    raw.Edit(EntryFactKey(raw, 3), [](std::string* value) { FlipEntryByte(value, 0x01); });
  });
  // Entry 3 is fact 8: bank, pool, 3 accounts, the policy, then entries 1 and 2. The fact's
  // chain hash breaks there too; the finding names the entry.
  ExpectFinding(report, "CHAIN_BROKEN", {{"seq", "3"}, {"position", "8"}});
  EXPECT_NE(std::string(report.status.message()).find("entry seq 3"), std::string::npos);
  ExpectHcctRefusedOthersServed("CHAIN_BROKEN");
}

TEST_F(VerifyTest, AnEntryRewrittenWithAConsistentHashBreaksTheJournalChain) {
  // The last entry with a new note and its hash recomputed inside its fact, and the chain head
  // to match: the entry chain alone is fooled, the journal's chain hashes are not. (Before
  // layout 2 the entry had a second copy, and this was ENTRY_MISMATCH between the two.)
  const VerifyReport report = Damage([&](RawStore& raw) {
    const std::string key = EntryFactKey(raw, 6);
    const std::string record = raw.Get(key);
    Fact fact = *DecodeFact(FactOf(record));
    Fact before = *DecodeFact(FactOf(raw.Get(EntryFactKey(raw, 5))));
    fact.entry.note = "rewritten";
    fact.entry.note_seal = SealPersonal(fact.entry.note);  // a sealed entry hashes its commitment
    fact.entry.hash = ChainHash(before.entry.hash, fact.entry);
    raw.Put(key, WithFact(record, EncodeFact(fact)));
    raw.Edit("chcct", [&](std::string* value) {
      ChainHead head = *DecodeChainHead(*value);
      head.last_hash = fact.entry.hash;
      *value = EncodeChainHead(head);
    });
  });
  ExpectFinding(report, "JOURNAL_CHAIN_BROKEN", {{"position", "11"}});
  ExpectHcctRefusedOthersServed("JOURNAL_CHAIN_BROKEN");
}

TEST_F(VerifyTest, AnAlteredBalanceIsNamedByAccountWithBothFigures) {
  const VerifyReport report = Damage([&](RawStore& raw) {
    for (const auto& [id, change] : {std::pair<std::string, int>{"alice", 60}, {"bob", -60}}) {
      raw.Edit(Scoped('a', "hcct", id), [change = change](std::string* value) {
        Account account = *DecodeAccount(*value);
        account.balance_minutes += change;
        *value = EncodeAccount(account);
      });
    }
  });
  ExpectFinding(report, "BALANCE_MISMATCH",
                {{"account_id", "alice"}, {"expected", "-3 minutes"}, {"found", "57 minutes"}});
  ExpectHcctRefusedOthersServed("BALANCE_MISMATCH");
}

TEST_F(VerifyTest, AChainHeadThatMiscountsTheAccountsIsNamed) {
  // Opening believes the head's count without reading the accounts: the full check holds it to
  // the accounts the journal opened.
  uint64_t counted = 0;
  const VerifyReport report = Damage([&](RawStore& raw) {
    raw.Edit("chcct", [&](std::string* value) {
      ChainHead head = *DecodeChainHead(*value);
      ASSERT_TRUE(head.has_account_count);
      counted = head.account_count;
      ++head.account_count;
      *value = EncodeChainHead(head);
    });
  });
  ExpectFinding(report, "CHAIN_HEAD_MISMATCH",
                {{"expected", absl::StrCat(counted, " accounts")},
                 {"found", absl::StrCat(counted + 1, " accounts")}});
  ExpectHcctRefusedOthersServed("CHAIN_HEAD_MISMATCH");
}

// A qualification awarded to alice by sam (staff), with its reward from the centre.
void AwardAlice(Ledger& ledger) {
  CatalogueItem first_aid;
  first_aid.kind = CatalogueKind::kQualification;
  first_aid.bank_id = "hcct";
  first_aid.code = "first-aid";
  first_aid.title = "First aid";
  first_aid.reward_account_id = "centre";
  first_aid.reward_minutes = 60;
  first_aid.validity_days = 365;
  ASSERT_TRUE(Await<CatalogueItem>([&](auto done) {
                ledger.PutCatalogueItem(first_aid, 0, AdminNamed("sam"), std::move(done));
              }).ok());
  AwardSpec spec{"hcct",          "cert-1", "alice", "first-aid", absl::InfinitePast(),
                 "certificate 1", "Sam"};
  ASSERT_TRUE(Await<AwardReceipt>([&](auto done) {
                ledger.AwardQualification(spec, AdminNamed("sam"), std::move(done));
              }).ok());
}

TEST_F(VerifyTest, AQualificationHeldLongerThanAwardedIsNamed) {
  ASSERT_TRUE(OpenStaff("sam").ok());
  AwardAlice(*ledger_);
  ASSERT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
  const VerifyReport report = Damage([&](RawStore& raw) {
    raw.Edit(Scoped('U', "hcct", "alice" + std::string(1, '\0') + "first-aid"),
             [](std::string* value) {
               Holding holding = *DecodeHolding(*value);
               holding.periods.back().until += absl::Hours(24 * 365);
               *value = EncodeHolding(holding);
             });
  });
  ExpectFinding(report, "HOLDING_MISMATCH", {{"account_id", "alice"}});
  ExpectHcctRefusedOthersServed("HOLDING_MISMATCH");
}

TEST_F(VerifyTest, AnAwardRewrittenToPayMoreIsNamed) {
  ASSERT_TRUE(OpenStaff("sam").ok());
  AwardAlice(*ledger_);
  const VerifyReport report = Damage([&](RawStore& raw) {
    raw.Edit(Scoped('A', "hcct", "cert-1"), [](std::string* value) {
      Award award = *DecodeAward(*value);
      award.reward_minutes = 600;
      *value = EncodeAward(award);
    });
  });
  ExpectFinding(report, "AWARD_MISMATCH", {});
}

TEST_F(VerifyTest, AnAlteredFactBreaksTheJournalChainAtItsPosition) {
  const VerifyReport report = Damage([&](RawStore& raw) {
    raw.Edit(Scoped('j', "hcct", Fixed64(2)), [](std::string* value) { (*value)[20] ^= 0x40; });
  });
  ExpectFinding(report, "JOURNAL_CHAIN_BROKEN", {{"position", "2"}});
  ExpectHcctRefusedOthersServed("JOURNAL_CHAIN_BROKEN");
}

// A server may open without the check (verify_on_open off, for a large ledger): a read of the
// journal over a fact gone from the store is then refused with JOURNAL_GAP, never served short,
// whether it reads the fact before (the feed without a chain) or starts at the gap. A bank whose
// last fact is gone is found at open even then (its head no longer matches), and refused.
TEST_F(VerifyTest, AReadOverAMissingFactIsRefusedWhenOpenDidNotCheck) {
  auto digest = ledger_->GetDigest(BankId("hcct"));
  ASSERT_TRUE(digest.ok()) << digest.status();
  ASSERT_GE(digest->tree_size, 8u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(Record(Spec(absl::StrCat("more-", i), "bob", "alice", 15)).ok());
  }
  const uint64_t size = ledger_->GetDigest(BankId("hcct"))->tree_size;
  ledger_.reset();
  {
    RawStore raw(dir_.path());
    raw.Delete(Scoped('j', "hcct", Fixed64(4)));
  }
  verify_on_reopen_ = false;
  Reopen();
  const BankId bank("hcct");
  EXPECT_EQ(ReasonOf(ledger_->ListJournal(bank, 2, 0, 10).status()), "JOURNAL_GAP");
  EXPECT_EQ(ReasonOf(ledger_->ListJournal(bank, 4, 0, 10).status()), "JOURNAL_GAP");
  // After the gap, a page holds what was asked for at most, though the store, missing a fact
  // before it, reads on past it.
  auto after = ledger_->ListJournal(bank, 5, 0, 10);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->records.size(), 10u);
  EXPECT_EQ(after->next_position, 15u);
  // The feed's read: from the gap, from the fact after it (it reads fact 4 for the prior hash),
  // and from the gap carrying the chain.
  EXPECT_EQ(ReasonOf(ledger_->ReadFeed(bank, 4, FeedFilter(), 10).status()), "JOURNAL_GAP");
  EXPECT_EQ(ReasonOf(ledger_->ReadFeed(bank, 5, FeedFilter(), 10).status()), "JOURNAL_GAP");
  EXPECT_EQ(ReasonOf(ledger_->ReadFeed(bank, 4, FeedFilter(), 10, Digest{}).status()),
            "JOURNAL_GAP");

  ledger_.reset();
  {
    RawStore raw(dir_.path());
    raw.Delete(Scoped('j', "hcct", Fixed64(size - 1)));
  }
  Reopen();
  EXPECT_EQ(ReasonOf(ledger_->ReadFeed(bank, size - 1, FeedFilter(), 10).status()),
            "BANK_DAMAGED");
}

TEST_F(VerifyTest, AMissingFactIsAGap) {
  const VerifyReport report =
      Damage([&](RawStore& raw) { raw.Delete(Scoped('j', "hcct", Fixed64(4))); });
  ExpectFinding(report, "JOURNAL_GAP", {{"position", "4"}});
}

// The entry side walks without waiting for the journal side: where its findings are in the
// journal, and which of the two sides' findings comes first, is settled after both have finished.
TEST_F(VerifyTest, AnEntryFactRewrittenToAnotherSeqBreaksTheJournalChainThere) {
  // Entry 4's fact (position 9) rewritten to name seq 5: the journal's chain breaks at the fact,
  // before the entries' seqs (which skip 4 there) show it.
  const VerifyReport report = Damage([&](RawStore& raw) {
    const std::string key = EntryFactKey(raw, 4);
    const std::string record = raw.Get(key);
    Fact fact = *DecodeFact(FactOf(record));
    fact.entry.seq = 5;
    raw.Put(key, WithFact(record, EncodeFact(fact)));
  });
  ExpectFinding(report, "JOURNAL_CHAIN_BROKEN", {{"position", "9"}});
}

TEST_F(VerifyTest, AMissingLastEntryPositionIsNamedAtItsJournalPosition) {
  const VerifyReport report =
      Damage([&](RawStore& raw) { raw.Delete(Scoped('x', "hcct", Fixed64(6))); });
  ExpectFinding(report, "ENTRY_POSITION_MISMATCH", {{"seq", "6"}, {"position", "11"}});
}

TEST_F(VerifyTest, TheFirstOfADamagedEntryAndALaterDamagedFactIsNamed) {
  const VerifyReport report = Damage([&](RawStore& raw) {
    raw.Edit(EntryFactKey(raw, 2), [](std::string* value) { FlipEntryByte(value, 0x01); });
    raw.Delete(Scoped('j', "hcct", Fixed64(9)));
  });
  ExpectFinding(report, "CHAIN_BROKEN", {{"seq", "2"}, {"position", "7"}});
}

TEST_F(VerifyTest, TheFirstOfADamagedFactAndALaterDamagedEntryIsNamed) {
  const VerifyReport report = Damage([&](RawStore& raw) {
    raw.Edit(EntryFactKey(raw, 4), [](std::string* value) { FlipEntryByte(value, 0x01); });
    raw.Delete(Scoped('j', "hcct", Fixed64(7)));
  });
  ExpectFinding(report, "JOURNAL_GAP", {{"position", "7"}});
}

TEST_F(VerifyTest, AWrongEntryPositionIsNamedBySeqAndPosition) {
  const VerifyReport report =
      Damage([&](RawStore& raw) { raw.Put(Scoped('x', "hcct", Fixed64(3)), Fixed64(99)); });
  ExpectFinding(
      report, "ENTRY_POSITION_MISMATCH",
      {{"seq", "3"}, {"position", "8"}, {"expected", "seq 3 at 8"}, {"found", "seq 3 at 99"}});
}

TEST_F(VerifyTest, AMissingEntryPositionIsNamedBySeqAndPosition) {
  const VerifyReport report =
      Damage([&](RawStore& raw) { raw.Delete(Scoped('x', "hcct", Fixed64(3))); });
  ExpectFinding(report, "ENTRY_POSITION_MISMATCH",
                {{"seq", "3"}, {"position", "8"}, {"found", "seq 4 at 9"}});
}

TEST_F(VerifyTest, AnEntryPositionBeyondTheJournalIsNamed) {
  const VerifyReport report =
      Damage([&](RawStore& raw) { raw.Put(Scoped('x', "hcct", Fixed64(7)), Fixed64(12)); });
  ExpectFinding(report, "ENTRY_POSITION_MISMATCH",
                {{"seq", "7"}, {"position", ""}, {"found", "position 12"}});
}

TEST_F(VerifyTest, AWrongEntryPositionComesBeforeALaterDamagedFact) {
  const VerifyReport report = Damage([&](RawStore& raw) {
    raw.Put(Scoped('x', "hcct", Fixed64(2)), Fixed64(99));
    raw.Delete(Scoped('j', "hcct", Fixed64(9)));
  });
  ExpectFinding(report, "ENTRY_POSITION_MISMATCH", {{"seq", "2"}, {"position", "7"}});
}

std::string MerkleNodeKey(int level, uint64_t index) {
  return Scoped('m', "hcct", std::string(1, static_cast<char>(level)) + Fixed64(index));
}

TEST_F(VerifyTest, AnAlteredMerkleNodeIsNamed) {
  // The lowest stored node, (4, 0), covers the first 16 facts.
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(Record(Spec("m" + std::to_string(i), "bob", "alice", 15)).ok());
  }
  const VerifyReport report = Damage([&](RawStore& raw) {
    ASSERT_FALSE(raw.Has(MerkleNodeKey(kMerkleStoredLevelMin - 1, 0)));
    raw.Edit(MerkleNodeKey(kMerkleStoredLevelMin, 0),
             [](std::string* value) { (*value)[0] ^= 0x01; });
  });
  // Completed by the fact at position 15.
  ExpectFinding(report, "MERKLE_NODE_MISMATCH", {{"position", "15"}});
  ExpectHcctRefusedOthersServed("MERKLE_NODE_MISMATCH");
}

TEST_F(VerifyTest, AStrayNodeBelowTheStoredLevelsIsNamed) {
  const VerifyReport report =
      Damage([&](RawStore& raw) { raw.Put(MerkleNodeKey(2, 1), std::string(kDigestBytes, 'x')); });
  // Taken for a store that keeps the low levels, which then lacks node (1, 0) of facts 0 and 1.
  ExpectFinding(report, "MERKLE_NODE_MISSING", {{"position", "1"}});
}

// A store written before kMerkleStoredLevelMin kept levels 1-3: it verifies, those levels checked
// too, until it is opened for writing, which deletes them.
TEST_F(VerifyTest, AStoreWithTheLowMerkleLevelsVerifiesAndLosesThemOnOpen) {
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(Record(Spec("m" + std::to_string(i), "bob", "alice", 15)).ok());
  }
  const uint64_t size = ledger_->GetDigest(BankId("hcct"))->tree_size;
  ledger_.reset();
  std::vector<MerkleNode> low;
  {
    RawStore raw(dir_.path());
    CompactMerkleTree tree;
    for (uint64_t position = 0; position < size; ++position) {
      const std::string record = raw.Get(Scoped('j', "hcct", Fixed64(position)));
      std::vector<MerkleNode> completed;
      const Digest leaf = MerkleLeafHash(FactOf(record));
      ASSERT_TRUE(tree.Append(leaf, &completed).ok());
      for (const MerkleNode& node : completed) {
        if (node.level > 0 && node.level < kMerkleStoredLevelMin) low.push_back(node);
      }
    }
    for (const MerkleNode& node : low) {
      raw.Put(MerkleNodeKey(node.level, node.index),
              std::string(reinterpret_cast<const char*>(node.hash.data()), kDigestBytes));
    }
  }
  ASSERT_GT(low.size(), 10u);
  StoreOptions options;
  options.path = StorePathOf(dir_.path());
  const VerifyReport legacy = VerifyStoreOffline(options);
  ASSERT_TRUE(legacy.ok()) << legacy.status;
  EXPECT_EQ(legacy.banks[0].journal_size, size);

  // Its low levels are checked like the others: node (2, 1), over facts 4-7, completed at 7.
  auto flip = [](std::string* value) { (*value)[5] ^= 0x10; };
  RawStore(dir_.path()).Edit(MerkleNodeKey(2, 1), flip);
  ExpectFinding(VerifyStoreOffline(options), "MERKLE_NODE_MISMATCH", {{"position", "7"}});
  RawStore(dir_.path()).Edit(MerkleNodeKey(2, 1), flip);

  Reopen();
  ASSERT_TRUE(Record(Spec("after", "bob", "alice", 15)).ok());
  ASSERT_TRUE(ledger_->CheckConsistency().ok());
  auto proof = ledger_->GetInclusionProof(BankId("hcct"), 0, 5, 0);
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_TRUE(
      VerifyInclusion(proof->leaf_hash, 5, proof->tree_size, proof->path, proof->root_hash).ok());
  ledger_.reset();
  {
    RawStore raw(dir_.path());
    for (const MerkleNode& node : low) {
      EXPECT_FALSE(raw.Has(MerkleNodeKey(node.level, node.index)));
    }
  }
  const VerifyReport migrated = VerifyStoreOffline(options);
  ASSERT_TRUE(migrated.ok()) << migrated.status;
  EXPECT_EQ(migrated.banks[0].journal_size, size + 1);
}

TEST_F(VerifyTest, AnAlteredRunningBalanceIsNamed) {
  const VerifyReport report = Damage([&](RawStore& raw) {
    raw.Put(Scoped('p', "hcct", "alice" + std::string(1, '\0') + Fixed64(2)), Fixed64(999));
  });
  ExpectFinding(report, "POSTING_MISMATCH", {{"account_id", "alice"}, {"seq", "2"}});
}

TEST_F(VerifyTest, AnAlteredHoldIsNamed) {
  const VerifyReport report = Damage([&](RawStore& raw) {
    raw.Edit(Scoped('a', "hcct", "bob"), [](std::string* value) {
      Account account = *DecodeAccount(*value);
      account.held_minutes = 30;
      *value = EncodeAccount(account);
    });
  });
  ExpectFinding(report, "HOLD_MISMATCH", {{"account_id", "bob"}});
}

TEST_F(VerifyTest, AMemberCardOrPinSlippedInWithoutItsFactIsNamed) {
  auto card = Await<MemberCard>([&](auto done) {
    ledger_->SetMemberCard(BankId("hcct"), AccountId("alice"), "1001", AdminNamed("carol"),
                           std::move(done));
  });
  ASSERT_TRUE(card.ok()) << card.status();
  ASSERT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
  const VerifyReport report = Damage([&](RawStore& raw) {
    raw.Edit(Scoped('k', "hcct", "alice"), [](std::string* value) {
      MemberCard altered = *DecodeMemberCard(*value);
      altered.pin_hash = "$argon2id$v=19$m=65536,t=2,p=1$forged";
      *value = EncodeMemberCard(altered);
    });
  });
  ExpectFinding(
      report, "CARD_MISMATCH",
      {{"account_id", "alice"}, {"expected", "card '1001'"}, {"found", "card '1001' with a PIN"}});
}

TEST_F(VerifyTest, AMemberLanguageSlippedInWithoutItsFactIsNamed) {
  auto card = Await<MemberCard>([&](auto done) {
    ledger_->SetMemberLanguage(BankId("hcct"), AccountId("alice"), "pl", AdminNamed("carol"),
                               std::move(done));
  });
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->language, "pl");
  ASSERT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
  const VerifyReport report = Damage([&](RawStore& raw) {
    raw.Edit(Scoped('k', "hcct", "alice"), [](std::string* value) {
      MemberCard altered = *DecodeMemberCard(*value);
      altered.language = "ar";
      *value = EncodeMemberCard(altered);
    });
  });
  ExpectFinding(
      report, "CARD_MISMATCH",
      {{"account_id", "alice"}, {"expected", "card '' in pl"}, {"found", "card '' in ar"}});
}

TEST_F(VerifyTest, AChainHeadOutOfStepIsCaughtAtOpenEvenWithoutFullVerification) {
  ledger_.reset();
  {
    RawStore raw(dir_.path());
    raw.Edit("chcct", [](std::string* value) {
      ChainHead head = *DecodeChainHead(*value);
      head.next_seq -= 1;  // as if the last entry had not been written
      *value = EncodeChainHead(head);
    });
  }
  LedgerOptions options;
  options.data_dir = dir_.path();
  options.verify_on_open = false;
  auto opened = Ledger::Open(options);
  ASSERT_TRUE(opened.ok());
  auto refused = (*opened)->GetAccount(BankId("hcct"), AccountId("alice"));
  EXPECT_EQ(ReasonOf(refused.status()), "BANK_DAMAGED");
  EXPECT_EQ(FiguresOf(refused.status())["finding"], "CHAIN_HEAD_MISMATCH");
  EXPECT_TRUE((*opened)->GetAccount(BankId("other"), AccountId("zed")).ok());
}

TEST_F(VerifyTest, AnOnlineVerifyMarksTheDamagedBankUnserved) {
  // The damage is made while the ledger is closed, and the ledger reopened without the full
  // verification: the bank is served until Verify finds it.
  ledger_.reset();
  {
    RawStore raw(dir_.path());
    raw.Edit(EntryFactKey(raw, 2), [](std::string* value) { FlipEntryByte(value, 0x02); });
  }
  LedgerOptions options;
  options.data_dir = dir_.path();
  options.verify_on_open = false;
  ledger_ = *Ledger::Open(options);
  EXPECT_TRUE(ledger_->GetAccount(BankId("hcct"), AccountId("alice")).ok());
  const VerifyReport report = ledger_->Verify();
  EXPECT_EQ(ReasonOf(report.status), "CHAIN_BROKEN");
  EXPECT_EQ(ReasonOf(ledger_->GetAccount(BankId("hcct"), AccountId("alice")).status()),
            "BANK_DAMAGED");
  EXPECT_EQ(ReasonOf(ledger_->CheckConsistency()), "CHAIN_BROKEN");
  EXPECT_TRUE(ledger_->GetAccount(BankId("other"), AccountId("zed")).ok());
}

}  // namespace
}  // namespace timeledger::ledger
