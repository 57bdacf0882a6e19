// Members at a kiosk: the card number and PIN a member signs in with, the lockout that stops PIN
// guessing, and the limits on both.
//
// A card number identifies a member of one bank (it is printed on the card, so it is not a
// secret); the PIN is the secret. Setting either is a journal fact (ledger/journal/journal.h, types
// 16 and 17), but the PIN's hash never enters the journal: the journal is exported to outsiders,
// and a short PIN's hash can be reversed by trying every PIN, however slow the hash. Failed
// attempts and sessions are operational state, not facts.
//
// Plain value types and pure functions; thread-safe.
#ifndef TIMELEDGER_LEDGER_KIOSK_H_
#define TIMELEDGER_LEDGER_KIOSK_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace timeledger::ledger {

// A card number is 4 to 32 digits (what a barcode reader types); a PIN 4 to 8 digits.
inline constexpr size_t kCardNumberLengthMin = 4;
inline constexpr size_t kCardNumberLengthMax = 32;
inline constexpr size_t kPinLengthMin = 4;
inline constexpr size_t kPinLengthMax = 8;
// The stored PIN hash (crypto_pwhash_str: "$argon2id$v=19$m=...,t=...,p=1$salt$hash").
inline constexpr size_t kPinHashLengthMax = 128;
// Five wrong PINs in a row lock the card for 15 minutes; a right PIN, or a new PIN, clears them.
inline constexpr int32_t kPinAttemptsMax = 5;
inline constexpr absl::Duration kCardLockDuration = absl::Minutes(15);
// A kiosk session ends 10 minutes after its last use (the kiosk page signs a member out after 60
// seconds without a touch, with a warning, long before); at most this many are open at once.
inline constexpr absl::Duration kKioskSessionLifetime = absl::Minutes(10);
inline constexpr size_t kKioskSessionsMax = 10'000;
// Sign-ins and PIN changes waiting for the PIN hasher; more are refused with BUSY. Hashing is
// deliberately slow, so this also bounds how fast anyone can try PINs.
inline constexpr size_t kPinJobsWaitingMax = 16;
// A member's summary reads at most this many of their entries (newest last ten, 12 months).
inline constexpr size_t kSummaryEntriesMax = 100'000;

// The languages the kiosk speaks (clients/kiosk/messages/<tag>.txt, one catalogue each; a test
// holds the two lists together), as the BCP 47 tags a coordinator sets a member's language with.
// English is first: the kiosk's default, and the words of any message a catalogue lacks.
inline constexpr const char* kKioskLanguages[] = {"en", "bn", "ar", "pl"};
inline constexpr size_t kLanguageLengthMax = 35;  // BCP 47's longest useful tag

// The card, PIN and kiosk language of one member account. An empty card_number, pin_hash or
// language: none set (a member without a language of their own reads the one picked on the
// kiosk's first screen).
struct MemberCard {
  std::string bank_id;
  std::string account_id;
  std::string card_number;
  std::string pin_hash;
  absl::Time card_set_at = absl::InfinitePast();
  absl::Time pin_set_at = absl::InfinitePast();
  std::string language;  // one of kKioskLanguages, or ""
  absl::Time language_set_at = absl::InfinitePast();

  bool has_pin() const { return !pin_hash.empty(); }
};

// Wrong PINs typed for one card since the last right one, and until when it is locked.
struct CardAttempts {
  int32_t failed = 0;
  absl::Time locked_until = absl::InfinitePast();
};

// A PIN typed for a card, checked against the hash the card had when it was read (Argon2id is
// slow on purpose, so it is checked off the ledger's writer thread); the writer decides with it.
struct PinCheck {
  std::string pin_hash;  // the hash the PIN was checked against; "" if the card had none
  bool matches = false;
};

// InvalidArgument INVALID_CARD_NUMBER / INVALID_PIN, naming the rule, unless valid. An empty card
// number is valid for ValidateCardNumber with allow_empty (it removes the card).
absl::Status ValidateCardNumber(absl::string_view card_number, bool allow_empty);
absl::Status ValidatePin(absl::string_view pin);
// InvalidArgument INVALID_LANGUAGE (figures language, shipped) unless `language` is one of
// kKioskLanguages, or empty with allow_empty (it clears the member's language).
absl::Status ValidateLanguage(absl::string_view language, bool allow_empty);

// Stored forms (rocksdb_store.cc keys 'k' and 't'). DataLoss CORRUPT_RECORD if malformed. A
// member card is written in version 2 (with the language); version 1, from before languages,
// still reads, as a card without one.
std::string EncodeMemberCard(const MemberCard& card);
absl::StatusOr<MemberCard> DecodeMemberCard(absl::string_view bytes);
std::string EncodeCardAttempts(const CardAttempts& attempts);
absl::StatusOr<CardAttempts> DecodeCardAttempts(absl::string_view bytes);

// The lockout rule. Returns the attempts after one more wrong PIN at `now`: the fifth in a row
// locks the card until now + kCardLockDuration and starts the count again.
CardAttempts AfterWrongPin(CardAttempts attempts, absl::Time now);
// Whether the card is locked at `now`.
bool IsLocked(const CardAttempts& attempts, absl::Time now);

// Returns crypto_pwhash_str of `pin` (Argon2id, a fresh salt, interactive limits), or Internal
// if the memory for it cannot be had.
absl::StatusOr<std::string> HashPin(const std::string& pin);
// Whether `pin` matches a hash made by HashPin.
bool PinMatches(const std::string& pin_hash, const std::string& pin);

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_KIOSK_H_
