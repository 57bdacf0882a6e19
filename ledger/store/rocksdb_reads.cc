#include "ledger/store/rocksdb_reads.h"

#include <memory>
#include <utility>

namespace timeledger::ledger {

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
  std::string value;
  auto status = db_->Get(options_, key, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return FromRocks(status);
  return std::optional<std::string>(std::move(value));
}

absl::Status RocksReads::ForEachBank(
    const std::function<absl::Status(const Bank&, const ChainHead&, const Policy&)>& visit) const {
  return ScanPrefix(
      keys::TagPrefix(KeyTag::kBank),
      [&](absl::string_view, absl::string_view value) -> absl::Status {
        auto bank = DecodeBank(value);
        if (!bank.ok()) return bank.status();
        auto head = GetDecoded<ChainHead>(keys::ChainKey(bank->bank_id), &DecodeChainHead);
        if (!head.ok()) return head.status();
        auto policy = GetDecoded<Policy>(keys::PolicyKey(bank->bank_id), &DecodePolicy);
        if (!policy.ok()) return policy.status();
        return visit(*bank, head->value_or(ChainHead{}), policy->value_or(Policy{}));
      });
}

}  // namespace timeledger::ledger
