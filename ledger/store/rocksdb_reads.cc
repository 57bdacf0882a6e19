#include "ledger/store/rocksdb_reads.h"

#include <memory>
#include <utility>

namespace timeledger::ledger {

absl::StatusOr<std::optional<std::string>> KeptIterator::Get(const std::string& key) {
  absl::MutexLock lock(&mu_);
  if (it_ == nullptr) it_.reset(db_->NewIterator(options_));
  it_->Seek(key);
  if (!it_->Valid()) {
    if (auto s = FromRocks(it_->status()); !s.ok()) return s;
    return std::optional<std::string>();
  }
  if (it_->key() != rocksdb::Slice(key)) return std::optional<std::string>();
  return std::optional<std::string>(std::string(it_->value().data(), it_->value().size()));
}

absl::Status RocksReads::Scan(const std::string& start, const std::string& end,
                              const RawVisitor& visit, size_t limit) const {
  rocksdb::ReadOptions read_options = options_;
  rocksdb::Slice upper(end);
  read_options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
  size_t visited = 0;
  for (it->Seek(start); it->Valid() && visited < limit; it->Next(), ++visited) {
    auto status = visit(AsView(it->key()), AsView(it->value()));
    if (!status.ok()) return status;
  }
  return FromRocks(it->status());
}

absl::StatusOr<std::optional<std::string>> RocksReads::Get(const std::string& key) const {
  if (point_ != nullptr) return point_->Get(key);
  std::string value;
  auto status = db_->Get(options_, key, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return FromRocks(status);
  return std::optional<std::string>(std::move(value));
}

}  // namespace timeledger::ledger
