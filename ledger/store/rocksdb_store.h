// RocksDbStore: the RocksDB implementation of Store. Internal to ledger/store/; the domain sees
// only store.h (OpenRocksDbStore).
//
// The files of the store, by subject:
//   keys.{h,cc}               the key grammar: KeyTag, every key built and parsed
//   rocksdb_store.{h,cc}      this class: opening, Commit, Recover, backups made online
//   rocksdb_reader.h          the one StoreReader, of the latest committed state (this class)
//                             and of a snapshot: rocksdb_reader.cc (records by key),
//                             rocksdb_reader_scans.cc (reports), rocksdb_cursors.cc (audits)
//   rocksdb_reads.*           the scans and point reads it is made of
//   rocksdb_entries.*         entries, read out of their journal facts through 'x'
//   merkle_node_source.*      the Merkle nodes of a proof
//   rocksdb_batch.h           the StoreBatch              rocksdb_backup.*    backups
//   rocksdb_options.*         RocksDB options, WriteFault, the LOG
//   migrations.*              the layout version, upgrades at open
//   rocksdb_status.*          rocksdb::Status
//   rocksdb_stats.cc          Stats: RocksDB's properties and tickers for metrics
//
// Every Put of an operation goes into one WriteBatch written with sync=true: an entry's journal
// record (which holds the entry), its indexes, the Merkle nodes it completes and the chain head
// (which holds the journal's compact Merkle tree) are durable together. Write and Sync split that
// in two (sync=false, then DB::SyncWAL, which covers every write made before it began) for a
// caller that overlaps them.
//
// A failing disk. The first failed write or sync of the WAL, and the first failed flush or
// compaction (RocksDB's background errors, seen by a listener, rocksdb_options.cc), stop writes:
// every Commit after it is refused with that failure (STORE_FULL for ENOSPC, STORE_FAILED
// otherwise) and that RocksDB instance is never written again. Its WAL writer may hold a
// half-written record and an error flag, and RocksDB asserts if it is used again
// (WritableFileWriter:: AssertFalseAndGetStatusForPrevError). DB::Resume would not always replace
// it (it switches the WAL only if the memtable holds something, and refuses an EIO as fatal), so
// RocksDB's own recovery is off and Recover reopens instead: once a probe file can be written and
// synced, a read-only instance takes over the reads, the failed one is closed when its last reader
// is done (closing does not write to a WAL writer in error), and a new writable instance replaces
// the read-only one. Instances are shared_ptrs held by every reader for the length of its read.
// RocksDB's informational LOG is written by StoreInfoLog, with stdio: RocksDB's own logger uses
// the same asserting writer and aborted the server on the line after a failed one.
#ifndef TIMELEDGER_LEDGER_STORE_ROCKSDB_STORE_H_
#define TIMELEDGER_LEDGER_STORE_ROCKSDB_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include <rocksdb/db.h>
#include <rocksdb/env.h>

#include "ledger/store/rocksdb_options.h"
#include "ledger/store/rocksdb_reader.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

// Its reads are RocksDbReader's, of the latest committed state of the current instance.
class RocksDbStore final : public Store, public RocksDbReader {
 public:
  // A store over `db`. `env`, if not null, is what every instance reads and writes through; it
  // outlives them. `fault` is null for a store opened read-only.
  RocksDbStore(StoreOptions options, std::shared_ptr<rocksdb::Env> env,
               std::shared_ptr<rocksdb::Logger> info_log, std::shared_ptr<rocksdb::DB> db,
               std::shared_ptr<WriteFault> fault);

  std::unique_ptr<StoreBatch> NewBatch() override;
  absl::Status Commit(StoreBatch* batch) override;
  absl::Status Write(StoreBatch* batch) override;
  absl::Status Sync() override;
  absl::Status WriteStatus() const override;
  absl::Status Recover() override;
  std::unique_ptr<StoreReader> NewSnapshot(BlockCache cache) override;
  absl::StatusOr<BackupInfo> CreateBackup(const std::string& backup_dir, size_t keep) override;
  StoreStats Stats() const override;  // rocksdb_stats.cc
  absl::Status CompactPersonal(absl::string_view bank_id) override;

  // Keeps alive the Env that a store opened from a backup reads through.
  void set_backup_env(std::shared_ptr<rocksdb::Env> env) { backup_env_ = std::move(env); }

 private:
  // Each read holds the instance it reads (see Db()) until it is done.
  ReadAt At() const override;

  // The instance reads go to. Readers hold it while they read: a failed instance is closed only
  // once none does.
  std::shared_ptr<rocksdb::DB> Db() const;

  // The instance and its fault record (null for the read-only stand-in), and OK if it takes
  // writes, or the refusal: its first failure, or why the stand-in is there.
  absl::Status Current(std::shared_ptr<rocksdb::DB>* db, std::shared_ptr<WriteFault>* fault) const;

  // OK if the disk takes a small synced write again: a file beside the store's, through the
  // store's own file system, written, synced and deleted. A raw file, not RocksDB's writer.
  rocksdb::Status ProbeDisk() const;

  // A read-only instance of the store's files, opened beside the failed one (a read-only open
  // takes no lock and writes nothing) with every table file open, so that files the reopened
  // writable instance deletes stay readable to it.
  absl::StatusOr<std::shared_ptr<rocksdb::DB>> OpenStandIn() const;

  // Commit and Write: writes `batch` with `options` to the current instance, unless it failed.
  absl::Status WriteWith(StoreBatch* batch, const rocksdb::WriteOptions& options)
      ABSL_LOCKS_EXCLUDED(write_mu_);
  // OK if `status` is; otherwise records it as the instance's failure and returns the first one.
  static absl::Status Failed(const std::shared_ptr<WriteFault>& fault,
                             const rocksdb::Status& status);

  // Recover's steps: retires the failed instance behind a read-only stand-in (OK once no reader
  // holds the failed one), then opens a fresh writable instance.
  absl::Status RetireFailed(const std::shared_ptr<WriteFault>& fault, const absl::Status& refusal)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::Status ReopenWritable() ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  // The probe writes this much: room for a few WAL records at least.
  static constexpr size_t kProbeBytes = 1 << 20;

  const StoreOptions options_;
  absl::Mutex backup_mu_;
  std::shared_ptr<rocksdb::Env> backup_env_;         // before the instances: outlives them
  const std::shared_ptr<rocksdb::Env> env_;          // likewise; null: rocksdb::Env::Default()
  const std::shared_ptr<rocksdb::Logger> info_log_;  // of every writable instance
  const bool writable_;                              // false: opened read-only, or a backup
  rocksdb::WriteOptions write_options_;

  // Held by Commit and Recover: a write never races the swap of instances.
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(db_mu_);
  bool recovering_ ABSL_GUARDED_BY(write_mu_) = false;  // a failure was seen, not yet mended
  absl::Time next_recovery_ ABSL_GUARDED_BY(write_mu_);
  std::shared_ptr<rocksdb::DB> failed_ ABSL_GUARDED_BY(write_mu_);  // waiting for its readers

  mutable absl::Mutex db_mu_;
  std::shared_ptr<rocksdb::DB> db_ ABSL_GUARDED_BY(db_mu_);
  // The first failure of db_ (writable store), or null while db_ is the read-only stand-in.
  std::shared_ptr<WriteFault> fault_ ABSL_GUARDED_BY(db_mu_);
  absl::Status stand_in_refusal_ ABSL_GUARDED_BY(db_mu_);  // why the stand-in is there
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_ROCKSDB_STORE_H_
