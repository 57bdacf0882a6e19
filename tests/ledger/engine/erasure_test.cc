// Personal data beside the journal (layout 4) and its erasure: a member's name, card number, a
// note on their entry and the reason of their status change are held as personal records, joined
// on every read; erasing the member deletes them and blanks the derived state, after which the
// ledger verifies, the digest taken before grows consistently, the proof of the member's entry
// taken before still verifies, and none of the values is anywhere in the store.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "ledger/core/merkle.h"
#include "ledger/core/sha256.h"
#include "ledger/engine/journal_feed.h"
#include "ledger/journal/journal.h"
#include "ledger/store/data_dir.h"
#include "ledger/verify/verify.h"
#include "tests/support/files_holding.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/raw_store.h"

namespace timeledger::ledger {
namespace {

constexpr char kName[] = "Erin O'Neill-Quarrie";
constexpr char kCard[] = "40009876";
constexpr char kNote[] = "Erin mended the bike of Bob";
constexpr char kReason[] = "Erin asked for a pause";
constexpr char kOtherNote[] = "Alice dug the allotment";
constexpr char kErasureReason[] = "subject request SAR-0017";

class ErasureTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    RulesOff();
    Account erin;
    erin.bank_id = "hcct";
    erin.account_id = "erin";
    erin.display_name = kName;
    ASSERT_TRUE(Await<Account>([&](auto done) {
                  ledger_->OpenAccount(erin, AdminNamed("test"), std::move(done));
                }).ok());
    ASSERT_TRUE(Await<MemberCard>([&](auto done) {
                  ledger_->SetMemberCard(BankId("hcct"), AccountId("erin"), kCard,
                                         AdminNamed("test"), std::move(done));
                }).ok());
    ASSERT_TRUE(Await<Account>([&](auto done) {
                  ledger_->SetAccountStatus(BankId("hcct"), AccountId("erin"),
                                            AccountStatus::kSuspended, kReason, false,
                                            AdminNamed("test"), std::move(done));
                }).ok());
    ASSERT_TRUE(SetStatus("erin", AccountStatus::kActive).ok());
    EntrySpec spec = Spec("e-erin", "bob", "erin", 60);
    spec.note = kNote;
    auto erins = Record(spec);
    ASSERT_TRUE(erins.ok()) << erins.status();
    erin_seq_ = erins->entry.seq;
    EntrySpec other = Spec("e-alice", "bob", "alice", 30);
    other.note = kOtherNote;
    auto alices = Record(other);
    ASSERT_TRUE(alices.ok()) << alices.status();
    alice_seq_ = alices->entry.seq;
  }

  absl::StatusOr<ErasureReceipt> Erase(const std::string& account_id,
                                       const std::string& reason = kErasureReason) {
    return Await<ErasureReceipt>([&](auto done) {
      ledger_->ErasePersonalData(BankId("hcct"), AccountId(account_id), reason, AdminNamed("test"),
                                 std::move(done));
    });
  }

  // The files of the data directory (store, write-ahead log, MANIFEST) that hold `bytes`.
  std::vector<std::string> FilesHolding(const std::string& bytes) {
    return timeledger::testing::FilesHolding(dir_.path(), bytes);
  }

  // Every key and value of the closed ledger's store that holds `bytes`.
  std::vector<std::string> KeysHolding(const std::string& bytes) {
    rocksdb::DB* raw = nullptr;
    EXPECT_TRUE(
        rocksdb::DB::OpenForReadOnly(rocksdb::Options(), StorePathOf(dir_.path()), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    std::vector<std::string> found;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().ToString().find(bytes) != std::string::npos ||
          it->value().ToString().find(bytes) != std::string::npos) {
        found.push_back(it->key().ToString());
      }
    }
    EXPECT_TRUE(it->status().ok());
    return found;
  }

  // The personal records of hcct in the closed ledger's store.
  size_t PersonalKeys() {
    rocksdb::DB* raw = nullptr;
    EXPECT_TRUE(
        rocksdb::DB::OpenForReadOnly(rocksdb::Options(), StorePathOf(dir_.path()), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    size_t count = 0;
    for (it->Seek("Dhcct"); it->Valid() && it->key().starts_with("Dhcct"); it->Next()) ++count;
    return count;
  }

  uint64_t erin_seq_ = 0;
  uint64_t alice_seq_ = 0;
};

TEST_F(ErasureTest, PersonalValuesAreHeldBesideTheirFactsAndReadBackJoined) {
  auto entry = ledger_->GetEntry(BankId("hcct"), erin_seq_);
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(entry->note, kNote);
  EXPECT_EQ(entry->version, kEntryVersionSealed);
  EXPECT_EQ(entry->note_seal.state, PersonalState::kHeld);
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("erin"))->display_name, kName);

