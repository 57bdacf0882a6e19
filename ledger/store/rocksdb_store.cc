// The RocksDB implementation of Store: the only file that knows RocksDB.
//
// Key layout (one column family; every id is [A-Za-z0-9._-] or, for entry ids, also ':', so the
// 0x00 separator never occurs inside one):
//
//   key          := bank | chain | account | entry | entry_id | reversal | posting | policy
//                   | policy_change | pending | resolved | journal | merkle_node | entry_position
//                   | occurred | time_index | member_card | card_number | card_attempts
//                   | catalogue | holding | holder | award | award_time | token | binding
//   bank         := 'b' bank_id                               -> EncodeBank
//   chain        := 'c' bank_id                               -> EncodeChainHead
//   account      := 'a' bank_id 0x00 account_id               -> EncodeAccount (balances included)
//   entry        := 'e' bank_id 0x00 seq:fixed64be            -> EncodeEntry (canonical || hash)
//   entry_id     := 'i' bank_id 0x00 entry_id                 -> EncodeEntryIdRecord
//   reversal     := 'r' bank_id 0x00 seq:fixed64be            -> reversing seq:fixed64be
//   posting      := 'p' bank_id 0x00 account_id 0x00 seq:fixed64be -> balance after:fixed64be
//   policy       := 'P' bank_id                               -> EncodePolicy (the one in force)
//   policy_change:= 'H' bank_id 0x00 version:fixed64be        -> str(old policy) str(new policy)
//   pending      := 'q' bank_id 0x00 entry_id                 -> EncodePendingEntry (open ones)
//   resolved     := 'Q' bank_id 0x00 entry_id                 -> EncodePendingEntry (resolved)
//   occurred     := 'o' bank_id 0x00 occurred_at_us:biased64be seq:fixed64be -> empty
//   time_index   := 'O'                                       -> empty: every entry has its 'o'
//                                                                key (the index is complete)
//   journal      := 'j' bank_id 0x00 position:fixed64be       -> fact (journal.h) || chain hash(32)
//   merkle_node  := 'm' bank_id 0x00 level:u8 index:fixed64be -> node hash (32), levels >=
//                                                                kMerkleStoredLevelMin (4)
//   entry_position := 'x' bank_id 0x00 seq:fixed64be          -> journal position:fixed64be
//   member_card  := 'k' bank_id 0x00 account_id               -> EncodeMemberCard (kiosk.h)
//   card_number  := 'n' bank_id 0x00 card_number              -> account_id
//   card_attempts:= 't' bank_id 0x00 card_number              -> EncodeCardAttempts (kiosk.h)
//
// Members at a kiosk: 'k' holds an account's card number and PIN hash (written with the card_set
// and pin_set facts), 'n' finds the account of a card number, and 't' counts wrong PINs and the
// lock. 't' is operational state, not a fact: it is written by its own small synced batch,
// outside the journal, and only while a card has failures or a lock. Kiosk sessions live in the
// server's memory only (services/kiosk_desk.h).
//
//   catalogue    := 'C' bank_id 0x00 kind:u8 code             -> EncodeCatalogueItem (as it stands)
//   holding      := 'U' bank_id 0x00 account_id 0x00 qualification_code -> EncodeHolding
//   holder       := 'L' bank_id 0x00 qualification_code 0x00 account_id -> empty: who holds it
//   award        := 'A' bank_id 0x00 award_id                 -> EncodeAward
//   award_time   := 'G' bank_id 0x00 attained_at_us:biased64be award_id -> empty: the time index
//                                                                of awards, for reports
//   token        := 'T' token_id                              -> EncodeTokenRecord (access.h):
//                                                                installation-wide, no bank
//   binding      := 'W' name 0x00 version:fixed64be           -> EncodePrincipalBinding
//                                                                (access.h): who a principal is,
//                                                                set by whom and when; a change
//                                                                is a new version
//
// Qualifications (ledger/rules/qualifications.h): 'C' is the catalogue (kind 1 qualification,
// 2 activity, 3 offer); 'U' what each account holds of each qualification, 'L' the same pairs
// the other way round, so that a qualification's holders are one scan; 'A' every award by its
// idempotency key, 'G' the awards in the order they were attained.
//
// The time index ('o', written with every entry) lets reports read the entries that occurred in
// a period without reading the rest; biased64be is the i64 plus 2^63, big-endian, so that key
// order is time order.
//
// The journal ('j') holds every fact of a bank at its position (from 0, the Merkle leaf index);
// 'm' the perfect Merkle subtrees that CompactMerkleTree::Append completed, for proofs, from level
// kMerkleStoredLevelMin up (a leaf hash is computed from its journal record, a subtree of up to 8
// leaves from theirs); 'x' the journal position of each entry.
//
// Big-endian seqs make iteration order the entry order. Every Put of an operation goes into one
// WriteBatch written with sync=true: an entry, its journal record, the Merkle nodes it completes
// and the chain head (which holds the journal's compact Merkle tree) are durable together.
//
// A failing disk. The first failed write or sync of the WAL, and the first failed flush or
// compaction (RocksDB's background errors, seen by FaultListener), stop writes: every Commit after
// it is refused with that failure (STORE_FULL for ENOSPC, STORE_FAILED otherwise) and that RocksDB
// instance is never written again. Its WAL writer may hold a half-written record and an error
// flag, and RocksDB asserts if it is used again (WritableFileWriter::
// AssertFalseAndGetStatusForPrevError). DB::Resume would not always replace it (it switches the
// WAL only if the memtable holds something, and refuses an EIO as fatal), so RocksDB's own
// recovery is off and Recover reopens instead: once a probe file can be written and synced, a
// read-only instance takes over the reads, the failed one is closed when its last reader is done
// (closing does not write to a WAL writer in error), and a new writable instance replaces the
// read-only one. Instances are shared_ptrs held by every reader for the length of its read.
// RocksDB's informational LOG is written by StoreInfoLog, with stdio: RocksDB's own logger uses
// the same asserting writer and aborted the server on the line after a failed one.
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/backup_engine.h>
#include <rocksdb/utilities/write_batch_with_index.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/store/store.h"
#include "ledger/store/store_test_hooks.h"

namespace timeledger::ledger {
namespace {

constexpr char kSeparator = '\0';

// An invariant of the store, checked in production builds too: one that does not hold stops the
// process before anything more is written.
void Invariant(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "timeledger store: invariant broken: %s\n", what);
  std::abort();
}

// What the store was doing when RocksDB answered: a failed write stops every later write until
// Recover (STORE_FAILED), a failed read is just that read's (STORE_UNAVAILABLE).
enum class RocksOp { kRead, kWrite };

// The one place a rocksdb::Status becomes an absl::Status.
absl::Status FromRocks(const rocksdb::Status& status, RocksOp op = RocksOp::kRead) {
  if (status.ok()) return absl::OkStatus();
  const std::string detail = status.ToString();
  if (status.IsCorruption()) {
    return Refuse(Reason::kStoreCorrupt, absl::StrCat("the ledger's store is damaged: ", detail));
  }
  if (status.IsNoSpace()) {
    return Refuse(Reason::kStoreFull,
                  absl::StrCat("the ledger's disk is full; writes resume by themselves once "
                               "there is space again: ",
                               detail));
  }
  if (op == RocksOp::kWrite) {
    return Refuse(Reason::kStoreFailed,
                  absl::StrCat("the ledger's disk failed a write; writes resume by "
                               "themselves once it takes writes again: ",
                               detail));
  }
  return Refuse(Reason::kStoreUnavailable, absl::StrCat("the ledger's store failed: ", detail));
}

std::string BankKey(absl::string_view bank_id) { return absl::StrCat("b", bank_id); }
std::string ChainKey(absl::string_view bank_id) { return absl::StrCat("c", bank_id); }

std::string ScopedPrefix(char tag, absl::string_view bank_id) {
  std::string key(1, tag);
  key.append(bank_id.data(), bank_id.size());
  key.push_back(kSeparator);
  return key;
}

std::string AccountKey(absl::string_view bank_id, absl::string_view account_id) {
  return absl::StrCat(ScopedPrefix('a', bank_id), account_id);
}

std::string SeqKey(char tag, absl::string_view bank_id, uint64_t seq) {
  std::string key = ScopedPrefix(tag, bank_id);
  PutFixed64BigEndian(&key, seq);
  return key;
}

std::string EntryIdKey(absl::string_view bank_id, absl::string_view entry_id) {
  return absl::StrCat(ScopedPrefix('i', bank_id), entry_id);
}

std::string PostingPrefix(absl::string_view bank_id, absl::string_view account_id) {
  std::string key = AccountKey(bank_id, account_id);
  key[0] = 'p';
  key.push_back(kSeparator);
  return key;
}

std::string PostingKey(absl::string_view bank_id, absl::string_view account_id, uint64_t seq) {
  std::string key = PostingPrefix(bank_id, account_id);
  PutFixed64BigEndian(&key, seq);
  return key;
}

// The smallest key greater than every key that starts with `prefix`.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

absl::Status Corrupt(absl::string_view what) {
  return Refuse(Reason::kCorruptRecord, absl::StrCat("a stored ", what, " is damaged"));
}

std::string MerkleLevelPrefix(absl::string_view bank_id, int level) {
  std::string key = ScopedPrefix('m', bank_id);
  key.push_back(static_cast<char>(level));
  return key;
}

std::string MerkleKey(absl::string_view bank_id, int level, uint64_t index) {
  std::string key = MerkleLevelPrefix(bank_id, level);
  PutFixed64BigEndian(&key, index);
  return key;
}

absl::string_view AsView(const rocksdb::Slice& slice) {
  return absl::string_view(slice.data(), slice.size());
}

void CopyDigest(absl::string_view bytes, Digest* digest) {
  std::memcpy(digest->data(), bytes.data(), digest->size());
}

// Parsers of the raw records that StoreSnapshot's cursors return. `key` is what follows the
// cursor's prefix. Each returns false for a malformed key or value.
bool ParseJournal(absl::string_view key, absl::string_view value, JournalRecord* record) {
  if (key.size() != 8 || value.size() < kDigestBytes) return false;
  record->position = DecodeFixed64BigEndian(key.data());
  record->fact.assign(value.data(), value.size() - kDigestBytes);
  CopyDigest(value.substr(value.size() - kDigestBytes), &record->chain_hash);
  return true;
}

bool ParseEntry(absl::string_view key, absl::string_view value, EntryRecord* record) {
  if (key.size() != 8) return false;
  record->seq = DecodeFixed64BigEndian(key.data());
  record->bytes.assign(value.data(), value.size());
  return true;
}

bool ParsePosting(absl::string_view key, absl::string_view value, PostingRecord* record) {
  if (key.size() < 10 || key[key.size() - 9] != kSeparator || value.size() != 8) return false;
  record->account_id.assign(key.data(), key.size() - 9);
  record->seq = DecodeFixed64BigEndian(key.data() + key.size() - 8);
  record->balance_after_minutes = static_cast<int64_t>(DecodeFixed64BigEndian(value.data()));
  return true;
}

bool ParseSeqMapping(absl::string_view key, absl::string_view value, SeqMapping* record) {
  if (key.size() != 8 || value.size() != 8) return false;
  record->seq = DecodeFixed64BigEndian(key.data());
  record->value = DecodeFixed64BigEndian(value.data());
  return true;
}

// A cursor over the keys that start with `prefix`, as of `snapshot` (or now, if null).
template <typename T>
class RocksCursor : public Cursor<T> {
 public:
  using Parse = bool (*)(absl::string_view key, absl::string_view value, T* record);

