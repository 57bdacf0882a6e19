// RocksDbStore::Stats: RocksDB's own figures for timeledgerd's metrics, read from the current
// instance's properties and (for a writable instance) its statistics' tickers, which
// NewTickerStatistics makes (rocksdb_options.h).
#include <rocksdb/statistics.h>

#include "ledger/store/rocksdb_store.h"

namespace timeledger::ledger {
namespace {

// The integer property `name` of `db`, or 0 if RocksDB does not have it.
uint64_t IntProperty(rocksdb::DB& db, const rocksdb::Slice& name) {
  uint64_t value = 0;
  return db.GetIntProperty(name, &value) ? value : 0;
}

}  // namespace

std::shared_ptr<rocksdb::Statistics> NewTickerStatistics() {
  std::shared_ptr<rocksdb::Statistics> statistics = rocksdb::CreateDBStatistics();
  statistics->set_stats_level(rocksdb::StatsLevel::kExceptHistogramOrTimers);
  return statistics;
}

StoreStats RocksDbStore::Stats() const {
  StoreStats stats;
  const std::shared_ptr<rocksdb::DB> db = Db();
  if (db == nullptr) return stats;
  using property = rocksdb::DB::Properties;
  stats.writes_stopped = IntProperty(*db, property::kIsWriteStopped) != 0;
  stats.pending_compaction_bytes = IntProperty(*db, property::kEstimatePendingCompactionBytes);
  stats.running_compactions = IntProperty(*db, property::kNumRunningCompactions);
  stats.block_cache_bytes = IntProperty(*db, property::kBlockCacheUsage);
  stats.memtable_bytes = IntProperty(*db, property::kCurSizeAllMemTables);
  stats.live_table_bytes = IntProperty(*db, property::kLiveSstFilesSize);
  if (const std::shared_ptr<rocksdb::Statistics> tickers = db->GetDBOptions().statistics) {
    stats.stall_micros = tickers->getTickerCount(rocksdb::STALL_MICROS);
    stats.block_cache_hits = tickers->getTickerCount(rocksdb::BLOCK_CACHE_HIT);
    stats.block_cache_misses = tickers->getTickerCount(rocksdb::BLOCK_CACHE_MISS);
  }
  return stats;
}

}  // namespace timeledger::ledger
