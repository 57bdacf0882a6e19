// RocksDbReader's reads of the journal, the Merkle nodes and the raw records of an audit
// (store.h says what each returns).
#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "ledger/core/coding.h"
#include "ledger/core/merkle.h"
#include "ledger/journal/journal.h"
#include "ledger/store/keys.h"
#include "ledger/store/merkle_node_source.h"
#include "ledger/store/rocksdb_entries.h"
#include "ledger/store/rocksdb_reader.h"
#include "ledger/store/rocksdb_status.h"

namespace timeledger::ledger {
namespace {

// A cursor over the keys that start with `prefix`, as `at` reads them. Holds the instance open.
template <typename T>
class RocksCursor : public Cursor<T> {
 public:
  using Parse = bool (*)(absl::string_view key, absl::string_view value, T* record);

  // Visits the keys from `start` (the prefix itself if empty) that start with `prefix`, reading
  // `readahead_bytes` ahead in each table file (0: RocksDB's own, which starts small and grows).
  RocksCursor(const ReadAt& at, std::string prefix, Parse parse, std::string what,
              const std::string& start = "", size_t readahead_bytes = 0)
      : db_(at.db),
        prefix_(std::move(prefix)),
        upper_(keys::PrefixEnd(prefix_)),
        upper_slice_(upper_),
        parse_(parse),
        what_(std::move(what)) {
    rocksdb::ReadOptions options = at.LongScan();  // an audit reads everything once
    options.iterate_upper_bound = &upper_slice_;
    options.readahead_size = readahead_bytes;
    it_.reset(db_->NewIterator(options));
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
  const std::shared_ptr<rocksdb::DB> db_;
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
// Records a ListJournal makes room for at once (a page; a longer read grows as it goes).
constexpr size_t kRecordsReservedMax = 1024;

template <typename T>
std::unique_ptr<Cursor<T>> MakeCursor(const ReadAt& at, std::string prefix,
                                      typename RocksCursor<T>::Parse parse, std::string what,
                                      size_t readahead_bytes = 0) {
  return std::make_unique<RocksCursor<T>>(at, std::move(prefix), parse, std::move(what), "",
                                          readahead_bytes);
}

class MerkleNodeCursor : public Cursor<MerkleNode> {
 public:
  MerkleNodeCursor(const ReadAt& at, absl::string_view bank_id, int level)
      : level_(level),
        raw_(at, keys::MerkleLevelPrefix(bank_id, level), &ParseSeqHash, "Merkle node") {}

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

}  // namespace

absl::StatusOr<std::vector<JournalRecord>> RocksDbReader::ListJournal(
    absl::string_view bank_id, uint64_t from_position, size_t limit,
    std::optional<Digest> chain_before) {
  std::vector<JournalRecord> records;
  const std::string prefix = keys::ScopedPrefix(KeyTag::kJournal, bank_id);
  // The chain hashes not stored whole follow from the whole one before them: the scan starts
  // there (at most 63 facts back), or at from_position with the caller's chain_before, and
  // carries the chain forward. A gap on the way, or a hash that disagrees with its stored bytes
  // (damage, which the verifier names), leaves the hashes after it as they are stored.
  const std::optional<uint64_t> checkpoint =
      chain_before.has_value() ? std::optional<uint64_t>(from_position)
                               : keys::ChainHashCheckpointBefore(from_position);
  const uint64_t scan_from = checkpoint.value_or(0);
  Digest chain = chain_before.value_or(Digest{});  // chain_hash(-1): 32 zero bytes
  bool chain_known = !checkpoint.has_value() || chain_before.has_value();
  uint64_t expected = scan_from;
  const size_t lead = static_cast<size_t>(from_position - scan_from);
  records.reserve(std::min<size_t>(limit, kRecordsReservedMax));
  // A page is read once (a watcher catching up, an export): it skips the block cache as a long
  // scan does, rather than fill it with blocks that evict what the writer and the lookups need.
  const ReadAt at = At();
  const RocksReads reads(at.db.get(), at.LongScan(), at.point);
  auto status = reads.Scan(
      keys::SeqKey(KeyTag::kJournal, bank_id, scan_from), keys::PrefixEnd(prefix),
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        JournalRecord record;
        if (!keys::ParseJournal(key.substr(prefix.size()), value, &record)) {
          return Corrupt("journal record");
        }
        chain_known = chain_known && record.position == expected;
        expected = record.position + 1;
        if (record.chain_hash_stored_bytes == kDigestBytes) {
          chain = record.chain_hash;
          chain_known = true;
        } else if (chain_known) {
          record.leaf_hash = MerkleLeafHash(record.fact);
          chain = JournalChainHash(chain, *record.leaf_hash);
          chain_known = std::memcmp(chain.data(), record.chain_hash.data(),
                                    record.chain_hash_stored_bytes) == 0;
          if (chain_known) record.chain_hash = chain;
        }
        if (record.position >= from_position) records.push_back(std::move(record));
        return absl::OkStatus();
      },
      limit == SIZE_MAX ? limit : limit + lead);
  if (!status.ok()) return status;
  return records;
}

absl::StatusOr<std::vector<PersonalRecord>> RocksDbReader::ListPersonal(absl::string_view bank_id,
                                                                        uint64_t from_position,
                                                                        uint64_t end_position) {
  return ReadPersonal(At().reads(), bank_id, from_position, end_position);
}

absl::StatusOr<std::optional<std::string>> RocksDbReader::GetFact(absl::string_view bank_id,
                                                                  uint64_t position) {
  auto value = At().reads().Get(keys::SeqKey(KeyTag::kJournal, bank_id, position));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::optional<std::string>();
  absl::string_view fact, chain_hash;
  if (!keys::SplitJournalValue(**value, &fact, &chain_hash)) return Corrupt("journal record");
  return std::optional<std::string>(std::string(fact));
}

absl::StatusOr<std::optional<uint64_t>> RocksDbReader::GetEntryPosition(absl::string_view bank_id,
                                                                        uint64_t seq) {
  auto value = At().reads().Get(keys::SeqKey(KeyTag::kEntryPosition, bank_id, seq));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::optional<uint64_t>();
  if ((*value)->size() != 8) return Corrupt("entry position");
  return std::optional<uint64_t>(DecodeFixed64BigEndian((*value)->data()));
}

std::unique_ptr<MerkleNodeSource> RocksDbReader::MerkleNodes(absl::string_view bank_id) {
  return NewStoreNodeSource(At(), bank_id);
}

std::unique_ptr<Cursor<JournalRecord>> RocksDbReader::Journal(absl::string_view bank_id) {
  return MakeCursor<JournalRecord>(At(), keys::ScopedPrefix(KeyTag::kJournal, bank_id),
                                   &keys::ParseJournal, "journal record", kLongScanReadaheadBytes);
}

std::unique_ptr<Cursor<MerkleNode>> RocksDbReader::MerkleLevel(absl::string_view bank_id,
                                                               int level) {
  return std::make_unique<MerkleNodeCursor>(At(), bank_id, level);
}

std::unique_ptr<Cursor<MerkleNode>> RocksDbReader::MerkleNodesFrom(absl::string_view bank_id,
                                                                   int level) {
  return std::make_unique<RocksCursor<MerkleNode>>(
      At(), keys::ScopedPrefix(KeyTag::kMerkleNode, bank_id), &keys::ParseMerkleNode, "Merkle node",
      keys::MerkleLevelPrefix(bank_id, level));
}

std::unique_ptr<Cursor<EntryRecord>> RocksDbReader::Entries(absl::string_view bank_id) {
  const ReadAt at = At();
  rocksdb::ReadOptions options = at.LongScan();
  options.readahead_size = kLongScanReadaheadBytes;
  return NewJournalEntryCursor(at.db, options, bank_id);
}

std::unique_ptr<Cursor<PersonalRecord>> RocksDbReader::PersonalRecords(absl::string_view bank_id) {
  return MakeCursor<PersonalRecord>(At(), keys::ScopedPrefix(KeyTag::kPersonal, bank_id),
                                    &keys::ParsePersonal, "personal record");
}

std::unique_ptr<Cursor<PostingRecord>> RocksDbReader::Postings(absl::string_view bank_id) {
  return MakeCursor<PostingRecord>(At(), keys::ScopedPrefix(KeyTag::kPosting, bank_id),
                                   &keys::ParsePosting, "posting", kLongScanReadaheadBytes);
}

std::unique_ptr<Cursor<SeqMapping>> RocksDbReader::Reversals(absl::string_view bank_id) {
  return MakeCursor<SeqMapping>(At(), keys::ScopedPrefix(KeyTag::kReversal, bank_id),
                                &keys::ParseSeqMapping, "reversal marker");
}

std::unique_ptr<Cursor<SeqMapping>> RocksDbReader::EntryPositions(absl::string_view bank_id) {
  return MakeCursor<SeqMapping>(At(), keys::ScopedPrefix(KeyTag::kEntryPosition, bank_id),
                                &keys::ParseSeqMapping, "entry position", kLongScanReadaheadBytes);
}

}  // namespace timeledger::ledger