  // Visits the keys from `start` (the prefix itself if empty) that start with `prefix`, reading
  // `readahead_bytes` ahead in each table file (0: RocksDB's own, which starts small and grows).
  RocksCursor(rocksdb::DB* db, const rocksdb::Snapshot* snapshot, std::string prefix,
              Parse parse, std::string what, const std::string& start = "",
              size_t readahead_bytes = 0)
      : prefix_(std::move(prefix)),
        upper_(PrefixEnd(prefix_)),
        upper_slice_(upper_),
        parse_(parse),
        what_(std::move(what)) {
    rocksdb::ReadOptions options;
    options.snapshot = snapshot;
    options.iterate_upper_bound = &upper_slice_;
    options.fill_cache = false;  // an audit reads everything once: keep the cache for serving
    options.readahead_size = readahead_bytes;
    it_.reset(db->NewIterator(options));
    it_->Seek(start.empty() ? prefix_ : start);
  }

  bool Next(T* record) override {
    if (!status_.ok()) return false;
    if (!it_->Valid()) {
      status_ = FromRocks(it_->status());
      return false;
    }
    const absl::string_view key = AsView(it_->key()).substr(prefix_.size());
    if (!parse_(key, AsView(it_->value()), record)) {
      status_ = Corrupt(what_);
      return false;
    }
    it_->Next();
    return true;
  }

  absl::Status status() const override { return status_; }

 private:
  const std::string prefix_;
  const std::string upper_;
  rocksdb::Slice upper_slice_;
  Parse parse_;
  std::string what_;
  absl::Status status_;
  std::unique_ptr<rocksdb::Iterator> it_;  // last: destroyed before the bound it points at
};

// The readahead of the cursors that read a record per entry or per fact: a few large reads per
// table file instead of RocksDB's own, which starts at 8 KiB and grows to 256 KiB. The Merkle
// levels (one cursor each, most of them short) keep RocksDB's own.
constexpr size_t kLongScanReadaheadBytes = 2 << 20;

template <typename T>
std::unique_ptr<Cursor<T>> MakeCursor(rocksdb::DB* db, const rocksdb::Snapshot* snapshot,
                                      std::string prefix, typename RocksCursor<T>::Parse parse,
                                      std::string what, size_t readahead_bytes = 0) {
  return std::make_unique<RocksCursor<T>>(db, snapshot, std::move(prefix), parse,
                                          std::move(what), "", readahead_bytes);
}

class MerkleNodeCursor : public Cursor<MerkleNode> {
 public:
  MerkleNodeCursor(rocksdb::DB* db, const rocksdb::Snapshot* snapshot, absl::string_view bank_id,
                   int level)
      : level_(level),
        raw_(db, snapshot, MerkleLevelPrefix(bank_id, level), &ParseSeqHash, "Merkle node") {}

  bool Next(MerkleNode* node) override {
    JournalRecord raw;
    if (!raw_.Next(&raw)) return false;
    node->level = level_;
    node->index = raw.position;
    node->hash = raw.chain_hash;
    return true;
  }
  absl::Status status() const override { return raw_.status(); }

 private:
  // A fixed64 key and a bare 32-byte value, carried in a JournalRecord's fields.
  static bool ParseSeqHash(absl::string_view key, absl::string_view value, JournalRecord* out) {
    if (key.size() != 8 || value.size() != kDigestBytes) return false;
    out->position = DecodeFixed64BigEndian(key.data());
    CopyDigest(value, &out->chain_hash);
    return true;
  }

  int level_;
  RocksCursor<JournalRecord> raw_;
};

// A key (level:u8 index:fixed64be) after a bank's 'm' prefix, and a 32-byte node hash.
bool ParseMerkleNode(absl::string_view key, absl::string_view value, MerkleNode* node) {
  if (key.size() != 9 || value.size() != kDigestBytes) return false;
  node->level = static_cast<uint8_t>(key[0]);
  node->index = DecodeFixed64BigEndian(key.data() + 1);
  CopyDigest(value, &node->hash);
  return true;
}

// The Merkle nodes of one bank for one proof: the stored ones by point reads, the ones below
// kMerkleStoredLevelMin from the leaf hashes of the aligned run of 16 facts that holds them, read
// in one range and kept for the proof's other low nodes (a proof asks for those of at most three
// runs: its leaf's, the old tree's last and the new tree's last). Not thread-safe: one per proof.
class StoreNodeSource : public MerkleNodeSource {
 public:
  StoreNodeSource(std::shared_ptr<rocksdb::DB> db, absl::string_view bank_id)
      : db_(std::move(db)), bank_id_(bank_id) {}

  absl::StatusOr<Digest> NodeHash(int level, uint64_t index) const override {
    if (level < kMerkleStoredLevelMin) return ComputedHash(level, index);
    std::string value;
    auto status = db_->Get(rocksdb::ReadOptions(), MerkleKey(bank_id_, level, index), &value);
    if (status.IsNotFound()) {
      return Refuse(Reason::kMerkleNodeMissing,
                    absl::StrCat("bank ", bank_id_, " lacks its Merkle node at level ", level,
                                 ", index ", index),
                    {{"bank_id", bank_id_},
                     {"level", std::to_string(level)},
                     {"index", std::to_string(index)}});
    }
    if (!status.ok()) return FromRocks(status);
    if (value.size() != kDigestBytes) return Corrupt("Merkle node");
    Digest hash;
    CopyDigest(value, &hash);
    return hash;
  }

 private:
  static constexpr uint64_t kRunLeaves = uint64_t{1} << kMerkleStoredLevelMin;
  static constexpr size_t kRunsKept = 3;

  // The leaf hashes of the facts [first, first + size) of one aligned run; size is short of
  // kRunLeaves where the journal ends (or lacks a fact) inside the run.
  struct LeafRun {
    uint64_t first = UINT64_MAX;
    uint64_t size = 0;
    std::array<Digest, kRunLeaves> leaves;
  };

  // A node below kMerkleStoredLevelMin: a leaf hash, SHA-256(0x00 || fact), or the root of the
  // perfect subtree over the 2^level facts it covers, from the run that holds them.
  absl::StatusOr<Digest> ComputedHash(int level, uint64_t index) const {
    const uint64_t first = index << level;
    const uint64_t count = uint64_t{1} << level;
    auto run = RunOf(first);
    if (!run.ok()) return run.status();
    const uint64_t offset = first - (*run)->first;
    if (offset + count > (*run)->size) return Gap((*run)->first + (*run)->size);
    return MerkleTreeHash(absl::MakeConstSpan((*run)->leaves.data() + offset, count));
  }

  // Returns the run that holds fact `position`, reading it if no run kept holds it.
  absl::StatusOr<const LeafRun*> RunOf(uint64_t position) const {
    const uint64_t first = position & ~(kRunLeaves - 1);
    for (const LeafRun& run : runs_) {
      if (run.first == first) return &run;
    }
    LeafRun& run = runs_[next_run_];
    next_run_ = (next_run_ + 1) % kRunsKept;
    run.first = UINT64_MAX;  // until read in full
    run.size = 0;
    const std::string upper = SeqKey('j', bank_id_, first + kRunLeaves);
    const rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions options;
    options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
    uint64_t size = 0;
    for (it->Seek(SeqKey('j', bank_id_, first)); it->Valid(); it->Next(), ++size) {
      if (AsView(it->key()) != SeqKey('j', bank_id_, first + size)) break;  // a gap
      auto leaf = LeafHashOf(AsView(it->value()));
      if (!leaf.ok()) return leaf.status();
      run.leaves[size] = *leaf;
    }
    if (!it->status().ok()) return FromRocks(it->status());
    run.first = first;
    run.size = size;
    return &run;
  }

  // SHA-256(0x00 || fact) of a journal record (the fact, then its 32-byte chain hash).
  static absl::StatusOr<Digest> LeafHashOf(absl::string_view record) {
    if (record.size() < kDigestBytes) return Corrupt("journal record");
    return MerkleLeafHash(std::string_view(record.data(), record.size() - kDigestBytes));
  }

  absl::Status Gap(uint64_t position) const {
    return Refuse(Reason::kJournalGap,
                  absl::StrCat("bank ", bank_id_, " lacks its journal fact ", position),
                  {{"bank_id", bank_id_}, {"position", std::to_string(position)}});
  }

  std::shared_ptr<rocksdb::DB> db_;
  std::string bank_id_;
  mutable std::array<LeafRun, kRunsKept> runs_;
  mutable size_t next_run_ = 0;
};

constexpr char kTimeIndexMarkerKey[] = "O";

// 'o' bank_id 0x00 occurred_at_us:biased64be: where the time index of `time` begins.
std::string OccurredBound(absl::string_view bank_id, absl::Time time) {
  std::string key = ScopedPrefix('o', bank_id);
  PutFixed64BigEndian(&key, static_cast<uint64_t>(ToMicros(time)) ^ (uint64_t{1} << 63));
  return key;
}

std::string OccurredKey(absl::string_view bank_id, absl::Time occurred_at, uint64_t seq) {
  std::string key = OccurredBound(bank_id, occurred_at);
  PutFixed64BigEndian(&key, seq);
  return key;
}

std::string Biased(absl::Time time) {
  std::string bytes;
  PutFixed64BigEndian(&bytes, static_cast<uint64_t>(ToMicros(time)) ^ (uint64_t{1} << 63));
  return bytes;
}

std::string CataloguePrefix(absl::string_view bank_id, CatalogueKind kind) {
  std::string key = ScopedPrefix('C', bank_id);
  key.push_back(static_cast<char>(kind));
  return key;
}

std::string CatalogueKey(absl::string_view bank_id, CatalogueKind kind, absl::string_view code) {
  return absl::StrCat(CataloguePrefix(bank_id, kind), code);
}

// 'U' or 'L': tag bank_id 0x00 first 0x00 [second].
std::string PairKey(char tag, absl::string_view bank_id, absl::string_view first,
                    absl::string_view second) {
  std::string key = absl::StrCat(ScopedPrefix(tag, bank_id), first);
  key.push_back(kSeparator);
  key.append(second.data(), second.size());
  return key;
}

// The smallest key after every key that starts with `prefix` + `after`, or `prefix` itself.
std::string StartAfter(const std::string& prefix, absl::string_view after) {
  if (after.empty()) return prefix;
  return absl::StrCat(prefix, after, absl::string_view("\0", 1));
}

std::string AwardKey(absl::string_view bank_id, absl::string_view award_id) {
  return absl::StrCat(ScopedPrefix('A', bank_id), award_id);
}

class RocksDbBatch : public StoreBatch {
 public:
  void PutBank(const Bank& bank) override { Put(BankKey(bank.bank_id), EncodeBank(bank)); }

  void PutAccount(const Account& account) override {
    Put(AccountKey(account.bank_id, account.account_id), EncodeAccount(account));
  }

  void PutEntry(const Entry& entry, int64_t from_balance_after,
                int64_t to_balance_after) override {
    Put(SeqKey('e', entry.bank_id, entry.seq), EncodeEntry(entry));
    Put(OccurredKey(entry.bank_id, entry.occurred_at, entry.seq), std::string());
    PutPosting(entry, entry.from_account_id, from_balance_after);
    PutPosting(entry, entry.to_account_id, to_balance_after);
  }

  void PutEntryId(absl::string_view bank_id, absl::string_view entry_id,
                  const EntryIdRecord& record) override {
    Put(EntryIdKey(bank_id, entry_id), EncodeEntryIdRecord(record));
  }

