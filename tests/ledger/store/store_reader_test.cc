// The one read interface (StoreReader, ledger/store/store.h) on a real ledger's store: every read
// answers the same from the live store and from a snapshot of the same moment; after later writes
// the live store answers them anew and the snapshot, unmoved, as before.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include <gtest/gtest.h>

#include "ledger/core/records.h"
#include "ledger/engine/ledger.h"
#include "ledger/journal/journal.h"
#include "ledger/store/data_dir.h"
#include "ledger/store/store.h"
#include "services/daemon/demo.h"
#include "tests/support/temp_dir.h"

namespace timeledger::ledger {
namespace {

using testing::TempDir;

// A record as text that differs wherever the record does: its stored encoding, where it has one.
std::string Text(const std::string& value) { return absl::CEscape(value); }
std::string Text(uint64_t value) { return absl::StrCat(value); }
std::string Text(int64_t value) { return absl::StrCat(value); }
std::string Text(const Digest& digest) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}
std::string Text(const Bank& bank) { return Text(EncodeBank(bank)); }
std::string Text(const Account& account) { return Text(EncodeAccount(account)); }
std::string Text(const Entry& entry) {
  return absl::StrCat(Text(EncodeEntry(entry)), " reversed by ", entry.reversed_by_seq);
}
std::string Text(const EntryRow& row) {
  return absl::StrCat(Text(row.entry), " balance ", row.running_balance_minutes);
}
std::string Text(const EntryIdRecord& record) { return Text(EncodeEntryIdRecord(record)); }
std::string Text(const ChainHead& head) { return Text(EncodeChainHead(head)); }
std::string Text(const Policy& policy) { return Text(EncodePolicy(policy)); }
std::string Text(const PendingEntry& pending) { return Text(EncodePendingEntry(pending)); }
std::string Text(const MemberCard& card) { return Text(EncodeMemberCard(card)); }
std::string Text(const CardAttempts& attempts) { return Text(EncodeCardAttempts(attempts)); }
std::string Text(const CatalogueItem& item) { return Text(EncodeCatalogueItem(item)); }
std::string Text(const Holding& holding) { return Text(EncodeHolding(holding)); }
std::string Text(const Award& award) { return Text(EncodeAward(award)); }
std::string Text(const TokenRecord& record) { return Text(EncodeTokenRecord(record)); }
std::string Text(const PrincipalBinding& binding) { return Text(EncodePrincipalBinding(binding)); }
std::string Text(const JournalRecord& record) {
  return absl::StrCat(record.position, " ", Text(record.fact), " ", Text(record.chain_hash));
}
std::string Text(const EntryRecord& record) {
  return absl::StrCat(record.seq, " ", Text(record.bytes));
}
std::string Text(const PostingRecord& posting) {
  return absl::StrCat(posting.account_id, " ", posting.seq, " ", posting.balance_after_minutes);
}
std::string Text(const SeqMapping& mapping) {
  return absl::StrCat(mapping.seq, " -> ", mapping.value);
}
std::string Text(const MerkleNode& node) {
  return absl::StrCat(node.level, " ", node.index, " ", Text(node.hash));
}
template <typename A, typename B>
std::string Text(const std::pair<A, B>& pair) {
  return absl::StrCat(Text(pair.first), " / ", Text(pair.second));
}
template <typename T>
std::string Text(const std::optional<T>& value) {
  return value.has_value() ? Text(*value) : "none";
}
template <typename T>
std::string Text(const std::vector<T>& values) {
  std::vector<std::string> texts;
  for (const T& value : values) texts.push_back(Text(value));
  return absl::StrJoin(texts, " | ");
}
template <typename T>
std::string Text(const absl::StatusOr<T>& result) {
  return result.ok() ? Text(*result) : absl::StrCat("error ", result.status().ToString());
}

// The records a ForEach visits, in order, and how it ended.
template <typename T, typename ForEach>
std::string Visited(ForEach for_each) {
  std::vector<T> seen;
  const absl::Status status = for_each([&](const T& record) {
    seen.push_back(record);
    return absl::OkStatus();
  });
  return absl::StrCat(Text(seen), " -> ", status.ToString());
}

// The records a cursor reads, in order, and how it ended.
template <typename T>
std::string Drained(std::unique_ptr<Cursor<T>> cursor) {
  std::vector<T> seen;
  T record;
  while (cursor->Next(&record)) seen.push_back(record);
  return absl::StrCat(Text(seen), " -> ", cursor->status().ToString());
}

// What the reads ask about: records of the demo bank, and those the later writes add.
struct Asked {
  std::string bank_id = kDemoBankId;
  std::string account_id;  // an account of the bank with entries
  uint64_t seq = 0;        // the seq the later writes give a new entry
  uint64_t journal_size = 0;
};

constexpr char kNewBank[] = "zz-bank";
constexpr char kNewAccount[] = "zz-account";
constexpr char kNewEntry[] = "zz-entry";
constexpr char kNewOpen[] = "zz-open";
constexpr char kNewResolved[] = "zz-resolved";
constexpr char kNewCard[] = "99990001";
constexpr char kNewQualification[] = "zz-qualification";
constexpr char kNewAward[] = "zz-award";
constexpr char kNewToken[] = "zz-token";
constexpr char kNewPrincipal[] = "zz-principal";
constexpr int64_t kNewBalance = 12'345;
const absl::Time kFrom = absl::FromUnixSeconds(0);
const absl::Time kTo = absl::FromUnixSeconds(4'000'000'000);
constexpr size_t kMany = 1'000'000;

using Answers = std::map<std::string, std::string>;

void AnswerBanksAndAccounts(StoreReader& reader, const Asked& asked, Answers* answers) {
  const std::string& bank = asked.bank_id;
  (*answers)["ForEachBank"] = Visited<std::string>([&](auto visit) {
    return reader.ForEachBank([&](const Bank& b, const ChainHead& head, const Policy& policy) {
      return visit(absl::StrCat(Text(b), " ", Text(head), " ", Text(policy)));
    });
  });
  (*answers)["GetBank"] = Text(reader.GetBank(bank));
  (*answers)["GetChainHead"] = Text(reader.GetChainHead(bank));
  (*answers)["GetPolicy"] = Text(reader.GetPolicy(bank));
  (*answers)["ListPolicyChanges"] = Text(reader.ListPolicyChanges(bank));
  (*answers)["GetAccount"] = Text(reader.GetAccount(bank, asked.account_id));
  (*answers)["ForEachAccount"] =
      Visited<Account>([&](auto visit) { return reader.ForEachAccount(bank, visit); });
  (*answers)["ListAccounts"] = Text(reader.ListAccounts(bank, "", kMany));
  (*answers)["ForEachToken"] =
      Visited<TokenRecord>([&](auto visit) { return reader.ForEachToken(visit); });
  (*answers)["ForEachPrincipalBinding"] =
      Visited<PrincipalBinding>([&](auto visit) { return reader.ForEachPrincipalBinding(visit); });
}

void AnswerEntries(StoreReader& reader, const Asked& asked, Answers* answers) {
  const std::string& bank = asked.bank_id;
  (*answers)["GetEntry"] = Text(reader.GetEntry(bank, asked.seq));
  (*answers)["GetEntryId"] = Text(reader.GetEntryId(bank, kNewEntry));
  (*answers)["GetReversedBy"] = Text(reader.GetReversedBy(bank, 1));
  (*answers)["ListEntries"] = Text(reader.ListEntries(bank, 0, kMany));
  (*answers)["ListAccountEntries"] =
      Text(reader.ListAccountEntries(bank, asked.account_id, 0, kMany));
  (*answers)["ForEachEntryOccurredIn"] = Visited<Entry>(
      [&](auto visit) { return reader.ForEachEntryOccurredIn(bank, kFrom, kTo, kMany, visit); });
  (*answers)["ForEachPosting"] = Visited<std::pair<Entry, int64_t>>([&](auto visit) {
    return reader.ForEachPosting(bank, asked.account_id, 0, UINT64_MAX,
                                 [&](const Entry& entry, int64_t balance_after) {
                                   return visit(std::make_pair(entry, balance_after));
                                 });
  });
  (*answers)["BalancesAfter"] = Text(reader.BalancesAfter(bank, {asked.account_id}, asked.seq));
  (*answers)["GetPending"] = Text(reader.GetPending(bank, kNewOpen));
  (*answers)["ForEachOpenPending"] =
      Visited<PendingEntry>([&](auto visit) { return reader.ForEachOpenPending(bank, visit); });
  (*answers)["ForEachResolvedPending"] =
      Visited<PendingEntry>([&](auto visit) { return reader.ForEachResolvedPending(bank, visit); });
}

void AnswerCardsAndQualifications(StoreReader& reader, const Asked& asked, Answers* answers) {
  const std::string& bank = asked.bank_id;
  (*answers)["GetMemberCard"] = Text(reader.GetMemberCard(bank, asked.account_id));
  (*answers)["FindCardHolder"] = Text(reader.FindCardHolder(bank, kNewCard));
  (*answers)["GetCardAttempts"] = Text(reader.GetCardAttempts(bank, kNewCard));
  (*answers)["ForEachMemberCard"] =
      Visited<MemberCard>([&](auto visit) { return reader.ForEachMemberCard(bank, visit); });
  const CatalogueKind kind = CatalogueKind::kQualification;
  (*answers)["GetCatalogueItem"] = Text(reader.GetCatalogueItem(bank, kind, kNewQualification));
  (*answers)["ListCatalogue"] = Text(reader.ListCatalogue(bank, kind, "", kMany));
  (*answers)["ForEachCatalogueItem"] =
      Visited<CatalogueItem>([&](auto visit) { return reader.ForEachCatalogueItem(bank, visit); });
  (*answers)["GetHolding"] = Text(reader.GetHolding(bank, asked.account_id, kNewQualification));
  (*answers)["ListHoldings"] = Text(reader.ListHoldings(bank, asked.account_id, "", kMany));
  (*answers)["ListHolders"] = Text(reader.ListHolders(bank, kNewQualification, "", kMany));
  (*answers)["ForEachHolding"] =
      Visited<Holding>([&](auto visit) { return reader.ForEachHolding(bank, visit); });
  (*answers)["GetAward"] = Text(reader.GetAward(bank, kNewAward));
  (*answers)["ForEachAward"] =
      Visited<Award>([&](auto visit) { return reader.ForEachAward(bank, visit); });
  (*answers)["ForEachAwardIn"] = Visited<Award>(
      [&](auto visit) { return reader.ForEachAwardIn(bank, kFrom, kTo, kMany, visit); });
}

void AnswerJournal(StoreReader& reader, const Asked& asked, Answers* answers) {
  const std::string& bank = asked.bank_id;
  (*answers)["ListJournal"] = Text(reader.ListJournal(bank, asked.journal_size - 1, 2, std::nullopt));
  (*answers)["GetEntryPosition"] = Text(reader.GetEntryPosition(bank, asked.seq));
  auto nodes = reader.MerkleNodes(bank);
  (*answers)["MerkleNodes"] = absl::StrCat(Text(nodes->NodeHash(0, asked.journal_size - 1)), " ",
                                           Text(nodes->NodeHash(kMerkleStoredLevelMin, 0)));
  (*answers)["Journal"] = Drained(reader.Journal(bank));
  (*answers)["MerkleLevel"] = Drained(reader.MerkleLevel(bank, kMerkleStoredLevelMin));
  (*answers)["MerkleNodesFrom"] = Drained(reader.MerkleNodesFrom(bank, kMerkleStoredLevelMin));
  (*answers)["Entries"] = Drained(reader.Entries(bank));
  (*answers)["Postings"] = Drained(reader.Postings(bank));
  (*answers)["Reversals"] = Drained(reader.Reversals(bank));
  (*answers)["EntryPositions"] = Drained(reader.EntryPositions(bank));
}

// Every read of StoreReader, each by its name.
Answers AnswersOf(StoreReader& reader, const Asked& asked) {
  Answers answers;
  AnswerBanksAndAccounts(reader, asked, &answers);
  AnswerEntries(reader, asked, &answers);
  AnswerCardsAndQualifications(reader, asked, &answers);
  AnswerJournal(reader, asked, &answers);
  return answers;
}

// The first record a ForEach visits.
template <typename T, typename ForEach>
T FirstOf(ForEach for_each) {
  std::optional<T> first;
  EXPECT_TRUE(for_each([&](const T& record) {
                if (!first.has_value()) first = record;
                return absl::OkStatus();
              }).ok());
  EXPECT_TRUE(first.has_value());
  return first.value_or(T{});
}

class StoreReaderTest : public ::testing::Test {
 protected:
  // The demo bank, written by a real ledger, then its store opened on its own.
  void SetUp() override {
    {
      LedgerOptions options;
      options.data_dir = dir_.path();
      options.sync = false;
      auto ledger = Ledger::Open(options);
      ASSERT_TRUE(ledger.ok()) << ledger.status();
      ASSERT_TRUE(LoadDemoBankIfEmpty(**ledger).ok());
    }
    StoreOptions options;
    options.path = StorePathOf(dir_.path());
    options.sync = false;
    auto opened = OpenRocksDbStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
    auto head = store_->GetChainHead(asked_.bank_id);
    ASSERT_TRUE(head.ok()) << head.status();
    ASSERT_GT(head->next_seq, 1u);
    auto first = store_->GetEntry(asked_.bank_id, 1);
    ASSERT_TRUE(first.ok() && first->has_value());
    asked_.account_id = (*first)->from_account_id;
    asked_.seq = head->next_seq;
    asked_.journal_size = head->journal_size();
    ASSERT_GE(asked_.journal_size, uint64_t{1} << kMerkleStoredLevelMin);
  }

  void WriteEntriesAndBank(StoreBatch* batch);
  void WriteEverythingElse(StoreBatch* batch);

  TempDir dir_;
  std::unique_ptr<Store> store_;
  Asked asked_;
};

// Writes that change the answer of every read of the bank's banks, accounts, entries and journal.
void StoreReaderTest::WriteEntriesAndBank(StoreBatch* batch) {
  const std::string& bank_id = asked_.bank_id;
  auto bank = store_->GetBank(bank_id);
  ASSERT_TRUE(bank.ok() && bank->has_value());
  Bank renamed = **bank;
  renamed.name += " (renamed)";
  batch->PutBank(renamed);
  batch->PutBank(Bank{kNewBank, "New bank", "Europe/London", absl::FromUnixSeconds(1)});
  auto head = store_->GetChainHead(bank_id);
  ASSERT_TRUE(head.ok());
  ChainHead moved = *head;
  ++moved.next_seq;
  batch->PutChainHead(bank_id, moved);
  auto policy = store_->GetPolicy(bank_id);
  ASSERT_TRUE(policy.ok());
  Policy next = *policy;
  ++next.version;
  batch->PutPolicy(bank_id, next);
  batch->PutPolicyChange(bank_id, *policy, next);
  auto account = store_->GetAccount(bank_id, asked_.account_id);
  ASSERT_TRUE(account.ok() && account->has_value());
  Account changed = **account;
  changed.balance_minutes = kNewBalance;
  batch->PutAccount(changed);
  changed.account_id = kNewAccount;
  batch->PutAccount(changed);

  auto first = store_->GetEntry(bank_id, 1);
  ASSERT_TRUE(first.ok() && first->has_value());
  Entry entry = **first;
  entry.seq = asked_.seq;
  entry.entry_id = kNewEntry;
  entry.reversed_by_seq = 0;
  batch->PutEntry(entry, kNewBalance, -kNewBalance);
  batch->PutEntryId(bank_id, kNewEntry, EntryIdRecord{});
  batch->PutReversal(bank_id, 1, asked_.seq);
  // The entry itself is stored in its fact (PutEntry writes only its indexes).
  Fact fact = EntryFact(entry);
  fact.position = asked_.journal_size;
  fact.at = kFrom;
  batch->PutEntryPosition(bank_id, asked_.seq, asked_.journal_size);
  batch->PutJournalRecord(bank_id, asked_.journal_size, EncodeFact(fact), Digest{});
  batch->PutMerkleNode(bank_id, MerkleNode{kMerkleStoredLevelMin, 0, Digest{}});
}

// Writes that change the answer of every other read: pending entries, cards, qualifications,
// tokens and bindings.
void StoreReaderTest::WriteEverythingElse(StoreBatch* batch) {
  const std::string& bank_id = asked_.bank_id;
  auto first = store_->GetEntry(bank_id, 1);
  ASSERT_TRUE(first.ok() && first->has_value());
  PendingEntry pending;
  pending.entry = **first;
  pending.entry.seq = 0;
  pending.entry.entry_id = kNewOpen;
  pending.expires_at = kTo;
  batch->PutPending(pending);
  pending.entry.entry_id = kNewResolved;
  pending.state = PendingState::kRejected;
  batch->PutPending(pending);
  batch->PutMemberCard(MemberCard{bank_id, asked_.account_id, kNewCard, "", kFrom, kFrom}, "");
  batch->PutCardAttempts(bank_id, kNewCard, CardAttempts{2, absl::InfinitePast()});

  auto items = store_->ListCatalogue(bank_id, CatalogueKind::kQualification, "", 1);
  ASSERT_TRUE(items.ok() && items->size() == 1);
  CatalogueItem item = (*items)[0];
  item.code = kNewQualification;
  batch->PutCatalogueItem(item);
  Holding holding =
      FirstOf<Holding>([&](auto visit) { return store_->ForEachHolding(bank_id, visit); });
  holding.account_id = asked_.account_id;
  holding.qualification_code = kNewQualification;
  batch->PutHolding(holding);
  Award award = FirstOf<Award>([&](auto visit) { return store_->ForEachAward(bank_id, visit); });
  award.award_id = kNewAward;
  batch->PutAward(award);
  TokenRecord token;
  token.token_id = kNewToken;
  token.principal.name = kNewPrincipal;
  token.created_at = kFrom;
  batch->PutToken(token);
  PrincipalBinding binding;
  binding.principal = token.principal;
  binding.version = 1;
  binding.set_at = kFrom;
  batch->PutPrincipalBinding(binding);
}

TEST_F(StoreReaderTest, EveryReadAnswersAlikeFromTheStoreAndFromASnapshot) {
  const Answers live = AnswersOf(*store_, asked_);
  for (BlockCache cache : {BlockCache::kFill, BlockCache::kBypass}) {
    auto snapshot = store_->NewSnapshot(cache);
    const Answers pinned = AnswersOf(*snapshot, asked_);
    ASSERT_EQ(pinned.size(), live.size());
    for (const auto& [read, answer] : live) {
      EXPECT_EQ(pinned.at(read), answer) << read;
      EXPECT_EQ(answer.find("error"), std::string::npos) << read << ": " << answer;
    }
  }
}

TEST_F(StoreReaderTest, ASnapshotAnswersAsBeforeWritesThatTheStoreAnswersAnew) {
  const Answers before = AnswersOf(*store_, asked_);
  auto snapshot = store_->NewSnapshot(BlockCache::kFill);
  auto batch = store_->NewBatch();
  WriteEntriesAndBank(batch.get());
  WriteEverythingElse(batch.get());
  ASSERT_TRUE(store_->Commit(batch.get()).ok());

  const Answers pinned = AnswersOf(*snapshot, asked_);
  const Answers live = AnswersOf(*store_, asked_);
  auto fresh = store_->NewSnapshot(BlockCache::kBypass);
  const Answers after = AnswersOf(*fresh, asked_);
  ASSERT_EQ(live.size(), before.size());
  for (const auto& [read, answer] : before) {
    EXPECT_EQ(pinned.at(read), answer) << read << ": the snapshot saw a later write";
    EXPECT_NE(live.at(read), answer) << read << ": the store did not see the later write";
    EXPECT_EQ(after.at(read), live.at(read)) << read;
  }
  EXPECT_EQ(pinned.at("GetEntry"), "none");
  EXPECT_NE(live.at("GetEntry"), "none");
  EXPECT_EQ(live.at("GetReversedBy"), absl::StrCat(asked_.seq));
  EXPECT_EQ(live.at("FindCardHolder"), asked_.account_id);
  EXPECT_EQ(pinned.at("FindCardHolder"), "none");
}

}  // namespace
}  // namespace timeledger::ledger
