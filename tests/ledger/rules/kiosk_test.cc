#include "ledger/rules/kiosk.h"

#include <gtest/gtest.h>

#include "ledger/core/coding.h"
#include "ledger/core/errors.h"
#include "ledger/core/records.h"

namespace timeledger::ledger {
namespace {

TEST(KioskLanguageTest, AcceptsEveryShippedLanguageAndEmptyOnlyWhenAllowed) {
  for (const char* language : kKioskLanguages) {
    EXPECT_TRUE(ValidateLanguage(language, /*allow_empty=*/false).ok()) << language;
  }
  EXPECT_TRUE(ValidateLanguage("", /*allow_empty=*/true).ok());
  EXPECT_TRUE(HasReason(ValidateLanguage("", /*allow_empty=*/false), Reason::kInvalidLanguage));
}

TEST(KioskLanguageTest, RefusesALanguageTheKioskDoesNotShipNamingItAndTheShippedOnes) {
  const absl::Status refused = ValidateLanguage("so", /*allow_empty=*/true);
  ASSERT_TRUE(HasReason(refused, Reason::kInvalidLanguage)) << refused;
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FiguresOf(refused)["language"], "so");
  EXPECT_EQ(FiguresOf(refused)["shipped"], "en bn ar pl");
  // Tags are compared exactly: a region or another case is not a shipped catalogue.
  EXPECT_FALSE(ValidateLanguage("EN", false).ok());
  EXPECT_FALSE(ValidateLanguage("en-GB", false).ok());
  EXPECT_FALSE(ValidateLanguage(std::string(200, 'x'), false).ok());
}

TEST(MemberCardRecordTest, RoundTripsWithItsLanguage) {
  MemberCard card;
  card.bank_id = "hcct";
  card.account_id = "alice";
  card.card_number = "1001";
  card.pin_hash = "$argon2id$v=19$m=65536,t=2,p=1$salt$hash";
  card.card_set_at = card.pin_set_at = absl::FromUnixSeconds(1'700'000'000);
  card.language = "ar";
  card.language_set_at = absl::FromUnixSeconds(1'700'000'100);
  auto decoded = DecodeMemberCard(EncodeMemberCard(card));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->language, "ar");
  EXPECT_EQ(decoded->language_set_at, card.language_set_at);
  EXPECT_EQ(decoded->card_number, "1001");
  EXPECT_EQ(EncodeMemberCard(*decoded), EncodeMemberCard(card));
}

// A card written before languages (version 1) still reads, as a card without a language.
TEST(MemberCardRecordTest, ReadsAVersionOneRecordAsACardWithoutALanguage) {
  std::string v1;
  v1.push_back(1);
  PutLengthPrefixed(&v1, "hcct");
  PutLengthPrefixed(&v1, "alice");
  PutLengthPrefixed(&v1, "1001");
  PutLengthPrefixed(&v1, "");
  PutFixed64BigEndian(&v1, 1'700'000'000'000'000);
  PutFixed64BigEndian(&v1, static_cast<uint64_t>(ToMicros(absl::InfinitePast())));
  auto decoded = DecodeMemberCard(v1);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->card_number, "1001");
  EXPECT_EQ(decoded->language, "");
  EXPECT_EQ(decoded->language_set_at, absl::InfinitePast());
  EXPECT_FALSE(decoded->has_pin());
  // A version 1 record with bytes after its end is damaged, as before.
  EXPECT_TRUE(HasReason(DecodeMemberCard(v1 + "x").status(), Reason::kCorruptRecord));
}

}  // namespace
}  // namespace timeledger::ledger
