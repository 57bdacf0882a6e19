// The RocksDB implementation of Store: the only file that knows RocksDB.
//
// Key layout (one column family; every id is [A-Za-z0-9._-] or, for entry ids, also ':', so the
// 0x00 separator never occurs inside one):
//
//   key          := bank | chain | account | entry | entry_id | reversal | posting
//   bank         := 'b' bank_id                               -> EncodeBank
//   chain        := 'c' bank_id                               -> EncodeChainHead
//   account      := 'a' bank_id 0x00 account_id               -> EncodeAccount (balances included)
//   entry        := 'e' bank_id 0x00 seq:fixed64be            -> EncodeEntry (canonical || hash)
//   entry_id     := 'i' bank_id 0x00 entry_id                 -> EncodeEntryIdRecord
//   reversal     := 'r' bank_id 0x00 seq:fixed64be            -> reversing seq:fixed64be
//   posting      := 'p' bank_id 0x00 account_id 0x00 seq:fixed64be -> balance after:fixed64be
//   policy       := 'P' bank_id                               -> EncodePolicy (the one in force)
//   policy_change:= 'H' bank_id 0x00 version:fixed64be        -> str(old policy) str(new policy)
//   pending      := 'q' bank_id 0x00 entry_id                 -> EncodePendingEntry (open ones)
//   resolved     := 'Q' bank_id 0x00 entry_id                 -> EncodePendingEntry (resolved)
//
// Big-endian seqs make iteration order the entry order. Every Put of an operation goes into one
// WriteBatch written with sync=true.
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/write_batch_with_index.h>
#include <rocksdb/write_batch.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "ledger/coding.h"
#include "ledger/errors.h"
#include "ledger/store.h"

namespace timeledger::ledger {
namespace {

constexpr char kSeparator = '\0';

// The one place a rocksdb::Status becomes an absl::Status.
absl::Status FromRocks(const rocksdb::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const std::string detail = status.ToString();
  if (status.IsCorruption()) {
    return Refusal(absl::StatusCode::kDataLoss, "STORE_CORRUPT",
                   absl::StrCat("the ledger's store is damaged: ", detail));
  }
  if (status.IsNoSpace()) {
    return Unavailable("STORE_FULL", absl::StrCat("the ledger's disk is full: ", detail));
  }
  return Unavailable("STORE_UNAVAILABLE", absl::StrCat("the ledger's store failed: ", detail));
}

std::string BankKey(absl::string_view bank_id) { return absl::StrCat("b", bank_id); }
std::string ChainKey(absl::string_view bank_id) { return absl::StrCat("c", bank_id); }

std::string ScopedPrefix(char tag, absl::string_view bank_id) {
  std::string key(1, tag);
  key.append(bank_id.data(), bank_id.size());
  key.push_back(kSeparator);
  return key;
}

std::string AccountKey(absl::string_view bank_id, absl::string_view account_id) {
  return absl::StrCat(ScopedPrefix('a', bank_id), account_id);
}

std::string SeqKey(char tag, absl::string_view bank_id, uint64_t seq) {
  std::string key = ScopedPrefix(tag, bank_id);
  PutFixed64BigEndian(&key, seq);
  return key;
}

std::string EntryIdKey(absl::string_view bank_id, absl::string_view entry_id) {
  return absl::StrCat(ScopedPrefix('i', bank_id), entry_id);
}

std::string PostingPrefix(absl::string_view bank_id, absl::string_view account_id) {
  std::string key = AccountKey(bank_id, account_id);
  key[0] = 'p';
  key.push_back(kSeparator);
  return key;
}

std::string PostingKey(absl::string_view bank_id, absl::string_view account_id, uint64_t seq) {
  std::string key = PostingPrefix(bank_id, account_id);
  PutFixed64BigEndian(&key, seq);
  return key;
}

// The smallest key greater than every key that starts with `prefix`.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

absl::Status Corrupt(absl::string_view what) {
  return Refusal(absl::StatusCode::kDataLoss, "CORRUPT_RECORD",
                 absl::StrCat("a stored ", what, " is damaged"));
}

class RocksDbBatch : public StoreBatch {
 public:
  void PutBank(const Bank& bank) override { Put(BankKey(bank.bank_id), EncodeBank(bank)); }

