// The journal of facts on a real RocksDB: the canonical encoding, what each command appends,
// the chain and the Merkle tree over it, proofs from the persisted nodes, and backups.
#include "ledger/journal/journal.h"

#include <atomic>
#include <optional>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "ledger/core/merkle.h"
#include "ledger/core/records.h"
#include "ledger/verify/verify.h"
#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

std::string Hex(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

TEST(FactEncodingTest, BankCreatedIsEncodedExactlyAsDocumented) {
  Fact fact = BankCreatedFact(Bank{"b1", "N", "UTC", {}}, "ann");
  fact.position = 0;
  fact.at = absl::FromUnixMicros(1);
  // 01 version, 01 type, str "b1", u64 position 0, i64 at 1us, str "ann", str "N", str "UTC".
  EXPECT_EQ(Hex(EncodeFact(fact)),
            "0101"
            "026231"
            "0000000000000000"
            "0000000000000001"
            "03616e6e"
            "014e"
            "03555443");
}

TEST(FactEncodingTest, EveryTypeRoundTripsAndDamageIsRefused) {
  Entry entry;
  entry.bank_id = "hcct";
  entry.seq = 7;
  entry.entry_id = "slip-1";
  entry.from_account_id = "bob";
  entry.to_account_id = "alice";
  entry.minutes = 90;
  entry.activity = "gardening";
  entry.note = "n\xc3\xa9";
  entry.occurred_at = absl::FromUnixSeconds(1'700'000'000);
  entry.recorded_at = absl::FromUnixSeconds(1'700'000'100);
  entry.recorded_by = "coordinator";
  entry.hash = ChainHash(Digest{}, entry);
  Account account;
  account.bank_id = "hcct";
  account.account_id = "alice";
  account.roles = {Role::kMember, Role::kVolunteer};
  account.display_name = "Alice";
  PendingEntry pending;
  pending.entry = entry;
  pending.confirm_by = "bob";
  pending.expires_at = absl::FromUnixSeconds(1'800'000'000);
  pending.reason = "CONFIRMATION";
  PendingEntry rejected = pending;
  rejected.state = PendingState::kRejected;
  rejected.resolved_by = "bob";
  Policy policy;
  policy.version = 3;
  policy.staff_duty_activities = {"cooking"};
  const std::vector<Fact> facts = {
      BankCreatedFact(Bank{"hcct", "Holy Cross", "Europe/London", {}}, "p"),
      AccountOpenedFact(account, "p"),
      AccountStatusFact(account, AccountStatus::kActive, AccountStatus::kSuspended, "away", "p"),
      PolicySetFact("hcct", policy, "p"),
      EntryFact(entry),
      PendingCreatedFact(pending),
      PendingResolvedFact(rejected),
  };
  for (Fact fact : facts) {
    fact.position = 41;
    fact.at = absl::FromUnixMicros(123456789);
    const std::string bytes = EncodeFact(fact);
    auto decoded = DecodeFact(bytes);
    ASSERT_TRUE(decoded.ok()) << FactTypeName(fact.type) << ": " << decoded.status();
    EXPECT_EQ(EncodeFact(*decoded), bytes) << FactTypeName(fact.type);
    EXPECT_EQ(decoded->position, 41u);
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      EXPECT_FALSE(DecodeFact(bytes.substr(0, cut)).ok()) << FactTypeName(fact.type) << cut;
    }
    EXPECT_EQ(ReasonOf(DecodeFact(bytes + "x").status()), "CORRUPT_RECORD");
  }
  auto entry_fact = DecodeFact(EncodeFact(facts[4]));
  EXPECT_EQ(entry_fact->entry.hash, entry.hash);
  EXPECT_EQ(entry_fact->entry.note, entry.note);
}

class JournalTest : public LedgerTest {
 protected:
  std::vector<JournalRecord> Journal(const std::string& bank = "hcct") {
    std::vector<JournalRecord> all;
    for (uint64_t from = 0;;) {
      auto page = ledger_->ListJournal(BankId(bank), from, 0, 1000);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) return all;
      all.insert(all.end(), page->records.begin(), page->records.end());
      if (page->done) return all;
      from = page->next_position;
    }
  }

  // The fact at `position` as the journal's pages serve it: joined with its personal values,
  // which layout 4 holds beside its bytes.
  std::optional<Fact> JoinedFact(uint64_t position) {
    auto page = ledger_->ListJournal(BankId("hcct"), position, position + 1, 1);
    EXPECT_TRUE(page.ok() && page->facts.size() == 1) << page.status();
    if (!page.ok() || page->facts.empty()) return std::nullopt;
    return page->facts[0];
  }

  std::vector<FactType> Types() {
    std::vector<FactType> types;
    for (const JournalRecord& record : Journal()) types.push_back(DecodeFact(record.fact)->type);
    return types;
  }
};

TEST_F(JournalTest, EveryFactIsJournaledInOrderAndChained) {
  RulesOff();
  Policy policy;  // rules off, confirmation on
  policy.granularity_enabled = policy.floors_enabled = policy.balance_cap_enabled = false;
  policy.daily_limit_enabled = policy.reciprocity_enabled = policy.staff_duty_enabled = false;
  policy.self_recorded_needs_confirmation = false;
  policy.confirmation_enabled = true;
  ASSERT_TRUE(SetPolicy(policy).ok());
  ASSERT_TRUE(Record(Spec("p1", "bob", "alice", 30)).value().pending);
  ASSERT_TRUE(Await<Receipt>([&](auto done) {
                ledger_->ConfirmEntry(BankId("hcct"), EntryId("p1"), AdminNamed("bob"),
                                      std::move(done));
              }).ok());
  ASSERT_TRUE(Record(Spec("p2", "bob", "alice", 45)).value().pending);
  ASSERT_TRUE(Await<PendingEntry>([&](auto done) {
                ledger_->RejectEntry(BankId("hcct"), EntryId("p2"), "did not happen",
                                     AdminNamed("bob"), std::move(done));
              }).ok());
  ASSERT_TRUE(Reverse(1).ok());
  ASSERT_TRUE(SetStatus("bob", AccountStatus::kSuspended).ok());

  using T = FactType;
  EXPECT_EQ(Types(), (std::vector<FactType>{T::kBankCreated, T::kAccountOpened /*pool*/,
                                            T::kAccountOpened, T::kAccountOpened, T::kAccountOpened,
                                            T::kPolicySet, T::kPolicySet, T::kPendingCreated,
                                            T::kEntry, T::kPendingResolved, T::kPendingCreated,
                                            T::kPendingResolved, T::kEntry, T::kAccountStatus}));

  // The chain and the root, recomputed here from the records alone.
  const std::vector<JournalRecord> journal = Journal();
  Digest chain{};
  std::vector<Digest> leaves;
  for (size_t i = 0; i < journal.size(); ++i) {
    EXPECT_EQ(journal[i].position, i);
    leaves.push_back(MerkleLeafHash(journal[i].fact));
    chain = JournalChainHash(chain, leaves.back());
    EXPECT_EQ(journal[i].chain_hash, chain) << i;
  }
  auto digest = ledger_->GetDigest(BankId("hcct"));
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(digest->tree_size, journal.size());
  EXPECT_EQ(digest->root_hash, MerkleTreeHash(leaves));
  EXPECT_EQ(digest->journal_hash, chain);
  EXPECT_EQ(digest->entry_count, 2u);

  // An entry fact embeds the entry as served, hash included; the status fact keeps its reason.
  auto entry_fact = DecodeFact(journal[8].fact);
  EXPECT_EQ(entry_fact->entry.hash, ledger_->GetEntry(BankId("hcct"), 1)->hash);
  EXPECT_EQ(entry_fact->principal, "coordinator");
  auto rejected = JoinedFact(11);  // its reason is held beside its bytes (layout 4)
  EXPECT_EQ(rejected->state, PendingState::kRejected);
  EXPECT_EQ(rejected->reason, "did not happen");
  auto confirmed = DecodeFact(journal[9].fact);
  EXPECT_EQ(confirmed->state, PendingState::kConfirmed);
  EXPECT_EQ(confirmed->seq, 1u);
  EXPECT_EQ(confirmed->principal, "bob");
  EXPECT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
}

TEST_F(JournalTest, RefusedAndDryRunCommandsLeaveNoFacts) {
  const uint64_t before = ledger_->GetDigest(BankId("hcct"))->tree_size;
  EXPECT_FALSE(Record(Spec("x", "bob", "alice", 50)).ok());  // granularity
  ASSERT_TRUE(Await<Receipt>([&](auto done) {
                ledger_->CheckEntry(Spec("y", "bob", "alice", 60), AdminNamed("c"),
                                    std::move(done));
              }).ok());
  auto batch = Await<std::vector<absl::StatusOr<Receipt>>>([&](auto done) {
    ledger_->RecordEntries({Spec("z1", "bob", "alice", 60), Spec("z2", "bob", "alice", 61)}, true,
                           AdminNamed("c"), std::move(done));
  });
  EXPECT_FALSE(batch.ok());
  EXPECT_EQ(ledger_->GetDigest(BankId("hcct"))->tree_size, before);
  EXPECT_TRUE(Record(Spec("w", "bob", "alice", 60)).ok());
  EXPECT_EQ(ledger_->GetDigest(BankId("hcct"))->tree_size, before + 1);
}

TEST_F(JournalTest, ProofsFromStoredNodesVerifyForEveryLeafAndSize) {
  RulesOff();
  // Past 32 facts: the stored nodes of levels 4 and 5, and the computed ones below (store.h).
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(Record(Spec("e" + std::to_string(i), i % 2 ? "bob" : "alice",
                            i % 2 ? "alice" : "bob", 15 + i))
                    .ok());
  }
  Reopen();  // proofs come from what is stored, not from memory
  const std::vector<JournalRecord> journal = Journal();
  const uint64_t size = journal.size();
  for (uint64_t tree_size = 1; tree_size <= size; ++tree_size) {
    std::vector<Digest> leaves;
    for (uint64_t i = 0; i < tree_size; ++i) leaves.push_back(MerkleLeafHash(journal[i].fact));
    const Digest root = MerkleTreeHash(leaves);
    for (uint64_t position = 0; position < tree_size; ++position) {
      auto proof = ledger_->GetInclusionProof(BankId("hcct"), 0, position, tree_size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_EQ(proof->root_hash, root);
      EXPECT_TRUE(VerifyInclusion(proof->leaf_hash, position, tree_size, proof->path, root).ok());
    }
    for (uint64_t old_size = 0; old_size <= tree_size; ++old_size) {
      auto proof = ledger_->GetConsistencyProof(BankId("hcct"), old_size, tree_size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_EQ(proof->new_root, root);
      EXPECT_TRUE(VerifyConsistency(old_size, tree_size, proof->old_root, root, proof->path).ok())
          << old_size << " " << tree_size;
    }
  }
  // By seq: the entry's own fact.
  auto by_seq = ledger_->GetInclusionProof(BankId("hcct"), 5, std::nullopt, 0);
  ASSERT_TRUE(by_seq.ok());
  EXPECT_EQ(by_seq->fact.type, FactType::kEntry);
  EXPECT_EQ(by_seq->fact.entry.seq, 5u);
  EXPECT_EQ(by_seq->tree_size, size);
}

TEST_F(JournalTest, SizesBeyondTheJournalAreRefusedWithReasons) {
  const uint64_t size = ledger_->GetDigest(BankId("hcct"))->tree_size;
  EXPECT_EQ(ReasonOf(ledger_->GetConsistencyProof(BankId("hcct"), 1, size + 1).status()),
            "TREE_SIZE_AHEAD");
  EXPECT_EQ(ledger_->GetConsistencyProof(BankId("hcct"), 1, size + 1).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ReasonOf(ledger_->GetConsistencyProof(BankId("hcct"), 3, 2).status()),
            "TREE_SIZE_ORDER");
  EXPECT_EQ(ReasonOf(ledger_->GetInclusionProof(BankId("hcct"), 0, size, 0).status()),
            "NOT_IN_DIGEST");
  EXPECT_EQ(ReasonOf(ledger_->GetInclusionProof(BankId("hcct"), 9, std::nullopt, 0).status()),
            "ENTRY_NOT_FOUND");
  EXPECT_EQ(ReasonOf(ledger_->GetDigest(BankId("nowhere")).status()), "BANK_NOT_FOUND");
  EXPECT_EQ(ReasonOf(ledger_->ListJournal(BankId("hcct"), 0, 0, 1001).status()),
            "INVALID_PAGE_SIZE");
  ASSERT_TRUE(Record(Spec("a", "bob", "alice", 60)).ok());
  // An entry after the digest's facts is not in it.
  EXPECT_EQ(ReasonOf(ledger_->GetInclusionProof(BankId("hcct"), 1, std::nullopt, size).status()),
            "NOT_IN_DIGEST");
}

TEST_F(JournalTest, JournalPagesAreBoundedAndContiguous) {
  RulesOff();
  for (int i = 0; i < 30; ++i)
    ASSERT_TRUE(Record(Spec("e" + std::to_string(i), "bob", "alice", 15)).ok());
  const uint64_t size = ledger_->GetDigest(BankId("hcct"))->tree_size;
  uint64_t from = 0, pages = 0;
  while (true) {
    auto page = ledger_->ListJournal(BankId("hcct"), from, 0, 7);
    ASSERT_TRUE(page.ok());
    EXPECT_LE(page->records.size(), 7u);
    for (const JournalRecord& record : page->records) EXPECT_EQ(record.position, from++);
    ++pages;
    if (page->done) break;
  }
  EXPECT_EQ(from, size);
  EXPECT_EQ(pages, (size + 6) / 7);
  auto prefix = ledger_->ListJournal(BankId("hcct"), 0, 3, 100);
  EXPECT_EQ(prefix->records.size(), 3u);
  EXPECT_TRUE(prefix->done);
}

// A property test with a fixed seed: random operations from several threads, then the full
// verification, before and after reopening, and every stored node against a reference tree.
TEST_F(JournalTest, RandomConcurrentWorkVerifiesAndSurvivesReopening) {
  RulesOff();
  ASSERT_TRUE(Open("carol", AccountKind::kPerson).ok());
  const std::vector<std::string> people = {"alice", "bob", "carol", "centre"};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(1234 + t);
      for (int i = 0; i < 150; ++i) {
        const auto& from = people[random() % people.size()];
        const auto& to = people[random() % people.size()];
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        switch (random() % 10) {
          case 0:
            Reverse(1 + random() % 50).IgnoreError();
            break;
          case 1:
            SetStatus(people[random() % 3],
                      random() % 2 ? AccountStatus::kSuspended : AccountStatus::kActive)
                .IgnoreError();
            break;
          default:
            Record(Spec(id, from, to, 1 + random() % 120)).IgnoreError();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(ledger_->CheckConsistency().ok()) << ledger_->CheckConsistency();
  const VerifyReport report = ledger_->Verify();
  ASSERT_TRUE(report.ok()) << report.status;
  const JournalDigest before = *ledger_->GetDigest(BankId("hcct"));
  Reopen();
  EXPECT_EQ(ledger_->GetDigest(BankId("hcct"))->root_hash, before.root_hash);
  EXPECT_TRUE(ledger_->CheckConsistency().ok());
  std::vector<Digest> leaves;
  for (const JournalRecord& record : Journal()) leaves.push_back(MerkleLeafHash(record.fact));
  EXPECT_EQ(MerkleTreeHash(leaves), before.root_hash);
  EXPECT_GT(report.entries, 100u);
}

TEST_F(JournalTest, OnlineBackupWhileWritingRestoresToAVerifiedLedger) {
  RulesOff();
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      if (Record(
              Spec("w" + std::to_string(i), i % 2 ? "bob" : "alice", i % 2 ? "alice" : "bob", 15))
              .ok()) {
        ++written;
      }
    }
  });
  while (written < 50) std::this_thread::yield();
  auto first = ledger_->CreateBackup("");
  ASSERT_TRUE(first.ok()) << first.status();
  while (written < 100) std::this_thread::yield();
  auto second = ledger_->CreateBackup("");
  ASSERT_TRUE(second.ok()) << second.status();
  stop = true;
  writer.join();
  EXPECT_EQ(second->info.backup_id, first->info.backup_id + 1);
  EXPECT_EQ(second->dir, ledger_->DefaultBackupDir());
  auto listed = ListBackups(ledger_->DefaultBackupDir());
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);

  // In place, read-only, then restored into a new data directory and served.
  StoreOptions in_place;
  in_place.backup_dir = ledger_->DefaultBackupDir();
  in_place.backup_id = first->info.backup_id;
  const VerifyReport backup_report = VerifyStoreOffline(in_place);
  ASSERT_TRUE(backup_report.ok()) << backup_report.status;
  timeledger::testing::TempDir restored;
  auto report = RestoreVerified(ledger_->DefaultBackupDir(), 0, restored.path());
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_TRUE(report->ok()) << report->status;
  const uint64_t live_size = ledger_->GetDigest(BankId("hcct"))->tree_size;
  EXPECT_LE(report->banks[0].journal_size, live_size);
  EXPECT_GT(report->banks[0].journal_size, backup_report.banks[0].journal_size);
  // The backup's history is a prefix of the live one.
  auto proof = ledger_->GetConsistencyProof(BankId("hcct"), report->banks[0].journal_size, 0);
  ASSERT_TRUE(proof.ok());
  EXPECT_EQ(proof->old_root, report->banks[0].root_hash);
  EXPECT_EQ(ReasonOf(RestoreVerified(ledger_->DefaultBackupDir(), 0, restored.path()).status()),
            "RESTORE_TARGET_NOT_EMPTY");
  LedgerOptions options;
  options.data_dir = restored.path();
  auto reopened = Ledger::Open(options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->CheckConsistency().ok());
  EXPECT_EQ((*reopened)->GetDigest(BankId("hcct"))->root_hash, report->banks[0].root_hash);
}

TEST_F(JournalTest, BackupsBeyondTheRetentionAreDeleted) {
  ledger_.reset();
  LedgerOptions options;
  options.data_dir = dir_.path();
  options.backups_keep = 2;
  ledger_ = *Ledger::Open(options);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(Open("m" + std::to_string(i), AccountKind::kPerson).ok());
    ASSERT_TRUE(ledger_->CreateBackup("").ok());
  }
  auto listed = ListBackups(ledger_->DefaultBackupDir());
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].backup_id, 3u);
  EXPECT_EQ((*listed)[1].backup_id, 4u);
}

}  // namespace
}  // namespace timeledger::ledger
