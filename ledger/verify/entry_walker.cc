#include "ledger/verify/entry_walker.h"

#include <algorithm>
#include <array>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"

#include "ledger/core/errors.h"
#include "ledger/core/records.h"

namespace timeledger::ledger::verify_internal {

void EntryWalker::Run() {
  WalkEntries();
  ReadPositions();
  if (!entry_finding_.has_value() && read_status_.ok()) tail_status_ = CheckTail();
}

absl::Status EntryWalker::Reconcile(const std::vector<EntryRef>& refs) {
  for (size_t i = 0; i < hashes_.size(); ++i) {
    const uint64_t seq = i + 1;
    if (i >= refs.size()) {
      return Stop(i, kNoPosition,
                  Finding(id_, Reason::kEntryNotInJournal, Where{kNoPosition, seq},
                          "the stored entry is not in the journal"));
    }
    if (refs[i].hash != hashes_[i]) {
      return Stop(i, refs[i].position,
                  Finding(id_, Reason::kEntryMismatch, Where{refs[i].position, seq},
                          "the stored entry differs from the entry in the journal",
                          Hex(refs[i].hash), Hex(hashes_[i])));
    }
  }
  const size_t next = hashes_.size();
  if (entry_finding_.has_value()) {
    // The entry is read from its fact; 'x' says where that is (and the journal side whether
    // 'x' is right).
    const EntryFinding& f = *entry_finding_;
    const std::vector<uint64_t>& stored = positions_.positions;
    const uint64_t placed_by = f.placed_by_seq != 0 ? f.placed_by_seq : f.seq;
    const uint64_t position = placed_by - 1 < stored.size() ? stored[placed_by - 1] : kNoPosition;
    return Stop(next, position,
                Finding(id_, f.reason, Where{position, f.seq}, f.what, f.expected, f.found));
  }
  if (!read_status_.ok()) return Stop(next, kNoPosition, read_status_);
  if (next < refs.size()) {
    return Stop(next, refs[next].position,
                Finding(id_, Reason::kEntryMissing, Where{refs[next].position, next + 1},
                        "the journal holds the entry but the stored entries lack it"));
  }
  const Digest last = next == 0 ? Digest{} : hashes_[next - 1];
  if (head_.next_seq != next + 1 || head_.last_hash != last) {
    return Stop(next, kNoPosition,
                Finding(id_, Reason::kChainHeadMismatch, Where{kNoPosition, next},
                        "the chain head does not match the last entry",
                        absl::StrCat("next seq ", next + 1, " hash ", Hex(last)),
                        absl::StrCat("next seq ", head_.next_seq, " hash ", Hex(head_.last_hash))));
  }
  return Stop(next, kNoPosition, tail_status_);
}

absl::Status EntryWalker::Stop(size_t checked, uint64_t failed_at, absl::Status status) {
  checked_ = checked;
  failed_at_ = status.ok() ? kNoPosition : failed_at;
  return status;
}

absl::Status EntryWalker::CheckTail() {
  absl::Status status = CheckPostings();
  if (status.ok()) status = CheckReversals();
  return status;
}

uint32_t EntryWalker::Intern(const std::string& account_id) {
  auto [it, added] = ids_.emplace(account_id, static_cast<uint32_t>(ids_.size()));
  if (added) posting_counts_.push_back(0);
  return it->second;
}

void EntryWalker::ReadPositions() {
  auto cursor = snapshot_.EntryPositions(id_);
  ReserveHuge(&positions_.positions, ReservedEntries(head_));
  SeqMapping mapping;
  while (cursor->Next(&mapping)) {
    if (mapping.seq != positions_.positions.size() + 1) {
      positions_.out_of_order = mapping;
      return;
    }
    positions_.positions.push_back(mapping.value);
  }
  positions_.status = cursor->status();
}

void EntryWalker::WalkEntries() {
  auto entries = snapshot_.Entries(id_);
  ReserveHuge(&hashes_, ReservedEntries(head_));
  ReserveHuge(&moves_, ReservedEntries(head_));
  EntryRecord record;
  Entry entry;
  Digest previous{};
  uint64_t expected = 1;
  while (entries->Next(&record)) {
    if (record.seq != expected) {
      entry_finding_ = EntryFinding{Reason::kEntrySeqGap,
                                    expected,
                                    "the journal's entries skip or repeat a seq",
                                    absl::StrCat("seq ", expected),
                                    absl::StrCat("seq ", record.seq),
                                    record.seq};
      return;
    }
    if (!DecodeEntryInto(record.bytes, &entry).ok()) {
      entry_finding_ =
          EntryFinding{Reason::kEntryDamaged, expected, "the stored entry does not decode", "", ""};
      return;
    }
    if (entry.seq != record.seq || entry.bank_id != id_) {
      entry_finding_ = EntryFinding{
          Reason::kEntryMisplaced, expected, "the stored entry names another bank or seq",
          absl::StrCat(id_, " seq ", record.seq), absl::StrCat(entry.bank_id, " seq ", entry.seq)};
      return;
    }
    // The chain hash over the stored canonical bytes themselves (ChainHash re-encodes them).
    const Digest hash =
        hasher_.Update(absl::Span<const uint8_t>(previous))
            .Update(std::string_view(record.bytes.data(), record.bytes.size() - kDigestBytes))
            .Finish();
    if (hash != entry.hash) {
      entry_finding_ = EntryFinding{Reason::kChainBroken, expected,
                                    "the stored entry does not hash to its recorded hash after "
                                    "the entry before it: the entry or its hash was altered",
                                    Hex(hash), Hex(entry.hash)};
      return;
    }
    previous = entry.hash;
    hashes_.push_back(entry.hash);
    moves_.push_back(
        Move{Intern(entry.from_account_id), Intern(entry.to_account_id), entry.minutes});
    ++posting_counts_[moves_.back().from];
    ++posting_counts_[moves_.back().to];
    if (entry.kind == EntryKind::kReversal) {
      reversals_.emplace_back(entry.reverses_seq, entry.seq);
    }
    ++expected;
  }
  if (!entries->status().ok()) {
    read_status_ = ReadFailed(id_, Where{kNoPosition, expected}, "the entries", entries->status());
  }
}

class EntryWalker::PostingReader {
 public:
  PostingReader(Cursor<PostingRecord>& cursor, const std::vector<Move>& moves)
      : cursor_(cursor), moves_(moves) {}