  void PutAccount(const Account& account) override {
    Put(AccountKey(account.bank_id, account.account_id), EncodeAccount(account));
  }

  void PutEntry(const Entry& entry, int64_t from_balance_after,
                int64_t to_balance_after) override {
    Put(SeqKey('e', entry.bank_id, entry.seq), EncodeEntry(entry));
    PutPosting(entry, entry.from_account_id, from_balance_after);
    PutPosting(entry, entry.to_account_id, to_balance_after);
  }

  void PutEntryId(absl::string_view bank_id, absl::string_view entry_id,
                  const EntryIdRecord& record) override {
    Put(EntryIdKey(bank_id, entry_id), EncodeEntryIdRecord(record));
  }

  void PutReversal(absl::string_view bank_id, uint64_t seq, uint64_t reversed_by_seq) override {
    std::string value;
    PutFixed64BigEndian(&value, reversed_by_seq);
    Put(SeqKey('r', bank_id, seq), value);
  }

  void PutChainHead(absl::string_view bank_id, const ChainHead& head) override {
    Put(ChainKey(bank_id), EncodeChainHead(head));
  }

  void PutPolicy(absl::string_view bank_id, const Policy& policy) override {
    Put(absl::StrCat("P", bank_id), EncodePolicy(policy));
  }

  void PutPolicyChange(absl::string_view bank_id, const Policy& old_policy,
                       const Policy& new_policy) override {
    std::string value;
    PutLengthPrefixed(&value, EncodePolicy(old_policy));
    PutLengthPrefixed(&value, EncodePolicy(new_policy));
    Put(SeqKey('H', bank_id, new_policy.version), value);
  }

  void PutPending(const PendingEntry& pending) override {
    const std::string& bank_id = pending.entry.bank_id;
    const std::string open_key = absl::StrCat(ScopedPrefix('q', bank_id), pending.entry.entry_id);
    if (pending.state == PendingState::kPending) {
      Put(open_key, EncodePendingEntry(pending));
      return;
    }
    batch_.Delete(open_key).PermitUncheckedError();
    ++count_;
    Put(absl::StrCat(ScopedPrefix('Q', bank_id), pending.entry.entry_id),
        EncodePendingEntry(pending));
  }

  void SetSavePoint() override {
    batch_.SetSavePoint();
    saved_counts_.push_back(count_);
  }

  void RollbackToSavePoint() override {
    batch_.RollbackToSavePoint().PermitUncheckedError();
    count_ = saved_counts_.back();
    saved_counts_.pop_back();
  }

  void ReleaseSavePoint() override {
    batch_.PopSavePoint().PermitUncheckedError();
    saved_counts_.pop_back();
  }

  bool empty() const override { return count_ == 0; }

  rocksdb::WriteBatch* batch() { return &batch_; }

 private:
  void Put(const std::string& key, const std::string& value) {
    batch_.Put(key, value).PermitUncheckedError();
    ++count_;
  }

  void PutPosting(const Entry& entry, absl::string_view account_id, int64_t balance_after) {
    std::string value;
    PutFixed64BigEndian(&value, static_cast<uint64_t>(balance_after));
    Put(PostingKey(entry.bank_id, account_id, entry.seq), value);
  }

  rocksdb::WriteBatch batch_;
  size_t count_ = 0;
  std::vector<size_t> saved_counts_;
};

class RocksDbStore : public Store {
 public:
  RocksDbStore(std::unique_ptr<rocksdb::DB> db, bool sync) : db_(std::move(db)) {
    write_options_.sync = sync;
  }

  std::unique_ptr<StoreBatch> NewBatch() override { return std::make_unique<RocksDbBatch>(); }

