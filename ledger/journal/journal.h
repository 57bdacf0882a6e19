// The journal of a bank: every fact the ledger records about the bank, in the order it was
// committed, each at its own position, hashed over a canonical byte encoding, chained to the
// previous fact, and a leaf of the bank's Merkle tree (ledger/core/merkle.h).
//
// Canonical fact encoding, versions 1 and 2 (docs/ARCHITECTURE.md spells out every body for
// outside verifiers; str, u8, u64 and i64 as in records.h):
//
//   fact     := u8(version) u8(type) str(bank_id) u64(position) i64(at_us) str(principal) body
//   body     := the fields of its type, in the order fact.h's VisitBody lists them
//
// Version 2 (layout 4; every new fact) differs only in its personal values (v.Personal), each
// hashed as its commitment (ledger/core/personal.h), and an entry fact's entry being version 2.
//
//   leaf_hash(p)  := SHA-256(0x00 || fact(p))                 (RFC 6962 leaf)
//   chain_hash(p) := SHA-256(chain_hash(p-1) || leaf_hash(p)), chain_hash(-1) = 32 zero bytes
//
// Positions count from 0 per bank and equal Merkle leaf indexes: a digest of size n covers the
// facts at positions 0 .. n-1. An entry keeps its own dense seq and its own hash chain (records.h);
// its journal fact embeds its canonical bytes and that hash, so the journal commits to both.
//
// Pure functions and plain values; thread-safe. Decoders accept any bytes and fail cleanly
// (DataLoss, CORRUPT_RECORD) on anything malformed.
#ifndef TIMELEDGER_LEDGER_JOURNAL_H_
#define TIMELEDGER_LEDGER_JOURNAL_H_

#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

#include "ledger/core/types.h"
#include "ledger/journal/fact.h"

