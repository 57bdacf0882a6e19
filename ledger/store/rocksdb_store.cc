#include "ledger/store/rocksdb_store.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

#include "ledger/core/errors.h"
#include "ledger/store/keys.h"
#include "ledger/store/layout.h"
#include "ledger/store/migrations.h"
#include "ledger/store/rocksdb_backup.h"
#include "ledger/store/rocksdb_batch.h"
#include "ledger/store/rocksdb_status.h"
#include "ledger/store/store_test_hooks.h"

namespace timeledger::ledger {

RocksDbStore::RocksDbStore(StoreOptions options, std::shared_ptr<rocksdb::Env> env,
                           std::shared_ptr<rocksdb::Logger> info_log,
                           std::shared_ptr<rocksdb::DB> db, std::shared_ptr<WriteFault> fault)
    : options_(std::move(options)),
      env_(std::move(env)),
      info_log_(std::move(info_log)),
      writable_(fault != nullptr),
      db_(std::move(db)),
      fault_(std::move(fault)) {
  write_options_.sync = options_.sync;
}

std::unique_ptr<StoreBatch> RocksDbStore::NewBatch() { return std::make_unique<RocksDbBatch>(); }

std::unique_ptr<StoreReader> RocksDbStore::NewSnapshot(BlockCache cache) {
  return NewRocksDbSnapshot(Db(), cache);
}

absl::Status RocksDbStore::Commit(StoreBatch* batch) { return WriteWith(batch, write_options_); }

absl::Status RocksDbStore::Write(StoreBatch* batch) {
  rocksdb::WriteOptions unsynced = write_options_;
  unsynced.sync = false;
  return WriteWith(batch, unsynced);
}

absl::Status RocksDbStore::WriteWith(StoreBatch* batch, const rocksdb::WriteOptions& options) {
  auto* rocks_batch = static_cast<RocksDbBatch*>(batch);
  absl::MutexLock writing(&write_mu_);
  if (!writable_) return FromRocks(Db()->Write(options, rocks_batch->batch()));
  std::shared_ptr<rocksdb::DB> db;
  std::shared_ptr<WriteFault> fault;
  absl::Status refusal = Current(&db, &fault);
  if (!refusal.ok()) return refusal;  // the failed instance is not written again
  Invariant(fault != nullptr, "a store that takes writes has a fault record");
  return Failed(fault, db->Write(options, rocks_batch->SortedByKey()));
}

absl::Status RocksDbStore::Sync() {
  if (!writable_) return absl::OkStatus();  // nothing is written to sync
  // Not under write_mu_: a Write may run meanwhile, which is the point. The instance is held
  // for the sync, so Recover cannot close it underneath.
  std::shared_ptr<rocksdb::DB> db;
  std::shared_ptr<WriteFault> fault;
  absl::Status refusal = Current(&db, &fault);
  if (!refusal.ok() || !options_.sync) return refusal;
  return Failed(fault, db->SyncWAL());
}

absl::Status RocksDbStore::Failed(const std::shared_ptr<WriteFault>& fault,
                                  const rocksdb::Status& status) {
  if (status.ok()) return absl::OkStatus();
  fault->Record(status);
  const rocksdb::Status first = fault->first();
  Invariant(!first.ok(), "a failed write stops the writes after it");
  // The first failure is the cause: a write refused for a flush that failed before it says
  // only "Incomplete" (RocksDB stopped writes).
  return FromRocks(first, RocksOp::kWrite);
}

absl::Status RocksDbStore::WriteStatus() const {
  if (!writable_) return absl::OkStatus();  // Commit answers for itself
  std::shared_ptr<rocksdb::DB> db;
  std::shared_ptr<WriteFault> fault;
  return Current(&db, &fault);
}

absl::Status RocksDbStore::Recover() {
  absl::MutexLock writing(&write_mu_);
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
  if (auto retired = RetireFailed(fault, refusal); !retired.ok()) return retired;
  return ReopenWritable();
}

absl::Status RocksDbStore::RetireFailed(const std::shared_ptr<WriteFault>& fault,
                                        const absl::Status& refusal) {
  // The failed instance makes way for a read-only stand-in that serves reads meanwhile.
  if (fault != nullptr) {
    auto stand_in = OpenStandIn();
    if (!stand_in.ok()) return refusal;
    absl::MutexLock lock(&db_mu_);
    failed_ = std::exchange(db_, *std::move(stand_in));
    fault_ = nullptr;
    stand_in_refusal_ = refusal;
  }
  // Closed once no reader holds it (RocksDB's Close does not write to a WAL that failed).
  if (failed_ != nullptr) {
    if (failed_.use_count() > 1) {
      absl::MutexLock lock(&db_mu_);
      return stand_in_refusal_;
    }
    failed_.reset();
  }
  return absl::OkStatus();
}

absl::Status RocksDbStore::ReopenWritable() {
  auto fresh_fault = std::make_shared<WriteFault>();
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status opened = rocksdb::DB::Open(
      MakeWritableOptions(options_, env_.get(), info_log_, fresh_fault), options_.path, &raw);
  if (!opened.ok()) {
    absl::MutexLock lock(&db_mu_);
    stand_in_refusal_ = FromRocks(opened, RocksOp::kWrite);
    return stand_in_refusal_;
  }
  absl::MutexLock lock(&db_mu_);
  db_ = std::shared_ptr<rocksdb::DB>(raw);  // the stand-in closes with its last reader
  fault_ = std::move(fresh_fault);
  stand_in_refusal_ = absl::OkStatus();
  recovering_ = false;
  return absl::OkStatus();
}

absl::StatusOr<BackupInfo> RocksDbStore::CreateBackup(const std::string& backup_dir, size_t keep) {
  absl::MutexLock lock(&backup_mu_);  // one backup at a time
  const std::shared_ptr<rocksdb::DB> db = Db();
  return CreateRocksDbBackup(db.get(), backup_dir, keep);
}

namespace {

// How long CompactPersonal waits for the snapshots older than an erasure to be released.
constexpr absl::Duration kSnapshotWaitMax = absl::Seconds(30);

// Whether a snapshot taken before `sequence` is still held.
bool SnapshotOlderThan(rocksdb::DB& db, rocksdb::SequenceNumber sequence) {
  uint64_t oldest = 0;  // 0: no snapshot
  // A snapshot at `oldest` sees the writes up to it: one at `sequence` sees the erasure already.
  return db.GetIntProperty(rocksdb::DB::Properties::kOldestSnapshotSequence, &oldest) &&
         oldest != 0 && oldest < sequence;
}

}  // namespace

absl::Status RocksDbStore::CompactPersonal(absl::string_view bank_id) {
  if (!writable_) return absl::OkStatus();  // a read-only store keeps what it has
  std::shared_ptr<rocksdb::DB> db;
  std::shared_ptr<WriteFault> fault;
  if (absl::Status refusal = Current(&db, &fault); !refusal.ok()) return refusal;
  // Everything written so far, the erasure included, is at or below this sequence number.
  const rocksdb::SequenceNumber erased_by = db->GetLatestSequenceNumber();
  rocksdb::FlushOptions flush;
  flush.wait = true;
  flush.allow_write_stall = true;
  if (auto s = db->Flush(flush); !s.ok()) return FromRocks(s, RocksOp::kWrite);
  rocksdb::CompactRangeOptions compact;
  // The last level too: a deletion only drops the value it shadows when both meet there.
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  compact.exclusive_manual_compaction = false;  // background compactions go on meanwhile
  // A snapshot older than the erasure (a verification's, a report's) makes compaction keep the
  // values it can see: wait for it to go, then compact again.
  const absl::Time give_up = absl::Now() + kSnapshotWaitMax;
  for (;;) {
    for (const KeyTag tag : kPersonalKeyTags) {
      const std::string begin = keys::ScopedPrefix(tag, bank_id);
      const std::string end = keys::PrefixEnd(begin);
      const rocksdb::Slice begin_slice(begin), end_slice(end);
      if (auto s = db->CompactRange(compact, &begin_slice, &end_slice); !s.ok()) {
        return FromRocks(s, RocksOp::kWrite);
      }
    }
    if (!SnapshotOlderThan(*db, erased_by)) return absl::OkStatus();
    // Not holding the instance while asleep, so that Recover can retire a failed one meanwhile.
    db.reset();
    for (;;) {
      if (absl::Status refusal = Current(&db, &fault); !refusal.ok()) return refusal;
      if (!SnapshotOlderThan(*db, erased_by)) break;
      db.reset();
      if (absl::Now() > give_up) {
        return absl::UnavailableError(
            "a read that began before the erasure (a verification, a report) still holds what "
            "it saw, so the files keep the erased values until it ends and they are compacted "
            "again: erase again then");
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
  }
}

std::shared_ptr<rocksdb::DB> RocksDbStore::Db() const {
  absl::MutexLock lock(&db_mu_);
  return db_;
}

ReadAt RocksDbStore::At() const { return ReadAt{Db(), rocksdb::ReadOptions()}; }

absl::Status RocksDbStore::Current(std::shared_ptr<rocksdb::DB>* db,
                                   std::shared_ptr<WriteFault>* fault) const {
  absl::MutexLock lock(&db_mu_);
  *db = db_;
  *fault = fault_;
  if (fault_ == nullptr) {
    Invariant(!stand_in_refusal_.ok(), "the read-only stand-in is there for a reason");
    return stand_in_refusal_;
  }
  return FromRocks(fault_->first(), RocksOp::kWrite);
}

rocksdb::Status RocksDbStore::ProbeDisk() const {
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

absl::StatusOr<std::shared_ptr<rocksdb::DB>> RocksDbStore::OpenStandIn() const {
  rocksdb::Options db_options = MakeOptions(options_, env_.get());
  db_options.max_open_files = -1;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status status = rocksdb::DB::OpenForReadOnly(db_options, options_.path, &raw);
  if (!status.ok()) return FromRocks(status);
  return std::shared_ptr<rocksdb::DB>(raw);
}

namespace {

// Opens a backup in place, read-only, through the Env that BackupEngine provides for it.
absl::StatusOr<std::unique_ptr<Store>> OpenRocksDbBackup(const StoreOptions& options) {
  auto opened = OpenRocksDbBackupInPlace(options, MakeOptions(options, nullptr));
  if (!opened.ok()) return opened.status();
  if (auto readable = CheckLayoutReadable(opened->db.get(), options.backup_dir); !readable.ok()) {
    return readable;
  }
  StoreOptions read_only = options;
  read_only.sync = false;
  auto store = std::make_unique<RocksDbStore>(std::move(read_only), nullptr, nullptr,
                                              std::move(opened->db), nullptr);
  store->set_backup_env(std::move(opened->env));
  return std::unique_ptr<Store>(std::move(store));
}

// OpenRocksDbStore, saying in *migration what a writable open did to the layout.
absl::StatusOr<std::unique_ptr<Store>> OpenMigrating(const StoreOptions& options,
                                                     StoreMigration* migration) {
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
    info_log = NewStoreInfoLog(options.path + "/LOG");
    status = rocksdb::DB::Open(MakeWritableOptions(options, env.get(), info_log, fault),
                               options.path, &raw);
  }
  if (!status.ok()) return OpenFailed(options.path, status);
  std::shared_ptr<rocksdb::DB> db(raw);
  if (options.read_only) {
    if (auto readable = CheckLayoutReadable(db.get(), options.path); !readable.ok()) {
      return readable;
    }
  } else {
    if (auto migrated = MigrateStore(db.get(), migration); !migrated.ok()) return migrated;
  }
  return std::unique_ptr<Store>(std::make_unique<RocksDbStore>(
      options, std::move(env), std::move(info_log), std::move(db), std::move(fault)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenRocksDbStore(const StoreOptions& options) {
  if (!options.backup_dir.empty()) return OpenRocksDbBackup(options);
  StoreMigration migration;
  return OpenMigrating(options, &migration);
}

absl::StatusOr<StoreMigration> MigrateStoreAt(const std::string& path) {
  if (!std::filesystem::exists(std::filesystem::path(path) / "CURRENT")) {
    return Refuse(Reason::kStoreNotFound, absl::StrCat("there is no ledger at ", path),
                  {{"path", path}});
  }
  StoreOptions options;
  options.path = path;
  StoreMigration migration;
  auto store = OpenMigrating(options, &migration);
  if (!store.ok()) return store.status();
  return migration;  // the store closes here
}

}  // namespace timeledger::ledger
