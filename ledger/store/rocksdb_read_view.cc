#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/store/keys.h"
#include "ledger/store/rocksdb_readers.h"
#include "ledger/store/rocksdb_reads.h"
#include "ledger/store/rocksdb_status.h"

namespace timeledger::ledger {
namespace {

// A ReadView bound to one rocksdb::Snapshot, released with the view.
class RocksDbReadView : public ReadView {
 public:
  explicit RocksDbReadView(std::shared_ptr<rocksdb::DB> db)
      : owner_(std::move(db)), db_(owner_.get()), snapshot_(db_->GetSnapshot()) {}
  ~RocksDbReadView() override {
    point_.reset();
    db_->ReleaseSnapshot(snapshot_);
  }

  RocksDbReadView(const RocksDbReadView&) = delete;
  RocksDbReadView& operator=(const RocksDbReadView&) = delete;

  absl::StatusOr<std::optional<Bank>> GetBank(absl::string_view bank_id) override {
    std::string value;
    auto found = Get(keys::BankKey(bank_id), &value);
    if (!found.ok()) return found.status();
    if (!*found) return std::optional<Bank>();
    auto bank = DecodeBank(value);
    if (!bank.ok()) return bank.status();
    return std::optional<Bank>(*std::move(bank));
  }

  absl::StatusOr<ChainHead> GetChainHead(absl::string_view bank_id) override {
    std::string value;
    auto found = Get(keys::ChainKey(bank_id), &value);
    if (!found.ok()) return found.status();
    if (!*found) return ChainHead{};
    return DecodeChainHead(value);
  }

  absl::StatusOr<Policy> GetPolicy(absl::string_view bank_id) override {
    std::string value;
    auto found = Get(keys::PolicyKey(bank_id), &value);
    if (!found.ok()) return found.status();
    if (!*found) return Policy{};
    return DecodePolicy(value);
  }

  absl::StatusOr<std::optional<Account>> GetAccount(absl::string_view bank_id,
                                                    absl::string_view account_id) override {
    std::string value;
    auto found = Get(keys::AccountKey(bank_id, account_id), &value);
    if (!found.ok()) return found.status();
    if (!*found) return std::optional<Account>();
    auto account = DecodeAccount(value);
    if (!account.ok()) return account.status();
    return std::optional<Account>(*std::move(account));
  }

  absl::Status ForEachAccount(absl::string_view bank_id,
                              const std::function<absl::Status(const Account&)>& visit) override {
    const std::string prefix = keys::ScopedPrefix(KeyTag::kAccount, bank_id);
    return RocksReads(db_, Options())
        .Scan(prefix, keys::PrefixEnd(prefix),
              [&](absl::string_view, absl::string_view value) -> absl::Status {
                auto account = DecodeAccount(value);
                if (!account.ok()) return account.status();
                return visit(*account);
              });
  }

  absl::StatusOr<std::optional<Entry>> GetEntry(absl::string_view bank_id, uint64_t seq) override {
    std::string value;
    auto found = Get(keys::SeqKey(KeyTag::kEntry, bank_id, seq), &value);
    if (!found.ok()) return found.status();
    if (!*found) return std::optional<Entry>();
    auto entry = DecodeEntry(value);
    if (!entry.ok()) return entry.status();
    return std::optional<Entry>(*std::move(entry));
  }

  absl::Status ForEachEntryOccurredIn(
      absl::string_view bank_id, absl::Time from, absl::Time to, size_t entries_max,
      const std::function<absl::Status(const Entry&)>& visit) override {
    if (to <= from) return absl::OkStatus();
    // First the seqs from the time index, then the entries in seq order: entries recorded
    // together sit together, so most steps are an iterator's Next, not a Seek.
    std::vector<uint64_t> seqs;
    const size_t prefix_size = keys::ScopedPrefix(KeyTag::kOccurred, bank_id).size();
    auto status =
        RocksReads(db_, Options(/*fill_cache=*/false))
            .Scan(keys::OccurredBound(bank_id, from), keys::OccurredBound(bank_id, to),
                  [&](absl::string_view key, absl::string_view) -> absl::Status {
                    if (key.size() != prefix_size + 16) return Corrupt("time index key");
                    if (seqs.size() == entries_max) {
                      return Refuse(
                          Reason::kReportTooLarge,
                          absl::StrCat("more than ", entries_max,
                                       " entries occurred in the period; choose a shorter period"),
                          {{"limit", std::to_string(entries_max)}});
                    }
                    seqs.push_back(DecodeFixed64BigEndian(key.data() + prefix_size + 8));
                    return absl::OkStatus();
                  });
    if (!status.ok()) return status;
    std::sort(seqs.begin(), seqs.end());
    return VisitEntries(bank_id, seqs, visit);
  }

