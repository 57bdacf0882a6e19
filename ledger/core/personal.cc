#include "ledger/core/personal.h"

#include <sodium.h>

#include <cstring>

#include "ledger/core/check.h"
#include "ledger/core/errors.h"

namespace timeledger::ledger {

namespace {
// The domain byte of a commitment ('P'), so that no other hash of the ledger (a leaf: 0x00, a
// Merkle node: 0x01, a chain link: a digest) is ever the hash of the same message.
constexpr uint8_t kCommitmentDomain = 0x50;
}  // namespace

const char* PersonalFieldName(PersonalField field) {
  switch (field) {
    case PersonalField::kDisplayName:
      return "display_name";
    case PersonalField::kCardNumber:
      return "card_number";
    case PersonalField::kNote:
      return "note";
    case PersonalField::kReason:
      return "reason";
    case PersonalField::kPhone:
      return "phone";
    case PersonalField::kEmail:
      return "email";
  }
  return "unknown";
}

const char* PersonalStateName(PersonalState state) {
  switch (state) {
    case PersonalState::kInFact:
      return "in_fact";
    case PersonalState::kHeld:
      return "held";
    case PersonalState::kErased:
      return "erased";
  }
  return "unknown";
}

Digest PersonalCommitment(const PersonalSalt& salt, absl::string_view value) {
  thread_local Sha256 hasher;
  const uint8_t domain = kCommitmentDomain;
  hasher.Update(absl::Span<const uint8_t>(&domain, 1));
  hasher.Update(absl::Span<const uint8_t>(salt));
  hasher.Update(std::string_view(value.data(), value.size()));
  return hasher.Finish();
}

PersonalSalt DrawPersonalSalt() {
  // sodium_init is idempotent and thread-safe; randombytes_buf cannot fail once it has run.
  TL_CHECK(sodium_init() >= 0);
  PersonalSalt salt;
  randombytes_buf(salt.data(), salt.size());
  return salt;
}

PersonalSeal SealPersonal(absl::string_view value) {
  PersonalSeal seal;
  if (value.empty()) return seal;
  seal.state = PersonalState::kHeld;
  seal.salt = DrawPersonalSalt();
  seal.commitment = PersonalCommitment(seal.salt, value);
  TL_CHECK(seal.committed());
  return seal;
}

bool MatchesCommitment(const PersonalRecord& record, const PersonalSeal& seal) {
  return seal.committed() && PersonalCommitment(record.salt, record.value) == seal.commitment;
}

std::string EncodePersonalValue(const PersonalSalt& salt, absl::string_view value) {
  std::string out;
  out.reserve(salt.size() + value.size());
  out.append(reinterpret_cast<const char*>(salt.data()), salt.size());
  out.append(value.data(), value.size());
  return out;
}

absl::Status DecodePersonalValue(absl::string_view bytes, size_t value_length_max,
                                 PersonalRecord* record) {
  if (bytes.size() < kPersonalSaltBytes || bytes.size() - kPersonalSaltBytes > value_length_max) {
    return Refuse(Reason::kCorruptRecord, "a stored personal record is damaged");
  }
  std::memcpy(record->salt.data(), bytes.data(), kPersonalSaltBytes);
  record->value.assign(bytes.data() + kPersonalSaltBytes, bytes.size() - kPersonalSaltBytes);
  return absl::OkStatus();
}

}  // namespace timeledger::ledger