  auto proof = ledger_->GetInclusionProof(BankId("hcct"), erin_seq_, std::nullopt, 0);
  ASSERT_TRUE(proof.ok()) << proof.status();
  // The fact's bytes hold the note's commitment, not the note.
  EXPECT_EQ(proof->record.fact.find(kNote), std::string::npos);
  EXPECT_EQ(proof->fact.entry.note, kNote);
  EXPECT_EQ(PersonalCommitment(proof->fact.entry.note_seal.salt, kNote),
            proof->fact.entry.note_seal.commitment);

  auto page = ledger_->ListJournal(BankId("hcct"), 0, 0, 1000);
  ASSERT_TRUE(page.ok()) << page.status();
  bool opened = false;
  for (const Fact& fact : page->facts) {
    if (fact.type != FactType::kAccountOpened || fact.account_id != "erin") continue;
    opened = true;
    EXPECT_EQ(fact.version, kFactVersionSealed);
    EXPECT_EQ(fact.display_name, kName);
    EXPECT_EQ(fact.display_name_seal.state, PersonalState::kHeld);
  }
  EXPECT_TRUE(opened);
  EXPECT_TRUE(ledger_->Verify().ok());
}

TEST_F(ErasureTest, AnErasedMemberVerifiesKeepsProofsAndLeavesNoValueInTheStore) {
  auto digest = ledger_->GetDigest(BankId("hcct"));
  ASSERT_TRUE(digest.ok()) << digest.status();
  auto proof = ledger_->GetInclusionProof(BankId("hcct"), erin_seq_, std::nullopt, 0);
  ASSERT_TRUE(proof.ok()) << proof.status();

  auto erased = Erase("erin");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_TRUE(erased->account.personal_data_erased);
  EXPECT_EQ(erased->account.display_name, "");
  EXPECT_FALSE(erased->values_in_old_facts);
  EXPECT_EQ(erased->fields,
            (std::vector<PersonalField>{PersonalField::kDisplayName, PersonalField::kCardNumber,
                                        PersonalField::kNote, PersonalField::kReason}));

  const VerifyReport report = ledger_->Verify();
  EXPECT_TRUE(report.ok()) << report.status;
  // The digest taken before is a prefix of today's, and the proof taken before still proves the
  // entry's fact, whose bytes did not change.
  auto now = ledger_->GetDigest(BankId("hcct"));
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(now->tree_size, digest->tree_size + 1);
  auto consistency = ledger_->GetConsistencyProof(BankId("hcct"), digest->tree_size, 0);
  ASSERT_TRUE(consistency.ok()) << consistency.status();
  EXPECT_TRUE(VerifyConsistency(digest->tree_size, now->tree_size, digest->root_hash,
                                now->root_hash, consistency->path)
                  .ok());
  auto again =
      ledger_->GetInclusionProof(BankId("hcct"), erin_seq_, std::nullopt, digest->tree_size);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->record.fact, proof->record.fact);
  EXPECT_TRUE(VerifyInclusion(MerkleLeafHash(again->record.fact), proof->record.position,
                              digest->tree_size, proof->path, digest->root_hash)
                  .ok());

  // Reads say erased, not empty; the other member's note is untouched.
  EXPECT_EQ(again->fact.entry.note, "");
  EXPECT_EQ(again->fact.entry.note_seal.state, PersonalState::kErased);
  auto entry = ledger_->GetEntry(BankId("hcct"), erin_seq_);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->note_seal.state, PersonalState::kErased);
  EXPECT_EQ(ledger_->GetEntry(BankId("hcct"), alice_seq_)->note, kOtherNote);
  auto account = ledger_->GetAccount(BankId("hcct"), AccountId("erin"));
  ASSERT_TRUE(account.ok());
  EXPECT_TRUE(account->personal_data_erased);
  EXPECT_EQ(account->balance_minutes, 60);
  auto card = ledger_->GetMemberCard(BankId("hcct"), AccountId("erin"));
  ASSERT_TRUE(card.ok());
  EXPECT_TRUE(!card->has_value() || (*card)->card_number.empty());

  ledger_.reset();
  for (const std::string bytes : {kName, kCard, kNote, kReason}) {
    EXPECT_TRUE(KeysHolding(bytes).empty()) << bytes;
  }
  EXPECT_FALSE(KeysHolding(kOtherNote).empty());
  Reopen();  // and the check at open passes
  EXPECT_TRUE(ledger_->Verify().ok());
}

