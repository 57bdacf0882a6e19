// A member's statement in the member's language (clients/cli/statement_text.h, statement_words.h):
// English exactly as the CLI always printed it, and Bengali, Arabic and Polish from their
// catalogues, with each language's plural forms and digits; the catalogue's titles instead of
// codes; the CSV's columns for machines unchanged and the member's words after them.
#include "clients/cli/statement_words.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include <gtest/gtest.h>

#include "clients/cli/report_csv.h"
#include "clients/cli/statement_text.h"

namespace timeledger::cli {
namespace {

namespace v1 = ::timeledger::v1;

// Noon on 16 September 2026 in London: a month whose short name differs between locales' data.
constexpr int64_t kSeptember16 = 1'789'560'000;

CatalogueTitles Titles() {
  CatalogueTitles titles;
  v1::CatalogueItem course;
  course.set_code("hygiene-course");
  course.set_title("Food hygiene course");
  titles.Add(course, v1::OFFER);
  v1::CatalogueItem walk;
  walk.set_code("dog-walk");
  walk.set_title("Dog walking");
  titles.Add(walk, v1::ACTIVITY);
  return titles;
}

v1::Entry MakeEntry(uint64_t seq, v1::EntryKind kind, const std::string& from,
                    const std::string& to, int64_t minutes, const std::string& activity) {
  v1::Entry entry;
  entry.set_seq(seq);
  entry.set_kind(kind);
  entry.set_from_account_id(from);
  entry.set_to_account_id(to);
  entry.set_minutes(minutes);
  entry.set_activity(activity);
  entry.mutable_occurred_at()->set_seconds(kSeptember16);
  entry.mutable_recorded_at()->set_seconds(kSeptember16);
  return entry;
}

// Dev walked Carl's dog for 2 hours, then spent 3 hours on the food hygiene course: -1 hour.
v1::ListEntriesResponse DevsRows() {
  v1::ListEntriesResponse rows;
  v1::EntryRow* walk = rows.add_rows();
  *walk->mutable_entry() = MakeEntry(7, v1::EXCHANGE, "carl", "dev", 120, "dog-walk");
  walk->set_running_balance_minutes(120);
  v1::EntryRow* course = rows.add_rows();
  *course->mutable_entry() = MakeEntry(8, v1::SPEND, "dev", "cafe", 180, "hygiene-course");
  course->set_running_balance_minutes(-60);
  return rows;
}

v1::Account Dev() {
  v1::Account account;
  account.set_bank_id("hcct");
  account.set_account_id("dev");
  account.set_balance_minutes(-60);
  return account;
}

std::string LabelOf(const std::string& id) { return id == "dev" ? "Dev Patel (dev)" : id; }

std::string DevsStatement(const std::string& language) {
  return StatementText(Dev(), DevsRows(), absl::UTCTimeZone(), LabelOf,
                       StatementWords(language, Titles()));
}

v1::Statement DevsRange() {
  v1::Statement statement;
  statement.set_bank_id("hcct");
  statement.set_time_zone("Europe/London");
  *statement.mutable_account() = Dev();
  statement.mutable_first_day()->set_year(2026);
  statement.mutable_first_day()->set_month(9);
  statement.mutable_first_day()->set_day(1);
  statement.mutable_last_day()->set_year(2026);
  statement.mutable_last_day()->set_month(9);
  statement.mutable_last_day()->set_day(30);
  statement.set_earned_minutes(120);
  statement.set_paid_minutes(180);
  statement.set_given_minutes(120);
  statement.set_received_minutes(180);
  statement.set_closing_balance_minutes(-60);
  const v1::ListEntriesResponse rows = DevsRows();
  for (const v1::EntryRow& row : rows.rows()) {
    v1::StatementLine* line = statement.add_lines();
    *line->mutable_entry() = row.entry();
    const bool earns = row.entry().to_account_id() == "dev";
    line->set_signed_minutes(earns ? row.entry().minutes() : -row.entry().minutes());
    line->set_balance_after_minutes(row.running_balance_minutes());
    line->set_other_account_id(earns ? row.entry().from_account_id() : row.entry().to_account_id());
  }
  return statement;
}

TEST(StatementWordsTest, EnglishReadsAsTheStatementAlwaysDid) {
  const std::string text = DevsStatement("en");
  EXPECT_TRUE(absl::StartsWith(text, "Statement for Dev Patel (dev), bank hcct\n\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "Seq  Date         Kind      With  Activity")) << text;
  // "Sep", not ICU's British "Sept": the day reads as FormatDate always wrote it.
  EXPECT_TRUE(absl::StrContains(text, "16 Sep 2026  exchange  carl  Dog walking")) << text;
  EXPECT_TRUE(absl::StrContains(text, "spend     cafe  Food hygiene course  -3 hours  -1 hour"))
      << text;
  EXPECT_TRUE(absl::EndsWith(text, "\n2 entries. Closing balance: -1 hour\n")) << text;
  EXPECT_FALSE(absl::StrContains(text, "hygiene-course")) << "the catalogue's title, not its code";
}

TEST(StatementWordsTest, AnEmptyStatementSaysSoInTheMembersLanguage) {
  const std::string english =
      StatementText(Dev(), {}, absl::UTCTimeZone(), LabelOf, StatementWords("en"));
  EXPECT_EQ(english,
            "Statement for Dev Patel (dev), bank hcct\n\nNo entries yet.\n\n"
            "Closing balance: -1 hour\n");
  const std::string polish =
      StatementText(Dev(), {}, absl::UTCTimeZone(), LabelOf, StatementWords("pl"));
  EXPECT_TRUE(absl::StrContains(polish, "Nie ma jeszcze wpisów.")) << polish;
  EXPECT_TRUE(absl::StrContains(polish, "Saldo końcowe: -1 godzina")) << polish;
}

TEST(StatementWordsTest, BengaliUsesItsCatalogueAndDigits) {
  const std::string text = DevsStatement("bn");
  EXPECT_TRUE(absl::StartsWith(text, "Dev Patel (dev)-এর বিবরণী, ব্যাংক hcct")) << text;
  for (const char* words : {"তারিখ", "ধরন", "বিনিময়", "খরচ", "২ ঘণ্টা", "-৩ ঘণ্টা", "১৬ সেপ ২০২৬",
                            "Food hygiene course", "২ টি হিসাব। শেষ হিসাবে আপনার সময়: -১ ঘণ্টা"}) {
    EXPECT_TRUE(absl::StrContains(text, words)) << words << "\n" << text;
  }
  EXPECT_FALSE(absl::StrContains(text, "Closing balance")) << text;
}

TEST(StatementWordsTest, ArabicUsesItsSixPluralForms) {
  const StatementWords arabic("ar");
  EXPECT_EQ(arabic.Time(60), "ساعة واحدة");
  EXPECT_EQ(arabic.Time(120), "ساعتان");
  EXPECT_EQ(arabic.Time(5 * 60), "٥ ساعات");
  EXPECT_EQ(arabic.Time(11 * 60), "١١ ساعة");
  EXPECT_EQ(arabic.Time(0), "٠ دقيقة");
  const std::string text = DevsStatement("ar");
  for (const char* words : {"كشف حساب Dev Patel (dev)، بنك hcct", "التاريخ", "تبادل", "إنفاق",
                            "١٦ سبتمبر ٢٠٢٦", "قيدان. الرصيد الختامي: -ساعة واحدة"}) {
    EXPECT_TRUE(absl::StrContains(text, words)) << words << "\n" << text;
  }
}

TEST(StatementWordsTest, PolishUsesOneFewAndMany) {
  const StatementWords polish("pl", Titles());
  EXPECT_EQ(polish.Time(60), "1 godzina");
  EXPECT_EQ(polish.Time(3 * 60), "3 godziny");
  EXPECT_EQ(polish.Time(5 * 60 + 1), "5 godzin 1 minuta");
  EXPECT_EQ(polish.Time(22 * 60 + 2), "22 godziny 2 minuty");
  EXPECT_EQ(polish.SignedTime(25), "+25 minut");
  const std::string text = StatementRangeText(DevsRange(), LabelOf, polish);
  for (const char* words :
       {"Wyciąg: Dev Patel (dev), bank hcct", "Wpisy zapisane od 1 wrz 2026 do 30 wrz 2026",
        "Saldo początkowe: 0 godzin", "Zapisano", "Dzień", "wymiana", "wydatek", "Dog walking",
        "+2 godziny", "Podarowany czas: 2 godziny", "Otrzymany czas:  3 godziny",
        "Saldo końcowe:   -1 godzina"}) {
    EXPECT_TRUE(absl::StrContains(text, words)) << words << "\n" << text;
  }
  EXPECT_FALSE(absl::StrContains(text, "Opening balance")) << text;
}

TEST(StatementWordsTest, ARangeInEnglishKeepsItsWords) {
  const std::string text = StatementRangeText(DevsRange(), LabelOf, StatementWords("en"));
  EXPECT_TRUE(absl::StrContains(text,
                                "Entries recorded 1 Sep 2026 to 30 Sep 2026\n\n"
                                "Opening balance: 0 hours\n"))
      << text;
  EXPECT_TRUE(absl::StrContains(text, "  Closing balance: -1 hour\n")) << text;
  EXPECT_TRUE(absl::StrContains(text, "  Time given:      2 hours\n")) << text;
}

TEST(StatementWordsTest, AReversalIsNamedByTheTitleOfWhatItUndid) {
  v1::Entry reversal = MakeEntry(9, v1::REVERSAL, "cafe", "dev", 180, "hygiene-course");
  reversal.set_reverses_seq(8);
  const StatementWords words("pl", Titles());
  EXPECT_EQ(words.Activity(reversal), "Food hygiene course");
  EXPECT_EQ(words.KindCell(reversal), "korekta wpisu 8");
  const v1::Entry unknown = MakeEntry(10, v1::EXCHANGE, "carl", "dev", 60, "gardening");
  EXPECT_EQ(words.Activity(unknown), "gardening") << "the code when the catalogue has none";
  EXPECT_EQ(words.ActivityTitle(unknown), "");
}

TEST(StatementWordsTest, TheCsvKeepsItsColumnsAndAddsTheMembersWords) {
  const std::string csv = StatementCsv(DevsRange(), StatementWords("bn", Titles()));
  const std::vector<std::string> lines = absl::StrSplit(csv.substr(3), "\r\n");
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            "seq,recorded_on,occurred_on,kind,reverses_seq,with_account_id,activity,note,"
            "amount_minutes,amount_hours,balance_before_minutes,balance_after_minutes,"
            "balance_after_hours,kind_text,activity_title");
  EXPECT_EQ(lines[2],
            "8,2026-09-16,2026-09-16,spend,,cafe,hygiene-course,,-180,-3:00,120,-60,-1:00,খরচ,"
            "Food hygiene course");
}

}  // namespace
}  // namespace timeledger::cli