  void PutReversal(absl::string_view bank_id, uint64_t seq, uint64_t reversed_by_seq) override {
    std::string value;
    PutFixed64BigEndian(&value, reversed_by_seq);
    Put(SeqKey('r', bank_id, seq), value);
  }

  void PutChainHead(absl::string_view bank_id, const ChainHead& head) override {
    Put(ChainKey(bank_id), EncodeChainHead(head));
  }

  void PutPolicy(absl::string_view bank_id, const Policy& policy) override {
    Put(absl::StrCat("P", bank_id), EncodePolicy(policy));
  }

  void PutPolicyChange(absl::string_view bank_id, const Policy& old_policy,
                       const Policy& new_policy) override {
    std::string value;
    PutLengthPrefixed(&value, EncodePolicy(old_policy));
    PutLengthPrefixed(&value, EncodePolicy(new_policy));
    Put(SeqKey('H', bank_id, new_policy.version), value);
  }

  void PutPending(const PendingEntry& pending) override {
    const std::string& bank_id = pending.entry.bank_id;
    const std::string open_key = absl::StrCat(ScopedPrefix('q', bank_id), pending.entry.entry_id);
    if (pending.state == PendingState::kPending) {
      Put(open_key, EncodePendingEntry(pending));
      return;
    }
    batch_.Delete(open_key).PermitUncheckedError();
    ++count_;
    Put(absl::StrCat(ScopedPrefix('Q', bank_id), pending.entry.entry_id),
        EncodePendingEntry(pending));
  }

  void PutJournalRecord(absl::string_view bank_id, uint64_t position, absl::string_view fact,
                        const Digest& chain_hash) override {
    std::string value(fact);
    PutDigest(&value, chain_hash);
    Put(SeqKey('j', bank_id, position), value);
  }

  void PutMerkleNode(absl::string_view bank_id, const MerkleNode& node) override {
    std::string value;
    PutDigest(&value, node.hash);
    Put(MerkleKey(bank_id, node.level, node.index), value);
  }

  void PutEntryPosition(absl::string_view bank_id, uint64_t seq, uint64_t position) override {
    std::string value;
    PutFixed64BigEndian(&value, position);
    Put(SeqKey('x', bank_id, seq), value);
  }

  void PutMemberCard(const MemberCard& card, absl::string_view old_card_number) override {
    if (!old_card_number.empty() && old_card_number != card.card_number) {
      batch_.Delete(absl::StrCat(ScopedPrefix('n', card.bank_id), old_card_number))
          .PermitUncheckedError();
      ++count_;
    }
    if (!card.card_number.empty()) {
      Put(absl::StrCat(ScopedPrefix('n', card.bank_id), card.card_number), card.account_id);
    }
    Put(absl::StrCat(ScopedPrefix('k', card.bank_id), card.account_id), EncodeMemberCard(card));
  }

  void PutCardAttempts(absl::string_view bank_id, absl::string_view card_number,
                       const CardAttempts& attempts) override {
    const std::string key = absl::StrCat(ScopedPrefix('t', bank_id), card_number);
    if (attempts.failed == 0 && attempts.locked_until == absl::InfinitePast()) {
      batch_.Delete(key).PermitUncheckedError();
      ++count_;
      return;
    }
    Put(key, EncodeCardAttempts(attempts));
  }

  void PutCatalogueItem(const CatalogueItem& item) override {
    Put(CatalogueKey(item.bank_id, item.kind, item.code), EncodeCatalogueItem(item));
  }

  void PutHolding(const Holding& holding) override {
    Put(PairKey('U', holding.bank_id, holding.account_id, holding.qualification_code),
        EncodeHolding(holding));
    Put(PairKey('L', holding.bank_id, holding.qualification_code, holding.account_id),
        std::string());
  }

  void PutAward(const Award& award) override {
    Put(AwardKey(award.bank_id, award.award_id), EncodeAward(award));
    Put(absl::StrCat(ScopedPrefix('G', award.bank_id), Biased(award.attained_at), award.award_id),
        std::string());
  }

  void PutToken(const TokenRecord& record) override {
    Put(absl::StrCat("T", record.token_id), EncodeTokenRecord(record));
  }

  void PutPrincipalBinding(const PrincipalBinding& binding) override {
    Put(SeqKey('W', binding.principal.name, binding.version), EncodePrincipalBinding(binding));
  }

  void SetSavePoint() override {
    batch_.SetSavePoint();
    saved_counts_.push_back(count_);
  }

  void RollbackToSavePoint() override {
    batch_.RollbackToSavePoint().PermitUncheckedError();
    count_ = saved_counts_.back();
    saved_counts_.pop_back();
  }

  void ReleaseSavePoint() override {
    batch_.PopSavePoint().PermitUncheckedError();
    saved_counts_.pop_back();
  }

  bool empty() const override { return count_ == 0; }

  rocksdb::WriteBatch* batch() { return &batch_; }

 private:
  void Put(const std::string& key, const std::string& value) {
    batch_.Put(key, value).PermitUncheckedError();
    ++count_;
  }

  static void PutDigest(std::string* out, const Digest& digest) {
    out->append(reinterpret_cast<const char*>(digest.data()), digest.size());
  }

  void PutPosting(const Entry& entry, absl::string_view account_id, int64_t balance_after) {
    std::string value;
    PutFixed64BigEndian(&value, static_cast<uint64_t>(balance_after));
    Put(PostingKey(entry.bank_id, account_id, entry.seq), value);
  }

  rocksdb::WriteBatch batch_;
  size_t count_ = 0;
  std::vector<size_t> saved_counts_;
};

using RawVisitor = std::function<absl::Status(absl::string_view key, absl::string_view value)>;

// Visits keys in [start, end) as `read_options` sees them.
absl::Status ScanRange(rocksdb::DB* db, rocksdb::ReadOptions read_options, const std::string& start,
                       const std::string& end, const RawVisitor& visit) {
  rocksdb::Slice upper(end);
  read_options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options));
  for (it->Seek(start); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    const rocksdb::Slice value = it->value();
    auto status = visit(absl::string_view(key.data(), key.size()),
                        absl::string_view(value.data(), value.size()));
    if (!status.ok()) return status;
  }
  return FromRocks(it->status());
}

// A ReadView bound to one rocksdb::Snapshot, released with the view.
class RocksDbReadView : public ReadView {
 public:
  explicit RocksDbReadView(std::shared_ptr<rocksdb::DB> db)
      : owner_(std::move(db)), db_(owner_.get()), snapshot_(db_->GetSnapshot()) {}
  ~RocksDbReadView() override {
    point_.reset();
    db_->ReleaseSnapshot(snapshot_);
  }

  RocksDbReadView(const RocksDbReadView&) = delete;
  RocksDbReadView& operator=(const RocksDbReadView&) = delete;

  absl::StatusOr<std::optional<Bank>> GetBank(absl::string_view bank_id) override {
    std::string value;
    auto found = Get(BankKey(bank_id), &value);
    if (!found.ok()) return found.status();
    if (!*found) return std::optional<Bank>();
    auto bank = DecodeBank(value);
    if (!bank.ok()) return bank.status();
    return std::optional<Bank>(*std::move(bank));
  }

  absl::StatusOr<ChainHead> GetChainHead(absl::string_view bank_id) override {
    std::string value;
    auto found = Get(ChainKey(bank_id), &value);
    if (!found.ok()) return found.status();
    if (!*found) return ChainHead{};
    return DecodeChainHead(value);
  }

  absl::StatusOr<Policy> GetPolicy(absl::string_view bank_id) override {
    std::string value;
    auto found = Get(absl::StrCat("P", bank_id), &value);
    if (!found.ok()) return found.status();
    if (!*found) return Policy{};
    return DecodePolicy(value);
  }

  absl::StatusOr<std::optional<Account>> GetAccount(absl::string_view bank_id,
                                                    absl::string_view account_id) override {
    std::string value;
    auto found = Get(AccountKey(bank_id, account_id), &value);
    if (!found.ok()) return found.status();
    if (!*found) return std::optional<Account>();
    auto account = DecodeAccount(value);
    if (!account.ok()) return account.status();
    return std::optional<Account>(*std::move(account));
  }

  absl::Status ForEachAccount(absl::string_view bank_id,
                              const std::function<absl::Status(const Account&)>& visit) override {
    const std::string prefix = ScopedPrefix('a', bank_id);
    return ScanRange(db_, Options(), prefix, PrefixEnd(prefix),
                     [&](absl::string_view, absl::string_view value) -> absl::Status {
                       auto account = DecodeAccount(value);
                       if (!account.ok()) return account.status();
                       return visit(*account);
                     });
  }

  absl::StatusOr<std::optional<Entry>> GetEntry(absl::string_view bank_id,
                                                uint64_t seq) override {
    std::string value;
    auto found = Get(SeqKey('e', bank_id, seq), &value);
    if (!found.ok()) return found.status();
    if (!*found) return std::optional<Entry>();
    auto entry = DecodeEntry(value);
    if (!entry.ok()) return entry.status();
    return std::optional<Entry>(*std::move(entry));
  }