// A name given by a correction is the member's too: erased with the first, and an erased member
// gets no name again (their roles may still change).
TEST_F(ErasureTest, ANameGivenByACorrectionIsErasedAndAnErasedMemberGetsNoNameAgain) {
  constexpr char kNewName[] = "Erin Quarrie-Lopez";
  auto change = [this](std::optional<std::string> name, std::optional<std::vector<Role>> roles) {
    return Await<Account>([&](auto done) {
      ledger_->ChangeAccount(BankId("hcct"), AccountId("erin"), name, roles, AdminNamed("test"),
                             std::move(done));
    });
  };
  ASSERT_TRUE(change(kNewName, std::nullopt).ok());
  ASSERT_TRUE(Erase("erin").ok());
  ASSERT_TRUE(ledger_->CompactErased(BankId("hcct")).ok());
  EXPECT_EQ(FilesHolding(kNewName), std::vector<std::string>());
  EXPECT_EQ(FilesHolding(kName), std::vector<std::string>());
  EXPECT_EQ(ReasonOf(change("Erin", std::nullopt).status()), "ACCOUNT_ERASED");
  auto roles = change(std::nullopt, std::vector<Role>{Role::kMember, Role::kVolunteer});
  ASSERT_TRUE(roles.ok()) << roles.status();
  EXPECT_EQ(roles->display_name, "");
  EXPECT_TRUE(roles->personal_data_erased);
  EXPECT_TRUE(ledger_->Verify().ok());
}

// Contact details (a coordinator's essentials): set at the opening or by a change, each a
// contact_set fact whose values are held beside it; refused when they are none; erased with the
// member's other personal data, from every file after the compaction, and never set again.
TEST_F(ErasureTest, ContactDetailsAreSetAsFactsAndErasedWithTheMember) {
  constexpr char kPhone[] = "+44 20 7946 0321";
  constexpr char kEmail[] = "erin.quarrie@example.org";
  constexpr char kNewEmail[] = "erin.q@example.net";
  auto change = [this](std::optional<std::string> phone, std::optional<std::string> email) {
    return Await<Account>([&](auto done) {
      ledger_->ChangeAccount(BankId("hcct"), AccountId("erin"), std::nullopt, std::nullopt, phone,
                             email, AdminNamed("coordinator"), std::move(done));
    });
  };
  const uint64_t facts_before = ledger_->GetDigest(BankId("hcct"))->tree_size;
  auto set = change(kPhone, kEmail);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->phone, kPhone);
  EXPECT_EQ(set->email, kEmail);
  auto again = change(kPhone, std::nullopt);  // as it is: nothing written
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(ledger_->GetDigest(BankId("hcct"))->tree_size, facts_before + 1);
  auto moved = change(std::nullopt, kNewEmail);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->phone, kPhone);
  EXPECT_EQ(moved->email, kNewEmail);
  for (const auto& [phone, email] :
       std::vector<std::pair<std::string, std::string>>{{"ring me", ""},
                                                        {"12", ""},
                                                        {"", "erin"},
                                                        {"", "erin@@example.org"},
                                                        {"", "erin@example"},
                                                        {"", "erin @example.org"}}) {
    EXPECT_EQ(ReasonOf(change(phone, email).status()), "INVALID_CONTACT") << phone << email;
  }
  // An organisation opened with its details: a contact_set fact after its opening.
  Account cafe;
  cafe.bank_id = "hcct";
  cafe.account_id = "cafe";
  cafe.kind = AccountKind::kOrganisation;
  cafe.display_name = "The Café";
  cafe.phone = "020 7946 0999";
  auto opened = Await<Account>(
      [&](auto done) { ledger_->OpenAccount(cafe, AdminNamed("test"), std::move(done)); });
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->phone, "020 7946 0999");
  EXPECT_TRUE(ledger_->Verify().ok()) << ledger_->Verify().status;
  Reopen();
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("erin"))->email, kNewEmail);

  auto erased = Erase("erin");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->account.phone, "");
  EXPECT_EQ(erased->account.email, "");
  EXPECT_NE(std::find(erased->fields.begin(), erased->fields.end(), PersonalField::kPhone),
            erased->fields.end());
  EXPECT_EQ(ReasonOf(change(kPhone, std::nullopt).status()), "ACCOUNT_ERASED");
  ASSERT_TRUE(ledger_->CompactErased(BankId("hcct")).ok());
  for (const std::string bytes : {kPhone, kEmail, kNewEmail}) {
    EXPECT_EQ(FilesHolding(bytes), std::vector<std::string>()) << bytes;
  }
  EXPECT_FALSE(FilesHolding("020 7946 0999").empty());  // the café's stay
  EXPECT_TRUE(ledger_->Verify().ok()) << ledger_->Verify().status;
}