  absl::Status Commit(StoreBatch* batch) override {
    auto* rocks_batch = static_cast<RocksDbBatch*>(batch);
    return FromRocks(db_->Write(write_options_, rocks_batch->batch()));
  }

  absl::Status ForEachBank(
      const std::function<absl::Status(const Bank&, const ChainHead&, const Policy&)>& visit)
      override {
    return Scan("b", "c", [&](absl::string_view, absl::string_view value) -> absl::Status {
      auto bank = DecodeBank(value);
      if (!bank.ok()) return bank.status();
      ChainHead head;
      std::string head_bytes;
      auto status = db_->Get(rocksdb::ReadOptions(), ChainKey(bank->bank_id), &head_bytes);
      if (status.ok()) {
        auto decoded = DecodeChainHead(head_bytes);
        if (!decoded.ok()) return decoded.status();
        head = *decoded;
      } else if (!status.IsNotFound()) {
        return FromRocks(status);
      }
      Policy policy;
      std::string policy_bytes;
      status = db_->Get(rocksdb::ReadOptions(), absl::StrCat("P", bank->bank_id), &policy_bytes);
      if (status.ok()) {
        auto decoded = DecodePolicy(policy_bytes);
        if (!decoded.ok()) return decoded.status();
        policy = *decoded;
      } else if (!status.IsNotFound()) {
        return FromRocks(status);
      }
      return visit(*bank, head, policy);
    });
  }

  absl::Status ForEachOpenPending(
      absl::string_view bank_id,
      const std::function<absl::Status(const PendingEntry&)>& visit) override {
    const std::string prefix = ScopedPrefix('q', bank_id);
    return Scan(prefix, PrefixEnd(prefix),
                [&](absl::string_view, absl::string_view value) -> absl::Status {
                  auto pending = DecodePendingEntry(value);
                  if (!pending.ok()) return pending.status();
                  return visit(*pending);
                });
  }

  absl::StatusOr<std::optional<PendingEntry>> GetPending(absl::string_view bank_id,
                                                         absl::string_view entry_id) override {
    for (char tag : {'q', 'Q'}) {
      std::string value;
      auto status =
          db_->Get(rocksdb::ReadOptions(), absl::StrCat(ScopedPrefix(tag, bank_id), entry_id), &value);
      if (status.IsNotFound()) continue;
      if (!status.ok()) return FromRocks(status);
      auto pending = DecodePendingEntry(value);
      if (!pending.ok()) return pending.status();
      return std::optional<PendingEntry>(*std::move(pending));
    }
    return std::optional<PendingEntry>();
  }

  absl::StatusOr<std::vector<std::pair<Policy, Policy>>> ListPolicyChanges(
      absl::string_view bank_id) override {
    std::vector<std::pair<Policy, Policy>> changes;
    const std::string prefix = ScopedPrefix('H', bank_id);
    auto status = Scan(prefix, PrefixEnd(prefix),
                       [&](absl::string_view, absl::string_view value) -> absl::Status {
                         Reader reader(value);
                         std::string old_bytes, new_bytes;
                         if (!reader.ReadLengthPrefixed(&old_bytes, 1 << 16) ||
                             !reader.ReadLengthPrefixed(&new_bytes, 1 << 16)) {
                           return Corrupt("policy change");
                         }
                         auto old_policy = DecodePolicy(old_bytes);
                         auto new_policy = DecodePolicy(new_bytes);
                         if (!old_policy.ok()) return old_policy.status();
                         if (!new_policy.ok()) return new_policy.status();
                         changes.emplace_back(*old_policy, *new_policy);
                         return absl::OkStatus();
                       });
    if (!status.ok()) return status;
    return changes;
  }

  absl::Status ForEachAccount(absl::string_view bank_id,
                              const std::function<absl::Status(const Account&)>& visit) override {
    const std::string prefix = ScopedPrefix('a', bank_id);
    return Scan(prefix, PrefixEnd(prefix),
                [&](absl::string_view, absl::string_view value) -> absl::Status {
                  auto account = DecodeAccount(value);
                  if (!account.ok()) return account.status();
                  return visit(*account);
                });
  }