namespace timeledger::ledger {

// The largest encoded fact: a pending entry with every text at its limit, or a policy with 100
// duty activities, fits well inside it. Decoders refuse anything longer.
inline constexpr size_t kFactBytesMax = 16 * 1024;

// Facts as the commands make them; position and time are filled in when appended.
Fact BankCreatedFact(const Bank& bank, const std::string& principal);
Fact AccountOpenedFact(const Account& account, const std::string& principal);
Fact AccountStatusFact(const Account& account, AccountStatus from, AccountStatus to,
                       const std::string& reason, const std::string& principal);
Fact PolicySetFact(const std::string& bank_id, const Policy& policy, const std::string& principal);
Fact EntryFact(const Entry& entry);
Fact PendingCreatedFact(const PendingEntry& pending);
Fact PendingResolvedFact(const PendingEntry& pending);
Fact CardSetFact(const std::string& bank_id, const std::string& account_id,
                 const std::string& card_number, const std::string& principal);
Fact PinSetFact(const std::string& bank_id, const std::string& account_id,
                const std::string& principal);
Fact LanguageSetFact(const std::string& bank_id, const std::string& account_id,
                     const std::string& language, const std::string& principal);
Fact CatalogueItemFact(const CatalogueItem& item);
Fact QualificationAwardedFact(const Award& award);
Fact OfferRedeemedFact(const Entry& spend, const CatalogueItem& offer);
// `account`'s name and roles as a change left them.
Fact AccountChangedFact(const Account& account, const std::string& principal);
// The account's phone and email as they now are.
Fact ContactSetFact(const Account& account, const std::string& principal);
Fact PersonalDataErasedFact(const std::string& bank_id, const std::string& account_id,
                            std::vector<PersonalField> fields, const std::string& reason,
                            const std::string& principal);

// Returns the canonical bytes of `fact` (version 1, above).
std::string EncodeFact(const Fact& fact);
// Returns EncodeFact(EntryFact(entry)) at `position` and `at`, byte for byte, from the entry's
// canonical bytes (CanonicalEntryBytes) and its hash, without building a Fact: the writer's path
// for every entry, which encodes the entry once.
std::string EncodeEntryFact(const Entry& entry, absl::string_view canonical_entry,
                            uint64_t position, absl::Time at);
// Parses canonical bytes. Returns DataLoss (CORRUPT_RECORD) if they are not exactly a valid fact.
absl::StatusOr<Fact> DecodeFact(absl::string_view bytes);
// The same into *fact, which must be a default Fact or what an earlier call left there: for loops
// over many facts. An entry fact after an entry fact reuses the strings of the one before (it
// writes every field an entry fact has; the rest keep their defaults); any other fact starts from
// a default Fact. After an error *fact is a default Fact.
absl::Status DecodeFactInto(absl::string_view bytes, Fact* fact);

// Personal data (ledger/core/personal.h). A fact of version 2 holds a commitment where a personal
// value was; the value and its salt are PersonalRecords beside the journal, keyed by the fact's
// position and the field.

// Calls fn(field, value, seal, length_max) on each personal value of `fact` (a Fact or a const
// Fact): the fields VisitBody lists as v.Personal, then the note of the entry it holds (entry,
// pending_created).
template <class FactRef, class Fn>
void ForEachPersonal(FactRef& fact, Fn&& fn);

// Makes `fact` a version 2 fact whose every non-empty personal value is sealed with a fresh salt
// (a pending entry's too). An entry fact's entry must be sealed already (SealEntryNote), since
// its hash covers its bytes.
void SealPersonalData(Fact* fact);
// Makes `entry` version 2 with its note (if any) sealed, before its bytes are hashed.
void SealEntryNote(Entry* entry);
// The personal records of `fact`'s held values (each at fact.position), for the store.
std::vector<PersonalRecord> PersonalRecordsOf(const Fact& fact);
// The one place a fact (or the entry of an entry fact) read from the journal meets its personal
// records: each value decoded as erased whose record is among `records` and matches its
// commitment becomes held, with its value and salt. A value without a matching record stays
// erased ("" and kErased: the value is gone, or the record is not what the fact committed to).
void JoinPersonal(absl::Span<const PersonalRecord> records, Fact* fact);
void JoinPersonal(absl::Span<const PersonalRecord> records, Entry* entry);
// Parses a fact and joins its records.
// As DecodeJoinedFact, into `fact` (a Fact is about 2 KB: decoded where it is kept, not moved).
absl::Status DecodeJoinedFactInto(absl::string_view bytes, absl::Span<const PersonalRecord> records,
                                  Fact* fact);
absl::StatusOr<Fact> DecodeJoinedFact(absl::string_view bytes,
                                      absl::Span<const PersonalRecord> records);

// Returns SHA-256(previous_chain_hash || leaf_hash).
Digest JournalChainHash(const Digest& previous_chain_hash, const Digest& leaf_hash);

namespace journal_internal {

// VisitBody's visitor for ForEachPersonal.
template <class Fn>
struct PersonalVisitor {
  Fn& fn;
  void Name(const char*) {}
  template <class S>
  void Str(const char*, S&, size_t) {}
  template <class U>
  void U64(const char*, U&) {}
  template <class T>
  void Time(const char*, T&) {}
  bool Optional(bool present) { return present; }
  template <class E, class L>
  void Enum(const char*, E&, L, L) {}
  template <class V, class L>
  void Enums(const char*, V&, L, L, size_t) {}
  template <class T, class R>
  void Record(const char*, T& value, R) {
    if constexpr (std::is_same_v<std::remove_const_t<T>, Entry>) {
      fn(PersonalField::kNote, value.note, value.note_seal, kNoteLengthMax);
    }
  }
  template <class S, class P>
  void Personal(const char*, S& value, P& seal, size_t length_max, PersonalField field) {
    fn(field, value, seal, length_max);
  }
};

}  // namespace journal_internal

template <class FactRef, class Fn>
void ForEachPersonal(FactRef& fact, Fn&& fn) {
  journal_internal::PersonalVisitor<Fn> visitor{fn};
  VisitBody(fact, visitor);
}

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_JOURNAL_H_