  absl::Status ForEachEntryOccurredIn(
      absl::string_view bank_id, absl::Time from, absl::Time to, size_t entries_max,
      const std::function<absl::Status(const Entry&)>& visit) override {
    if (to <= from) return absl::OkStatus();
    // First the seqs from the time index, then the entries in seq order: entries recorded
    // together sit together, so most steps are an iterator's Next, not a Seek.
    std::vector<uint64_t> seqs;
    const size_t prefix_size = ScopedPrefix('o', bank_id).size();
    auto status = ScanRange(
        db_, Options(/*fill_cache=*/false), OccurredBound(bank_id, from),
        OccurredBound(bank_id, to), [&](absl::string_view key, absl::string_view) -> absl::Status {
          if (key.size() != prefix_size + 16) return Corrupt("time index key");
          if (seqs.size() == entries_max) {
            return Refuse(Reason::kReportTooLarge,
                          absl::StrCat("more than ", entries_max,
                                       " entries occurred in the period; choose a shorter period"),
                          {{"limit", std::to_string(entries_max)}});
          }
          seqs.push_back(DecodeFixed64BigEndian(key.data() + prefix_size + 8));
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
    std::sort(seqs.begin(), seqs.end());
    return VisitEntries(bank_id, seqs, visit);
  }

  absl::Status ForEachPosting(
      absl::string_view bank_id, absl::string_view account_id, uint64_t after_seq,
      uint64_t through_seq,
      const std::function<absl::Status(const Entry&, int64_t balance_after)>& visit) override {
    if (through_seq <= after_seq) return absl::OkStatus();
    const std::string prefix = PostingPrefix(bank_id, account_id);
    std::vector<std::pair<uint64_t, int64_t>> postings;  // seq, balance after
    const std::string end = through_seq == UINT64_MAX
                                ? PrefixEnd(prefix)
                                : PostingKey(bank_id, account_id, through_seq + 1);
    auto status = ScanRange(
        db_, Options(), PostingKey(bank_id, account_id, after_seq + 1), end,
        [&](absl::string_view key, absl::string_view value) -> absl::Status {
          if (value.size() != 8 || key.size() != prefix.size() + 8) return Corrupt("posting");
          postings.emplace_back(DecodeFixed64BigEndian(key.data() + prefix.size()),
                                static_cast<int64_t>(DecodeFixed64BigEndian(value.data())));
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
    for (const auto& [seq, balance_after] : postings) {
      auto entry = GetEntry(bank_id, seq);
      if (!entry.ok()) return entry.status();
      if (!entry->has_value()) return Corrupt("posting without its entry");
      if (auto s = visit(**entry, balance_after); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<int64_t>> BalancesAfter(absl::string_view bank_id,
                                                     const std::vector<std::string>& account_ids,
                                                     uint64_t seq) override {
    std::vector<int64_t> balances(account_ids.size(), 0);
    if (seq == 0 || account_ids.empty()) return balances;
    const std::string bank_prefix = ScopedPrefix('p', bank_id);
    const std::string bank_end = PrefixEnd(bank_prefix);
    rocksdb::ReadOptions read_options = Options();
    rocksdb::Slice lower(bank_prefix);
    rocksdb::Slice upper(bank_end);
    read_options.iterate_lower_bound = &lower;
    read_options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    for (size_t i = 0; i < account_ids.size(); ++i) {
      const std::string prefix = PostingPrefix(bank_id, account_ids[i]);
      it->SeekForPrev(PostingKey(bank_id, account_ids[i], seq));
      if (!it->Valid()) continue;
      const rocksdb::Slice key = it->key();
      const rocksdb::Slice value = it->value();
      if (!key.starts_with(prefix)) continue;  // no posting of this account by then
      if (value.size() != 8 || key.size() != prefix.size() + 8) return Corrupt("posting");
      balances[i] = static_cast<int64_t>(DecodeFixed64BigEndian(value.data()));
    }
    if (auto s = FromRocks(it->status()); !s.ok()) return s;
    return balances;
  }

  absl::Status ForEachOpenPending(
      absl::string_view bank_id,
      const std::function<absl::Status(const PendingEntry&)>& visit) override {
    return ForEachPending('q', bank_id, visit);
  }

  absl::Status ForEachResolvedPending(
      absl::string_view bank_id,
      const std::function<absl::Status(const PendingEntry&)>& visit) override {
    return ForEachPending('Q', bank_id, visit);
  }

  absl::Status ForEachAwardIn(absl::string_view bank_id, absl::Time from, absl::Time to,
                              size_t awards_max,
                              const std::function<absl::Status(const Award&)>& visit) override {
    if (to <= from) return absl::OkStatus();
    const std::string prefix = ScopedPrefix('G', bank_id);
    std::vector<std::string> award_ids;
    auto status = ScanRange(
        db_, Options(/*fill_cache=*/false), prefix + Biased(from), prefix + Biased(to),
        [&](absl::string_view key, absl::string_view) -> absl::Status {
          if (key.size() <= prefix.size() + 8) return Corrupt("award time index key");
          if (award_ids.size() == awards_max) {
            return Refuse(
                Reason::kReportTooLarge,
                absl::StrCat("more than ", awards_max,
                             " qualifications were awarded in the period; choose a shorter period"),
                {{"limit", std::to_string(awards_max)}});
          }
          award_ids.emplace_back(key.substr(prefix.size() + 8));
          return absl::OkStatus();
        });
    if (!status.ok()) return status;
    for (const std::string& award_id : award_ids) {
      std::string value;
      auto found = Get(AwardKey(bank_id, award_id), &value);
      if (!found.ok()) return found.status();
      if (!*found) return Corrupt("award time index entry");
      auto award = DecodeAward(value);
      if (!award.ok()) return award.status();
      if (auto s = visit(*award); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  // Big scans skip the block cache, so that a report does not evict what the writer needs.
  rocksdb::ReadOptions Options(bool fill_cache = true) const {
    rocksdb::ReadOptions read_options;
    read_options.snapshot = snapshot_;
    read_options.fill_cache = fill_cache;
    return read_options;
  }

  // Reads `key`; returns whether it exists. Through one iterator kept for the view rather than
  // DB::Get: a report makes thousands of point reads (reversals, statements), and a Get consults
  // the table's whole-key filter, which a large table may not keep in the block cache.
  absl::StatusOr<bool> Get(const std::string& key, std::string* value) {
    if (point_ == nullptr) point_.reset(db_->NewIterator(Options()));
    point_->Seek(key);
    if (!point_->Valid()) {
      if (auto s = FromRocks(point_->status()); !s.ok()) return s;
      return false;
    }
    if (point_->key() != rocksdb::Slice(key)) return false;
    value->assign(point_->value().data(), point_->value().size());
    return true;
  }

  absl::Status ForEachPending(char tag, absl::string_view bank_id,
                              const std::function<absl::Status(const PendingEntry&)>& visit) {
    const std::string prefix = ScopedPrefix(tag, bank_id);
    return ScanRange(db_, Options(), prefix, PrefixEnd(prefix),
                     [&](absl::string_view, absl::string_view value) -> absl::Status {
                       auto pending = DecodePendingEntry(value);
                       if (!pending.ok()) return pending.status();
                       return visit(*pending);
                     });
  }

  // Visits the entries `seqs` (sorted), stepping with Next over short gaps and seeking past
  // long ones.
  absl::Status VisitEntries(absl::string_view bank_id, const std::vector<uint64_t>& seqs,
                            const std::function<absl::Status(const Entry&)>& visit) {
    constexpr uint64_t kStepsBeforeSeek = 16;
    const std::string prefix = ScopedPrefix('e', bank_id);
    const std::string end = PrefixEnd(prefix);
    rocksdb::ReadOptions read_options = Options(/*fill_cache=*/false);
    rocksdb::Slice upper(end);
    read_options.iterate_upper_bound = &upper;
    read_options.readahead_size = 2 << 20;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    uint64_t at = 0;  // the seq the iterator is on; 0: not positioned
    auto seq_of = [&](const rocksdb::Slice& key) -> uint64_t {
      return key.size() == prefix.size() + 8 ? DecodeFixed64BigEndian(key.data() + prefix.size())
                                             : 0;
    };
    for (uint64_t seq : seqs) {
      if (at != 0 && seq > at && seq - at <= kStepsBeforeSeek) {
        while (it->Valid() && at < seq) {
          it->Next();
          at = it->Valid() ? seq_of(it->key()) : 0;
        }
      }
      if (at != seq) {
        it->Seek(SeqKey('e', bank_id, seq));
        at = it->Valid() ? seq_of(it->key()) : 0;
      }
      if (at != seq) {
        if (auto s = FromRocks(it->status()); !s.ok()) return s;
        return Corrupt("time index entry without its entry");
      }
      const rocksdb::Slice value = it->value();
      auto entry = DecodeEntry(absl::string_view(value.data(), value.size()));
      if (!entry.ok()) return entry.status();
      if (auto s = visit(*entry); !s.ok()) return s;
    }
    return FromRocks(it->status());
  }

  std::shared_ptr<rocksdb::DB> owner_;  // keeps the instance open while the view lives
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
  std::unique_ptr<rocksdb::Iterator> point_;  // for Get; released before the snapshot
};

// Visits every bank with its chain head and policy, as `read_options` sees them.
absl::Status ForEachBankIn(
    rocksdb::DB* db, const rocksdb::ReadOptions& read_options,
    const std::function<absl::Status(const Bank&, const ChainHead&, const Policy&)>& visit) {
  return ScanRange(db, read_options, "b", "c",
                   [&](absl::string_view, absl::string_view value) -> absl::Status {
                     auto bank = DecodeBank(value);
                     if (!bank.ok()) return bank.status();
                     ChainHead head;
                     std::string bytes;
                     auto status = db->Get(read_options, ChainKey(bank->bank_id), &bytes);
                     if (status.ok()) {
                       auto decoded = DecodeChainHead(bytes);
                       if (!decoded.ok()) return decoded.status();
                       head = *std::move(decoded);
                     } else if (!status.IsNotFound()) {
                       return FromRocks(status);
                     }
                     Policy policy;
                     status = db->Get(read_options, absl::StrCat("P", bank->bank_id), &bytes);
                     if (status.ok()) {
                       auto decoded = DecodePolicy(bytes);
                       if (!decoded.ok()) return decoded.status();
                       policy = *std::move(decoded);
                     } else if (!status.IsNotFound()) {
                       return FromRocks(status);
                     }
                     return visit(*bank, head, policy);
                   });
}

// A StoreSnapshot bound to one rocksdb::Snapshot, released with it.
class RocksDbSnapshot : public StoreSnapshot {
 public:
  explicit RocksDbSnapshot(std::shared_ptr<rocksdb::DB> db)
      : owner_(std::move(db)), db_(owner_.get()), snapshot_(db_->GetSnapshot()) {
    read_options_.snapshot = snapshot_;
    read_options_.fill_cache = false;
  }
  ~RocksDbSnapshot() override { db_->ReleaseSnapshot(snapshot_); }

  absl::Status ForEachBank(
      const std::function<absl::Status(const Bank&, const ChainHead&, const Policy&)>& visit)
      override {
    return ForEachBankIn(db_, read_options_, visit);
  }

  absl::Status ForEachAccount(absl::string_view bank_id,
                              const std::function<absl::Status(const Account&)>& visit) override {
    return ScanDecoded<Account>(ScopedPrefix('a', bank_id), &DecodeAccount, visit);
  }

  absl::Status ForEachOpenPending(
      absl::string_view bank_id,
      const std::function<absl::Status(const PendingEntry&)>& visit) override {
    return ScanDecoded<PendingEntry>(ScopedPrefix('q', bank_id), &DecodePendingEntry, visit);
  }

  std::unique_ptr<Cursor<JournalRecord>> Journal(absl::string_view bank_id) override {
    return MakeCursor<JournalRecord>(db_, snapshot_, ScopedPrefix('j', bank_id), &ParseJournal,
                                     "journal record", kLongScanReadaheadBytes);
  }

  std::unique_ptr<Cursor<MerkleNode>> MerkleNodes(absl::string_view bank_id, int level) override {
    return std::make_unique<MerkleNodeCursor>(db_, snapshot_, bank_id, level);
  }

  std::unique_ptr<Cursor<MerkleNode>> MerkleNodesFrom(absl::string_view bank_id,
                                                      int level) override {
    return std::make_unique<RocksCursor<MerkleNode>>(db_, snapshot_, ScopedPrefix('m', bank_id),
                                                     &ParseMerkleNode, "Merkle node",
                                                     MerkleLevelPrefix(bank_id, level));
  }

  std::unique_ptr<Cursor<EntryRecord>> Entries(absl::string_view bank_id) override {
    return MakeCursor<EntryRecord>(db_, snapshot_, ScopedPrefix('e', bank_id), &ParseEntry,
                                   "entry", kLongScanReadaheadBytes);
  }

  std::unique_ptr<Cursor<PostingRecord>> Postings(absl::string_view bank_id) override {
    return MakeCursor<PostingRecord>(db_, snapshot_, ScopedPrefix('p', bank_id), &ParsePosting,
                                     "posting", kLongScanReadaheadBytes);
  }

  std::unique_ptr<Cursor<SeqMapping>> Reversals(absl::string_view bank_id) override {
    return MakeCursor<SeqMapping>(db_, snapshot_, ScopedPrefix('r', bank_id), &ParseSeqMapping,
                                  "reversal marker");
  }

  std::unique_ptr<Cursor<SeqMapping>> EntryPositions(absl::string_view bank_id) override {
    return MakeCursor<SeqMapping>(db_, snapshot_, ScopedPrefix('x', bank_id), &ParseSeqMapping,
                                  "entry position", kLongScanReadaheadBytes);
  }

  absl::Status ForEachMemberCard(
      absl::string_view bank_id,
      const std::function<absl::Status(const MemberCard&)>& visit) override {
    return ScanDecoded<MemberCard>(ScopedPrefix('k', bank_id), &DecodeMemberCard, visit);
  }

  absl::Status ForEachCatalogueItem(
      absl::string_view bank_id,
      const std::function<absl::Status(const CatalogueItem&)>& visit) override {
    return ScanDecoded<CatalogueItem>(ScopedPrefix('C', bank_id), &DecodeCatalogueItem, visit);
  }

  absl::Status ForEachHolding(absl::string_view bank_id,
                              const std::function<absl::Status(const Holding&)>& visit) override {
    return ScanDecoded<Holding>(ScopedPrefix('U', bank_id), &DecodeHolding, visit);
  }

  absl::Status ForEachAward(absl::string_view bank_id,
                            const std::function<absl::Status(const Award&)>& visit) override {
    return ScanDecoded<Award>(ScopedPrefix('A', bank_id), &DecodeAward, visit);
  }

 private:
  template <typename T>
  absl::Status ScanDecoded(const std::string& prefix,
                           absl::StatusOr<T> (*decode)(absl::string_view),
                           const std::function<absl::Status(const T&)>& visit) {
    return ScanRange(db_, read_options_, prefix, PrefixEnd(prefix),
                     [&](absl::string_view, absl::string_view value) -> absl::Status {
                       auto record = decode(value);
                       if (!record.ok()) return record.status();
                       return visit(*record);
                     });
  }

  std::shared_ptr<rocksdb::DB> owner_;  // keeps the instance open while the snapshot lives
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions read_options_;
};

BackupInfo FromRocksBackup(const rocksdb::BackupInfo& info) {
  BackupInfo out;
  out.backup_id = info.backup_id;
  out.created_at = absl::FromUnixSeconds(info.timestamp);
  out.size_bytes = info.size;
  out.file_count = info.number_files;
  return out;
}

absl::Status BackupFailed(absl::string_view backup_dir, const rocksdb::Status& status) {
  if (status.IsCorruption()) {
    return Refuse(Reason::kBackupCorrupt,
                  absl::StrCat("the backup in ", backup_dir, " is damaged: ", status.ToString()),
                  {{"backup_dir", std::string(backup_dir)}});
  }
  return Refuse(
      Reason::kBackupFailed,
      absl::StrCat("cannot use the backup directory ", backup_dir, ": ", status.ToString()),
      {{"backup_dir", std::string(backup_dir)}});
}

// RocksDB wants absolute paths inside a backup directory.
std::string Absolute(const std::string& path) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenBackupsReadOnly(
    const std::string& given_dir) {
  const std::string backup_dir = Absolute(given_dir);
  if (!std::filesystem::is_directory(backup_dir)) {
    return Refuse(Reason::kBackupNotFound,
                  absl::StrCat("there is no backup directory ", backup_dir),
                  {{"backup_dir", backup_dir}});
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  auto status = rocksdb::BackupEngineReadOnly::Open(rocksdb::Env::Default(),
                                                    rocksdb::BackupEngineOptions(backup_dir), &raw);
  if (!status.ok()) return BackupFailed(backup_dir, status);
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(raw);
}

// Returns `backup_id`, or the newest backup's id if it is 0; NotFound if there is none.
absl::StatusOr<uint32_t> ChooseBackup(rocksdb::BackupEngineReadOnly& engine,
                                      const std::string& backup_dir, uint32_t backup_id) {
  std::vector<rocksdb::BackupInfo> infos;
  engine.GetBackupInfo(&infos);
  uint32_t newest = 0;
  for (const auto& info : infos) {
    if (info.backup_id == backup_id) return backup_id;
    newest = std::max(newest, info.backup_id);
  }
  if (backup_id == 0 && newest != 0) return newest;
  return Refuse(Reason::kBackupNotFound,
                backup_id == 0 ? absl::StrCat(backup_dir, " holds no backup")
                               : absl::StrCat(backup_dir, " holds no backup ", backup_id),
                {{"backup_dir", backup_dir}, {"backup_id", std::to_string(backup_id)}});
}

// The first failed write, sync, flush or compaction of one open writable RocksDB instance: once
// there is one, the store writes nothing more to that instance. Thread-safe.
class WriteFault {
 public:
  // Keeps `status` if it is the first failure.
  void Record(const rocksdb::Status& status) {
    if (status.ok()) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (first_.ok()) first_ = status;
  }
  // OK, or the first failure.
  rocksdb::Status first() const {
    std::lock_guard<std::mutex> lock(mu_);
    return first_;
  }

 private:
  mutable std::mutex mu_;
  rocksdb::Status first_ ABSL_GUARDED_BY(mu_);
};

// Records the background errors of its instance (a failed flush or compaction, and a failed
// WAL write or sync, which RocksDB reports this way too) in its WriteFault, and turns RocksDB's
// own recovery off: the store recovers by reopening (Store::Recover), so that nothing retries on
// a failed writer behind its back. Called by RocksDB with its mutex held: records, nothing more.
class FaultListener : public rocksdb::EventListener {
 public:
  explicit FaultListener(std::shared_ptr<WriteFault> fault) : fault_(std::move(fault)) {}

  void OnBackgroundError(rocksdb::BackgroundErrorReason /*reason*/,
                         rocksdb::Status* error) override {
    fault_->Record(*error);
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason /*reason*/, rocksdb::Status error,
                            bool* auto_recovery) override {
    error.PermitUncheckedError();
    *auto_recovery = false;
  }

 private:
  std::shared_ptr<WriteFault> fault_;
};

// RocksDB's informational LOG in the store's directory, written with stdio. RocksDB's own
// logger writes through a WritableFileWriter, which asserts (and Debian's build keeps
// assertions) on the first write after one that failed: on a full disk the LOG, not the data,
// aborted the server. Here a line that does not fit is lost and the next one is tried again.
// At open, and whenever it passes kInfoLogBytesMax, the LOG becomes LOG.old. Thread-safe.
class StoreInfoLog : public rocksdb::Logger {
 public:
  explicit StoreInfoLog(std::string path) : path_(std::move(path)) {
    std::lock_guard<std::mutex> lock(mu_);
    Rotate();
  }
  ~StoreInfoLog() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  StoreInfoLog(const StoreInfoLog&) = delete;
  StoreInfoLog& operator=(const StoreInfoLog&) = delete;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[kLineBytesMax];
    const std::string stamp =
        absl::FormatTime("%Y/%m/%d-%H:%M:%E6S ", absl::Now(), absl::LocalTimeZone());
    va_list copy;
    va_copy(copy, ap);
    const int length = std::vsnprintf(line, sizeof(line), format, copy);
    va_end(copy);
    if (length < 0) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (written_bytes_ > kInfoLogBytesMax) Rotate();
    if (file_ == nullptr) return;
    std::fputs(stamp.c_str(), file_);
    std::fputs(line, file_);
    if (length == 0 || line[std::min<size_t>(length, sizeof(line) - 1) - 1] != '\n') {
      std::fputc('\n', file_);
    }
    std::fflush(file_);
    std::clearerr(file_);  // a full disk now need not stop the lines after it
    written_bytes_ += stamp.size() + std::min<size_t>(length, sizeof(line)) + 1;
  }

 private:
  static constexpr size_t kLineBytesMax = 4096;
  static constexpr size_t kInfoLogBytesMax = 16 << 20;

  void Rotate() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (file_ != nullptr) std::fclose(file_);
    std::error_code ignored;  // no old LOG to keep, or no room to keep it: the new one matters
    std::filesystem::rename(path_, path_ + ".old", ignored);
    file_ = std::fopen(path_.c_str(), "w");
    written_bytes_ = 0;
  }

  const std::string path_;
  std::mutex mu_;
  std::FILE* file_ ABSL_GUARDED_BY(mu_) = nullptr;
  size_t written_bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

rocksdb::Options MakeOptions(const StoreOptions& store_options, rocksdb::Env* env);
rocksdb::Options MakeWritableOptions(const StoreOptions& store_options, rocksdb::Env* env,
                                     std::shared_ptr<rocksdb::Logger> info_log,
                                     std::shared_ptr<WriteFault> fault);

class RocksDbStore : public Store {
 public:
  // A store over `db`. `env`, if not null, is what every instance reads and writes through; it
  // outlives them. `fault` is null for a store opened read-only.
  RocksDbStore(StoreOptions options, std::shared_ptr<rocksdb::Env> env,
               std::shared_ptr<rocksdb::Logger> info_log, std::shared_ptr<rocksdb::DB> db,
               std::shared_ptr<WriteFault> fault)
      : options_(std::move(options)),
        env_(std::move(env)),
        info_log_(std::move(info_log)),
        writable_(fault != nullptr),
        db_(std::move(db)),
        fault_(std::move(fault)) {
    write_options_.sync = options_.sync;
  }

  std::unique_ptr<StoreBatch> NewBatch() override { return std::make_unique<RocksDbBatch>(); }

  std::unique_ptr<ReadView> NewReadView() override {
    return std::make_unique<RocksDbReadView>(Db());
  }

  absl::Status Commit(StoreBatch* batch) override {
    auto* rocks_batch = static_cast<RocksDbBatch*>(batch);
    std::lock_guard<std::mutex> writing(write_mu_);
    if (!writable_) return FromRocks(Db()->Write(write_options_, rocks_batch->batch()));
    std::shared_ptr<rocksdb::DB> db;
    std::shared_ptr<WriteFault> fault;
    absl::Status refusal = Current(&db, &fault);
    if (!refusal.ok()) return refusal;  // the failed instance is not written again
    Invariant(fault != nullptr, "a store that takes writes has a fault record");
    const rocksdb::Status written = db->Write(write_options_, rocks_batch->batch());
    if (written.ok()) return absl::OkStatus();
    fault->Record(written);
    const rocksdb::Status first = fault->first();
    Invariant(!first.ok(), "a failed write stops the writes after it");
    // The first failure is the cause: a write refused for a flush that failed before it says
    // only "Incomplete" (RocksDB stopped writes).
    return FromRocks(first, RocksOp::kWrite);
  }

  absl::Status WriteStatus() const override {
    if (!writable_) return absl::OkStatus();  // Commit answers for itself
    std::shared_ptr<rocksdb::DB> db;
    std::shared_ptr<WriteFault> fault;
    return Current(&db, &fault);
  }

  absl::Status Recover() override {
    std::lock_guard<std::mutex> writing(write_mu_);
    if (!writable_) return absl::OkStatus();
    std::shared_ptr<rocksdb::DB> db;
    std::shared_ptr<WriteFault> fault;
    const absl::Status refusal = Current(&db, &fault);
    db.reset();  // not a reader: the failed instance may close below
    if (refusal.ok()) return refusal;
    // The first try comes one interval after the failure is first seen, and each next one an
    // interval after the last: a disk that just failed is not hammered.
    const absl::Time now = absl::Now();
    if (!recovering_) {
      recovering_ = true;
      next_recovery_ = now + options_.recovery_interval;
    }
    if (now < next_recovery_) return refusal;
    next_recovery_ = now + options_.recovery_interval;
    if (!ProbeDisk().ok()) return refusal;
    // The failed instance makes way for a read-only stand-in that serves reads meanwhile.
    if (fault != nullptr) {
      auto stand_in = OpenStandIn();
      if (!stand_in.ok()) return refusal;
      std::lock_guard<std::mutex> lock(db_mu_);
      failed_ = std::exchange(db_, *std::move(stand_in));
      fault_ = nullptr;
      stand_in_refusal_ = refusal;
    }
    // Closed once no reader holds it (RocksDB's Close does not write to a WAL that failed).
    if (failed_ != nullptr) {
      if (failed_.use_count() > 1) return stand_in_refusal_;
      failed_.reset();
    }
    auto fresh_fault = std::make_shared<WriteFault>();
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status opened =
        rocksdb::DB::Open(MakeWritableOptions(options_, env_.get(), info_log_, fresh_fault),
                          options_.path, &raw);
    if (!opened.ok()) {
      stand_in_refusal_ = FromRocks(opened, RocksOp::kWrite);
      return stand_in_refusal_;
    }
    std::lock_guard<std::mutex> lock(db_mu_);
    db_ = std::shared_ptr<rocksdb::DB>(raw);  // the stand-in closes with its last reader
    fault_ = std::move(fresh_fault);
    stand_in_refusal_ = absl::OkStatus();
    recovering_ = false;
    return absl::OkStatus();
  }

  absl::Status ForEachBank(
      const std::function<absl::Status(const Bank&, const ChainHead&, const Policy&)>& visit)
      override {
    return Scan("b", "c", [&](absl::string_view, absl::string_view value) -> absl::Status {
      auto bank = DecodeBank(value);
      if (!bank.ok()) return bank.status();
      ChainHead head;
      std::string head_bytes;
      auto status = Db()->Get(rocksdb::ReadOptions(), ChainKey(bank->bank_id), &head_bytes);
      if (status.ok()) {
        auto decoded = DecodeChainHead(head_bytes);
        if (!decoded.ok()) return decoded.status();
        head = *decoded;
      } else if (!status.IsNotFound()) {
        return FromRocks(status);
      }
      Policy policy;
      std::string policy_bytes;
      status = Db()->Get(rocksdb::ReadOptions(), absl::StrCat("P", bank->bank_id), &policy_bytes);
      if (status.ok()) {
        auto decoded = DecodePolicy(policy_bytes);
        if (!decoded.ok()) return decoded.status();
        policy = *decoded;
      } else if (!status.IsNotFound()) {
        return FromRocks(status);
      }
      return visit(*bank, head, policy);
    });
  }

  absl::Status ForEachOpenPending(
      absl::string_view bank_id,
      const std::function<absl::Status(const PendingEntry&)>& visit) override {
    const std::string prefix = ScopedPrefix('q', bank_id);
    return Scan(prefix, PrefixEnd(prefix),
                [&](absl::string_view, absl::string_view value) -> absl::Status {
                  auto pending = DecodePendingEntry(value);
                  if (!pending.ok()) return pending.status();
                  return visit(*pending);
                });
  }

  absl::StatusOr<std::optional<PendingEntry>> GetPending(absl::string_view bank_id,
                                                         absl::string_view entry_id) override {
    for (char tag : {'q', 'Q'}) {
      std::string value;
      auto status = Db()->Get(rocksdb::ReadOptions(),
                              absl::StrCat(ScopedPrefix(tag, bank_id), entry_id), &value);
      if (status.IsNotFound()) continue;
      if (!status.ok()) return FromRocks(status);
      auto pending = DecodePendingEntry(value);
      if (!pending.ok()) return pending.status();
      return std::optional<PendingEntry>(*std::move(pending));
    }
    return std::optional<PendingEntry>();
  }

  absl::StatusOr<std::vector<std::pair<Policy, Policy>>> ListPolicyChanges(
      absl::string_view bank_id) override {
    std::vector<std::pair<Policy, Policy>> changes;
    const std::string prefix = ScopedPrefix('H', bank_id);
    auto status = Scan(prefix, PrefixEnd(prefix),
                       [&](absl::string_view, absl::string_view value) -> absl::Status {
                         Reader reader(value);
                         std::string old_bytes, new_bytes;
                         if (!reader.ReadLengthPrefixed(&old_bytes, 1 << 16) ||
                             !reader.ReadLengthPrefixed(&new_bytes, 1 << 16)) {
                           return Corrupt("policy change");
                         }
                         auto old_policy = DecodePolicy(old_bytes);
                         auto new_policy = DecodePolicy(new_bytes);
                         if (!old_policy.ok()) return old_policy.status();
                         if (!new_policy.ok()) return new_policy.status();
                         changes.emplace_back(*old_policy, *new_policy);
                         return absl::OkStatus();
                       });
    if (!status.ok()) return status;
    return changes;
  }

  absl::Status ForEachAccount(absl::string_view bank_id,
                              const std::function<absl::Status(const Account&)>& visit) override {
    const std::string prefix = ScopedPrefix('a', bank_id);
    return Scan(prefix, PrefixEnd(prefix),
                [&](absl::string_view, absl::string_view value) -> absl::Status {
                  auto account = DecodeAccount(value);
                  if (!account.ok()) return account.status();
                  return visit(*account);
                });
  }

  absl::Status ForEachToken(
      const std::function<absl::Status(const TokenRecord&)>& visit) override {
    return Scan("T", PrefixEnd("T"),
                [&](absl::string_view, absl::string_view value) -> absl::Status {
                  auto record = DecodeTokenRecord(value);
                  if (!record.ok()) return record.status();
                  return visit(*record);
                });
  }

  absl::Status ForEachPrincipalBinding(
      const std::function<absl::Status(const PrincipalBinding&)>& visit) override {
    return Scan("W", PrefixEnd("W"),
                [&](absl::string_view key, absl::string_view value) -> absl::Status {
                  auto binding = DecodePrincipalBinding(value);
                  if (!binding.ok()) return binding.status();
                  if (key != SeqKey('W', binding->principal.name, binding->version)) {
                    return Corrupt("principal binding");
                  }
                  return visit(*binding);
                });
  }

  absl::StatusOr<std::optional<Entry>> GetEntry(absl::string_view bank_id,
                                                uint64_t seq) override {
    std::string value;
    auto status = Db()->Get(rocksdb::ReadOptions(), SeqKey('e', bank_id, seq), &value);
    if (status.IsNotFound()) return std::optional<Entry>();
    if (!status.ok()) return FromRocks(status);
    auto entry = DecodeEntry(value);
    if (!entry.ok()) return entry.status();
    auto reversed_by = GetReversedBy(bank_id, seq);
    if (!reversed_by.ok()) return reversed_by.status();
    entry->reversed_by_seq = *reversed_by;
    return std::optional<Entry>(std::move(*entry));
  }

  absl::StatusOr<std::optional<EntryIdRecord>> GetEntryId(absl::string_view bank_id,
                                                          absl::string_view entry_id) override {
    std::string value;
    auto status = Db()->Get(rocksdb::ReadOptions(), EntryIdKey(bank_id, entry_id), &value);
    if (status.IsNotFound()) return std::optional<EntryIdRecord>();
    if (!status.ok()) return FromRocks(status);
    auto record = DecodeEntryIdRecord(value);
    if (!record.ok()) return record.status();
    return std::optional<EntryIdRecord>(*record);
  }

  absl::StatusOr<uint64_t> GetReversedBy(absl::string_view bank_id, uint64_t seq) override {
    std::string value;
    auto status = Db()->Get(rocksdb::ReadOptions(), SeqKey('r', bank_id, seq), &value);
    if (status.IsNotFound()) return uint64_t{0};
    if (!status.ok()) return FromRocks(status);
    if (value.size() != 8) return Corrupt("reversal marker");
    return DecodeFixed64BigEndian(value.data());
  }

  absl::StatusOr<std::optional<MemberCard>> GetMemberCard(
      absl::string_view bank_id, absl::string_view account_id) override {
    auto value = GetValue(absl::StrCat(ScopedPrefix('k', bank_id), account_id));
    if (!value.ok()) return value.status();
    if (!value->has_value()) return std::optional<MemberCard>();
    auto card = DecodeMemberCard(**value);
    if (!card.ok()) return card.status();
    return std::optional<MemberCard>(*std::move(card));
  }

  absl::StatusOr<std::optional<std::string>> FindCardHolder(
      absl::string_view bank_id, absl::string_view card_number) override {
    return GetValue(absl::StrCat(ScopedPrefix('n', bank_id), card_number));
  }

  absl::StatusOr<CardAttempts> GetCardAttempts(absl::string_view bank_id,
                                               absl::string_view card_number) override {
    auto value = GetValue(absl::StrCat(ScopedPrefix('t', bank_id), card_number));
    if (!value.ok()) return value.status();
    if (!value->has_value()) return CardAttempts{};
    return DecodeCardAttempts(**value);
  }

  absl::StatusOr<std::vector<EntryRow>> ListEntries(absl::string_view bank_id, uint64_t after_seq,
                                                    size_t limit) override {
    std::vector<EntryRow> rows;
    const std::string prefix = ScopedPrefix('e', bank_id);
    const std::string start = SeqKey('e', bank_id, after_seq + 1);
    auto status = Scan(start, PrefixEnd(prefix),
                       [&](absl::string_view, absl::string_view value) -> absl::Status {
                         auto entry = DecodeEntry(value);
                         if (!entry.ok()) return entry.status();
                         rows.push_back(EntryRow{std::move(*entry), 0});
                         return absl::OkStatus();
                       },
                       limit);
    if (!status.ok()) return status;
    if (auto s = FillReversals(bank_id, &rows); !s.ok()) return s;
    return rows;
  }

  absl::StatusOr<std::vector<EntryRow>> ListAccountEntries(absl::string_view bank_id,
                                                           absl::string_view account_id,
                                                           uint64_t after_seq,
                                                           size_t limit) override {
    std::vector<EntryRow> rows;
    const std::string prefix = PostingPrefix(bank_id, account_id);
    const std::string start = PostingKey(bank_id, account_id, after_seq + 1);
    auto status = Scan(start, PrefixEnd(prefix),
                       [&](absl::string_view key, absl::string_view value) -> absl::Status {
                         if (value.size() != 8 || key.size() != prefix.size() + 8) {
                           return Corrupt("posting");
                         }
                         EntryRow row;
                         row.entry.seq = DecodeFixed64BigEndian(key.data() + prefix.size());
                         row.running_balance_minutes =
                             static_cast<int64_t>(DecodeFixed64BigEndian(value.data()));
                         rows.push_back(std::move(row));
                         return absl::OkStatus();
                       },
                       limit);
    if (!status.ok()) return status;
    for (EntryRow& row : rows) {
      auto entry = GetEntry(bank_id, row.entry.seq);
      if (!entry.ok()) return entry.status();
      if (!entry->has_value()) return Corrupt("posting without its entry");
      row.entry = std::move(**entry);
    }
    return rows;
  }

  absl::StatusOr<std::vector<Account>> ListAccounts(absl::string_view bank_id,
                                                    absl::string_view after_account_id,
                                                    size_t limit) override {
    std::vector<Account> accounts;
    const std::string prefix = ScopedPrefix('a', bank_id);
    // The smallest key after `after_account_id`: the id followed by a 0x00 byte.
    std::string start = after_account_id.empty()
                            ? prefix
                            : absl::StrCat(AccountKey(bank_id, after_account_id),
                                           absl::string_view("\0", 1));
    auto status = Scan(start, PrefixEnd(prefix),
                       [&](absl::string_view, absl::string_view value) -> absl::Status {
                         auto account = DecodeAccount(value);
                         if (!account.ok()) return account.status();
                         accounts.push_back(std::move(*account));
                         return absl::OkStatus();
                       },
                       limit);
    if (!status.ok()) return status;
    return accounts;
  }

  absl::StatusOr<std::optional<CatalogueItem>> GetCatalogueItem(absl::string_view bank_id,
                                                                CatalogueKind kind,
                                                                absl::string_view code) override {
    return GetDecoded<CatalogueItem>(CatalogueKey(bank_id, kind, code), &DecodeCatalogueItem);
  }

  absl::StatusOr<std::vector<CatalogueItem>> ListCatalogue(absl::string_view bank_id,
                                                           CatalogueKind kind,
                                                           absl::string_view after_code,
                                                           size_t limit) override {
    const std::string prefix = CataloguePrefix(bank_id, kind);
    return ListDecoded<CatalogueItem>(prefix, StartAfter(prefix, after_code), limit,
                                      &DecodeCatalogueItem);
  }

  absl::StatusOr<std::optional<Holding>> GetHolding(absl::string_view bank_id,
                                                    absl::string_view account_id,
                                                    absl::string_view code) override {
    return GetDecoded<Holding>(PairKey('U', bank_id, account_id, code), &DecodeHolding);
  }

  absl::StatusOr<std::vector<Holding>> ListHoldings(absl::string_view bank_id,
                                                    absl::string_view account_id,
                                                    absl::string_view after_code,
                                                    size_t limit) override {
    const std::string prefix = PairKey('U', bank_id, account_id, "");
    return ListDecoded<Holding>(prefix, StartAfter(prefix, after_code), limit, &DecodeHolding);
  }

  absl::StatusOr<std::vector<Holding>> ListHolders(absl::string_view bank_id,
                                                   absl::string_view code,
                                                   absl::string_view after_account_id,
                                                   size_t limit) override {
    const std::string prefix = PairKey('L', bank_id, code, "");
    std::vector<std::string> account_ids;
    auto status = Scan(StartAfter(prefix, after_account_id), PrefixEnd(prefix),
                       [&](absl::string_view key, absl::string_view) -> absl::Status {
                         account_ids.emplace_back(key.substr(prefix.size()));
                         return absl::OkStatus();
                       },
                       limit);
    if (!status.ok()) return status;
    std::vector<Holding> holdings;
    for (const std::string& account_id : account_ids) {
      auto holding = GetHolding(bank_id, account_id, code);
      if (!holding.ok()) return holding.status();
      if (!holding->has_value()) return Corrupt("holder index entry");
      holdings.push_back(**std::move(holding));
    }
    return holdings;
  }

  absl::StatusOr<std::optional<Award>> GetAward(absl::string_view bank_id,
                                                absl::string_view award_id) override {
    return GetDecoded<Award>(AwardKey(bank_id, award_id), &DecodeAward);
  }

  absl::StatusOr<std::vector<JournalRecord>> ListJournal(absl::string_view bank_id,
                                                         uint64_t from_position,
                                                         size_t limit) override {
    std::vector<JournalRecord> records;
    const std::string prefix = ScopedPrefix('j', bank_id);
    auto status = Scan(SeqKey('j', bank_id, from_position), PrefixEnd(prefix),
                       [&](absl::string_view key, absl::string_view value) -> absl::Status {
                         JournalRecord record;
                         if (!ParseJournal(key.substr(prefix.size()), value, &record)) {
                           return Corrupt("journal record");
                         }
                         records.push_back(std::move(record));
                         return absl::OkStatus();
                       },
                       limit);
    if (!status.ok()) return status;
    return records;
  }

  absl::StatusOr<std::optional<uint64_t>> GetEntryPosition(absl::string_view bank_id,
                                                           uint64_t seq) override {
    std::string value;
    auto status = Db()->Get(rocksdb::ReadOptions(), SeqKey('x', bank_id, seq), &value);
    if (status.IsNotFound()) return std::optional<uint64_t>();
    if (!status.ok()) return FromRocks(status);
    if (value.size() != 8) return Corrupt("entry position");
    return std::optional<uint64_t>(DecodeFixed64BigEndian(value.data()));
  }

  std::unique_ptr<MerkleNodeSource> MerkleNodes(absl::string_view bank_id) override {
    return std::make_unique<StoreNodeSource>(Db(), bank_id);
  }

  std::unique_ptr<StoreSnapshot> NewSnapshot() override {
    return std::make_unique<RocksDbSnapshot>(Db());
  }

  absl::StatusOr<BackupInfo> CreateBackup(const std::string& given_dir, size_t keep) override {
    std::lock_guard<std::mutex> lock(backup_mu_);  // one backup at a time
    const std::string backup_dir = Absolute(given_dir);
    std::error_code error;
    std::filesystem::create_directories(backup_dir, error);
    if (error) {
      return Refuse(Reason::kBackupFailed,
                    absl::StrCat("cannot create ", backup_dir, ": ", error.message()),
                    {{"backup_dir", backup_dir}});
    }
    rocksdb::BackupEngineOptions engine_options(backup_dir);
    engine_options.sync = true;
    rocksdb::BackupEngine* raw = nullptr;
    auto status = rocksdb::BackupEngine::Open(engine_options, rocksdb::Env::Default(), &raw);
    if (!status.ok()) return BackupFailed(backup_dir, status);
    std::unique_ptr<rocksdb::BackupEngine> engine(raw);
    // The live WAL is copied with the table files, so unflushed commits are in the backup too.
    rocksdb::CreateBackupOptions create_options;
    create_options.flush_before_backup = false;
    rocksdb::BackupID backup_id = 0;
    const std::shared_ptr<rocksdb::DB> db = Db();
    status = engine->CreateNewBackup(create_options, db.get(), &backup_id);
    if (!status.ok()) return BackupFailed(backup_dir, status);
    status = engine->PurgeOldBackups(static_cast<uint32_t>(std::max<size_t>(keep, 1)));
    if (!status.ok()) return BackupFailed(backup_dir, status);
    rocksdb::BackupInfo info;
    const rocksdb::Status read = engine->GetBackupInfo(backup_id, &info);
    if (!read.ok()) return BackupFailed(backup_dir, read);
    return FromRocksBackup(info);
  }

  // Keeps alive the Env that a store opened from a backup reads through.
  void set_backup_env(std::shared_ptr<rocksdb::Env> env) { backup_env_ = std::move(env); }

 private:
  // The instance reads go to. Readers hold it while they read: a failed instance is closed only
  // once none does.
  std::shared_ptr<rocksdb::DB> Db() const {
    std::lock_guard<std::mutex> lock(db_mu_);
    return db_;
  }

  // The instance and its fault record (null for the read-only stand-in), and OK if it takes
  // writes, or the refusal: its first failure, or why the stand-in is there.
  absl::Status Current(std::shared_ptr<rocksdb::DB>* db,
                       std::shared_ptr<WriteFault>* fault) const {
    std::lock_guard<std::mutex> lock(db_mu_);
    *db = db_;
    *fault = fault_;
    if (fault_ == nullptr) {
      Invariant(!stand_in_refusal_.ok(), "the read-only stand-in is there for a reason");
      return stand_in_refusal_;
    }
    return FromRocks(fault_->first(), RocksOp::kWrite);
  }

  // OK if the disk takes a small synced write again: a file beside the store's, through the
  // store's own file system, written, synced and deleted. A raw file, not RocksDB's writer.
  rocksdb::Status ProbeDisk() const {
    rocksdb::Env* env = env_ != nullptr ? env_.get() : rocksdb::Env::Default();
    const std::string path = options_.path + "/RECOVERY_PROBE";
    std::unique_ptr<rocksdb::WritableFile> file;
    rocksdb::Status status = env->NewWritableFile(path, &file, rocksdb::EnvOptions());
    if (status.ok()) status = file->Append(std::string(kProbeBytes, '\0'));
    if (status.ok()) status = file->Sync();
    if (file != nullptr) {
      const rocksdb::Status closed = file->Close();
      if (status.ok()) status = closed;
    }
    env->DeleteFile(path).PermitUncheckedError();  // absent if it was never made
    return status;
  }

  // A read-only instance of the store's files, opened beside the failed one (a read-only open
  // takes no lock and writes nothing) with every table file open, so that files the reopened
  // writable instance deletes stay readable to it.
  absl::StatusOr<std::shared_ptr<rocksdb::DB>> OpenStandIn() const {
    rocksdb::Options db_options = MakeOptions(options_, env_.get());
    db_options.max_open_files = -1;
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status status =
        rocksdb::DB::OpenForReadOnly(db_options, options_.path, &raw);
    if (!status.ok()) return FromRocks(status);
    return std::shared_ptr<rocksdb::DB>(raw);
  }

  // The probe writes this much: room for a few WAL records at least.
  static constexpr size_t kProbeBytes = 1 << 20;

  using Visitor = std::function<absl::Status(absl::string_view key, absl::string_view value)>;

  // Visits keys in [start, end), at most `limit` of them.
  absl::Status Scan(const std::string& start, const std::string& end, const Visitor& visit,
                    size_t limit = SIZE_MAX) {
    rocksdb::ReadOptions read_options;
    rocksdb::Slice upper(end);
    read_options.iterate_upper_bound = &upper;
    const std::shared_ptr<rocksdb::DB> db = Db();  // outlives the iterator
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options));
    size_t visited = 0;
    for (it->Seek(start); it->Valid() && visited < limit; it->Next(), ++visited) {
      const rocksdb::Slice key = it->key();
      const rocksdb::Slice value = it->value();
      auto status = visit(absl::string_view(key.data(), key.size()),
                          absl::string_view(value.data(), value.size()));
      if (!status.ok()) return status;
    }
    return FromRocks(it->status());
  }

  template <typename T>
  absl::StatusOr<std::optional<T>> GetDecoded(const std::string& key,
                                              absl::StatusOr<T> (*decode)(absl::string_view)) {
    std::string value;
    auto status = Db()->Get(rocksdb::ReadOptions(), key, &value);
    if (status.IsNotFound()) return std::optional<T>();
    if (!status.ok()) return FromRocks(status);
    auto record = decode(value);
    if (!record.ok()) return record.status();
    return std::optional<T>(*std::move(record));
  }

  template <typename T>
  absl::StatusOr<std::vector<T>> ListDecoded(const std::string& prefix, const std::string& start,
                                             size_t limit,
                                             absl::StatusOr<T> (*decode)(absl::string_view)) {
    std::vector<T> records;
    auto status = Scan(start, PrefixEnd(prefix),
                       [&](absl::string_view, absl::string_view value) -> absl::Status {
                         auto record = decode(value);
                         if (!record.ok()) return record.status();
                         records.push_back(*std::move(record));
                         return absl::OkStatus();
                       },
                       limit);
    if (!status.ok()) return status;
    return records;
  }

  absl::Status FillReversals(absl::string_view bank_id, std::vector<EntryRow>* rows) {
    for (EntryRow& row : *rows) {
      auto reversed_by = GetReversedBy(bank_id, row.entry.seq);
      if (!reversed_by.ok()) return reversed_by.status();
      row.entry.reversed_by_seq = *reversed_by;
    }
    return absl::OkStatus();
  }

  // The value at `key`, or nullopt.
  absl::StatusOr<std::optional<std::string>> GetValue(const std::string& key) {
    std::string value;
    auto status = Db()->Get(rocksdb::ReadOptions(), key, &value);
    if (status.IsNotFound()) return std::optional<std::string>();
    if (!status.ok()) return FromRocks(status);
    return std::optional<std::string>(std::move(value));
  }

  const StoreOptions options_;
  std::mutex backup_mu_;
  std::shared_ptr<rocksdb::Env> backup_env_;  // before the instances: outlives them
  const std::shared_ptr<rocksdb::Env> env_;   // likewise; null: rocksdb::Env::Default()
  const std::shared_ptr<rocksdb::Logger> info_log_;  // of every writable instance
  const bool writable_;                       // false: opened read-only, or a backup
  rocksdb::WriteOptions write_options_;

  // Held by Commit and Recover: a write never races the swap of instances.
  std::mutex write_mu_;
  bool recovering_ ABSL_GUARDED_BY(write_mu_) = false;  // a failure was seen, not yet mended
  absl::Time next_recovery_ ABSL_GUARDED_BY(write_mu_);
  std::shared_ptr<rocksdb::DB> failed_ ABSL_GUARDED_BY(write_mu_);  // waiting for its readers

  mutable std::mutex db_mu_;
  std::shared_ptr<rocksdb::DB> db_ ABSL_GUARDED_BY(db_mu_);
  // The first failure of db_ (writable store), or null while db_ is the read-only stand-in.
  std::shared_ptr<WriteFault> fault_ ABSL_GUARDED_BY(db_mu_);
  absl::Status stand_in_refusal_ ABSL_GUARDED_BY(db_mu_);  // why the stand-in is there
};

rocksdb::Options MakeOptions(const StoreOptions& store_options, rocksdb::Env* env) {
  rocksdb::Options options;
  if (env != nullptr) options.env = env;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  // Two cores: one background job for flushes, one for compactions.
  options.IncreaseParallelism(2);
  options.max_background_jobs = 2;
  // Memtables bound the write memory: 2 x 32 MiB.
  options.write_buffer_size = 32 << 20;
  if (store_options.test_hooks != nullptr && store_options.test_hooks->write_buffer_bytes != 0) {
    options.write_buffer_size = store_options.test_hooks->write_buffer_bytes;
  }
  options.max_write_buffer_number = 2;
  // LZ4 on every level: cheap on the write path, and keys and records compress well (repeated
  // ids). The last level was ZSTD, 15 % smaller, but decompressing it was 7 % of a verification.
  options.compression = rocksdb::kLZ4Compression;
  // A torn last WAL record after power loss is dropped; anything else damaged stops the open.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  rocksdb::BlockBasedTableOptions table;
  // Bloom filters make idempotency-key misses (every new entry) cost no disk read.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(store_options.block_cache_bytes);
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Index and filter in 4 KiB partitions under a small pinned top level: a table file of 64 MiB
  // has a filter of about a megabyte, which a cache shard (64 of 1 MiB) cannot keep, so without
  // partitions every point read re-read and re-checksummed it (a Merkle proof at a million
  // entries took tens of milliseconds; the idempotency check of every write paid it too).
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.pin_top_level_index_and_filter = true;
  // Data blocks of 16 KiB rather than 4: an audit reads whole key ranges, and each block costs a
  // cache lookup, a checksum and a decompression of its own (docs/PERFORMANCE.md); a point read
  // decompresses a few more bytes.
  table.block_size = 16 << 10;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // A read-only open (offline verification, a backup opened in place) reads the table files
  // through memory maps: no copy from the page cache per block, no read buffers to fault in.
  // The files of a stopped ledger do not change under the maps.
  options.allow_mmap_reads = store_options.read_only || !store_options.backup_dir.empty();
  return options;
}

// Options of a writable instance whose failures go to `fault`. RocksDB's own retries of
// retryable I/O errors are off, as its recovery from a full disk is (FaultListener).
rocksdb::Options MakeWritableOptions(const StoreOptions& store_options, rocksdb::Env* env,
                                     std::shared_ptr<rocksdb::Logger> info_log,
                                     std::shared_ptr<WriteFault> fault) {
  rocksdb::Options options = MakeOptions(store_options, env);
  options.info_log = std::move(info_log);
  options.max_bgerror_resume_count = 0;
  options.listeners.push_back(std::make_shared<FaultListener>(std::move(fault)));
  return options;
}

// A ledger written before kMerkleStoredLevelMin kept the Merkle nodes of levels 1-3 too; nothing
// reads them now, and the verifier would take the ones missing after them for damage, so they
// are deleted once, at open, before any write: one range deletion per bank that still has them.
absl::Status DropUnstoredMerkleLevels(rocksdb::DB* db) {
  std::vector<std::string> bank_ids;
  auto listed = ScanRange(db, rocksdb::ReadOptions(), "b", "c",
                          [&](absl::string_view key, absl::string_view) -> absl::Status {
                            bank_ids.emplace_back(key.substr(1));
                            return absl::OkStatus();
                          });
  if (!listed.ok()) return listed;
  rocksdb::WriteBatch batch;
  for (const std::string& bank_id : bank_ids) {
    const std::string first = MerkleLevelPrefix(bank_id, 1);
    const std::string end = MerkleLevelPrefix(bank_id, kMerkleStoredLevelMin);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    it->Seek(first);
    if (!it->status().ok()) return FromRocks(it->status());
    if (it->Valid() && AsView(it->key()) < end) {
      batch.DeleteRange(first, end).PermitUncheckedError();
    }
  }
  if (batch.Count() == 0) return absl::OkStatus();
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return FromRocks(db->Write(write_options, &batch));
}

// A ledger written before the time index existed gets it once, at open, before any write; the
// marker key says it is complete. Puts are idempotent, so a crash midway only means redoing it.
absl::Status EnsureTimeIndex(rocksdb::DB* db) {
  constexpr size_t kPutsPerBatch = 10'000;
  std::string marker;
  auto status = db->Get(rocksdb::ReadOptions(), kTimeIndexMarkerKey, &marker);
  if (status.ok()) return absl::OkStatus();
  if (!status.IsNotFound()) return FromRocks(status);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  rocksdb::WriteBatch batch;
  auto scanned = ScanRange(db, rocksdb::ReadOptions(), "e", "f",
                           [&](absl::string_view, absl::string_view value) -> absl::Status {
                             auto entry = DecodeEntry(value);
                             if (!entry.ok()) return entry.status();
                             batch.Put(OccurredKey(entry->bank_id, entry->occurred_at, entry->seq),
                                       rocksdb::Slice())
                                 .PermitUncheckedError();
                             if (batch.Count() < static_cast<uint32_t>(kPutsPerBatch)) {
                               return absl::OkStatus();
                             }
                             auto written = FromRocks(db->Write(write_options, &batch));
                             batch.Clear();
                             return written;
                           });
  if (!scanned.ok()) return scanned;
  batch.Put(kTimeIndexMarkerKey, rocksdb::Slice()).PermitUncheckedError();
  return FromRocks(db->Write(write_options, &batch));
}

absl::Status OpenFailed(absl::string_view path, const rocksdb::Status& status) {
  if (status.IsCorruption()) {
    return Refuse(Reason::kStoreCorrupt,
                  absl::StrCat("the ledger at ", path, " is damaged: ", status.ToString()),
                  {{"path", std::string(path)}});
  }
  // RocksDB holds an flock on <store>/LOCK while a DB is open: another process has it open.
  if (status.IsIOError() && absl::StrContains(status.ToString(), "lock file")) {
    return Refuse(Reason::kStoreLocked,
                  absl::StrCat("the ledger at ", path,
                               " is in use by another timeledgerd (or another program); stop "
                               "it, or give this server another --data-dir"),
                  {{"path", std::string(path)}});
  }
  return Refuse(Reason::kStoreOpenFailed,
                absl::StrCat("cannot open the ledger at ", path, ": ", status.ToString()),
                {{"path", std::string(path)}});
}

// Opens a backup in place, read-only, through the Env that BackupEngine provides for it.
absl::StatusOr<std::unique_ptr<Store>> OpenRocksDbBackup(const StoreOptions& options) {
  auto engine = OpenBackupsReadOnly(options.backup_dir);
  if (!engine.ok()) return engine.status();
  auto chosen = ChooseBackup(**engine, options.backup_dir, options.backup_id);
  if (!chosen.ok()) return chosen.status();
  rocksdb::BackupInfo info;
  auto status = (*engine)->GetBackupInfo(*chosen, &info, /*include_file_details=*/true);
  if (!status.ok()) return BackupFailed(options.backup_dir, status);
  rocksdb::Options db_options = MakeOptions(options, info.env_for_open.get());
  db_options.create_if_missing = false;
  rocksdb::DB* raw = nullptr;
  status = rocksdb::DB::OpenForReadOnly(db_options, info.name_for_open, &raw);
  if (!status.ok()) return OpenFailed(options.backup_dir, status);
  StoreOptions read_only = options;
  read_only.sync = false;
  auto store = std::make_unique<RocksDbStore>(std::move(read_only), nullptr, nullptr,
                                              std::shared_ptr<rocksdb::DB>(raw), nullptr);
  store->set_backup_env(info.env_for_open);
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenRocksDbStore(const StoreOptions& options) {
  if (!options.backup_dir.empty()) return OpenRocksDbBackup(options);
  std::shared_ptr<rocksdb::Env> env;
  if (options.test_hooks != nullptr && options.test_hooks->file_system != nullptr) {
    env = rocksdb::NewCompositeEnv(options.test_hooks->file_system);
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status;
  std::shared_ptr<WriteFault> fault;
  std::shared_ptr<rocksdb::Logger> info_log;
  if (options.read_only) {
    if (!std::filesystem::exists(std::filesystem::path(options.path) / "CURRENT")) {
      return Refuse(Reason::kStoreNotFound, absl::StrCat("there is no ledger at ", options.path),
                    {{"path", options.path}});
    }
    status = rocksdb::DB::OpenForReadOnly(MakeOptions(options, env.get()), options.path, &raw);
  } else {
    std::error_code ignored;  // DB::Open says why, if the directory cannot be made
    std::filesystem::create_directories(options.path, ignored);
    fault = std::make_shared<WriteFault>();
    info_log = std::make_shared<StoreInfoLog>(options.path + "/LOG");
    status = rocksdb::DB::Open(MakeWritableOptions(options, env.get(), info_log, fault),
                               options.path, &raw);
  }
  if (!status.ok()) return OpenFailed(options.path, status);
  std::shared_ptr<rocksdb::DB> db(raw);
  if (!options.read_only) {
    if (auto indexed = EnsureTimeIndex(db.get()); !indexed.ok()) return indexed;
    if (auto dropped = DropUnstoredMerkleLevels(db.get()); !dropped.ok()) return dropped;
  }
  return std::unique_ptr<Store>(std::make_unique<RocksDbStore>(
      options, std::move(env), std::move(info_log), std::move(db), std::move(fault)));
}

absl::StatusOr<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir) {
  auto engine = OpenBackupsReadOnly(backup_dir);
  if (!engine.ok()) return engine.status();
  std::vector<rocksdb::BackupInfo> infos;
  (*engine)->GetBackupInfo(&infos);
  std::vector<BackupInfo> backups;
  for (const auto& info : infos) backups.push_back(FromRocksBackup(info));
  return backups;
}

absl::Status RestoreBackup(const std::string& backup_dir, uint32_t backup_id,
                           const std::string& target_path) {
  if (std::filesystem::exists(std::filesystem::path(target_path) / "CURRENT")) {
    return Refuse(
        Reason::kRestoreTargetNotEmpty,
        absl::StrCat(target_path, " already holds a ledger; restore into an empty directory"),
        {{"path", target_path}});
  }
  auto engine = OpenBackupsReadOnly(backup_dir);
  if (!engine.ok()) return engine.status();
  auto chosen = ChooseBackup(**engine, backup_dir, backup_id);
  if (!chosen.ok()) return chosen.status();
  const std::string target = Absolute(target_path);
  auto status =
      (*engine)->RestoreDBFromBackup(rocksdb::RestoreOptions(), *chosen, target, target);
  if (!status.ok()) return BackupFailed(backup_dir, status);
  return absl::OkStatus();
}

}  // namespace timeledger::ledger