  absl::Status ForEachPosting(
      absl::string_view bank_id, absl::string_view account_id, uint64_t after_seq,
      uint64_t through_seq,
      const std::function<absl::Status(const Entry&, int64_t balance_after)>& visit) override {
    if (through_seq <= after_seq) return absl::OkStatus();
    const std::string prefix = keys::PostingPrefix(bank_id, account_id);
    std::vector<std::pair<uint64_t, int64_t>> postings;  // seq, balance after
    const std::string end = through_seq == UINT64_MAX
                                ? keys::PrefixEnd(prefix)
                                : keys::PostingKey(bank_id, account_id, through_seq + 1);
    auto status = RocksReads(db_, Options())
                      .Scan(keys::PostingKey(bank_id, account_id, after_seq + 1), end,
                            [&](absl::string_view key, absl::string_view value) -> absl::Status {
                              if (value.size() != 8 || key.size() != prefix.size() + 8)
                                return Corrupt("posting");
                              postings.emplace_back(
                                  DecodeFixed64BigEndian(key.data() + prefix.size()),
                                  static_cast<int64_t>(DecodeFixed64BigEndian(value.data())));
                              return absl::OkStatus();
                            });
    if (!status.ok()) return status;
    for (const auto& [seq, balance_after] : postings) {
      auto entry = GetEntry(bank_id, seq);
      if (!entry.ok()) return entry.status();
      if (!entry->has_value()) return Corrupt("posting without its entry");
      if (auto s = visit(**entry, balance_after); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<int64_t>> BalancesAfter(absl::string_view bank_id,
                                                     const std::vector<std::string>& account_ids,
                                                     uint64_t seq) override {
    std::vector<int64_t> balances(account_ids.size(), 0);
    if (seq == 0 || account_ids.empty()) return balances;
    const std::string bank_prefix = keys::ScopedPrefix(KeyTag::kPosting, bank_id);
    const std::string bank_end = keys::PrefixEnd(bank_prefix);
    rocksdb::ReadOptions read_options = Options();
    rocksdb::Slice lower(bank_prefix);
    rocksdb::Slice upper(bank_end);
    read_options.iterate_lower_bound = &lower;
    read_options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    for (size_t i = 0; i < account_ids.size(); ++i) {
      const std::string prefix = keys::PostingPrefix(bank_id, account_ids[i]);
      it->SeekForPrev(keys::PostingKey(bank_id, account_ids[i], seq));
      if (!it->Valid()) continue;
      const rocksdb::Slice key = it->key();
      const rocksdb::Slice value = it->value();
      if (!key.starts_with(prefix)) continue;  // no posting of this account by then
      if (value.size() != 8 || key.size() != prefix.size() + 8) return Corrupt("posting");
      balances[i] = static_cast<int64_t>(DecodeFixed64BigEndian(value.data()));
    }
    if (auto s = FromRocks(it->status()); !s.ok()) return s;
    return balances;
  }

  absl::Status ForEachOpenPending(
      absl::string_view bank_id,
      const std::function<absl::Status(const PendingEntry&)>& visit) override {
    return ForEachPending(KeyTag::kOpenPending, bank_id, visit);
  }

  absl::Status ForEachResolvedPending(
      absl::string_view bank_id,
      const std::function<absl::Status(const PendingEntry&)>& visit) override {
    return ForEachPending(KeyTag::kResolvedPending, bank_id, visit);
  }

  absl::Status ForEachAwardIn(absl::string_view bank_id, absl::Time from, absl::Time to,
                              size_t awards_max,
                              const std::function<absl::Status(const Award&)>& visit) override {
    if (to <= from) return absl::OkStatus();
    const std::string prefix = keys::ScopedPrefix(KeyTag::kAwardTime, bank_id);
    std::vector<std::string> award_ids;
    auto status =
        RocksReads(db_, Options(/*fill_cache=*/false))
            .Scan(
                prefix + keys::Biased(from), prefix + keys::Biased(to),
                [&](absl::string_view key, absl::string_view) -> absl::Status {
                  if (key.size() <= prefix.size() + 8) return Corrupt("award time index key");
                  if (award_ids.size() == awards_max) {
                    return Refuse(
                        Reason::kReportTooLarge,
                        absl::StrCat(
                            "more than ", awards_max,
                            " qualifications were awarded in the period; choose a shorter period"),
                        {{"limit", std::to_string(awards_max)}});
                  }
                  award_ids.emplace_back(key.substr(prefix.size() + 8));
                  return absl::OkStatus();
                });
    if (!status.ok()) return status;
    for (const std::string& award_id : award_ids) {
      std::string value;
      auto found = Get(keys::AwardKey(bank_id, award_id), &value);
      if (!found.ok()) return found.status();
      if (!*found) return Corrupt("award time index entry");
      auto award = DecodeAward(value);
      if (!award.ok()) return award.status();
      if (auto s = visit(*award); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  // Big scans skip the block cache, so that a report does not evict what the writer needs.
  rocksdb::ReadOptions Options(bool fill_cache = true) const {
    rocksdb::ReadOptions read_options;
    read_options.snapshot = snapshot_;
    read_options.fill_cache = fill_cache;
    return read_options;
  }

  // Reads `key`; returns whether it exists. Through one iterator kept for the view rather than
  // DB::Get: a report makes thousands of point reads (reversals, statements), and a Get consults
  // the table's whole-key filter, which a large table may not keep in the block cache.
  absl::StatusOr<bool> Get(const std::string& key, std::string* value) {
    if (point_ == nullptr) point_.reset(db_->NewIterator(Options()));
    point_->Seek(key);
    if (!point_->Valid()) {
      if (auto s = FromRocks(point_->status()); !s.ok()) return s;
      return false;
    }
    if (point_->key() != rocksdb::Slice(key)) return false;
    value->assign(point_->value().data(), point_->value().size());
    return true;
  }

  absl::Status ForEachPending(KeyTag tag, absl::string_view bank_id,
                              const std::function<absl::Status(const PendingEntry&)>& visit) {
    const std::string prefix = keys::ScopedPrefix(tag, bank_id);
    return RocksReads(db_, Options())
        .Scan(prefix, keys::PrefixEnd(prefix),
              [&](absl::string_view, absl::string_view value) -> absl::Status {
                auto pending = DecodePendingEntry(value);
                if (!pending.ok()) return pending.status();
                return visit(*pending);
              });
  }

  // Visits the entries `seqs` (sorted), stepping with Next over short gaps and seeking past
  // long ones.
  absl::Status VisitEntries(absl::string_view bank_id, const std::vector<uint64_t>& seqs,
                            const std::function<absl::Status(const Entry&)>& visit) {
    constexpr uint64_t kStepsBeforeSeek = 16;
    const std::string prefix = keys::ScopedPrefix(KeyTag::kEntry, bank_id);
    const std::string end = keys::PrefixEnd(prefix);
    rocksdb::ReadOptions read_options = Options(/*fill_cache=*/false);
    rocksdb::Slice upper(end);
    read_options.iterate_upper_bound = &upper;
    read_options.readahead_size = 2 << 20;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
    uint64_t at = 0;  // the seq the iterator is on; 0: not positioned
    auto seq_of = [&](const rocksdb::Slice& key) -> uint64_t {
      return key.size() == prefix.size() + 8 ? DecodeFixed64BigEndian(key.data() + prefix.size())
                                             : 0;
    };
    for (uint64_t seq : seqs) {
      if (at != 0 && seq > at && seq - at <= kStepsBeforeSeek) {
        while (it->Valid() && at < seq) {
          it->Next();
          at = it->Valid() ? seq_of(it->key()) : 0;
        }
      }
      if (at != seq) {
        it->Seek(keys::SeqKey(KeyTag::kEntry, bank_id, seq));
        at = it->Valid() ? seq_of(it->key()) : 0;
      }
      if (at != seq) {
        if (auto s = FromRocks(it->status()); !s.ok()) return s;
        return Corrupt("time index entry without its entry");
      }
      const rocksdb::Slice value = it->value();
      auto entry = DecodeEntry(absl::string_view(value.data(), value.size()));
      if (!entry.ok()) return entry.status();
      if (auto s = visit(*entry); !s.ok()) return s;
    }
    return FromRocks(it->status());
  }

  std::shared_ptr<rocksdb::DB> owner_;  // keeps the instance open while the view lives
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
  std::unique_ptr<rocksdb::Iterator> point_;  // for Get; released before the snapshot
};

}  // namespace

std::unique_ptr<ReadView> NewRocksDbReadView(std::shared_ptr<rocksdb::DB> db) {
  return std::make_unique<RocksDbReadView>(std::move(db));
}

}  // namespace timeledger::ledger
