// The key grammar of the store: every key's first byte is a KeyTag, and every key is built and
// parsed by the functions below. Pure string work, no RocksDB: the files of ledger/store/ and the
// store's tests use it; nothing outside ledger/store/ should.
//
// Key layout, version 4 (one column family; every id is [A-Za-z0-9._-] or, for entry ids, also
// ':', so the 0x00 separator never occurs inside one):
//
//   version      := 'V'                                       -> layout version:fixed64be
//   bank         := 'b' bank_id                               -> EncodeBank
//   chain        := 'c' bank_id                               -> EncodeChainHead
//   account      := 'a' bank_id 0x00 account_id               -> EncodeAccount (balances included)
//   entry_id     := 'i' bank_id 0x00 entry_id                 -> EncodeEntryIdRecord
//   reversal     := 'r' bank_id 0x00 seq:fixed64be            -> reversing seq:fixed64be
//   posting      := 'p' bank_id 0x00 account_id 0x00 seq:fixed64be -> balance after:fixed64be
//   policy       := 'P' bank_id                               -> EncodePolicy (the one in force)
//   policy_change:= 'H' bank_id 0x00 version:fixed64be        -> str(old policy) str(new policy)
//   pending      := 'q' bank_id 0x00 entry_id                 -> EncodePendingEntry (open ones)
//   resolved     := 'Q' bank_id 0x00 entry_id                 -> EncodePendingEntry (resolved)
//   occurred     := 'o' bank_id 0x00 occurred_at_us:biased64be seq:fixed64be -> empty
//   time_index   := 'O'                                       -> empty: every entry has its 'o'
//                                                                key (the index is complete)
//   journal      := 'j' bank_id 0x00 position:fixed64be       -> fact (journal.h) || chain hash(32)
//                                                                at every 64th position, else
//                                                                0x00 || fact (JournalValue)
//   merkle_node  := 'm' bank_id 0x00 level:u8 index:fixed64be -> node hash (32), levels >=
//                                                                kMerkleStoredLevelMin (4)
//   entry_position := 'x' bank_id 0x00 seq:fixed64be          -> journal position:fixed64be: the
//                                                                index of the entries
//   member_card  := 'k' bank_id 0x00 account_id               -> EncodeMemberCard (kiosk.h)
//   card_number  := 'n' bank_id 0x00 card_number              -> account_id
//   card_attempts:= 't' bank_id 0x00 card_number              -> EncodeCardAttempts (kiosk.h)
//   catalogue    := 'C' bank_id 0x00 kind:u8 code             -> EncodeCatalogueItem (as it stands)
//   holding      := 'U' bank_id 0x00 account_id 0x00 qualification_code -> EncodeHolding
//   holder       := 'L' bank_id 0x00 qualification_code 0x00 account_id -> empty: who holds it
//   award        := 'A' bank_id 0x00 award_id                 -> EncodeAward
//   award_time   := 'G' bank_id 0x00 attained_at_us:biased64be award_id -> empty: the time index
//                                                                of awards, for reports
//   token        := 'T' token_id                              -> EncodeTokenRecord (access.h):
//                                                                installation-wide, no bank
//   personal     := 'D' bank_id 0x00 position:fixed64be field:u8 -> salt(16) || value: a personal
//                                                                value of the fact at `position`
//                                                                (ledger/core/personal.h), layout 4
//   binding      := 'W' name 0x00 version:fixed64be           -> EncodePrincipalBinding
//                                                                (access.h): who a principal is,
//                                                                set by whom and when; a change
//                                                                is a new version
//
// Members at a kiosk: 'k' holds an account's card number, PIN hash and kiosk language (written with
// the card_set, pin_set and language_set facts), 'n' finds the account of a card number, and 't'
// counts wrong PINs and the lock. 't' is operational state, not a fact: it is written by its own
// small synced batch, outside the journal, and only while a card has failures or a lock. Kiosk
// sessions live in the server's memory only (services/kiosk_desk.h).
//
// Qualifications (ledger/rules/qualifications.h): 'C' is the catalogue (kind 1 qualification,
// 2 activity, 3 offer); 'U' what each account holds of each qualification, 'L' the same pairs
// the other way round, so that a qualification's holders are one scan; 'A' every award by its
// idempotency key, 'G' the awards in the order they were attained.
//
// The time index ('o', written with every entry) lets reports read the entries that occurred in
// a period without reading the rest; biased64be is the i64 plus 2^63, big-endian, so that key
// order is time order.
//
// The journal ('j') holds every fact of a bank at its position (from 0, the Merkle leaf index);
// 'm' the perfect Merkle subtrees that CompactMerkleTree::Append completed, for proofs, from level
// kMerkleStoredLevelMin up (a leaf hash is computed from its journal record, a subtree of up to 8
// leaves from theirs); 'x' the journal position of each entry.
//
// An entry is stored once: in its entry fact, which embeds its stored form (EncodeEntry:
// canonical bytes || hash); 'x' finds it (rocksdb_entries.h). Layout 1 (no 'V' key) also kept
// a second copy of each entry under 'e' bank_id 0x00 seq:fixed64be; a writable open checks each
// against its fact and drops them (migrations.cc, docs/ARCHITECTURE.md "Format version and
// migration"). A tag is never reused: 'e' stays taken.
//
// Personal data ('D', layout 4): a fact hashes each personal value (a name, a card number, a note,
// a reason) as its commitment; the value and its salt are here, in the fact's batch, in journal
// order. Erasure deletes them; a fact whose record is gone reads its value as erased. ('P', which
// docs/ARCHITECTURE.md's design first named for them, is the policy in force.)
//
// Big-endian seqs make iteration order the entry order.
#ifndef TIMELEDGER_LEDGER_STORE_KEYS_H_
#define TIMELEDGER_LEDGER_STORE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "ledger/core/merkle.h"
#include "ledger/rules/qualifications.h"
#include "ledger/store/store.h"

