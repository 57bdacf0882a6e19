// The entry inside an entry fact's canonical bytes (journal.h), found without decoding the rest
// of the fact: the store keeps an entry only there (ledger/store/keys.h), so every read of an
// entry, and an audit's walk over all of them, goes through these.
//
//   fact := u8(version 1 or 2) u8(5) str(bank_id) u64(position) i64(at_us) str(principal)
//           str(entry)
//
// where entry is the entry's stored form (records.h: canonical bytes || hash), the last field.
// Pure functions over bytes; thread-safe. They check the framing only: the entry's own bytes are
// for DecodeEntry(Into) to check.
#ifndef TIMELEDGER_LEDGER_JOURNAL_ENTRY_FACT_H_
#define TIMELEDGER_LEDGER_JOURNAL_ENTRY_FACT_H_

#include <cstdint>

#include "absl/strings/string_view.h"

#include "ledger/core/coding.h"
#include "ledger/journal/fact.h"
#include "ledger/journal/journal.h"

namespace timeledger::ledger {

// Whether `fact` is an entry fact (by its version and type bytes alone).
inline bool IsEntryFact(absl::string_view fact) {
  return fact.size() > 2 &&
         (fact[0] == static_cast<char>(kFactVersionInline) ||
          fact[0] == static_cast<char>(kFactVersionSealed)) &&
         fact[1] == static_cast<char>(FactType::kEntry);
}

// Sets *entry to the stored entry inside `fact` (a view into it) and *position to the fact's
// position. False if `fact` is not an entry fact or its framing is malformed.
inline bool EntryInFact(absl::string_view fact, absl::string_view* entry, uint64_t* position) {
  if (!IsEntryFact(fact) || fact.size() > kFactBytesMax) return false;
  Reader reader(fact.substr(2));
  absl::string_view bank_id, principal;
  int64_t at_us = 0;
  return reader.ReadLengthPrefixedView(&bank_id, kIdLengthMax) &&
         reader.ReadFixed64BigEndian(position) && reader.ReadFixed64Signed(&at_us) &&
         reader.ReadLengthPrefixedView(&principal, kFactBytesMax) &&
         reader.ReadLengthPrefixedView(entry, StoredEntryRecord::kBytesMax) && reader.done();
}

// The seq of a stored entry, read from its canonical bytes (u8(version 1, 2 or 3) str(bank_id)
// u64(seq) ...) without decoding the rest; 0 if they are malformed there.
inline uint64_t SeqOfStoredEntry(absl::string_view entry) {
  if (entry.empty() || entry[0] < static_cast<char>(kEntryVersionInline) ||
      entry[0] > static_cast<char>(kEntryVersionFlagged)) {
    return 0;
  }
  Reader reader(entry.substr(1));
  absl::string_view bank_id;
  uint64_t seq = 0;
  if (!reader.ReadLengthPrefixedView(&bank_id, kIdLengthMax) ||
      !reader.ReadFixed64BigEndian(&seq)) {
    return 0;
  }
  return seq;
}

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_JOURNAL_ENTRY_FACT_H_
