// FaultyFileSystem: the default RocksDB file system, except that while it is armed one kind of
// write fails with the error it was armed with (ENOSPC as IOStatus::NoSpace, EIO as a plain
// IOError), the way a full or failing disk answers. For the store's fault tests, through
// StoreTestHooks (ledger/store/store_test_hooks.h). Thread-safe: RocksDB calls it from its writer
// and from its background threads.
//
// The points are told apart by the file and the thread: the WAL is "*.log"; table files
// ("*.sst") are written by flushes on RocksDB's high-priority thread ("rocksdb:high") and by
// compactions on its low-priority one ("rocksdb:low").
#ifndef TIMELEDGER_TESTS_SUPPORT_FAULTY_FILE_SYSTEM_H_
#define TIMELEDGER_TESTS_SUPPORT_FAULTY_FILE_SYSTEM_H_

#include <pthread.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include <rocksdb/file_system.h>

namespace timeledger::testing {

enum class FaultPoint { kWalAppend, kWalSync, kFlush, kCompaction };
enum class FaultError { kNoSpace, kIoError };

inline const char* FaultPointName(FaultPoint point) {
  switch (point) {
    case FaultPoint::kWalAppend:
      return "WalAppend";
    case FaultPoint::kWalSync:
      return "WalSync";
    case FaultPoint::kFlush:
      return "Flush";
    case FaultPoint::kCompaction:
      return "Compaction";
  }
  return "?";
}

class FaultyFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

  static const char* kClassName() { return "FaultyFileSystem"; }
  const char* Name() const override { return kClassName(); }

  // From now on every write at `point` fails with `error`, until Disarm.
  void Arm(FaultPoint point, FaultError error) {
    std::lock_guard<std::mutex> lock(mu_);
    point_ = point;
    error_ = error;
    armed_ = true;
  }
  void Disarm() {
    std::lock_guard<std::mutex> lock(mu_);
    armed_ = false;
  }
  // How many writes failed since the file system was made.
  int failures() const { return failures_.load(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, result, dbg);
    if (status.ok()) {
      *result = std::make_unique<File>(std::move(*result), this, KindOf(name));
    }
    return status;
  }

 private:
  enum class Kind { kWal, kTable, kOther };
  enum class Op { kAppend, kSync };

  static Kind KindOf(const std::string& name) {
    if (absl::EndsWith(name, ".log")) return Kind::kWal;
    if (absl::EndsWith(name, ".sst")) return Kind::kTable;
    return Kind::kOther;
  }

  static std::string ThreadName() {
    char name[32] = {};
    pthread_getname_np(pthread_self(), name, sizeof(name));
    return name;
  }

  // OK, or the injected error if an operation `op` on a file of `kind` fails now.
  rocksdb::IOStatus Check(Kind kind, Op op) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!armed_ || !Matches(kind, op)) return rocksdb::IOStatus::OK();
    ++failures_;
    return error_ == FaultError::kNoSpace ? rocksdb::IOStatus::NoSpace("injected ENOSPC")
                                          : rocksdb::IOStatus::IOError("injected EIO");
  }

  bool Matches(Kind kind, Op op) const {
    switch (point_) {
      case FaultPoint::kWalAppend:
        return kind == Kind::kWal && op == Op::kAppend;
      case FaultPoint::kWalSync:
        return kind == Kind::kWal && op == Op::kSync;
      case FaultPoint::kFlush:
        return kind == Kind::kTable && ThreadName() == "rocksdb:high";
      case FaultPoint::kCompaction:
        return kind == Kind::kTable && ThreadName() == "rocksdb:low";
    }
    return false;
  }

  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, FaultyFileSystem* fs, Kind kind)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), kind_(kind) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(kind_, Op::kAppend); !s.ok()) return s;
      return FSWritableFileOwnerWrapper::Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(kind_, Op::kAppend); !s.ok()) return s;
      return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                       const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(kind_, Op::kAppend); !s.ok()) return s;
      return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, dbg);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                       const rocksdb::IOOptions& options,
                                       const rocksdb::DataVerificationInfo& info,
                                       rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(kind_, Op::kAppend); !s.ok()) return s;
      return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, info, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(kind_, Op::kSync); !s.ok()) return s;
      return FSWritableFileOwnerWrapper::Sync(options, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(kind_, Op::kSync); !s.ok()) return s;
      return FSWritableFileOwnerWrapper::Fsync(options, dbg);
    }
    rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Check(kind_, Op::kSync); !s.ok()) return s;
      return FSWritableFileOwnerWrapper::RangeSync(offset, nbytes, options, dbg);
    }

   private:
    FaultyFileSystem* fs_;
    Kind kind_;
  };

  std::mutex mu_;
  bool armed_ = false;
  FaultPoint point_ = FaultPoint::kWalAppend;
  FaultError error_ = FaultError::kNoSpace;
  std::atomic<int> failures_{0};
};

}  // namespace timeledger::testing

#endif  // TIMELEDGER_TESTS_SUPPORT_FAULTY_FILE_SYSTEM_H_