TEST_F(ErasureTest, AnErasureNeedsAReasonAndKeepsItSealedInItsFact) {
  auto refused = Erase("erin", "");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(ReasonOf(refused.status()), "INVALID_TEXT") << refused.status();
  EXPECT_FALSE(ledger_->GetAccount(BankId("hcct"), AccountId("erin"))->personal_data_erased);

  ASSERT_TRUE(Erase("erin").ok());
  auto digest = ledger_->GetDigest(BankId("hcct"));
  ASSERT_TRUE(digest.ok());
  auto page = ledger_->ListJournal(BankId("hcct"), digest->tree_size - 1, digest->tree_size, 1);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->facts.size(), 1u);
  const Fact& fact = page->facts[0];
  EXPECT_EQ(fact.type, FactType::kPersonalDataErased);
  EXPECT_EQ(fact.version, kFactVersionSealed);
  EXPECT_EQ(fact.principal, "test");
  EXPECT_EQ(fact.reason, kErasureReason);
  EXPECT_EQ(fact.reason_seal.state, PersonalState::kHeld);
  // Its bytes hold the commitment, not the reason.
  EXPECT_EQ(page->records[0].fact.find(kErasureReason), std::string::npos);

  // A second erasure (after a restore, say) keeps the first one's reason: it is the erasure's,
  // not the member's.
  ASSERT_TRUE(Erase("erin", "again after the restore of 3 March").ok());
  auto first = ledger_->ListJournal(BankId("hcct"), digest->tree_size - 1, digest->tree_size, 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->facts[0].reason, kErasureReason);
  EXPECT_TRUE(ledger_->Verify().ok());
}

// The idempotency record's fingerprint covered the request's note: an erasure replaces it, so
// that it cannot confirm a guess of the note; a retry under the entry's id is then checked
// against the entry itself, the note aside.
TEST_F(ErasureTest, TheFingerprintOfARequestWithAnErasedNoteIsForgottenAndARetryReplays) {
  EntrySpec spec = Spec("e-erin", "bob", "erin", 60);
  spec.note = kNote;
  EntrySpec other = spec;
  other.minutes = 90;
  auto refused = Record(other);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(ReasonOf(refused.status()), "ENTRY_ID_REUSED");

  ASSERT_TRUE(Erase("erin").ok());
  auto retry = Record(spec);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->entry.seq, erin_seq_);
  // Without the fingerprint, the request is checked against the entry, the note aside: another
  // amount or other accounts under the same id are still refused.
  auto changed = Record(other);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(ReasonOf(changed.status()), "ENTRY_ID_REUSED");
  EntrySpec elsewhere = spec;
  elsewhere.to_account_id = "alice";
  EXPECT_EQ(ReasonOf(Record(elsewhere).status()), "ENTRY_ID_REUSED");
  EntrySpec other_note = spec;
  other_note.note = "a note the erasure cannot compare";
  auto same_but_note = Record(other_note);
  ASSERT_TRUE(same_but_note.ok()) << same_but_note.status();
  EXPECT_TRUE(same_but_note->replayed);
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("erin"))->balance_minutes, 60);
  // Alice's entry, whose note was not erin's, keeps its fingerprint.
  EntrySpec alices = Spec("e-alice", "bob", "alice", 30);
  alices.note = "something else";
  auto alice_refused = Record(alices);
  ASSERT_FALSE(alice_refused.ok());
  EXPECT_EQ(ReasonOf(alice_refused.status()), "ENTRY_ID_REUSED");

  ledger_.reset();
  std::string value;
  {
    RawStore raw(dir_.path());
    value = raw.Get(Scoped('i', "hcct", "e-erin"));
  }
  EXPECT_EQ(value, Fixed64(erin_seq_) + Fixed64(kFingerprintErased));
  Reopen();
}

