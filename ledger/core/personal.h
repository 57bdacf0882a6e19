// Personal data held beside the hashed bytes (layout 4; docs/ARCHITECTURE.md, "Personal data and
// the chain"). A value that a person wrote or that names a person (a display name, a card number,
// an entry's note, the reason of a status change or of a pending entry) is hashed in a fact or an
// entry as its commitment,
//
//   commitment := SHA-256(0x50 || salt(16) || value)
//
// with a salt drawn for that one value; the value and its salt are stored in a record of their
// own, which erasure deletes. The chains, the Merkle tree, every digest and every proof cover the
// commitment only, so they stay valid without the value.
//
// Plain values and pure functions but DrawPersonalSalt; thread-safe.
#ifndef TIMELEDGER_LEDGER_CORE_PERSONAL_H_
#define TIMELEDGER_LEDGER_CORE_PERSONAL_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "ledger/core/sha256.h"

namespace timeledger::ledger {

// Which personal value of a fact a record holds. Written in keys: never renumber.
enum class PersonalField : uint8_t {
  kDisplayName = 1,  // account_opened, account_changed
  kCardNumber = 2,   // card_set
  kNote = 3,         // the note of an entry (entry, pending_created)
  kReason = 4,       // account_status, pending_created, pending_resolved
  kPhone = 5,        // contact_set
  kEmail = 6,        // contact_set
};
inline constexpr PersonalField kPersonalFieldLow = PersonalField::kDisplayName;
inline constexpr PersonalField kPersonalFieldHigh = PersonalField::kEmail;
const char* PersonalFieldName(PersonalField field);

inline constexpr size_t kPersonalSaltBytes = 16;
using PersonalSalt = std::array<uint8_t, kPersonalSaltBytes>;

// How a personal value of a fact is held.
enum class PersonalState : uint8_t {
  // The value itself is in the hashed bytes: a fact of layout 3 or before (whose values were
  // hashed as they are), or an empty value (nothing written, nothing to commit to).
  kInFact = 0,
  // The hashed bytes hold its commitment; the value and its salt are in its personal record.
  kHeld = 1,
  // The hashed bytes hold its commitment and its personal record is gone: the value was erased
  // (or the fact was read without its records). The value reads as "", which is not data.
  kErased = 2,
};
const char* PersonalStateName(PersonalState state);

// What a fact knows of one of its personal values besides the value.
struct PersonalSeal {
  PersonalState state = PersonalState::kInFact;
  PersonalSalt salt{};  // kHeld only
  Digest commitment{};  // kHeld and kErased

  bool committed() const { return state != PersonalState::kInFact; }
};

// A personal record as stored: the value of one field of the fact at `position`, and its salt.
struct PersonalRecord {
  uint64_t position = 0;
  PersonalField field = PersonalField::kDisplayName;
  PersonalSalt salt{};
  std::string value;
};

// Returns SHA-256(0x50 || salt || value).
Digest PersonalCommitment(const PersonalSalt& salt, absl::string_view value);
// Returns 16 random bytes (libsodium's randombytes_buf).
PersonalSalt DrawPersonalSalt();
// Returns the seal of a new value: kInFact if it is empty, else kHeld with a fresh salt and its
// commitment.
PersonalSeal SealPersonal(absl::string_view value);
// Whether `record` holds the value `seal` commits to.
bool MatchesCommitment(const PersonalRecord& record, const PersonalSeal& seal);

// A personal record's value: salt(16) || value. Decoding fails (DataLoss CORRUPT_RECORD) if it
// is shorter than a salt or the value is longer than `value_length_max`.
std::string EncodePersonalValue(const PersonalSalt& salt, absl::string_view value);
absl::Status DecodePersonalValue(absl::string_view bytes, size_t value_length_max,
                                 PersonalRecord* record);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_CORE_PERSONAL_H_