  absl::StatusOr<std::optional<Entry>> GetEntry(absl::string_view bank_id,
                                                uint64_t seq) override {
    std::string value;
    auto status = db_->Get(rocksdb::ReadOptions(), SeqKey('e', bank_id, seq), &value);
    if (status.IsNotFound()) return std::optional<Entry>();
    if (!status.ok()) return FromRocks(status);
    auto entry = DecodeEntry(value);
    if (!entry.ok()) return entry.status();
    auto reversed_by = GetReversedBy(bank_id, seq);
    if (!reversed_by.ok()) return reversed_by.status();
    entry->reversed_by_seq = *reversed_by;
    return std::optional<Entry>(std::move(*entry));
  }

  absl::StatusOr<std::optional<EntryIdRecord>> GetEntryId(absl::string_view bank_id,
                                                          absl::string_view entry_id) override {
    std::string value;
    auto status = db_->Get(rocksdb::ReadOptions(), EntryIdKey(bank_id, entry_id), &value);
    if (status.IsNotFound()) return std::optional<EntryIdRecord>();
    if (!status.ok()) return FromRocks(status);
    auto record = DecodeEntryIdRecord(value);
    if (!record.ok()) return record.status();
    return std::optional<EntryIdRecord>(*record);
  }

  absl::StatusOr<uint64_t> GetReversedBy(absl::string_view bank_id, uint64_t seq) override {
    std::string value;
    auto status = db_->Get(rocksdb::ReadOptions(), SeqKey('r', bank_id, seq), &value);
    if (status.IsNotFound()) return uint64_t{0};
    if (!status.ok()) return FromRocks(status);
    if (value.size() != 8) return Corrupt("reversal marker");
    return DecodeFixed64BigEndian(value.data());
  }

  absl::StatusOr<std::vector<EntryRow>> ListEntries(absl::string_view bank_id, uint64_t after_seq,
                                                    size_t limit) override {
    std::vector<EntryRow> rows;
    const std::string prefix = ScopedPrefix('e', bank_id);
    const std::string start = SeqKey('e', bank_id, after_seq + 1);
    auto status = Scan(start, PrefixEnd(prefix),
                       [&](absl::string_view, absl::string_view value) -> absl::Status {
                         auto entry = DecodeEntry(value);
                         if (!entry.ok()) return entry.status();
                         rows.push_back(EntryRow{std::move(*entry), 0});
                         return absl::OkStatus();
                       },
                       limit);
    if (!status.ok()) return status;
    if (auto s = FillReversals(bank_id, &rows); !s.ok()) return s;
    return rows;
  }

  absl::StatusOr<std::vector<EntryRow>> ListAccountEntries(absl::string_view bank_id,
                                                           absl::string_view account_id,
                                                           uint64_t after_seq,
                                                           size_t limit) override {
    std::vector<EntryRow> rows;
    const std::string prefix = PostingPrefix(bank_id, account_id);
    const std::string start = PostingKey(bank_id, account_id, after_seq + 1);
    auto status = Scan(start, PrefixEnd(prefix),
                       [&](absl::string_view key, absl::string_view value) -> absl::Status {
                         if (value.size() != 8 || key.size() != prefix.size() + 8) {
                           return Corrupt("posting");
                         }
                         EntryRow row;
                         row.entry.seq = DecodeFixed64BigEndian(key.data() + prefix.size());
                         row.running_balance_minutes =
                             static_cast<int64_t>(DecodeFixed64BigEndian(value.data()));
                         rows.push_back(std::move(row));
                         return absl::OkStatus();
                       },
                       limit);
    if (!status.ok()) return status;
    for (EntryRow& row : rows) {
      auto entry = GetEntry(bank_id, row.entry.seq);
      if (!entry.ok()) return entry.status();
      if (!entry->has_value()) return Corrupt("posting without its entry");
      row.entry = std::move(**entry);
    }
    return rows;
  }

