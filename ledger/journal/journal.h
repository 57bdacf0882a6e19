// The journal of a bank: every fact the ledger records about the bank, in the order it was
// committed, each at its own position, hashed over a canonical byte encoding, chained to the
// previous fact, and a leaf of the bank's Merkle tree (ledger/core/merkle.h).
//
// Canonical fact encoding, version 1 (docs/ARCHITECTURE.md spells out every body for outside
// verifiers; str, u8, u64 and i64 as in records.h):
//
//   fact     := 0x01 u8(type) str(bank_id) u64(position) i64(at_us) str(principal) body
//   body     := the fields of its type, in the order fact.h's VisitBody lists them
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

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

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

// Returns SHA-256(previous_chain_hash || leaf_hash).
Digest JournalChainHash(const Digest& previous_chain_hash, const Digest& leaf_hash);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_JOURNAL_H_
