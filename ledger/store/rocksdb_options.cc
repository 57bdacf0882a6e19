#include "ledger/store/rocksdb_options.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include "ledger/store/keys.h"
#include "ledger/store/store_test_hooks.h"

namespace timeledger::ledger {
namespace {

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
    absl::MutexLock lock(&mu_);
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
    absl::MutexLock lock(&mu_);
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
  absl::Mutex mu_;
  std::FILE* file_ ABSL_GUARDED_BY(mu_) = nullptr;
  size_t written_bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

// The part of a key that names its range: the tag, the bank and the separator after it ('j' bank
// 0x00 for the journal, 'x' bank 0x00 for entry positions, ...). A group writes each range's keys
// in increasing order (positions, seqs), so the memtable inserts each after the last one of its
// range rather than searching from the top of the skip list; the ranges interleave in a group,
// which defeats RocksDB's single "last insert" hint. Keys with no separator (a bank, a chain
// head) are few and take no hint.
class KeyRangeOf : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "timeledger.KeyRangeOf"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* separator = std::memchr(key.data(), keys::kSeparator, key.size());
    return rocksdb::Slice(key.data(), static_cast<const char*>(separator) - key.data() + 1);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), keys::kSeparator, key.size()) != nullptr;
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewStoreInfoLog(std::string path) {
  return std::make_shared<StoreInfoLog>(std::move(path));
}

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
  // One writer thread: its inserts take the hints of KeyRangeOf, which concurrent inserts ignore.
  options.allow_concurrent_memtable_write = false;
  options.memtable_insert_with_hint_prefix_extractor = std::make_shared<KeyRangeOf>();
  // Every new entry looks its idempotency key up and misses: without a filter the miss walks the
  // memtable's skip list (about 8 % of the writer's time); a whole-key Bloom filter of 2 % of the
  // memtable answers most misses at once.
  options.memtable_prefix_bloom_size_ratio = 0.02;
  options.memtable_whole_key_filtering = true;
  // LZ4 on every level: cheap on the write path, and keys and records compress well (repeated
  // ids). The last level was ZSTD, 15 % smaller, but decompressing it was 7 % of a verification.
  options.compression = rocksdb::kLZ4Compression;
  // A new MANIFEST at every flush and compaction, holding only the live files: the MANIFEST
  // records each table file's first and last keys, and a card number is in its keys ('n', 't'),
  // so a MANIFEST that grew by edits would keep an erased card number for as long as it is not
  // rolled over (1 GiB by default). The snapshot it writes instead is a few KiB.
  options.max_manifest_file_size = 0;
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

rocksdb::Options MakeWritableOptions(const StoreOptions& store_options, rocksdb::Env* env,
                                     std::shared_ptr<rocksdb::Logger> info_log,
                                     std::shared_ptr<WriteFault> fault) {
  rocksdb::Options options = MakeOptions(store_options, env);
  options.info_log = std::move(info_log);
  options.max_bgerror_resume_count = 0;
  options.statistics = NewTickerStatistics();  // for Store::Stats
  options.listeners.push_back(std::make_shared<FaultListener>(std::move(fault)));
  return options;
}

}  // namespace timeledger::ledger