  bool Next(PostingRecord* posting) {
    while (more_ && filled_ < kAhead) {
      PostingRecord& slot = ahead_[(first_ + filled_) % kAhead];
      if (!cursor_.Next(&slot)) {
        more_ = false;
        break;
      }
      if (slot.seq - 1 < moves_.size()) __builtin_prefetch(&moves_[slot.seq - 1]);
      ++filled_;
    }
    if (filled_ == 0) return false;
    std::swap(*posting, ahead_[first_]);
    first_ = (first_ + 1) % kAhead;
    --filled_;
    return true;
  }

 private:
  static constexpr size_t kAhead = 16;
  Cursor<PostingRecord>& cursor_;
  const std::vector<Move>& moves_;
  std::array<PostingRecord, kAhead> ahead_;
  size_t first_ = 0;
  size_t filled_ = 0;
  bool more_ = true;
};

absl::Status EntryWalker::CheckPostings() {
  auto postings = snapshot_.Postings(id_);
  PostingReader reader(*postings, moves_);
  PostingRecord posting;
  std::string current;
  uint32_t index = 0;
  int64_t running = 0;
  uint64_t count = 0, last_seq = 0, accounts_seen = 0;
  std::vector<bool> seen(ids_.size(), false);
  auto close_account = [&]() -> absl::Status {
    if (!current.empty() && count != posting_counts_[index]) {
      return Finding(id_, Reason::kPostingMissing, Where{kNoPosition, 0, current},
                     "the account's postings do not match its entries",
                     absl::StrCat(posting_counts_[index], " postings"),
                     absl::StrCat(count, " postings"));
    }
    return absl::OkStatus();
  };
  while (reader.Next(&posting)) {
    if (posting.account_id != current) {
      if (auto s = close_account(); !s.ok()) return s;
      current = posting.account_id;
      auto it = ids_.find(current);
      if (it == ids_.end()) {
        return Finding(id_, Reason::kPostingMismatch, Where{kNoPosition, posting.seq, current},
                       "a posting exists for an account that no entry touches");
      }
      index = it->second;
      seen[index] = true;
      running = 0;
      count = 0;
      last_seq = 0;
      ++accounts_seen;
    }
    const Where where{kNoPosition, posting.seq, current};
    if (posting.seq == 0 || posting.seq > moves_.size() || posting.seq <= last_seq) {
      return Finding(id_, Reason::kPostingMismatch, where, "the posting is for no stored entry");
    }
    const Move& move = moves_[posting.seq - 1];
    if (move.from == index) {
      running -= move.minutes;
    } else if (move.to == index) {
      running += move.minutes;
    } else {
      return Finding(id_, Reason::kPostingMismatch, where,
                     "the posting is for an entry that does not touch the account");
    }
    if (running != posting.balance_after_minutes) {
      return Finding(id_, Reason::kPostingMismatch, where,
                     "the running balance after the entry differs from the entries",
                     absl::StrCat(running, " minutes"),
                     absl::StrCat(posting.balance_after_minutes, " minutes"));
    }
    ++count;
    last_seq = posting.seq;
  }
  if (!postings->status().ok()) {
    return ReadFailed(id_, Where{}, "the postings", postings->status());
  }
  if (auto s = close_account(); !s.ok()) return s;
  if (accounts_seen != ids_.size()) {
    for (const auto& [account_id, account_index] : ids_) {
      if (!seen[account_index]) {
        return Finding(id_, Reason::kPostingMissing, Where{kNoPosition, 0, account_id},
                       "the account has entries but no postings");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status EntryWalker::CheckReversals() {
  std::sort(reversals_.begin(), reversals_.end());
  auto markers = snapshot_.Reversals(id_);
  SeqMapping marker;
  size_t next = 0;
  while (markers->Next(&marker)) {
    if (next == reversals_.size() || reversals_[next].first != marker.seq ||
        reversals_[next].second != marker.value) {
      return Finding(id_, Reason::kReversalMismatch, Where{kNoPosition, marker.seq},
                     "the entry's reversal marker differs from the reversal entries",
                     next < reversals_.size()
                         ? absl::StrCat("seq ", reversals_[next].first, " reversed by ",
                                        reversals_[next].second)
                         : "no marker",
                     absl::StrCat("seq ", marker.seq, " reversed by ", marker.value));
    }
    ++next;
  }
  if (!markers->status().ok()) {
    return ReadFailed(id_, Where{}, "the reversal markers", markers->status());
  }
  if (next != reversals_.size()) {
    return Finding(
        id_, Reason::kReversalMismatch, Where{kNoPosition, reversals_[next].second},
        absl::StrCat("the reversal of seq ", reversals_[next].first, " has no reversal marker"));
  }
  return absl::OkStatus();
}

}  // namespace timeledger::ledger::verify_internal
