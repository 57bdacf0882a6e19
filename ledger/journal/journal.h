// The journal of a bank: every fact the ledger records about the bank, in the order it was
// committed, each at its own position, hashed over a canonical byte encoding, chained to the
// previous fact, and a leaf of the bank's Merkle tree (ledger/core/merkle.h).
//
// Canonical fact encoding, version 1 (docs/ARCHITECTURE.md repeats it for outside verifiers;
// str, u8, u64 and i64 as in records.h):
//
//   fact     := 0x01 u8(type) str(bank_id) u64(position) i64(at_us) str(principal) body
//   body     := bank_created | account_opened | account_status | policy_set | entry
//               | pending_created | pending_resolved | catalogue_item | qualification_awarded
//               | offer_redeemed | card_set | pin_set, chosen by type:
//   1 bank_created     := str(name) str(time_zone)
//   2 account_opened   := str(account_id) u8(kind) u8(role count) u8(role)* str(display_name)
//   3 account_status   := str(account_id) u8(from_status) u8(to_status) str(reason)
//   4 policy_set       := u64(version) str(policy record, ledger/rules/policy.h EncodePolicy)
//   5 entry            := str(canonical entry bytes || 32-byte entry hash)   (records.h)
//   6 pending_created  := str(canonical entry bytes, seq 0) str(confirm_by) i64(expires_at_us)
//                         str(reason)
//   7 pending_resolved := str(entry_id) u8(state: 2 confirmed, 3 rejected, 4 expired)
//                         u64(seq: the entry it became if confirmed, else 0) str(reason)
//   8 catalogue_item   := str(catalogue item record, ledger/rules/qualifications.h EncodeCatalogueItem)
//   9 qualification_awarded := str(award record, ledger/rules/qualifications.h EncodeAward); an award
//                         that pays is followed by its QUALIFICATION_REWARD entry's fact
//  10 offer_redeemed   := str(offer code) u64(seq of its SPEND entry, the fact before)
//                         str(account_id) str(qualification it leads to, or "")
//   16 card_set        := str(account_id) str(card_number)      (empty: the card was removed)
//   17 pin_set         := str(account_id)     (the PIN's hash is never in the journal: kiosk.h)
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

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ledger/rules/kiosk.h"
#include "ledger/rules/policy.h"
#include "ledger/rules/qualifications.h"
#include "ledger/core/types.h"

namespace timeledger::ledger {

// The largest encoded fact: a pending entry with every text at its limit, or a policy with 100
// duty activities, fits well inside it. Decoders refuse anything longer.
inline constexpr size_t kFactBytesMax = 16 * 1024;

enum class FactType : uint8_t {
  kBankCreated = 1,
  kAccountOpened = 2,
  kAccountStatus = 3,
  kPolicySet = 4,
  kEntry = 5,
  kPendingCreated = 6,
  kPendingResolved = 7,
  kCatalogueItem = 8,
  kQualificationAwarded = 9,
  kOfferRedeemed = 10,
  // Members at a kiosk (ledger/rules/kiosk.h); 11 to 15 are free for other facts of the bank.
  kCardSet = 16,
  kPinSet = 17,
};

// Stable lower-case names ("bank_created", ...), used in exports and messages.
const char* FactTypeName(FactType type);

// One fact of a bank's journal. Which fields count depends on `type` (see the file comment);
// the others stay at their defaults and are not encoded.
struct Fact {
  FactType type = FactType::kEntry;
  std::string bank_id;
  uint64_t position = 0;  // assigned by the journal when appended
  absl::Time at;          // when the ledger recorded it (assigned when appended)
  std::string principal;  // who asked for it

  // kBankCreated
  std::string bank_name;
  std::string time_zone;
  // kAccountOpened, kAccountStatus, kCardSet, kPinSet
  std::string account_id;
  AccountKind account_kind = AccountKind::kPerson;
  std::vector<Role> roles;
  std::string display_name;
  AccountStatus from_status = AccountStatus::kActive;
  AccountStatus to_status = AccountStatus::kActive;
  // kAccountStatus, kPendingCreated, kPendingResolved
  std::string reason;
  // kPolicySet
  Policy policy;
  // kEntry (with seq and hash), kPendingCreated (seq 0, hash not encoded)
  Entry entry;
  // kPendingCreated
  std::string confirm_by;
  absl::Time expires_at;
  // kPendingResolved
  std::string entry_id;
  PendingState state = PendingState::kPending;
  uint64_t seq = 0;  // also kOfferRedeemed: its SPEND entry
  // kCatalogueItem
  CatalogueItem catalogue_item;
  // kQualificationAwarded
  Award award;
  // kOfferRedeemed (with account_id and seq)
  std::string offer_code;
  std::string qualification_code;
  // kCardSet
  std::string card_number;
};

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
Fact CatalogueItemFact(const CatalogueItem& item);
Fact QualificationAwardedFact(const Award& award);
Fact OfferRedeemedFact(const Entry& spend, const CatalogueItem& offer);

// Returns the canonical bytes of `fact` (version 1, above).
std::string EncodeFact(const Fact& fact);
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