  absl::StatusOr<std::vector<Account>> ListAccounts(absl::string_view bank_id,
                                                    absl::string_view after_account_id,
                                                    size_t limit) override {
    std::vector<Account> accounts;
    const std::string prefix = ScopedPrefix('a', bank_id);
    // The smallest key after `after_account_id`: the id followed by a 0x00 byte.
    std::string start = after_account_id.empty()
                            ? prefix
                            : absl::StrCat(AccountKey(bank_id, after_account_id),
                                           absl::string_view("\0", 1));
    auto status = Scan(start, PrefixEnd(prefix),
                       [&](absl::string_view, absl::string_view value) -> absl::Status {
                         auto account = DecodeAccount(value);
                         if (!account.ok()) return account.status();
                         accounts.push_back(std::move(*account));
                         return absl::OkStatus();
                       },
                       limit);
    if (!status.ok()) return status;
    return accounts;
  }

 private:
  using Visitor = std::function<absl::Status(absl::string_view key, absl::string_view value)>;

  // Visits keys in [start, end), at most `limit` of them.
  absl::Status Scan(const std::string& start, const std::string& end, const Visitor& visit,
                    size_t limit = SIZE_MAX) {
    rocksdb::ReadOptions read_options;
    rocksdb::Slice upper(end);
    read_options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    size_t visited = 0;
    for (it->Seek(start); it->Valid() && visited < limit; it->Next(), ++visited) {
      const rocksdb::Slice key = it->key();
      const rocksdb::Slice value = it->value();
      auto status = visit(absl::string_view(key.data(), key.size()),
                          absl::string_view(value.data(), value.size()));
      if (!status.ok()) return status;
    }
    return FromRocks(it->status());
  }

  absl::Status FillReversals(absl::string_view bank_id, std::vector<EntryRow>* rows) {
    for (EntryRow& row : *rows) {
      auto reversed_by = GetReversedBy(bank_id, row.entry.seq);
      if (!reversed_by.ok()) return reversed_by.status();
      row.entry.reversed_by_seq = *reversed_by;
    }
    return absl::OkStatus();
  }

  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions write_options_;
};

rocksdb::Options MakeOptions(const StoreOptions& store_options) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  // Two cores: one background job for flushes, one for compactions.
  options.IncreaseParallelism(2);
  options.max_background_jobs = 2;
  // Memtables bound the write memory: 2 x 32 MiB.
  options.write_buffer_size = 32 << 20;
  options.max_write_buffer_number = 2;
  // LZ4 is cheap on the write path; keys and records compress well (repeated ids).
  options.compression = rocksdb::kLZ4Compression;
  options.bottommost_compression = rocksdb::kZSTD;
  // A torn last WAL record after power loss is dropped; anything else damaged stops the open.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  rocksdb::BlockBasedTableOptions table;
  // Bloom filters make idempotency-key misses (every new entry) cost no disk read.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Few shards: with the default 64, each shard is 1 MiB and a large SST's filter block no longer
  // fits, so every idempotency lookup re-read and re-checksummed filters (bench/, 10x slower).
  table.block_cache = rocksdb::NewLRUCache(store_options.block_cache_bytes, /*num_shard_bits=*/2);
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenRocksDbStore(const StoreOptions& options) {
  rocksdb::DB* raw = nullptr;
  auto status = rocksdb::DB::Open(MakeOptions(options), options.path, &raw);
  if (!status.ok()) {
    return Unavailable("STORE_OPEN_FAILED",
                       absl::StrCat("cannot open the ledger at ", options.path, ": ",
                                    status.ToString()));
  }
  return std::unique_ptr<Store>(
      std::make_unique<RocksDbStore>(std::unique_ptr<rocksdb::DB>(raw), options.sync));
}

}  // namespace timeledger::ledger
