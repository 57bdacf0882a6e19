#include "ledger/store/rocksdb_entries.h"

#include <utility>

#include "ledger/core/coding.h"
#include "ledger/core/records.h"
#include "ledger/journal/entry_fact.h"
#include "ledger/journal/journal.h"
#include "ledger/store/keys.h"
#include "ledger/store/rocksdb_status.h"

namespace timeledger::ledger {
namespace {

// Steps over a gap of at most this many keys rather than seeking: entries read together (a
// period's, an account's) mostly sit close together in the journal.
constexpr uint64_t kStepsBeforeSeek = 16;

}  // namespace

bool IsEntryRecord(absl::string_view value) {
  absl::string_view fact, chain_hash;
  return keys::SplitJournalValue(value, &fact, &chain_hash) && IsEntryFact(fact);
}

bool EntryOfRecord(absl::string_view value, absl::string_view* entry, uint64_t* position) {
  absl::string_view fact, chain_hash;
  if (!keys::SplitJournalValue(value, &fact, &chain_hash)) return false;
  return EntryInFact(fact, entry, position);
}

absl::Status DecodeEntryOfRecord(absl::string_view value, absl::string_view bank_id, uint64_t seq,
                                 uint64_t position, Entry* entry) {
  absl::string_view bytes;
  uint64_t fact_position = 0;
  if (!EntryOfRecord(value, &bytes, &fact_position) || fact_position != position ||
      !DecodeEntryInto(bytes, entry).ok() || entry->seq != seq || entry->bank_id != bank_id) {
    return Corrupt("entry in the journal");
  }
  entry->reversed_by_seq = 0;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PersonalRecord>> ReadPersonal(const RocksReads& reads,
                                                         absl::string_view bank_id,
                                                         uint64_t from_position,
                                                         uint64_t end_position) {
  std::vector<PersonalRecord> records;
  const std::string prefix = keys::ScopedPrefix(KeyTag::kPersonal, bank_id);
  auto status = reads.Scan(keys::SeqKey(KeyTag::kPersonal, bank_id, from_position),
                           keys::SeqKey(KeyTag::kPersonal, bank_id, end_position),
                           [&](absl::string_view key, absl::string_view value) -> absl::Status {
                             PersonalRecord record;
                             if (!keys::ParsePersonal(key.substr(prefix.size()), value, &record)) {
                               return Corrupt("personal record");
                             }
                             records.push_back(std::move(record));
                             return absl::OkStatus();
                           });
  if (!status.ok()) return status;
  return records;
}

absl::Status JoinNote(const RocksReads& reads, absl::string_view bank_id, uint64_t position,
                      Entry* entry) {
  if (entry->note_seal.state != PersonalState::kErased) return absl::OkStatus();
  // A point read (the bloom filter answers for an erased note), not a scan.
  auto value = reads.Get(keys::PersonalKey(bank_id, position, PersonalField::kNote));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return absl::OkStatus();
  PersonalRecord record{position, PersonalField::kNote, {}, {}};
  if (!DecodePersonalValue(**value, kNoteLengthMax, &record).ok()) {
    return Corrupt("personal record");
  }
  JoinPersonal(absl::MakeConstSpan(&record, 1), entry);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Entry>> ReadEntry(const RocksReads& reads, absl::string_view bank_id,
                                               uint64_t seq) {
  auto position = reads.Get(keys::SeqKey(KeyTag::kEntryPosition, bank_id, seq));
  if (!position.ok()) return position.status();
  if (!position->has_value()) return std::optional<Entry>();
  if ((*position)->size() != 8) return Corrupt("entry position");
  const uint64_t at = DecodeFixed64BigEndian((*position)->data());
  auto record = reads.Get(keys::SeqKey(KeyTag::kJournal, bank_id, at));
  if (!record.ok()) return record.status();
  if (!record->has_value()) return Corrupt("entry position beyond the journal");
  Entry entry;
  if (auto s = DecodeEntryOfRecord(**record, bank_id, seq, at, &entry); !s.ok()) return s;
  if (auto s = JoinNote(reads, bank_id, at, &entry); !s.ok()) return s;
  return std::optional<Entry>(std::move(entry));
}

NumberedKeys::NumberedKeys(rocksdb::DB* db, rocksdb::ReadOptions options, KeyTag tag,
                           absl::string_view bank_id)
    : bank_id_(bank_id),
      tag_(tag),
      prefix_(keys::ScopedPrefix(tag, bank_id)),
      upper_(keys::PrefixEnd(prefix_)),
      upper_slice_(upper_) {
  options.iterate_upper_bound = &upper_slice_;
  it_.reset(db->NewIterator(options));
}

bool NumberedKeys::Settle() {
  positioned_ = it_->Valid();
  if (!positioned_) return false;
  const rocksdb::Slice key = it_->key();
  if (key.size() != prefix_.size() + 8) {
    malformed_ = true;
    positioned_ = false;
    return false;
  }
  on_ = DecodeFixed64BigEndian(key.data() + prefix_.size());
  return true;
}

bool NumberedKeys::MoveTo(uint64_t number) {
  if (malformed_) return false;
  if (positioned_ && number > on_ && number - on_ <= kStepsBeforeSeek) {
    while (positioned_ && on_ < number) {
      it_->Next();
      Settle();
    }
  }
  if (!positioned_ || on_ != number) {
    it_->Seek(keys::SeqKey(tag_, bank_id_, number));
    Settle();
  }
  return positioned_ && on_ == number;
}

bool NumberedKeys::First() {
  it_->Seek(prefix_);
  return Settle();
}

bool NumberedKeys::Next() {
  if (!positioned_) return false;
  it_->Next();
  return Settle();
}

absl::Status NumberedKeys::status() const {
  if (malformed_) return Corrupt(tag_ == KeyTag::kJournal ? "journal key" : "entry position key");
  return FromRocks(it_->status());
}

EntryFinder::EntryFinder(rocksdb::DB* db, const rocksdb::ReadOptions& options,
                         absl::string_view bank_id)
    : bank_id_(bank_id),
      reads_(db, options),
      positions_(db, options, KeyTag::kEntryPosition, bank_id),
      journal_(db, options, KeyTag::kJournal, bank_id) {}

absl::StatusOr<bool> EntryFinder::Find(uint64_t seq, Entry* entry) {
  if (!positions_.MoveTo(seq)) {
    if (auto s = positions_.status(); !s.ok()) return s;
    return false;
  }
  const absl::string_view value = positions_.value();
  if (value.size() != 8) return Corrupt("entry position");
  const uint64_t position = DecodeFixed64BigEndian(value.data());
  if (!journal_.MoveTo(position)) {
    if (auto s = journal_.status(); !s.ok()) return s;
    return Corrupt("entry position beyond the journal");
  }
  last_seq_ = seq;
  if (auto s = DecodeEntryOfRecord(journal_.value(), bank_id_, seq, position, entry); !s.ok()) {
    return s;
  }
  if (auto s = JoinNote(reads_, bank_id_, position, entry); !s.ok()) return s;
  return true;
}

absl::Status EntryFinder::FindIndexed(uint64_t seq, Entry* entry) {
  auto found = Find(seq, entry);
  if (!found.ok()) return found.status();
  if (!*found) return Corrupt("entry index: an indexed entry has no journal position");
  return absl::OkStatus();
}

absl::StatusOr<bool> EntryFinder::FindNext(Entry* entry) {
  if (last_seq_ == 0) return false;  // nothing found yet to follow
  while (journal_.Next()) {
    if (!IsEntryRecord(journal_.value())) continue;
    ++last_seq_;
    if (auto s =
            DecodeEntryOfRecord(journal_.value(), bank_id_, last_seq_, journal_.number(), entry);
        !s.ok()) {
      return s;
    }
    if (auto s = JoinNote(reads_, bank_id_, journal_.number(), entry); !s.ok()) return s;
    return true;
  }
  if (auto s = journal_.status(); !s.ok()) return s;
  return false;
}

namespace {

// The audit's cursor: every entry fact of the journal, in position (and so seq) order.
class JournalEntryCursor final : public Cursor<EntryRecord> {
 public:
  JournalEntryCursor(std::shared_ptr<rocksdb::DB> db, const rocksdb::ReadOptions& options,
                     absl::string_view bank_id)
      : db_(std::move(db)), journal_(db_.get(), options, KeyTag::kJournal, bank_id) {
    started_ = journal_.First();
  }

  bool Next(EntryRecord* record) override {
    if (!status_.ok()) return false;
    for (; started_; started_ = journal_.Next()) {
      absl::string_view entry;
      uint64_t position = 0;
      if (!IsEntryRecord(journal_.value())) continue;
      if (!EntryOfRecord(journal_.value(), &entry, &position) || position != journal_.number()) {
        status_ = Corrupt("entry fact");
        return false;
      }
      record->seq = SeqOfStoredEntry(entry);
      record->bytes.assign(entry.data(), entry.size());
      started_ = journal_.Next();
      return true;
    }
    status_ = journal_.status();
    return false;
  }

  absl::Status status() const override { return status_; }

 private:
  const std::shared_ptr<rocksdb::DB> db_;
  NumberedKeys journal_;
  bool started_ = false;
  absl::Status status_;
};

}  // namespace

std::unique_ptr<Cursor<EntryRecord>> NewJournalEntryCursor(std::shared_ptr<rocksdb::DB> db,
                                                           rocksdb::ReadOptions options,
                                                           absl::string_view bank_id) {
  return std::make_unique<JournalEntryCursor>(std::move(db), options, bank_id);
}

}  // namespace timeledger::ledger