TEST_F(ErasureTest, AfterTheCompactionNoFileOfTheDataDirectoryHoldsAnErasedValue) {
  // The search can see them: after a compaction before the erasure, in the table files.
  ASSERT_TRUE(ledger_->CompactErased(BankId("hcct")).ok());
  for (const std::string bytes : {kName, kCard, kNote, kReason}) {
    EXPECT_FALSE(FilesHolding(bytes).empty()) << bytes;
  }
  ASSERT_TRUE(Erase("erin").ok());
  // Erased but not compacted: the write-ahead log or the table files still hold them.
  EXPECT_FALSE(FilesHolding(kName).empty());

  ASSERT_TRUE(ledger_->CompactErased(BankId("hcct")).ok());
  for (const std::string bytes : {kName, kCard, kNote, kReason}) {
    EXPECT_EQ(FilesHolding(bytes), std::vector<std::string>()) << bytes;
  }
  EXPECT_FALSE(FilesHolding(kOtherNote).empty());
  EXPECT_FALSE(FilesHolding(kErasureReason).empty());
  EXPECT_TRUE(ledger_->Verify().ok());
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("erin"))->balance_minutes, 60);
}

TEST_F(ErasureTest, APersonalRecordThatDoesNotMatchItsCommitmentIsAFinding) {
  auto position = ledger_->GetInclusionProof(BankId("hcct"), erin_seq_, std::nullopt, 0);
  ASSERT_TRUE(position.ok());
  ledger_.reset();
  {
    RawStore raw(dir_.path());
    std::string key = Scoped('D', "hcct", Fixed64(position->record.position));
    key.push_back(static_cast<char>(PersonalField::kNote));
    raw.Edit(key, [](std::string* value) { value->back() ^= 0x01; });
  }
  StoreOptions options;
  options.path = StorePathOf(dir_.path());
  const VerifyReport report = VerifyStoreOffline(options);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(ReasonOf(report.status), "PERSONAL_DATA_MISMATCH") << report.status;
  EXPECT_EQ(FiguresOf(report.status)["position"], std::to_string(position->record.position));
}

TEST_F(ErasureTest, AMissingPersonalRecordReadsAsErasedAndIsNoFinding) {
  auto position = ledger_->GetInclusionProof(BankId("hcct"), alice_seq_, std::nullopt, 0);
  ASSERT_TRUE(position.ok());
  ledger_.reset();
  {
    RawStore raw(dir_.path());
    std::string key = Scoped('D', "hcct", Fixed64(position->record.position));
    key.push_back(static_cast<char>(PersonalField::kNote));
    raw.Delete(key);
  }
  StoreOptions options;
  options.path = StorePathOf(dir_.path());
  const VerifyReport report = VerifyStoreOffline(options);
  EXPECT_TRUE(report.ok()) << report.status;
  Reopen();
  auto entry = ledger_->GetEntry(BankId("hcct"), alice_seq_);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->note, "");
  EXPECT_EQ(entry->note_seal.state, PersonalState::kErased);
}

TEST_F(ErasureTest, AnEntryWithoutANoteAddsNoKey) {
  ledger_.reset();
  const size_t before = PersonalKeys();
  Reopen();
  ASSERT_TRUE(Record(Spec("plain", "bob", "alice", 15)).ok());
  ledger_.reset();
  EXPECT_EQ(PersonalKeys(), before);
  EXPECT_GE(before, 4u);  // erin's name, card and reason, the two notes, the others' names
}

// A fact as a reader sees it: its canonical bytes, and each personal value joined to it with its
// seal (state, salt, commitment), and the entry's reversal.
std::string Seen(const Fact& fact) {
  std::string seen = EncodeFact(fact);
  ForEachPersonal(fact, [&seen](PersonalField field, const std::string& value,
                                const PersonalSeal& seal, size_t) {
    absl::StrAppend(
        &seen, "|", static_cast<int>(field), ":", static_cast<int>(seal.state), ":", value, ":",
        absl::string_view(reinterpret_cast<const char*>(seal.salt.data()), seal.salt.size()), ":",
        DigestToHex(seal.commitment));
  });
  absl::StrAppend(&seen, "|reversed_by ", fact.entry.reversed_by_seq);
  return seen;
}

