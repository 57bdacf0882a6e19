// RocksDbReader's reads for reports and statements (store.h says what each returns): entries
// through the time index, an account's postings, balances at a seq, awards through their time
// index. A report reads a snapshot; these scans skip the block cache where they read much.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/store/keys.h"
#include "ledger/store/rocksdb_entries.h"
#include "ledger/store/rocksdb_reader.h"
#include "ledger/store/rocksdb_status.h"

namespace timeledger::ledger {
namespace {

// A posting as its key and value hold it: the seq of its entry and the balance after it.
struct PostingAt {
  uint64_t seq = 0;
  int64_t balance_after = 0;
};

// Reads the postings of one account in [start, end), at most `limit`.
absl::StatusOr<std::vector<PostingAt>> ReadPostings(const RocksReads& reads,
                                                    const std::string& prefix,
                                                    const std::string& start,
                                                    const std::string& end,
                                                    size_t limit = SIZE_MAX) {
  std::vector<PostingAt> postings;
  auto status = reads.Scan(
      start, end,
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        if (value.size() != 8 || key.size() != prefix.size() + 8) return Corrupt("posting");
        postings.push_back(PostingAt{DecodeFixed64BigEndian(key.data() + prefix.size()),
                                     static_cast<int64_t>(DecodeFixed64BigEndian(value.data()))});
        return absl::OkStatus();
      },
      limit);
  if (!status.ok()) return status;
  return postings;
}

// The refusal of a report that would read more than `limit` records of `what` in its period.
absl::Status TooLarge(size_t limit, absl::string_view what) {
  return Refuse(
      Reason::kReportTooLarge,
      absl::StrCat("more than ", limit, " ", what, " in the period; choose a shorter period"),
      {{"limit", std::to_string(limit)}});
}

// Visits the entries `seqs` (sorted), each read once through 'x' and 'j' (rocksdb_entries.h).
absl::Status VisitEntries(const ReadAt& at, const rocksdb::ReadOptions& options,
                          absl::string_view bank_id, const std::vector<uint64_t>& seqs,
                          const std::function<absl::Status(const Entry&)>& visit) {
  EntryFinder finder(at.db.get(), options, bank_id);
  Entry entry;
  for (uint64_t seq : seqs) {
    if (auto s = finder.FindIndexed(seq, &entry); !s.ok()) return s;
    if (auto s = visit(entry); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<EntryRow>> RocksDbReader::ListAccountEntries(
    absl::string_view bank_id, absl::string_view account_id, uint64_t after_seq, size_t limit) {
  const ReadAt at = At();
  const RocksReads reads = at.reads();
  const std::string prefix = keys::PostingPrefix(bank_id, account_id);
  auto postings = ReadPostings(reads, prefix, keys::PostingKey(bank_id, account_id, after_seq + 1),
                               keys::PrefixEnd(prefix), limit);
  if (!postings.ok()) return postings.status();
  std::vector<EntryRow> rows;
  rows.reserve(postings->size());
  EntryFinder finder(at.db.get(), at.options, bank_id);
  for (const PostingAt& posting : *postings) {
    EntryRow row;
    if (auto s = finder.FindIndexed(posting.seq, &row.entry); !s.ok()) return s;
    auto reversed_by = ReadReversedBy(reads, bank_id, posting.seq);
    if (!reversed_by.ok()) return reversed_by.status();
    row.entry.reversed_by_seq = *reversed_by;
    row.running_balance_minutes = posting.balance_after;
    rows.push_back(std::move(row));
  }
  return rows;
}

absl::Status RocksDbReader::ForEachEntryOccurredIn(
    absl::string_view bank_id, absl::Time from, absl::Time to, size_t entries_max,
    const std::function<absl::Status(const Entry&)>& visit) {
  if (to <= from) return absl::OkStatus();
  const ReadAt at = At();
  // First the seqs from the time index, then the entries in seq order: entries recorded
  // together sit together, so most steps are an iterator's Next, not a Seek.
  std::vector<uint64_t> seqs;
  const size_t prefix_size = keys::ScopedPrefix(KeyTag::kOccurred, bank_id).size();
  auto status = RocksReads(at.db.get(), at.LongScan())
                    .Scan(keys::OccurredBound(bank_id, from), keys::OccurredBound(bank_id, to),
                          [&](absl::string_view key, absl::string_view) -> absl::Status {
                            if (key.size() != prefix_size + 16) return Corrupt("time index key");
                            if (seqs.size() == entries_max) {
                              return TooLarge(entries_max, "entries occurred");
                            }
                            seqs.push_back(DecodeFixed64BigEndian(key.data() + prefix_size + 8));
                            return absl::OkStatus();
                          });
  if (!status.ok()) return status;
  std::sort(seqs.begin(), seqs.end());
  rocksdb::ReadOptions options = at.LongScan();
  options.readahead_size = 2 << 20;  // a period's entries are mostly one run of the journal
  return VisitEntries(at, options, bank_id, seqs, visit);
}

absl::Status RocksDbReader::ForEachPosting(
    absl::string_view bank_id, absl::string_view account_id, uint64_t after_seq,
    uint64_t through_seq,
    const std::function<absl::Status(const Entry&, int64_t balance_after)>& visit) {
  if (through_seq <= after_seq) return absl::OkStatus();
  const ReadAt at = At();
  const std::string prefix = keys::PostingPrefix(bank_id, account_id);
  const std::string end = through_seq == UINT64_MAX
                              ? keys::PrefixEnd(prefix)
                              : keys::PostingKey(bank_id, account_id, through_seq + 1);
  auto postings =
      ReadPostings(at.reads(), prefix, keys::PostingKey(bank_id, account_id, after_seq + 1), end);
  if (!postings.ok()) return postings.status();
  EntryFinder finder(at.db.get(), at.options, bank_id);
  Entry entry;
  for (const PostingAt& posting : *postings) {
    if (auto s = finder.FindIndexed(posting.seq, &entry); !s.ok()) return s;
    if (auto s = visit(entry, posting.balance_after); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> RocksDbReader::BalancesAfter(
    absl::string_view bank_id, const std::vector<std::string>& account_ids, uint64_t seq) {
  std::vector<int64_t> balances(account_ids.size(), 0);
  if (seq == 0 || account_ids.empty()) return balances;
  const ReadAt at = At();
  const std::string bank_prefix = keys::ScopedPrefix(KeyTag::kPosting, bank_id);
  const std::string bank_end = keys::PrefixEnd(bank_prefix);
  rocksdb::ReadOptions read_options = at.options;
  rocksdb::Slice lower(bank_prefix);
  rocksdb::Slice upper(bank_end);
  read_options.iterate_lower_bound = &lower;
  read_options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(at.db->NewIterator(read_options));
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

absl::Status RocksDbReader::ForEachAwardIn(absl::string_view bank_id, absl::Time from,
                                           absl::Time to, size_t awards_max,
                                           const std::function<absl::Status(const Award&)>& visit) {
  if (to <= from) return absl::OkStatus();
  const ReadAt at = At();
  const std::string prefix = keys::ScopedPrefix(KeyTag::kAwardTime, bank_id);
  std::vector<std::string> award_ids;
  auto status = RocksReads(at.db.get(), at.LongScan())
                    .Scan(prefix + keys::Biased(from), prefix + keys::Biased(to),
                          [&](absl::string_view key, absl::string_view) -> absl::Status {
                            if (key.size() <= prefix.size() + 8) {
                              return Corrupt("award time index key");
                            }
                            if (award_ids.size() == awards_max) {
                              return TooLarge(awards_max, "qualifications were awarded");
                            }
                            award_ids.emplace_back(key.substr(prefix.size() + 8));
                            return absl::OkStatus();
                          });
  if (!status.ok()) return status;
  const RocksReads reads = at.reads();
  for (const std::string& award_id : award_ids) {
    auto award = reads.GetDecoded<Award>(keys::AwardKey(bank_id, award_id), &DecodeAward);
    if (!award.ok()) return award.status();
    if (!award->has_value()) return Corrupt("award time index entry");
    if (auto s = visit(**award); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace timeledger::ledger
