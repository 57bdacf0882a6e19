// The reads of entries. An entry is stored once, inside its journal fact ('j', keys.h); 'x' maps
// its seq to that fact's position. Every reader of entries (GetEntry, the lists, the reports'
// scans, an audit's cursor) finds them here. Internal to ledger/store/.
//
// The entries of a bank lie at increasing journal positions in seq order, so a reader of many
// (sorted seqs, or a run of them) steps two iterators forward, over 'x' and over 'j', seeking only
// past long gaps, instead of two point reads per entry.
#ifndef TIMELEDGER_LEDGER_STORE_ROCKSDB_ENTRIES_H_
#define TIMELEDGER_LEDGER_STORE_ROCKSDB_ENTRIES_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include <rocksdb/db.h>

#include "ledger/core/types.h"
#include "ledger/store/rocksdb_reads.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

// Whether a journal record's value (keys.h, JournalValue) holds an entry fact.
bool IsEntryRecord(absl::string_view value);
// The stored entry (records.h: canonical bytes || hash) inside a journal record's value (keys.h,
// JournalValue), a view into it, and the fact's position; false if it holds no entry fact.
bool EntryOfRecord(absl::string_view value, absl::string_view* entry, uint64_t* position);

// Decodes the entry `seq` of `bank_id` out of the journal record `value` (fact || chain hash)
// found at `position`: DataLoss CORRUPT_RECORD unless it is that entry's fact.
absl::Status DecodeEntryOfRecord(absl::string_view value, absl::string_view bank_id, uint64_t seq,
                                 uint64_t position, Entry* entry);

// The personal records of a bank's facts with from_position <= position < end_position.
absl::StatusOr<std::vector<PersonalRecord>> ReadPersonal(const RocksReads& reads,
                                                         absl::string_view bank_id,
                                                         uint64_t from_position,
                                                         uint64_t end_position);
// Joins the note of a decoded entry whose note is sealed (layout 4) from its personal record at
// `position`: one point read, only for an entry that has a note.
absl::Status JoinNote(const RocksReads& reads, absl::string_view bank_id, uint64_t position,
                      Entry* entry);

// The entry `seq` as stored (reversed_by_seq not filled in), or nullopt: two point reads.
absl::StatusOr<std::optional<Entry>> ReadEntry(const RocksReads& reads, absl::string_view bank_id,
                                               uint64_t seq);

// An iterator over the keys tag bank_id 0x00 number:fixed64be of one bank and tag, that moves to
// a number by stepping forward over a short gap and seeking over a long one.
class NumberedKeys {
 public:
  NumberedKeys(rocksdb::DB* db, rocksdb::ReadOptions options, KeyTag tag,
               absl::string_view bank_id);

  // Moves to the key of `number`; false if there is none (or a read failed: status()).
  bool MoveTo(uint64_t number);
  // Moves to the first key of the bank and tag; false if there is none (or a read failed).
  bool First();
  // Moves to the next key of the bank and tag; false at the end (or on a failed read).
  bool Next();
  // The number of the key it is on (valid after a MoveTo or Next that returned true).
  uint64_t number() const { return on_; }
  absl::string_view value() const { return AsView(it_->value()); }
  absl::Status status() const;

 private:
  bool Settle();

  const std::string bank_id_;
  const KeyTag tag_;
  const std::string prefix_;
  const std::string upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;  // after the bound it points at
  uint64_t on_ = 0;
  bool positioned_ = false;
  bool malformed_ = false;
};

// The entries of one bank in seq order through 'x' and 'j', each read once, as a report or an
// account's list needs them: sorted seqs, or a run of consecutive ones.
class EntryFinder {
 public:
  EntryFinder(rocksdb::DB* db, const rocksdb::ReadOptions& options, absl::string_view bank_id);

  // Reads entry `seq` (no smaller than the one read before) into *entry; false if 'x' has no
  // position for it.
  absl::StatusOr<bool> Find(uint64_t seq, Entry* entry);
  // The same for a seq that another index (a posting, the time index) names: DataLoss if 'x'
  // lacks it.
  absl::Status FindIndexed(uint64_t seq, Entry* entry);
  // Reads the entry after the last one found, walking the journal past other facts; false at
  // the end of the bank's entries.
  absl::StatusOr<bool> FindNext(Entry* entry);

 private:
  const std::string bank_id_;
  const RocksReads reads_;  // the notes' personal records
  NumberedKeys positions_;
  NumberedKeys journal_;
  uint64_t last_seq_ = 0;
};

// The bank's entries as raw records, walking its journal (the audit's cursor, store.h).
std::unique_ptr<Cursor<EntryRecord>> NewJournalEntryCursor(std::shared_ptr<rocksdb::DB> db,
                                                           rocksdb::ReadOptions options,
                                                           absl::string_view bank_id);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_ROCKSDB_ENTRIES_H_