// A stream of the feed reads page after page into the same storage (ListJournalInto decodes each
// fact where a fact of the last page was): what it sees must be what a fresh read sees, whatever
// the fact before left there (a note held, a note erased, no note, another type of fact).
TEST_F(ErasureTest, APageReadIntoTheLastPagesStorageIsWhatAFreshReadGives) {
  ASSERT_TRUE(Erase("erin").ok());
  for (int i = 0; i < 4; ++i) {
    EntrySpec spec = Spec(absl::StrCat("more-", i), "bob", i % 2 == 0 ? "alice" : "erin", 10);
    if (i < 2) spec.note = absl::StrCat("note ", i);
    ASSERT_TRUE(Record(spec).ok());
  }
  const BankId bank("hcct");
  auto all = ledger_->ListJournal(bank, 0, 0, 1000);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_GE(all->facts.size(), 12u);
  bool held = false, erased = false, none = false;
  for (const Fact& fact : all->facts) {
    if (fact.type != FactType::kEntry) continue;
    held = held || fact.entry.note_seal.state == PersonalState::kHeld;
    erased = erased || fact.entry.note_seal.state == PersonalState::kErased;
    none = none || !fact.entry.note_seal.committed();
  }
  ASSERT_TRUE(held && erased && none);  // each kind of entry fact follows the others below

  for (int64_t page_size : {1, 2, 3, 5}) {
    JournalPage reused;
    for (uint64_t from = 0; from < all->tree_size;) {
      ASSERT_TRUE(ledger_->ListJournalInto(bank, from, 0, page_size, std::nullopt, &reused).ok());
      auto fresh = ledger_->ListJournal(bank, from, 0, page_size);
      ASSERT_TRUE(fresh.ok()) << fresh.status();
      ASSERT_EQ(reused.facts.size(), reused.records.size());
      ASSERT_EQ(reused.records.size(), fresh->records.size());
      EXPECT_EQ(reused.next_position, fresh->next_position);
      EXPECT_EQ(reused.tree_size, fresh->tree_size);
      EXPECT_EQ(reused.done, fresh->done);
      for (size_t i = 0; i < reused.facts.size(); ++i) {
        const uint64_t position = reused.records[i].position;
        EXPECT_EQ(Seen(reused.facts[i]), Seen(all->facts[position]))
            << "page size " << page_size << ", position " << position;
        EXPECT_EQ(reused.records[i].fact, all->records[position].fact);
        EXPECT_EQ(reused.records[i].chain_hash, all->records[position].chain_hash);
        EXPECT_EQ(reused.records[i].leaf_hash, fresh->records[i].leaf_hash);
      }
      from = reused.next_position;
    }
  }

  // The feed's read, filtered, into the same storage: the fresh read's facts and hashes.
  FeedFilter erins;
  erins.account_id = "erin";
  for (size_t facts_max : {1u, 2u, 4u}) {
    FeedPage reused;
    for (uint64_t from = 0; from < all->tree_size;) {
      auto fresh = ledger_->ReadFeed(bank, from, erins, facts_max);
      ASSERT_TRUE(fresh.ok()) << fresh.status();
      ASSERT_TRUE(ledger_->ReadFeedInto(bank, from, erins, facts_max, std::nullopt, &reused).ok());
      ASSERT_EQ(reused.facts.size(), fresh->facts.size());
      EXPECT_LE(reused.records.size(), facts_max);
      EXPECT_GT(reused.next_position, from);  // even one fact a read moves on
      for (size_t i = 0; i < fresh->facts.size(); ++i) {
        EXPECT_EQ(Seen(reused.facts[i]), Seen(fresh->facts[i]));
        EXPECT_EQ(reused.records[i].position, fresh->records[i].position);
      }
      EXPECT_EQ(reused.prior_hashes, fresh->prior_hashes);
      EXPECT_EQ(reused.next_position, fresh->next_position);
      EXPECT_EQ(reused.journal_hash, fresh->journal_hash);
      from = reused.next_position;
    }
  }
}

}  // namespace
}  // namespace timeledger::ledger
