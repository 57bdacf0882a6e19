// The checks of what callers send (ledger/core/validate.h): text that hides or reorders what it
// shows, names with nothing to see, and time zones that are paths. Issue 16, finding 7 and 5.
#include "ledger/core/validate.h"

#include <string>

#include <gtest/gtest.h>

#include "ledger/core/errors.h"
#include "tests/support/ledger_fixture.h"

namespace timeledger::ledger {
namespace {

std::string ReasonOfText(absl::string_view text) {
  return ReasonOf(ValidateText("note", text, kNoteLengthMax, false));
}

TEST(ValidateTextTest, RefusesC0C1AndDeleteControls) {
  EXPECT_EQ(ReasonOfText("tab\there"), "INVALID_TEXT");
  EXPECT_EQ(ReasonOfText("del\x7f"), "INVALID_TEXT");
  EXPECT_EQ(ReasonOfText("c1 \xc2\x85 next line"), "INVALID_TEXT");  // U+0085
  EXPECT_EQ(ReasonOfText("c1 \xc2\x9f"), "INVALID_TEXT");            // U+009F
  EXPECT_EQ(ReasonOfText("c1 \xc2\x80"), "INVALID_TEXT");            // U+0080
}

TEST(ValidateTextTest, RefusesBidirectionalControlsAndFormatCharacters) {
  EXPECT_EQ(ReasonOfText("Alice \xe2\x80\xae"
                         "nworB"),
            "INVALID_TEXT");                                         // U+202E RLO
  EXPECT_EQ(ReasonOfText("x\xe2\x80\xaay"), "INVALID_TEXT");         // U+202A LRE
  EXPECT_EQ(ReasonOfText("x\xe2\x81\xa6y"), "INVALID_TEXT");         // U+2066 LRI
  EXPECT_EQ(ReasonOfText("x\xe2\x80\x8fy"), "INVALID_TEXT");         // U+200F RLM
  EXPECT_EQ(ReasonOfText("x\xd8\x9cy"), "INVALID_TEXT");             // U+061C ALM
  EXPECT_EQ(ReasonOfText("zero\xe2\x80\x8bwidth"), "INVALID_TEXT");  // U+200B ZWSP
  EXPECT_EQ(ReasonOfText("\xef\xbb\xbf"
                         "bom"),
            "INVALID_TEXT");                                       // U+FEFF
  EXPECT_EQ(ReasonOfText("soft\xc2\xadhyphen"), "INVALID_TEXT");   // U+00AD
  EXPECT_EQ(ReasonOfText("line\xe2\x80\xa8sep"), "INVALID_TEXT");  // U+2028
  EXPECT_EQ(ReasonOfText("tag\xf3\xa0\x80\x81"), "INVALID_TEXT");  // U+E0001
  EXPECT_EQ(ReasonOfText("non\xef\xbf\xbf"
                         "char"),
            "INVALID_TEXT");  // U+FFFF
}

TEST(ValidateTextTest, TheRefusalNamesTheCodePoint) {
  const absl::Status status = ValidateText("display_name", "A\xe2\x80\xaeZ", kNameLengthMax, true);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("U+202E"), absl::string_view::npos) << status;
  EXPECT_NE(status.message().find("display_name"), absl::string_view::npos) << status;
}

TEST(ValidateTextTest, AcceptsTheWritingOfEveryMember) {
  EXPECT_TRUE(ValidateText("note", "Zo\xc3\xab \xc5\x81ukasz", kNoteLengthMax, false).ok());
  EXPECT_TRUE(ValidateText("note", "\xd8\xb9\xd9\x84\xd9\x8a", kNoteLengthMax, false).ok());  // علي
  // Bengali "ক্ষ" written with a zero-width joiner, and Persian "می‌خواهم" with a
  // non-joiner.
  EXPECT_TRUE(ValidateText("note", "\xe0\xa6\x95\xe0\xa7\x8d\xe2\x80\x8d\xe0\xa6\xb7",
                           kNoteLengthMax, false)
                  .ok());
  EXPECT_TRUE(ValidateText("note",
                           "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85",
                           kNoteLengthMax, false)
                  .ok());
  // A family emoji: three faces joined by ZWJ.
  EXPECT_TRUE(
      ValidateText("note", "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7", kNoteLengthMax, false)
          .ok());
  EXPECT_TRUE(ValidateText("note", "Caf\xc3\xa9 \xe2\x80\x94 12:30", kNoteLengthMax, false).ok());
}

TEST(ValidateTextTest, AJoinerMustFollowAVisibleCharacter) {
  EXPECT_EQ(ReasonOfText("\xe2\x80\x8d"
                         "abc"),
            "INVALID_TEXT");
  EXPECT_EQ(ReasonOfText("a \xe2\x80\x8c"
                         "b"),
            "INVALID_TEXT");
  EXPECT_EQ(ReasonOfText("a\xe2\x80\x8d\xe2\x80\x8d"
                         "b"),
            "INVALID_TEXT");
}

TEST(ValidateNameTest, RefusesNamesWithNoVisibleCharacter) {
  EXPECT_EQ(ReasonOf(ValidateName("name", "   ", kNameLengthMax, true)), "INVALID_TEXT");
  // Ideographic and no-break spaces are space separators: nothing to see either.
  EXPECT_EQ(ReasonOf(ValidateName("name", "\xe3\x80\x80\xc2\xa0", kNameLengthMax, true)),
            "INVALID_TEXT");
  EXPECT_EQ(ReasonOf(ValidateName("name", "\xe2\x80\x8b\xe2\x80\x8b", kNameLengthMax, true)),
            "INVALID_TEXT");
  EXPECT_TRUE(ValidateName("name", " Dev ", kNameLengthMax, true).ok());
  EXPECT_TRUE(ValidateName("awarding_body", "", kNameLengthMax, false).ok());
}

TEST(ValidateTimeZoneTest, AcceptsNamesOfTheTzDatabase) {
  EXPECT_TRUE(ValidateTimeZone("Europe/London").ok());
  EXPECT_TRUE(ValidateTimeZone("America/Argentina/Buenos_Aires").ok());
  EXPECT_TRUE(ValidateTimeZone("UTC").ok());
  EXPECT_TRUE(ValidateTimeZone("Etc/GMT+5").ok());
}

TEST(ValidateTimeZoneTest, RefusesPathsAndNamesOutsideTheDatabase) {
  for (absl::string_view zone :
       {"/etc/localtime", "/usr/share/zoneinfo/Europe/London", "../../../etc/localtime",
        "Europe/../Europe/London", "./Europe/London", "Europe//London", "Europe/London/",
        "localtime", "posixrules", "Europe/Atlantis", "", "Europe/London\n"}) {
    EXPECT_EQ(ReasonOf(ValidateTimeZone(zone)), "INVALID_TIME_ZONE") << zone;
  }
  const std::string with_nul("Europe/London\0junk", 18);
  const absl::Status status = ValidateTimeZone(with_nul);
  EXPECT_EQ(ReasonOf(status), "INVALID_TIME_ZONE");
  EXPECT_EQ(status.message().find('\0'), absl::string_view::npos) << "the NUL is not echoed";
  EXPECT_EQ(ReasonOf(ValidateTimeZone(std::string(kTimeZoneLengthMax + 1, 'A'))),
            "INVALID_TIME_ZONE");
}

using ValidateLedgerTest = LedgerTest;

TEST_F(ValidateLedgerTest, ABankNamedWithSpacesOrKeptInAFileIsNotCreated) {
  auto spaces = Await<Bank>([&](auto done) {
    ledger_->CreateBank(Bank{"spaces", "   ", "Europe/London", {}}, AdminNamed("test"),
                        std::move(done));
  });
  EXPECT_EQ(ReasonOf(spaces.status()), "INVALID_TEXT");
  auto path = Await<Bank>([&](auto done) {
    ledger_->CreateBank(Bank{"pathzone", "Path Zone", "/etc/localtime", {}}, AdminNamed("test"),
                        std::move(done));
  });
  EXPECT_EQ(ReasonOf(path.status()), "INVALID_TIME_ZONE");
  EXPECT_EQ(ledger_->GetBank(BankId("spaces")).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ledger_->GetBank(BankId("pathzone")).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ValidateLedgerTest, AnAccountNameWithABidiOverrideIsNotOpened) {
  Account account;
  account.bank_id = "hcct";
  account.account_id = "mallory";
  account.kind = AccountKind::kPerson;
  account.display_name =
      "Alice \xe2\x80\xae"
      "nworB";
  auto opened = Await<Account>(
      [&](auto done) { ledger_->OpenAccount(account, AdminNamed("test"), std::move(done)); });
  EXPECT_EQ(ReasonOf(opened.status()), "INVALID_TEXT");
  EXPECT_EQ(ledger_->GetAccount(BankId("hcct"), AccountId("mallory")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace timeledger::ledger
