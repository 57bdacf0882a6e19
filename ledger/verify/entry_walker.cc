#include "ledger/verify/entry_walker.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

#include "ledger/core/errors.h"
#include "ledger/core/records.h"
#include "ledger/journal/entry_fact.h"

namespace timeledger::ledger::verify_internal {

void EntryWalker::Take(const ReadRecord& read, const Entry* decoded) {
  if (!running_ || read.entry == ReadRecord::EntryShape::kNone) return;
  if (read.entry == ReadRecord::EntryShape::kBroken) {
    running_ = false;
    read_status_ = ReadFailed(id_, Where{kNoPosition, expected_}, "the entries",
                              Refuse(Reason::kCorruptRecord, "a stored entry fact is damaged"));
    return;
  }
  const std::string_view bytes = read.entry_bytes();
  const uint64_t seq = SeqOfStoredEntry(absl::string_view(bytes.data(), bytes.size()));
  if (seq != expected_) {
    return Stop(EntryFinding{Reason::kEntrySeqGap, expected_,
                             "the journal's entries skip or repeat a seq",
                             absl::StrCat("seq ", expected_), absl::StrCat("seq ", seq), seq});
  }
  // The journal side decodes the same bytes when it takes the fact: only decoded again here
  // when it did not (it stopped before, or the fact around the entry is damaged).
  const Entry* entry = decoded;
  if (entry == nullptr) {
    if (!DecodeEntryInto(absl::string_view(bytes.data(), bytes.size()), &entry_).ok()) {
      return Stop(EntryFinding{Reason::kEntryDamaged, expected_, "the stored entry does not decode",
                               "", ""});
    }
    entry = &entry_;
  }
  if (entry->seq != seq || entry->bank_id != id_) {
    return Stop(EntryFinding{
        Reason::kEntryMisplaced, expected_, "the stored entry names another bank or seq",
        absl::StrCat(id_, " seq ", seq), absl::StrCat(entry->bank_id, " seq ", entry->seq)});
  }
  if (!read.entry_chains) {
    return Stop(EntryFinding{Reason::kChainBroken, expected_,
                             "the stored entry does not hash to its recorded hash after the "
                             "entry before it: the entry or its hash was altered",
                             Hex(read.entry_hash_computed), Hex(entry->hash)});
  }
  passed_hash_ = entry->hash;
  ++passed_;
  if (entry->kind == EntryKind::kReversal) {
    ++reversals_;
    reversals_print_ += print_(entry->reverses_seq, static_cast<int64_t>(entry->seq));
  }
  ++expected_;
}

void EntryWalker::Stop(EntryFinding finding) {
  running_ = false;
  entry_finding_ = std::move(finding);
}

void EntryWalker::Finish(const absl::Status& read_status) {
  if (!running_) return;
  running_ = false;
  if (!read_status.ok()) {
    read_status_ = ReadFailed(id_, Where{kNoPosition, expected_}, "the entries", read_status);
  }
}

absl::Status EntryWalker::Reconcile(const JournalWalker& journal, const PostingScan& postings) {
  // Both sides took the same records: the journal side's entries are the entry side's as far as
  // both went, and it took no entry that this side did not take (this side stops only at a
  // finding, below). Beyond the journal side's entries, the stored ones are not in the journal.
  const uint64_t in_journal = journal.entries();
  if (passed_ > in_journal) {
    last_hash_ = in_journal == 0 ? Digest{} : journal.last_entry_hash();
    return Stopped(in_journal, kNoPosition,
                   Finding(id_, Reason::kEntryNotInJournal, Where{kNoPosition, in_journal + 1},
                           "the stored entry is not in the journal"));
  }
  last_hash_ = passed_hash_;
  const uint64_t next = passed_;
  if (entry_finding_.has_value()) {
    // The entry is read from its fact; 'x' says where that is (and the journal side whether
    // 'x' is right).
    const EntryFinding& f = *entry_finding_;
    const uint64_t position = StoredPositionOf(f.placed_by_seq != 0 ? f.placed_by_seq : f.seq);
    return Stopped(next, position,
                   Finding(id_, f.reason, Where{position, f.seq}, f.what, f.expected, f.found));
  }
  if (!read_status_.ok()) return Stopped(next, kNoPosition, read_status_);
  if (head_.next_seq != next + 1 || head_.last_hash != passed_hash_) {
    return Stopped(
        next, kNoPosition,
        Finding(id_, Reason::kChainHeadMismatch, Where{kNoPosition, next},
                "the chain head does not match the last entry",
                absl::StrCat("next seq ", next + 1, " hash ", Hex(passed_hash_)),
                absl::StrCat("next seq ", head_.next_seq, " hash ", Hex(head_.last_hash))));
  }
  if (!journal.status().ok()) return Stopped(next, kNoPosition, absl::OkStatus());
  absl::Status tail = postings.Compare(journal.accounts(), passed_);
  if (tail.ok()) tail = CheckReversals();
  return Stopped(next, kNoPosition, std::move(tail));
}

absl::Status EntryWalker::Stopped(uint64_t checked, uint64_t failed_at, absl::Status status) {
  checked_ = checked;
  failed_at_ = status.ok() ? kNoPosition : failed_at;
  return status;
}

uint64_t EntryWalker::StoredPositionOf(uint64_t seq) {
  if (seq == 0) return kNoPosition;
  auto cursor = snapshot_.EntryPositions(id_);
  SeqMapping mapping;
  for (uint64_t read = 0; cursor->Next(&mapping);) {
    if (mapping.seq != ++read) return kNoPosition;
    if (read == seq) return mapping.value;
  }
  return kNoPosition;
}

absl::Status EntryWalker::CheckReversals() {
  // A marker is keyed by the seq it reverses, so the markers come in another order than the
  // reversals: compared as two sets, each summed, and one by one only if the sums differ.
  auto markers = snapshot_.Reversals(id_);
  SeqMapping marker;
  uint64_t count = 0, print = 0;
  while (markers->Next(&marker)) {
    ++count;
    print += print_(marker.seq, static_cast<int64_t>(marker.value));
  }
  if (markers->status().ok() && count == reversals_ && print == reversals_print_) {
    return absl::OkStatus();
  }
  return CheckReversalsExactly();
}

absl::Status EntryWalker::CheckReversalsExactly() {
  // (reversed seq, reversal seq) of each reversal entry, in the order of the markers' keys.
  std::vector<std::pair<uint64_t, uint64_t>> reversals;
  auto entries = snapshot_.Entries(id_);
  EntryRecord record;
  while (entries->Next(&record)) {
    if (DecodeEntryInto(record.bytes, &entry_).ok() && entry_.kind == EntryKind::kReversal) {
      reversals.emplace_back(entry_.reverses_seq, entry_.seq);
    }
  }
  std::sort(reversals.begin(), reversals.end());
  auto markers = snapshot_.Reversals(id_);
  SeqMapping marker;
  size_t next = 0;
  while (markers->Next(&marker)) {
    if (next == reversals.size() || reversals[next].first != marker.seq ||
        reversals[next].second != marker.value) {
      return Finding(id_, Reason::kReversalMismatch, Where{kNoPosition, marker.seq},
                     "the entry's reversal marker differs from the reversal entries",
                     next < reversals.size() ? absl::StrCat("seq ", reversals[next].first,
                                                            " reversed by ", reversals[next].second)
                                             : "no marker",
                     absl::StrCat("seq ", marker.seq, " reversed by ", marker.value));
    }
    ++next;
  }
  if (!markers->status().ok()) {
    return ReadFailed(id_, Where{}, "the reversal markers", markers->status());
  }
  if (next != reversals.size()) {
    return Finding(
        id_, Reason::kReversalMismatch, Where{kNoPosition, reversals[next].second},
        absl::StrCat("the reversal of seq ", reversals[next].first, " has no reversal marker"));
  }
  return absl::OkStatus();
}

}  // namespace timeledger::ledger::verify_internal
