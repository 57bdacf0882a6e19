#include "ledger/rules/kiosk.h"

#include <sodium.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/core/records.h"
#include "ledger/core/types.h"

namespace timeledger::ledger {
namespace {

// Version 1 ended after pin_set_at; version 2 adds str(language) i64(language_set_at).
constexpr uint8_t kMemberCardVersionNoLanguage = 1;
constexpr uint8_t kMemberCardVersion = 2;
constexpr uint8_t kCardAttemptsVersion = 1;

absl::Status Malformed(absl::string_view what) {
  return Refuse(Reason::kCorruptRecord, absl::StrCat("a stored ", what, " record is damaged"));
}

void PutTime(std::string* out, absl::Time time) {
  PutFixed64BigEndian(out, static_cast<uint64_t>(ToMicros(time)));
}

bool ReadTime(Reader* reader, absl::Time* time) {
  uint64_t raw = 0;
  if (!reader->ReadFixed64BigEndian(&raw)) return false;
  *time = FromMicros(static_cast<int64_t>(raw));
  return true;
}

// InvalidArgument `reason` unless `digits` is min..max ASCII digits.
absl::Status ValidateDigits(absl::string_view field, Reason reason, absl::string_view digits,
                            size_t length_min, size_t length_max) {
  bool all_digits = true;
  for (char c : digits)
    all_digits = all_digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
  if (all_digits && digits.size() >= length_min && digits.size() <= length_max) {
    return absl::OkStatus();
  }
  return Refuse(reason, absl::StrCat(field, " must be ", length_min, " to ", length_max, " digits"),
                {{"field", std::string(field)},
                 {"length_min", std::to_string(length_min)},
                 {"length_max", std::to_string(length_max)}});
}

}  // namespace

absl::Status ValidateCardNumber(absl::string_view card_number, bool allow_empty) {
  if (allow_empty && card_number.empty()) return absl::OkStatus();
  return ValidateDigits("card_number", Reason::kInvalidCardNumber, card_number,
                        kCardNumberLengthMin, kCardNumberLengthMax);
}

absl::Status ValidatePin(absl::string_view pin) {
  return ValidateDigits("pin", Reason::kInvalidPin, pin, kPinLengthMin, kPinLengthMax);
}

absl::Status ValidateLanguage(absl::string_view language, bool allow_empty) {
  if (allow_empty && language.empty()) return absl::OkStatus();
  for (const char* shipped : kKioskLanguages) {
    if (language == shipped) return absl::OkStatus();
  }
  const std::string shipped = absl::StrJoin(kKioskLanguages, " ");
  return Refuse(
      Reason::kInvalidLanguage,
      absl::StrCat("the kiosk has no words in '", language.substr(0, kLanguageLengthMax),
                   "'; it speaks ", shipped),
      {{"language", std::string(language.substr(0, kLanguageLengthMax))}, {"shipped", shipped}});
}

std::string EncodeMemberCard(const MemberCard& card) {
  std::string out;
  out.push_back(static_cast<char>(kMemberCardVersion));
  PutLengthPrefixed(&out, card.bank_id);
  PutLengthPrefixed(&out, card.account_id);
  PutLengthPrefixed(&out, card.card_number);
  PutLengthPrefixed(&out, card.pin_hash);
  PutTime(&out, card.card_set_at);
  PutTime(&out, card.pin_set_at);
  PutLengthPrefixed(&out, card.language);
  PutTime(&out, card.language_set_at);
  return out;
}

absl::StatusOr<MemberCard> DecodeMemberCard(absl::string_view bytes) {
  Reader reader(bytes);
  MemberCard card;
  uint8_t version = 0;
  if (!reader.ReadByte(&version) ||
      (version != kMemberCardVersion && version != kMemberCardVersionNoLanguage) ||
      !reader.ReadLengthPrefixed(&card.bank_id, kIdLengthMax) ||
      !reader.ReadLengthPrefixed(&card.account_id, kIdLengthMax) ||
      !reader.ReadLengthPrefixed(&card.card_number, kCardNumberLengthMax) ||
      !reader.ReadLengthPrefixed(&card.pin_hash, kPinHashLengthMax) ||
      !ReadTime(&reader, &card.card_set_at) || !ReadTime(&reader, &card.pin_set_at)) {
    return Malformed("member card");
  }
  if (version == kMemberCardVersion &&
      (!reader.ReadLengthPrefixed(&card.language, kLanguageLengthMax) ||
       !ReadTime(&reader, &card.language_set_at))) {
    return Malformed("member card");
  }
  if (!reader.done()) return Malformed("member card");
  return card;
}

std::string EncodeCardAttempts(const CardAttempts& attempts) {
  std::string out;
  out.push_back(static_cast<char>(kCardAttemptsVersion));
  PutFixed64BigEndian(&out, static_cast<uint64_t>(attempts.failed));
  PutTime(&out, attempts.locked_until);
  return out;
}

absl::StatusOr<CardAttempts> DecodeCardAttempts(absl::string_view bytes) {
  Reader reader(bytes);
  CardAttempts attempts;
  uint8_t version = 0;
  uint64_t failed = 0;
  if (!reader.ReadByte(&version) || version != kCardAttemptsVersion ||
      !reader.ReadFixed64BigEndian(&failed) || failed > uint64_t{kPinAttemptsMax} ||
      !ReadTime(&reader, &attempts.locked_until) || !reader.done()) {
    return Malformed("card attempts");
  }
  attempts.failed = static_cast<int32_t>(failed);
  return attempts;
}

CardAttempts AfterWrongPin(CardAttempts attempts, absl::Time now) {
  ++attempts.failed;
  if (attempts.failed >= kPinAttemptsMax) {
    attempts.failed = 0;
    attempts.locked_until = now + kCardLockDuration;
  }
  return attempts;
}

bool IsLocked(const CardAttempts& attempts, absl::Time now) { return now < attempts.locked_until; }

absl::StatusOr<std::string> HashPin(const std::string& pin) {
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, pin.data(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return absl::InternalError("not enough memory to hash the PIN");
  }
  return std::string(hash);
}

bool PinMatches(const std::string& pin_hash, const std::string& pin) {
  return crypto_pwhash_str_verify(pin_hash.c_str(), pin.data(), pin.size()) == 0;
}

}  // namespace timeledger::ledger
