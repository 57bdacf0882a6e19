// The store on a real RocksDB in a fresh directory: the key grammar (ledger/store/keys.h) round
// trips and sorts as its readers assume, a batch commits all or nothing, every reader sees one
// snapshot while commits run, and every key a real ledger writes has a tag of the KeyTag enum.
#include "ledger/store/store.h"

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/engine/ledger.h"
#include "ledger/journal/journal.h"
#include "ledger/store/data_dir.h"
#include "ledger/store/keys.h"
#include "ledger/store/store_test_hooks.h"
#include "services/daemon/demo.h"
#include "tests/support/faulty_file_system.h"
#include "tests/support/temp_dir.h"

namespace timeledger::ledger {
namespace {

using testing::FaultError;
using testing::FaultPoint;
using testing::FaultyFileSystem;
using testing::TempDir;

TEST(KeyTagTest, EveryTagHasItsOwnByteAndIsFoundAgain) {
  std::set<char> bytes;
  for (KeyTag tag : kAllKeyTags) {
    EXPECT_TRUE(bytes.insert(static_cast<char>(tag)).second) << static_cast<char>(tag);
    EXPECT_EQ(keys::TagOf(keys::TagPrefix(tag)), tag);
    EXPECT_EQ(keys::TagOf(keys::ScopedPrefix(tag, "bank")), tag);
  }
  EXPECT_EQ(keys::TagOf(""), std::nullopt);
  EXPECT_EQ(keys::TagOf("z"), std::nullopt);
}

// The bytes are the on-disk format: a store written by an older timeledgerd must still read.
TEST(KeyTagTest, KeysKeepTheirOnDiskBytes) {
  EXPECT_EQ(keys::BankKey("hcct"), "bhcct");
  EXPECT_EQ(keys::ChainKey("hcct"), "chcct");
  EXPECT_EQ(keys::PolicyKey("hcct"), "Phcct");
  EXPECT_EQ(keys::TokenKey("t1"), "Tt1");
  EXPECT_EQ(keys::TimeIndexMarkerKey(), "O");
  EXPECT_EQ(keys::AccountKey("hcct", "alice"), std::string("ahcct\0alice", 11));
  EXPECT_EQ(keys::PostingKey("h", "al", 1), std::string("ph\0al\0\0\0\0\0\0\0\0\1", 14));
  EXPECT_EQ(keys::SeqKey(KeyTag::kEntry, "h", 258), std::string("eh\0\0\0\0\0\0\0\1\2", 11));
  EXPECT_EQ(keys::MerkleKey("h", 4, 1), std::string("mh\0\4\0\0\0\0\0\0\0\1", 12));
  EXPECT_EQ(keys::PairKey(KeyTag::kHolder, "h", "q", "a"), std::string("Lh\0q\0a", 6));
  EXPECT_EQ(keys::CatalogueKey("h", CatalogueKind::kOffer, "x"), std::string("Ch\0\3x", 5));
}

TEST(KeysTest, SeqKeysSortInSeqOrderInsideTheirBank) {
  const std::vector<uint64_t> seqs = {1, 2, 255, 256, 65'536, uint64_t{1} << 40};
  for (size_t i = 1; i < seqs.size(); ++i) {
    EXPECT_LT(keys::SeqKey(KeyTag::kEntry, "b", seqs[i - 1]),
              keys::SeqKey(KeyTag::kEntry, "b", seqs[i]));
  }
  const std::string prefix = keys::ScopedPrefix(KeyTag::kEntry, "b");
  const std::string end = keys::PrefixEnd(prefix);
  EXPECT_GE(keys::SeqKey(KeyTag::kEntry, "b", 0), prefix);
  EXPECT_LT(keys::SeqKey(KeyTag::kEntry, "b", UINT64_MAX), end);
  // A bank whose id extends another's is outside the other's range.
  EXPECT_GE(keys::SeqKey(KeyTag::kEntry, "b2", 1), end);
}

TEST(KeysTest, PostingsOfOneAccountAreOneRangeInSeqOrder) {
  const std::string prefix = keys::PostingPrefix("b", "al");
  const std::string end = keys::PrefixEnd(prefix);
  EXPECT_LT(keys::PostingKey("b", "al", 1), keys::PostingKey("b", "al", 2));
  EXPECT_GE(keys::PostingKey("b", "al", 1), prefix);
  EXPECT_LT(keys::PostingKey("b", "al", UINT64_MAX), end);
  // An account whose id extends another's does not fall inside the other's postings.
  const std::string longer = keys::PostingKey("b", "alice", 1);
  EXPECT_FALSE(longer >= prefix && longer < end);
}

TEST(KeysTest, TimeIndexSortsInTimeOrderBeforeAndAfter1970) {
  const std::vector<absl::Time> times = {absl::FromUnixSeconds(-86'400), absl::UnixEpoch(),
                                         absl::FromUnixMicros(1),
                                         absl::FromUnixSeconds(1'790'000'000)};
  for (size_t i = 1; i < times.size(); ++i) {
    EXPECT_LT(keys::OccurredKey("b", times[i - 1], 9), keys::OccurredKey("b", times[i], 1));
    EXPECT_LT(keys::AwardTimeKey("b", times[i - 1], "z"), keys::AwardTimeKey("b", times[i], "a"));
  }
  EXPECT_LE(keys::OccurredBound("b", times[1]), keys::OccurredKey("b", times[1], 0));
}

TEST(KeysTest, StartAfterSkipsExactlyTheGivenId) {
  const std::string prefix = keys::ScopedPrefix(KeyTag::kAccount, "b");
  EXPECT_EQ(keys::StartAfter(prefix, ""), prefix);
  const std::string start = keys::StartAfter(prefix, "al");
  EXPECT_GT(start, keys::AccountKey("b", "al"));
  EXPECT_LT(start, keys::AccountKey("b", "al0"));
  EXPECT_LT(start, keys::AccountKey("b", "alice"));
}

TEST(KeysTest, ParsersReadTheRecordsBackAndRefuseMalformedOnes) {
  std::string position_key;
  PutFixed64BigEndian(&position_key, 7);
  std::string value = "fact";
  value.append(kDigestBytes, '\x5a');
  JournalRecord journal;
  ASSERT_TRUE(keys::ParseJournal(position_key, value, &journal));
  EXPECT_EQ(journal.position, 7u);
  EXPECT_EQ(journal.fact, "fact");
  EXPECT_EQ(journal.chain_hash[0], 0x5a);
  EXPECT_FALSE(keys::ParseJournal(position_key, "short", &journal));

  const std::string posting_key =
      keys::PostingKey("b", "alice", 42).substr(keys::ScopedPrefix(KeyTag::kPosting, "b").size());
  std::string balance;
  PutFixed64BigEndian(&balance, static_cast<uint64_t>(int64_t{-90}));
  PostingRecord posting;
  ASSERT_TRUE(keys::ParsePosting(posting_key, balance, &posting));
  EXPECT_EQ(posting.account_id, "alice");
  EXPECT_EQ(posting.seq, 42u);
  EXPECT_EQ(posting.balance_after_minutes, -90);
  EXPECT_FALSE(keys::ParsePosting("alice", balance, &posting));

  const std::string node_key =
      keys::MerkleKey("b", 5, 3).substr(keys::ScopedPrefix(KeyTag::kMerkleNode, "b").size());
  MerkleNode node;
  ASSERT_TRUE(keys::ParseMerkleNode(node_key, std::string(kDigestBytes, '\1'), &node));
  EXPECT_EQ(node.level, 5);
  EXPECT_EQ(node.index, 3u);
  EXPECT_FALSE(keys::ParseMerkleNode(node_key, "x", &node));
}

TEST(KeysTest, AJournalValueKeepsTheChainHashOfEvery64thFactAndBothFormsRead) {
  const std::string fact_bytes = std::string(1, '\x01') + "fact";
  Digest chain{};
  chain.fill(0x5a);
  for (const uint64_t position : {uint64_t{0}, uint64_t{62}, uint64_t{64}, uint64_t{200}}) {
    const std::string value = keys::JournalValue(position, fact_bytes, chain);
    EXPECT_EQ(value, std::string(1, '\0') + std::string(8, '\x5a') + fact_bytes) << position;
  }
  for (const uint64_t position : {uint64_t{63}, uint64_t{127}, uint64_t{64 * 1000 + 63}}) {
    const std::string value = keys::JournalValue(position, fact_bytes, chain);
    EXPECT_EQ(value, fact_bytes + std::string(kDigestBytes, '\x5a')) << position;
  }
  absl::string_view fact, hash;
  const std::string with_prefix = std::string(1, '\0') + std::string(8, '\x22') + fact_bytes;
  ASSERT_TRUE(keys::SplitJournalValue(with_prefix, &fact, &hash));
  EXPECT_EQ(fact, fact_bytes);
  EXPECT_EQ(hash, std::string(8, '\x22'));
  // A record of layout 3 or before: the fact, then its chain hash, at any position.
  const std::string old = fact_bytes + std::string(kDigestBytes, '\x11');
  ASSERT_TRUE(keys::SplitJournalValue(old, &fact, &hash));
  EXPECT_EQ(fact, fact_bytes);
  EXPECT_EQ(hash, std::string(kDigestBytes, '\x11'));
  EXPECT_FALSE(keys::SplitJournalValue(std::string(1, '\0'), &fact, &hash));
  EXPECT_FALSE(keys::SplitJournalValue(std::string(9, '\0'), &fact, &hash));
  EXPECT_FALSE(keys::SplitJournalValue(std::string(kDigestBytes, '\x11'), &fact, &hash));

  EXPECT_EQ(keys::ChainHashCheckpointBefore(0), std::nullopt);
  EXPECT_EQ(keys::ChainHashCheckpointBefore(63), std::nullopt);
  EXPECT_EQ(keys::ChainHashCheckpointBefore(64), 63u);
  EXPECT_EQ(keys::ChainHashCheckpointBefore(127), 63u);
  EXPECT_EQ(keys::ChainHashCheckpointBefore(128), 127u);
}

Bank TestBank(const std::string& id) {
  return Bank{id, "Test bank", "Europe/London", absl::FromUnixSeconds(1'790'000'000)};
}

Account TestAccount(const std::string& bank_id, const std::string& id, int64_t balance) {
  Account account;
  account.bank_id = bank_id;
  account.account_id = id;
  account.display_name = "Name of " + id;
  account.opened_at = absl::FromUnixSeconds(1'790'000'000);
  account.balance_minutes = balance;
  return account;
}

std::vector<std::string> AccountIds(Store& store, const std::string& bank_id) {
  std::vector<std::string> ids;
  EXPECT_TRUE(store
                  .ForEachAccount(bank_id,
                                  [&](const Account& account) {
                                    ids.push_back(account.account_id);
                                    return absl::OkStatus();
                                  })
                  .ok());
  return ids;
}

class StoreTest : public ::testing::Test {
 protected:
  void Open(std::shared_ptr<const StoreTestHooks> hooks = nullptr) {
    store_.reset();
    StoreOptions options;
    options.path = dir_.path() + "/store";
    options.test_hooks = std::move(hooks);
    auto opened = OpenRocksDbStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, ABatchCommitsEveryWriteSinceItsKeptSavepoints) {
  Open();
  auto batch = store_->NewBatch();
  EXPECT_TRUE(batch->empty());
  batch->PutBank(TestBank("b"));
  batch->PutAccount(TestAccount("b", "kept", 10));
  batch->SetSavePoint();
  batch->PutAccount(TestAccount("b", "dropped", 20));
  batch->RollbackToSavePoint();
  batch->SetSavePoint();
  batch->PutAccount(TestAccount("b", "released", 30));
  batch->ReleaseSavePoint();
  ASSERT_TRUE(store_->Commit(batch.get()).ok());
  EXPECT_EQ(AccountIds(*store_, "b"), (std::vector<std::string>{"kept", "released"}));
  Open();  // durable: read again from the files
  EXPECT_EQ(AccountIds(*store_, "b"), (std::vector<std::string>{"kept", "released"}));
}

// Facts 0..`count`-1 of bank "b" as a journal chains them: each fact's text and chain hash.
std::vector<std::pair<std::string, Digest>> ChainedFacts(uint64_t count) {
  std::vector<std::pair<std::string, Digest>> facts;
  Digest chain{};
  for (uint64_t position = 0; position < count; ++position) {
    std::string fact = absl::StrCat(std::string(1, '\x01'), "fact ", position);
    chain = JournalChainHash(chain, MerkleLeafHash(fact));
    facts.emplace_back(std::move(fact), chain);
  }
  return facts;
}

TEST_F(StoreTest, ListJournalGivesEveryChainHashThoughOnlyEvery64thIsStored) {
  Open();
  const auto facts = ChainedFacts(300);
  // Facts 0..99 as layout 3 wrote them (every chain hash stored), the rest as this code does.
  {
    auto batch = store_->NewBatch();
    for (uint64_t position = 100; position < facts.size(); ++position) {
      batch->PutJournalRecord("b", position, facts[position].first, facts[position].second);
    }
    ASSERT_TRUE(store_->Commit(batch.get()).ok());
  }
  store_.reset();
  {
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status opened =
        rocksdb::DB::Open(rocksdb::Options(), dir_.path() + "/store", &raw);
    ASSERT_TRUE(opened.ok()) << opened.ToString();
    std::unique_ptr<rocksdb::DB> db(raw);
    for (uint64_t position = 0; position < 100; ++position) {
      std::string value = facts[position].first;
      value.append(reinterpret_cast<const char*>(facts[position].second.data()), kDigestBytes);
      ASSERT_TRUE(
          db->Put(rocksdb::WriteOptions(), keys::SeqKey(KeyTag::kJournal, "b", position), value)
              .ok());
    }
  }
  Open();
  for (const uint64_t from : {0, 1, 63, 64, 99, 100, 101, 127, 128, 130, 255, 296}) {
    auto page = store_->ListJournal("b", from, 4, std::nullopt);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_EQ(page->size(), std::min<size_t>(4, facts.size() - from)) << from;
    for (const JournalRecord& record : *page) {
      EXPECT_EQ(record.fact, facts[record.position].first);
      EXPECT_EQ(record.chain_hash, facts[record.position].second) << record.position;
      EXPECT_EQ(record.chain_hash_stored_bytes,
                record.position < 100 || record.position % keys::kChainHashStride == 63 ? 32u : 8u)
          << record.position;
    }
  }
  // A reader that carries the chain from its last page starts at its position, with the same
  // hashes.
  for (const uint64_t from : {1, 63, 64, 99, 100, 101, 127, 128, 130, 255, 296}) {
    auto page = store_->ListJournal("b", from, 70, facts[from - 1].second);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_EQ(page->size(), std::min<size_t>(70, facts.size() - from)) << from;
    for (const JournalRecord& record : *page) {
      EXPECT_EQ(record.chain_hash, facts[record.position].second) << from << " " << record.position;
      EXPECT_TRUE(StoredChainHashIs(record, facts[record.position].second));
    }
  }
  // A wrong chain_before gives no hash beyond what the store holds: the hashes computed from it
  // disagree with the stored bytes, and stay as stored.
  {
    Digest wrong{};
    wrong.fill(0xee);
    auto page = store_->ListJournal("b", 130, 3, wrong);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_EQ(page->size(), 3u);
    EXPECT_NE((*page)[0].chain_hash, facts[130].second);
    EXPECT_TRUE(StoredChainHashIs((*page)[0], facts[130].second));
  }
  // The cursor a verifier reads gives what is stored: it computes every hash itself.
  auto cursor = store_->Journal("b");
  JournalRecord record;
  uint64_t position = 0;
  while (cursor->Next(&record)) {
    ASSERT_EQ(record.position, position);
    Digest stored{};
    std::copy_n(facts[position].second.begin(), record.chain_hash_stored_bytes, stored.begin());
    EXPECT_EQ(record.chain_hash, stored) << position;
    ++position;
  }
  ASSERT_TRUE(cursor->status().ok());
  EXPECT_EQ(position, facts.size());
  cursor.reset();  // it holds the store open

  // A fact altered where only 8 bytes of its hash are stored: ListJournal does not make up a
  // whole hash for it or for those after it until the next whole one.
  store_.reset();
  {
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status opened =
        rocksdb::DB::Open(rocksdb::Options(), dir_.path() + "/store", &raw);
    ASSERT_TRUE(opened.ok()) << opened.ToString();
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(
        db->Put(rocksdb::WriteOptions(), keys::SeqKey(KeyTag::kJournal, "b", 140),
                keys::JournalValue(140, std::string(1, '\x01') + "forged", facts[140].second))
            .ok());
  }
  Open();
  // A fact alone, in either form, without its chain hash.
  for (const uint64_t position : {uint64_t{5}, uint64_t{127}, uint64_t{200}}) {
    auto fact = store_->GetFact("b", position);
    ASSERT_TRUE(fact.ok()) << fact.status();
    EXPECT_EQ(*fact, facts[position].first) << position;
  }
  EXPECT_EQ(*store_->GetFact("b", 140), std::string(1, '\x01') + "forged");
  EXPECT_EQ(*store_->GetFact("b", facts.size()), std::nullopt);
  auto page = store_->ListJournal("b", 139, 3, std::nullopt);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].chain_hash, facts[139].second);
  for (const JournalRecord& after : {(*page)[1], (*page)[2]}) {
    EXPECT_NE(after.chain_hash, facts[after.position].second) << after.position;
    EXPECT_TRUE(std::equal(after.chain_hash.begin(), after.chain_hash.begin() + 8,
                           facts[after.position].second.begin()))
        << after.position;
  }
}

TEST_F(StoreTest, ARefusedBatchWritesNothingOfIt) {
  auto fs = std::make_shared<FaultyFileSystem>();
  auto hooks = std::make_shared<StoreTestHooks>();
  hooks->file_system = fs;
  Open(hooks);
  auto first = store_->NewBatch();
  first->PutBank(TestBank("b"));
  first->PutAccount(TestAccount("b", "alice", 0));
  ASSERT_TRUE(store_->Commit(first.get()).ok());

  fs->Arm(FaultPoint::kWalAppend, FaultError::kIoError);
  auto refused = store_->NewBatch();
  refused->PutAccount(TestAccount("b", "bob", 0));
  refused->PutAccount(TestAccount("b", "carol", 0));
  refused->PutBank(TestBank("c"));
  const absl::Status status = store_->Commit(refused.get());
  EXPECT_EQ(ReasonOf(status), "STORE_FAILED") << status;
  EXPECT_EQ(AccountIds(*store_, "b"), std::vector<std::string>{"alice"});
  fs->Disarm();
  Open();
  EXPECT_EQ(AccountIds(*store_, "b"), std::vector<std::string>{"alice"});
  std::vector<std::string> banks;
  ASSERT_TRUE(store_
                  ->ForEachBank([&](const Bank& bank, const ChainHead&, const Policy&) {
                    banks.push_back(bank.bank_id);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(banks, std::vector<std::string>{"b"});
}

// Each reader made before a run of commits sees none of them, however the reads interleave with
// the commits; Store's own reads see each one once it is committed.
TEST_F(StoreTest, SnapshotsOfEitherCacheUseSeeOneMomentWhileCommitsRun) {
  Open();
  auto setup = store_->NewBatch();
  setup->PutBank(TestBank("b"));
  for (int i = 0; i < 10; ++i) setup->PutAccount(TestAccount("b", absl::StrCat("a", i), i));
  ASSERT_TRUE(store_->Commit(setup.get()).ok());

  auto view = store_->NewSnapshot(BlockCache::kFill);
  auto snapshot = store_->NewSnapshot(BlockCache::kBypass);
  constexpr int kCommits = 200;
  std::atomic<int> committed{0};
  std::thread writer([&] {
    for (int i = 0; i < kCommits; ++i) {
      auto batch = store_->NewBatch();
      batch->PutAccount(TestAccount("b", absl::StrCat("n", i), 1));
      batch->PutAccount(TestAccount("b", "a0", 1000 + i));  // an old account changes too
      ASSERT_TRUE(store_->Commit(batch.get()).ok());
      committed.fetch_add(1);
    }
  });
  int rounds = 0;
  while (committed.load() < kCommits || rounds < 3) {
    ++rounds;
    int in_view = 0;
    int64_t view_sum = 0;
    ASSERT_TRUE(view->ForEachAccount("b",
                                     [&](const Account& account) {
                                       ++in_view;
                                       view_sum += account.balance_minutes;
                                       return absl::OkStatus();
                                     })
                    .ok());
    EXPECT_EQ(in_view, 10);
    EXPECT_EQ(view_sum, 45);
    auto a0 = view->GetAccount("b", "a0");
    ASSERT_TRUE(a0.ok() && a0->has_value());
    EXPECT_EQ((*a0)->balance_minutes, 0);
    int in_snapshot = 0;
    ASSERT_TRUE(snapshot
                    ->ForEachAccount("b",
                                     [&](const Account&) {
                                       ++in_snapshot;
                                       return absl::OkStatus();
                                     })
                    .ok());
    EXPECT_EQ(in_snapshot, 10);
  }
  writer.join();
  EXPECT_EQ(AccountIds(*store_, "b").size(), 10u + kCommits);
  auto fresh = store_->NewSnapshot(BlockCache::kFill);
  auto a0 = fresh->GetAccount("b", "a0");
  ASSERT_TRUE(a0.ok() && a0->has_value());
  EXPECT_EQ((*a0)->balance_minutes, 1000 + kCommits - 1);
  view.reset();
  snapshot.reset();
  fresh.reset();
}

// Every key that a real ledger writes (the demo bank: entries, reversals, pending entries, a
// catalogue, awards, kiosk cards, policy changes, tokens) starts with a tag of the enum.
TEST(StoreKeysTest, EveryKeyOfTheDemoLedgerHasAKnownTag) {
  TempDir dir;
  {
    LedgerOptions options;
    options.data_dir = dir.path();
    options.sync = false;
    auto ledger = Ledger::Open(options);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ASSERT_TRUE(LoadDemoBankIfEmpty(**ledger).ok());
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Options db_options;
  const rocksdb::Status opened =
      rocksdb::DB::OpenForReadOnly(db_options, StorePathOf(dir.path()), &raw);
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  std::unique_ptr<rocksdb::DB> db(raw);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  std::set<KeyTag> seen;
  size_t count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++count) {
    const std::string key = it->key().ToString();
    const std::optional<KeyTag> tag = keys::TagOf(key);
    ASSERT_TRUE(tag.has_value()) << "a key with an unknown tag: " << absl::CEscape(key);
    seen.insert(*tag);
  }
  ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  EXPECT_GT(count, 100u);
  for (KeyTag tag : {KeyTag::kBank, KeyTag::kChainHead, KeyTag::kAccount, KeyTag::kLayoutVersion,
                     KeyTag::kEntryId, KeyTag::kPosting, KeyTag::kOccurred,
                     KeyTag::kTimeIndexMarker, KeyTag::kJournal, KeyTag::kEntryPosition,
                     KeyTag::kCatalogue, KeyTag::kHolding, KeyTag::kHolder, KeyTag::kAward,
                     KeyTag::kAwardTime, KeyTag::kMemberCard, KeyTag::kCardNumber}) {
    EXPECT_TRUE(seen.count(tag)) << "the demo ledger wrote no key tagged "
                                 << static_cast<char>(tag);
  }
  // An entry is stored once, in its journal fact: layout 2 writes no second copy.
  EXPECT_FALSE(seen.count(KeyTag::kEntry)) << "the demo ledger wrote a second copy of an entry";
}

}  // namespace
}  // namespace timeledger::ledger
