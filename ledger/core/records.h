// The byte forms of banks, accounts and entries as they are stored, and the canonical encoding of
// an entry that its hash covers.
//
// Canonical entry encoding, version 1 (docs/ARCHITECTURE.md repeats it for outside verifiers):
//
//   entry     := 0x01 str(bank_id) u64(seq) str(entry_id) u8(kind) str(from_account_id)
//                str(to_account_id) i64(minutes) str(activity) str(note) i64(occurred_at_us)
//                i64(recorded_at_us) str(recorded_by) u64(reverses_seq)
//   str(s)    := varint(byte length of s) s          (LEB128 varint, s is UTF-8)
//   u64, i64  := 8 bytes big-endian (two's complement for i64)
//   u8        := 1 byte; kind is the EntryKind value (1 exchange ... 6 reversal,
//                7 qualification reward)
//   hash      := SHA-256(previous entry's hash || entry), the previous hash of seq 1 being 32 zero
//   bytes
//
// Version 2 (layout 4, written by every new entry) is the same with 0x02 first and the note
// replaced by its commitment (personal.h): str("") if there is no note, else str(32 bytes of
// SHA-256(0x50 || salt || note)). The note and its salt are held beside the journal; a version 2
// entry decodes with its note "" and note_seal kErased until they are joined (journal.h).
//
// Version 3 is version 2 with u8(flags) after reverses_seq, written only for an entry with a flag:
// 0x01, imported (types.h, EntrySpec::imported). No other flag exists.
//
// Decoders accept any bytes and fail cleanly (DataLoss) on anything malformed. Pure functions.
#ifndef TIMELEDGER_LEDGER_RECORDS_H_
#define TIMELEDGER_LEDGER_RECORDS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "ledger/core/merkle.h"
#include "ledger/core/types.h"

namespace timeledger::ledger {

std::string EncodeBank(const Bank& bank);
absl::StatusOr<Bank> DecodeBank(absl::string_view bytes);

// Version 1; version 2 (only for an account whose member's personal data was erased, or with
// contact details) adds u8(flags) at the end: 0x01 erased, 0x02 followed by str(phone) str(email).
std::string EncodeAccount(const Account& account);
absl::StatusOr<Account> DecodeAccount(absl::string_view bytes);

// The canonical bytes of an entry: every field but `hash` and `reversed_by_seq`.
std::string CanonicalEntryBytes(const Entry& entry);
// Parses exactly the canonical bytes of an entry (no hash). DataLoss if malformed.
absl::StatusOr<Entry> DecodeCanonicalEntry(absl::string_view bytes);
// Returns SHA-256(previous_hash || CanonicalEntryBytes(entry)).
Digest ChainHash(const Digest& previous_hash, const Entry& entry);
// The same from bytes CanonicalEntryBytes already made: the writer encodes an entry once and
// hashes and embeds that one buffer.
Digest ChainHashOfBytes(const Digest& previous_hash, absl::string_view canonical_bytes);

// Stored form: the canonical bytes followed by the 32-byte hash.
std::string EncodeEntry(const Entry& entry);
absl::StatusOr<Entry> DecodeEntry(absl::string_view bytes);
// The same into *entry, whose strings keep their capacity: for loops over many entries. Sets
// every field but reversed_by_seq; *entry is unspecified after an error.
absl::Status DecodeEntryInto(absl::string_view bytes, Entry* entry);

// A bank's chain head: the next seq to assign and the hash of the last entry, and the head of
// the bank's journal (ledger/journal/journal.h): the Merkle frontier over its facts, whose size is
// the number of facts, and the chain hash of the last fact. Written in the same batch as every
// fact. It also carries the bank's number of accounts, so that opening a ledger reads no
// account.
//
//   head      := 0x03 u64(next_seq) last_hash(32) journal_hash(32) u64(account_count)
//                compact_tree (merkle.h)
//
// A version 2 head (0x02, without account_count) decodes with has_account_count false, and is
// encoded again as version 2; a version 1 head (0x01 u64(next_seq) last_hash) was written before
// the journal existed and decodes with has_journal false too.
struct ChainHead {
  uint64_t next_seq = 1;
  Digest last_hash{};
  CompactMerkleTree journal_tree;
  Digest journal_hash{};
  bool has_journal = true;
  uint64_t account_count = 0;
  bool has_account_count = false;

  uint64_t journal_size() const { return journal_tree.size(); }
};
std::string EncodeChainHead(const ChainHead& head);
absl::StatusOr<ChainHead> DecodeChainHead(absl::string_view bytes);

// A fingerprint of what a caller asked to record: the first 8 bytes of the SHA-256 of the spec,
// big-endian. It only tells a true retry from a different request under the same idempotency key;
// a collision (odds 2^-64) would hand the different request the first one's receipt and write
// nothing, so 8 bytes are enough, and 24 fewer per entry than the whole hash.
using RequestFingerprint = uint64_t;
// The fingerprint an erasure leaves in the idempotency record of a request that held a note of
// the erased member (the fingerprint covered the note, so it could confirm a guess of it): such
// a retry under its id is then told apart from another request by the entry itself, the note
// aside (CheckIdempotency).
// SpecFingerprint never returns it.
inline constexpr RequestFingerprint kFingerprintErased = 0;

// What an idempotency key maps to: the entry it recorded and a fingerprint of the request, so a
// retry with different content can be told apart from a true retry. Stored as
// fixed64be(seq) fixed64be(fingerprint); a record of layout 3 or before holds the whole 32-byte
// hash instead, read as its first 8 bytes.
struct EntryIdRecord {
  uint64_t seq = 0;
  RequestFingerprint fingerprint = 0;
};
std::string EncodeEntryIdRecord(const EntryIdRecord& record);
absl::StatusOr<EntryIdRecord> DecodeEntryIdRecord(absl::string_view bytes);

// A pending entry with its state. The entry inside is stored in its own stored form.
std::string EncodePendingEntry(const PendingEntry& pending);
absl::StatusOr<PendingEntry> DecodePendingEntry(absl::string_view bytes);

// Returns the fingerprint of what a caller asked to record (the spec as given, before defaults).
RequestFingerprint SpecFingerprint(const EntrySpec& spec);

// Returns SHA-256 of `bytes`.
Digest Sha256Of(absl::string_view bytes);

// Time as stored: microseconds since the Unix epoch.
int64_t ToMicros(absl::Time time);
absl::Time FromMicros(int64_t micros);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_RECORDS_H_
