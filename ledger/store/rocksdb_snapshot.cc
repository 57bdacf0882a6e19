#include <string>
#include <utility>

#include "ledger/core/coding.h"
#include "ledger/store/keys.h"
#include "ledger/store/rocksdb_readers.h"
#include "ledger/store/rocksdb_reads.h"
#include "ledger/store/rocksdb_status.h"

namespace timeledger::ledger {
namespace {

// A cursor over the keys that start with `prefix`, as of `snapshot` (or now, if null).
template <typename T>
class RocksCursor : public Cursor<T> {
 public:
  using Parse = bool (*)(absl::string_view key, absl::string_view value, T* record);

  // Visits the keys from `start` (the prefix itself if empty) that start with `prefix`, reading
  // `readahead_bytes` ahead in each table file (0: RocksDB's own, which starts small and grows).
  RocksCursor(rocksdb::DB* db, const rocksdb::Snapshot* snapshot, std::string prefix, Parse parse,
              std::string what, const std::string& start = "", size_t readahead_bytes = 0)
      : prefix_(std::move(prefix)),
        upper_(keys::PrefixEnd(prefix_)),
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
  return std::make_unique<RocksCursor<T>>(db, snapshot, std::move(prefix), parse, std::move(what),
                                          "", readahead_bytes);
}

class MerkleNodeCursor : public Cursor<MerkleNode> {
 public:
  MerkleNodeCursor(rocksdb::DB* db, const rocksdb::Snapshot* snapshot, absl::string_view bank_id,
                   int level)
      : level_(level),
        raw_(db, snapshot, keys::MerkleLevelPrefix(bank_id, level), &ParseSeqHash, "Merkle node") {}

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
    keys::CopyDigest(value, &out->chain_hash);
    return true;
  }

  int level_;
  RocksCursor<JournalRecord> raw_;
};

// A StoreSnapshot bound to one rocksdb::Snapshot, released with it.
class RocksDbSnapshot : public StoreSnapshot {
 public:
  explicit RocksDbSnapshot(std::shared_ptr<rocksdb::DB> db)
      : owner_(std::move(db)),
        db_(owner_.get()),
        snapshot_(db_->GetSnapshot()),
        reads_(db_, AuditReadOptions(snapshot_)) {}
  ~RocksDbSnapshot() override { db_->ReleaseSnapshot(snapshot_); }

  absl::Status ForEachBank(const std::function<absl::Status(const Bank&, const ChainHead&,
                                                            const Policy&)>& visit) override {
    return reads_.ForEachBank(visit);
  }

  absl::Status ForEachAccount(absl::string_view bank_id,
                              const std::function<absl::Status(const Account&)>& visit) override {
    return reads_.ForEachDecoded<Account>(keys::ScopedPrefix(KeyTag::kAccount, bank_id),
                                          &DecodeAccount, visit);
  }

  absl::Status ForEachOpenPending(
      absl::string_view bank_id,
      const std::function<absl::Status(const PendingEntry&)>& visit) override {
    return reads_.ForEachDecoded<PendingEntry>(keys::ScopedPrefix(KeyTag::kOpenPending, bank_id),
                                               &DecodePendingEntry, visit);
  }

  std::unique_ptr<Cursor<JournalRecord>> Journal(absl::string_view bank_id) override {
    return MakeCursor<JournalRecord>(db_, snapshot_, keys::ScopedPrefix(KeyTag::kJournal, bank_id),
                                     &keys::ParseJournal, "journal record",
                                     kLongScanReadaheadBytes);
  }

  std::unique_ptr<Cursor<MerkleNode>> MerkleNodes(absl::string_view bank_id, int level) override {
    return std::make_unique<MerkleNodeCursor>(db_, snapshot_, bank_id, level);
  }

  std::unique_ptr<Cursor<MerkleNode>> MerkleNodesFrom(absl::string_view bank_id,
                                                      int level) override {
    return std::make_unique<RocksCursor<MerkleNode>>(
        db_, snapshot_, keys::ScopedPrefix(KeyTag::kMerkleNode, bank_id), &keys::ParseMerkleNode,
        "Merkle node", keys::MerkleLevelPrefix(bank_id, level));
  }

  std::unique_ptr<Cursor<EntryRecord>> Entries(absl::string_view bank_id) override {
    return MakeCursor<EntryRecord>(db_, snapshot_, keys::ScopedPrefix(KeyTag::kEntry, bank_id),
                                   &keys::ParseEntry, "entry", kLongScanReadaheadBytes);
  }

  std::unique_ptr<Cursor<PostingRecord>> Postings(absl::string_view bank_id) override {
    return MakeCursor<PostingRecord>(db_, snapshot_, keys::ScopedPrefix(KeyTag::kPosting, bank_id),
                                     &keys::ParsePosting, "posting", kLongScanReadaheadBytes);
  }

  std::unique_ptr<Cursor<SeqMapping>> Reversals(absl::string_view bank_id) override {
    return MakeCursor<SeqMapping>(db_, snapshot_, keys::ScopedPrefix(KeyTag::kReversal, bank_id),
                                  &keys::ParseSeqMapping, "reversal marker");
  }

  std::unique_ptr<Cursor<SeqMapping>> EntryPositions(absl::string_view bank_id) override {
    return MakeCursor<SeqMapping>(
        db_, snapshot_, keys::ScopedPrefix(KeyTag::kEntryPosition, bank_id), &keys::ParseSeqMapping,
        "entry position", kLongScanReadaheadBytes);
  }

  absl::Status ForEachMemberCard(
      absl::string_view bank_id,
      const std::function<absl::Status(const MemberCard&)>& visit) override {
    return reads_.ForEachDecoded<MemberCard>(keys::ScopedPrefix(KeyTag::kMemberCard, bank_id),
                                             &DecodeMemberCard, visit);
  }

  absl::Status ForEachCatalogueItem(
      absl::string_view bank_id,
      const std::function<absl::Status(const CatalogueItem&)>& visit) override {
    return reads_.ForEachDecoded<CatalogueItem>(keys::ScopedPrefix(KeyTag::kCatalogue, bank_id),
                                                &DecodeCatalogueItem, visit);
  }

  absl::Status ForEachHolding(absl::string_view bank_id,
                              const std::function<absl::Status(const Holding&)>& visit) override {
    return reads_.ForEachDecoded<Holding>(keys::ScopedPrefix(KeyTag::kHolding, bank_id),
                                          &DecodeHolding, visit);
  }

  absl::Status ForEachAward(absl::string_view bank_id,
                            const std::function<absl::Status(const Award&)>& visit) override {
    return reads_.ForEachDecoded<Award>(keys::ScopedPrefix(KeyTag::kAward, bank_id), &DecodeAward,
                                        visit);
  }

 private:
  // An audit reads everything once: it keeps the block cache for serving.
  static rocksdb::ReadOptions AuditReadOptions(const rocksdb::Snapshot* snapshot) {
    rocksdb::ReadOptions options;
    options.snapshot = snapshot;
    options.fill_cache = false;
    return options;
  }

  std::shared_ptr<rocksdb::DB> owner_;  // keeps the instance open while the snapshot lives
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
  const RocksReads reads_;
};

}  // namespace

std::unique_ptr<StoreSnapshot> NewRocksDbSnapshot(std::shared_ptr<rocksdb::DB> db) {
  return std::make_unique<RocksDbSnapshot>(std::move(db));
}

}  // namespace timeledger::ledger