namespace timeledger::ledger {

// The first byte of every key: what the key holds. The byte values are the on-disk format and
// never change; a new kind of key takes a byte not used here.
enum class KeyTag : char {
  kBank = 'b',             // a bank, by id
  kChainHead = 'c',        // a bank's chain head (entry and journal heads, compact Merkle tree)
  kCheckpoint = 'K',       // a bank's chain head when it was last checked (verify/tail.h)
  kAccount = 'a',          // an account with its balances
  kEntry = 'e',            // layout 1 only: a second copy of an entry, by seq (migrations.cc)
  kEntryId = 'i',          // an entry id (idempotency key) -> what it named
  kReversal = 'r',         // a reversed seq -> the reversal's seq
  kPosting = 'p',          // an account's posting of an entry -> its balance after it
  kPolicy = 'P',           // the policy in force
  kPolicyChange = 'H',     // a policy change (old, new), by the new version
  kOpenPending = 'q',      // an open pending entry
  kResolvedPending = 'Q',  // a resolved pending entry
  kOccurred = 'o',         // the time index: occurred_at and seq of an entry
  kTimeIndexMarker = 'O',  // the one key saying the time index is complete
  kJournal = 'j',          // a journal fact and its chain hash, by position
  kMerkleNode = 'm',       // a stored Merkle node, by level and index
  kEntryPosition = 'x',    // an entry's seq -> its journal position
  kMemberCard = 'k',       // an account's kiosk card and PIN
  kCardNumber = 'n',       // a card number -> its account
  kCardAttempts = 't',     // a card's wrong PINs and lock (operational, outside the journal)
  kCatalogue = 'C',        // a catalogue item, by kind and code
  kHolding = 'U',          // an account's holding of a qualification
  kHolder = 'L',           // the same pair by qualification first: who holds it
  kAward = 'A',            // an award, by its idempotency key
  kAwardTime = 'G',        // the time index of awards
  kToken = 'T',            // a token record (installation-wide)
  kBinding = 'W',          // a version of a principal's binding (installation-wide)
  kLayoutVersion = 'V',    // the one key holding the store's layout version
  kPersonal = 'D',         // a personal value of a fact and its salt, by position and field
};

// The layout this code writes and reads (the value of the 'V' key). A store without the key is
// layout 1 if it holds 'e' keys (every entry also stored there); layout 2 stores an entry only in
// its journal fact; layout 3's chain heads may carry their bank's number of accounts (records.h),
// so it reads layout 2 as it is; layout 4 writes new facts with their personal values sealed
// ('D'), new journal records with 8 bytes of their chain hash but at every 64th fact (JournalValue
// below), new idempotency records with 8 bytes of the request's hash (records.h), and reads the
// records of layout 3 as they are. A layout is never read by code that knows only older ones.
inline constexpr uint64_t kLayoutVersionCurrent = 4;

// Every tag, for tests and tools that check a store's keys.
inline constexpr KeyTag kAllKeyTags[] = {
    KeyTag::kBank,          KeyTag::kChainHead,       KeyTag::kCheckpoint,
    KeyTag::kAccount,       KeyTag::kEntry,           KeyTag::kEntryId,
    KeyTag::kReversal,      KeyTag::kPosting,         KeyTag::kPolicy,
    KeyTag::kPolicyChange,  KeyTag::kOpenPending,     KeyTag::kResolvedPending,
    KeyTag::kOccurred,      KeyTag::kTimeIndexMarker, KeyTag::kJournal,
    KeyTag::kMerkleNode,    KeyTag::kEntryPosition,   KeyTag::kMemberCard,
    KeyTag::kCardNumber,    KeyTag::kCardAttempts,    KeyTag::kCatalogue,
    KeyTag::kHolding,       KeyTag::kHolder,          KeyTag::kAward,
    KeyTag::kAwardTime,     KeyTag::kToken,           KeyTag::kBinding,
    KeyTag::kLayoutVersion, KeyTag::kPersonal,
};

// The tags of the keys whose values (or, for card numbers, keys) can hold a member's personal
// data, or a fingerprint of it (an idempotency record's): what Store::CompactPersonal compacts
// after an erasure.
inline constexpr KeyTag kPersonalKeyTags[] = {
    KeyTag::kPersonal,    KeyTag::kAccount,     KeyTag::kMemberCard,      KeyTag::kCardNumber,
    KeyTag::kCardAttempts, KeyTag::kOpenPending, KeyTag::kResolvedPending, KeyTag::kEntryId,
};

namespace keys {

inline constexpr char kSeparator = '\0';

// The tag of `key`, or nullopt if its first byte is none (or it is empty).
std::optional<KeyTag> TagOf(absl::string_view key);

// tag: the prefix of every key of `tag`.
std::string TagPrefix(KeyTag tag);
// tag id, for the keys of one id and no separator: bank, chain head, policy, token.
std::string UnscopedKey(KeyTag tag, absl::string_view id);
// tag bank_id 0x00: the prefix of a bank's keys of `tag`.
std::string ScopedPrefix(KeyTag tag, absl::string_view bank_id);
// tag bank_id 0x00 id: the keys named by one id (account, entry id, pending, card, award, ...).
std::string ScopedKey(KeyTag tag, absl::string_view bank_id, absl::string_view id);
// tag bank_id 0x00 seq:fixed64be (entry, reversal, journal, entry position, policy change,
// binding with the principal's name for the bank id).
std::string SeqKey(KeyTag tag, absl::string_view bank_id, uint64_t seq);

std::string BankKey(absl::string_view bank_id);
std::string ChainKey(absl::string_view bank_id);
std::string CheckpointKey(absl::string_view bank_id);
std::string PolicyKey(absl::string_view bank_id);
std::string AccountKey(absl::string_view bank_id, absl::string_view account_id);
std::string EntryIdKey(absl::string_view bank_id, absl::string_view entry_id);
// 'p' bank_id 0x00 account_id 0x00, and the posting of `seq` after it.
std::string PostingPrefix(absl::string_view bank_id, absl::string_view account_id);
std::string PostingKey(absl::string_view bank_id, absl::string_view account_id, uint64_t seq);
// 'm' bank_id 0x00 level, and the node `index` of that level after it.
std::string MerkleLevelPrefix(absl::string_view bank_id, int level);
std::string MerkleKey(absl::string_view bank_id, int level, uint64_t index);
// 'o' bank_id 0x00 occurred_at_us:biased64be: where the time index of `time` begins.
std::string OccurredBound(absl::string_view bank_id, absl::Time time);
std::string OccurredKey(absl::string_view bank_id, absl::Time occurred_at, uint64_t seq);
// The biased64be bytes of a time: key order is time order.
std::string Biased(absl::Time time);
std::string TimeIndexMarkerKey();
std::string CataloguePrefix(absl::string_view bank_id, CatalogueKind kind);
std::string CatalogueKey(absl::string_view bank_id, CatalogueKind kind, absl::string_view code);
// 'U' or 'L': tag bank_id 0x00 first 0x00 [second].
std::string PairKey(KeyTag tag, absl::string_view bank_id, absl::string_view first,
                    absl::string_view second);
std::string AwardKey(absl::string_view bank_id, absl::string_view award_id);
std::string AwardTimeKey(absl::string_view bank_id, absl::Time attained_at,
                         absl::string_view award_id);
std::string TokenKey(absl::string_view token_id);
std::string BindingKey(absl::string_view name, uint64_t version);
std::string LayoutVersionKey();
// 'D' bank_id 0x00 position:fixed64be [field:u8]: the personal records of a fact, and one of them.
std::string PersonalKey(absl::string_view bank_id, uint64_t position, PersonalField field);

// The smallest key greater than every key that starts with `prefix`.
std::string PrefixEnd(std::string prefix);
// The smallest key after every key that starts with `prefix` + `after`, or `prefix` itself.
std::string StartAfter(const std::string& prefix, absl::string_view after);

// A journal record's value. Every fact's chain hash follows from the one before it, so since
// layout 4 the whole chain hash is stored only at every kChainHashStride-th position
// (position % 64 == 63): the value is then `fact || chain_hash(32)`, as every record was before
// layout 4; elsewhere it is `0x00 || chain_hash[0..8) || fact` (a fact starts with its version,
// never 0x00). The 8 bytes still name the very fact a verifier finds altered (a forged fact would
// have to match them, odds 2^-64, and then the next whole hash); a reader that wants a whole hash
// reads back at most 63 facts to the one before. Saves 24 incompressible bytes per fact.
inline constexpr uint64_t kChainHashStride = 64;
inline constexpr size_t kChainHashPrefixBytes = 8;
inline constexpr char kJournalValueWithChainHashPrefix = 0x00;
bool StoresChainHash(uint64_t position);
std::string JournalValue(uint64_t position, absl::string_view fact, const Digest& chain_hash);
// Splits a journal record's value into its fact and its stored chain hash (32 bytes, or the
// first 8). False if the value is malformed.
bool SplitJournalValue(absl::string_view value, absl::string_view* fact,
                       absl::string_view* chain_hash);
// The stored chain hash that reading position `position`'s starts from: the position before it
// that holds one, or nullopt if the chain starts from nothing (position < kChainHashStride).
std::optional<uint64_t> ChainHashCheckpointBefore(uint64_t position);

// Parsers of raw records. `key` is what follows the prefix the record was found under (the
// bank's scoped prefix of its tag). Each returns false for a malformed key or value.
bool ParseJournal(absl::string_view key, absl::string_view value, JournalRecord* record);
bool ParseEntry(absl::string_view key, absl::string_view value, EntryRecord* record);
// `key`: account_id 0x00 seq.
bool ParsePosting(absl::string_view key, absl::string_view value, PostingRecord* record);
bool ParseSeqMapping(absl::string_view key, absl::string_view value, SeqMapping* record);
// `key`: position:fixed64be field:u8 (the value's length is checked against its field's limit).
bool ParsePersonal(absl::string_view key, absl::string_view value, PersonalRecord* record);
// `key`: level:u8 index:fixed64be.
bool ParseMerkleNode(absl::string_view key, absl::string_view value, MerkleNode* node);
// The seq:fixed64be that ends a key of `prefix_size` + 8 bytes, or nullopt.
std::optional<uint64_t> SeqAfter(absl::string_view key, size_t prefix_size);

void CopyDigest(absl::string_view bytes, Digest* digest);

}  // namespace keys
}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_STORE_KEYS_H_
