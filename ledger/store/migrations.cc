#include "ledger/store/migrations.h"

#include <memory>
#include <string>
#include <vector>

#include <rocksdb/write_batch.h>

#include "ledger/core/records.h"
#include "ledger/store/keys.h"
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
// marker key says it is complete. Puts are idempotent, so a crash midway only means redoing it.
absl::Status EnsureTimeIndex(rocksdb::DB* db) {
  constexpr size_t kPutsPerBatch = 10'000;
  std::string marker;
  auto status = db->Get(rocksdb::ReadOptions(), keys::TimeIndexMarkerKey(), &marker);
  if (status.ok()) return absl::OkStatus();
  if (!status.IsNotFound()) return FromRocks(status);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  rocksdb::WriteBatch batch;
  auto scanned =
      RocksReads(db, rocksdb::ReadOptions())
          .ScanPrefix(keys::TagPrefix(KeyTag::kEntry),
                      [&](absl::string_view, absl::string_view value) -> absl::Status {
                        auto entry = DecodeEntry(value);
                        if (!entry.ok()) return entry.status();
                        batch
                            .Put(keys::OccurredKey(entry->bank_id, entry->occurred_at, entry->seq),
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
  batch.Put(keys::TimeIndexMarkerKey(), rocksdb::Slice()).PermitUncheckedError();
  return FromRocks(db->Write(write_options, &batch));
}
}  // namespace

absl::Status MigrateStore(rocksdb::DB* db) {
  if (auto indexed = EnsureTimeIndex(db); !indexed.ok()) return indexed;
  return DropUnstoredMerkleLevels(db);
}

}  // namespace timeledger::ledger
