#include "ledger/store/migrations.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include <rocksdb/write_batch.h>

#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/core/records.h"
#include "ledger/journal/entry_fact.h"
#include "ledger/store/keys.h"
#include "ledger/store/rocksdb_entries.h"
#include "ledger/store/rocksdb_reads.h"
#include "ledger/store/rocksdb_status.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {
namespace {

// A ledger written before kMerkleStoredLevelMin kept the Merkle nodes of levels 1-3 too; nothing
// reads them now, and a reader of the stored levels would take the ones missing after them for
// damage, so they are deleted once, at open, before any write: one range deletion per bank that
// still has them.
absl::Status DropUnstoredMerkleLevels(rocksdb::DB* db) {
  std::vector<std::string> bank_ids;
  auto listed = RocksReads(db, rocksdb::ReadOptions())
                    .ScanPrefix(keys::TagPrefix(KeyTag::kBank),
                                [&](absl::string_view key, absl::string_view) -> absl::Status {
                                  bank_ids.emplace_back(key.substr(1));  // after the tag
                                  return absl::OkStatus();
                                });
  if (!listed.ok()) return listed;
  rocksdb::WriteBatch batch;
  for (const std::string& bank_id : bank_ids) {
    const std::string first = keys::MerkleLevelPrefix(bank_id, 1);
    const std::string end = keys::MerkleLevelPrefix(bank_id, kMerkleStoredLevelMin);
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
// marker key says it is complete. The entries are read out of their journal facts, which every
// layout holds. Puts are idempotent, so a crash midway only means redoing it.
absl::Status EnsureTimeIndex(rocksdb::DB* db) {
  constexpr size_t kPutsPerBatch = 10'000;
  std::string marker;
  auto status = db->Get(rocksdb::ReadOptions(), keys::TimeIndexMarkerKey(), &marker);
  if (status.ok()) return absl::OkStatus();
  if (!status.IsNotFound()) return FromRocks(status);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  rocksdb::WriteBatch batch;
  Entry entry;
  auto index = [&](absl::string_view, absl::string_view value) -> absl::Status {
    absl::string_view bytes;
    uint64_t position = 0;
    if (!IsEntryRecord(value)) return absl::OkStatus();
    if (!EntryOfRecord(value, &bytes, &position)) return Corrupt("entry fact");
    if (auto decoded = DecodeEntryInto(bytes, &entry); !decoded.ok()) return decoded;
    batch.Put(keys::OccurredKey(entry.bank_id, entry.occurred_at, entry.seq), rocksdb::Slice())
        .PermitUncheckedError();
    if (batch.Count() < static_cast<uint32_t>(kPutsPerBatch)) return absl::OkStatus();
    auto written = FromRocks(db->Write(write_options, &batch));
    batch.Clear();
    return written;
  };
  auto scanned =
      RocksReads(db, rocksdb::ReadOptions()).ScanPrefix(keys::TagPrefix(KeyTag::kJournal), index);
  if (!scanned.ok()) return scanned;
  batch.Put(keys::TimeIndexMarkerKey(), rocksdb::Slice()).PermitUncheckedError();
  return FromRocks(db->Write(write_options, &batch));
}

// The layout version of the store: its 'V' key, else 1 if it holds an 'e' key, else 0 (a new
// store, or a layout-1 store without entries: either can be written as the current layout).
absl::StatusOr<uint64_t> StoredLayoutVersion(rocksdb::DB* db) {
  auto value = RocksReads(db, rocksdb::ReadOptions()).Get(keys::LayoutVersionKey());
  if (!value.ok()) return value.status();
  if (value->has_value()) {
    if ((*value)->size() != 8) return Corrupt("layout version");
    return DecodeFixed64BigEndian((*value)->data());
  }
  bool has_entries = false;
  auto scanned =
      RocksReads(db, rocksdb::ReadOptions())
          .Scan(
              keys::TagPrefix(KeyTag::kEntry), keys::PrefixEnd(keys::TagPrefix(KeyTag::kEntry)),
              [&](absl::string_view, absl::string_view) -> absl::Status {
                has_entries = true;
                return absl::OkStatus();
              },
              1);
  if (!scanned.ok()) return scanned;
  return has_entries ? uint64_t{1} : uint64_t{0};
}

absl::Status TooNew(uint64_t version) {
  return Refusal(
      absl::StatusCode::kFailedPrecondition, Reason::kStoreOpenFailed,
      absl::StrCat("this ledger's store has layout version ", version,
                   ", written by a newer timeledgerd; this one knows layout versions up to ",
                   kLayoutVersionCurrent, ": run the newer timeledgerd"),
      {{"version", std::to_string(version)},
       {"supported_version", std::to_string(kLayoutVersionCurrent)}});
}

// The second copy of entry `seq` ('e', `stored`) against the entry in its journal fact, found
// through 'x'. A missing position or fact, or any difference, refuses the migration.
absl::Status CheckSecondCopy(const std::string& bank_id, uint64_t seq, absl::string_view stored,
                             NumberedKeys* positions, NumberedKeys* journal) {
  auto differs = [&](absl::string_view what) {
    return Refuse(Reason::kEntryMismatch,
                  absl::StrCat("bank ", bank_id, " entry seq ", seq, ": ", what,
                               "; the ledger is left as it was, not migrated"),
                  {{"bank_id", bank_id}, {"seq", std::to_string(seq)}});
  };
  if (!positions->MoveTo(seq)) {
    if (auto s = positions->status(); !s.ok()) return s;
    return differs("the entry has no journal position");
  }
  if (positions->value().size() != 8) return differs("its journal position is malformed");
  const uint64_t position = DecodeFixed64BigEndian(positions->value().data());
  if (!journal->MoveTo(position)) {
    if (auto s = journal->status(); !s.ok()) return s;
    return differs("its journal position holds no fact");
  }
  absl::string_view in_fact;
  uint64_t fact_position = 0;
  if (!EntryOfRecord(journal->value(), &in_fact, &fact_position) || fact_position != position) {
    return differs("its journal position holds no entry fact");
  }
  if (in_fact != stored) {
    return differs("the stored entry differs from the entry in its journal fact");
  }
  return absl::OkStatus();
}

// Layout 1 to 2: every second copy of an entry ('e') is compared with the entry in its journal
// fact, then all of them are dropped with one range deletion, in the batch that writes the new
// version. Reading streams (no copy is kept), so memory does not grow with the ledger; a crash
// before that batch leaves layout 1, and the next open does it all again.
absl::Status DropEntryCopies(rocksdb::DB* db, StoreMigration* done) {
  rocksdb::ReadOptions scan;
  scan.fill_cache = false;
  scan.readahead_size = 2 << 20;
  std::string bank_id;
  std::unique_ptr<NumberedKeys> positions, journal;
  const std::string prefix = keys::TagPrefix(KeyTag::kEntry);
  auto checked = RocksReads(db, scan).ScanPrefix(
      prefix, [&](absl::string_view key, absl::string_view value) -> absl::Status {
        const size_t separator = key.find(keys::kSeparator);
        if (separator == absl::string_view::npos || key.size() != separator + 9) {
          return Corrupt("entry key");
        }
        const absl::string_view bank = key.substr(1, separator - 1);
        if (positions == nullptr || bank != bank_id) {
          bank_id = std::string(bank);
          positions = std::make_unique<NumberedKeys>(db, scan, KeyTag::kEntryPosition, bank_id);
          journal = std::make_unique<NumberedKeys>(db, scan, KeyTag::kJournal, bank_id);
        }
        const uint64_t seq = DecodeFixed64BigEndian(key.data() + separator + 1);
        if (auto s = CheckSecondCopy(bank_id, seq, value, positions.get(), journal.get());
            !s.ok()) {
          return s;
        }
        ++done->entries_checked;
        done->bytes_dropped += key.size() + value.size();
        return absl::OkStatus();
      });
  positions.reset();
  journal.reset();
  if (!checked.ok()) return checked;
  rocksdb::WriteBatch batch;
  batch.DeleteRange(prefix, keys::PrefixEnd(prefix)).PermitUncheckedError();
  std::string version;
  PutFixed64BigEndian(&version, kLayoutVersionCurrent);
  batch.Put(keys::LayoutVersionKey(), version).PermitUncheckedError();
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  if (auto s = FromRocks(db->Write(write_options, &batch)); !s.ok()) return s;
  // The space comes back now rather than whenever compaction reaches the range.
  const std::string end = keys::PrefixEnd(prefix);
  const rocksdb::Slice begin_slice(prefix), end_slice(end);
  return FromRocks(db->CompactRange(rocksdb::CompactRangeOptions(), &begin_slice, &end_slice));
}

absl::Status WriteLayoutVersion(rocksdb::DB* db) {
  std::string version;
  PutFixed64BigEndian(&version, kLayoutVersionCurrent);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return FromRocks(db->Put(write_options, keys::LayoutVersionKey(), version));
}

}  // namespace

absl::Status MigrateStore(rocksdb::DB* db, StoreMigration* done) {
  auto version = StoredLayoutVersion(db);
  if (!version.ok()) return version.status();
  if (*version > kLayoutVersionCurrent) return TooNew(*version);
  done->from_version = *version;
  if (auto indexed = EnsureTimeIndex(db); !indexed.ok()) return indexed;
  if (*version == 1) {
    if (auto dropped = DropEntryCopies(db, done); !dropped.ok()) return dropped;
  } else if (*version != kLayoutVersionCurrent) {
    // Layout 3 is layout 2 whose chain heads may carry their bank's number of accounts (records.h):
    // a layout 2 head still reads, and becomes version 3 at its bank's next write. Layout 4 is
    // layout 3 whose new facts seal their personal values ('D', keys.h), whose new journal records
    // keep 8 bytes of most chain hashes and whose new idempotency records 8 bytes of the
    // request's hash: the records of layout 3 keep their form, as they were chained, and read as
    // they are. Nothing is rewritten; the version is raised so that an older timeledgerd refuses
    // the store by name rather than reading the new records as damage.
    if (auto written = WriteLayoutVersion(db); !written.ok()) return written;
  }
  done->to_version = kLayoutVersionCurrent;
  return DropUnstoredMerkleLevels(db);
}

absl::Status CheckLayoutReadable(rocksdb::DB* db, absl::string_view path) {
  auto version = StoredLayoutVersion(db);
  if (!version.ok()) return version.status();
  if (*version > kLayoutVersionCurrent) return TooNew(*version);
  if (*version == 1) {
    return Refusal(
        absl::StatusCode::kFailedPrecondition, Reason::kStoreOpenFailed,
        absl::StrCat("this ledger (", path,
                     ") was written by an older timeledgerd; start timeledgerd on it once "
                     "to migrate it (or run timeledgerd --migrate)"),
        {{"path", std::string(path)},
         {"version", "1"},
         {"supported_version", std::to_string(kLayoutVersionCurrent)}});
  }
  return absl::OkStatus();
}

}  // namespace timeledger::ledger
