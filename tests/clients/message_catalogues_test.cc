// The catalogues as shipped, the kiosk's (clients/kiosk/messages/*.txt) and statements'
// (clients/cli/messages/*.txt), read from the source tree and as compiled in: one per language the
// ledger accepts, each with exactly English's keys and arguments, every message read by ICU with
// the plural forms of its language; and the formatter (clients/common/messages.h): plurals,
// digits, days, fallback and the pseudo-locale.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "clients/cli/statement_words.h"
#include "clients/common/messages.h"
#include "clients/kiosk/kiosk_messages.h"
#include "ledger/rules/kiosk.h"

namespace timeledger::kiosk {
namespace {

using clients::Catalogue;
using clients::Messages;

// A set of catalogues: where its files are, what was compiled in, and how much it holds at least.
struct CatalogueSet {
  std::string name;
  std::filesystem::path dir;
  const std::vector<std::pair<const char*, const char*>>& (*compiled)();
  size_t messages_min;
  size_t plurals_min;
};

// The kiosk's words, and a member's statement's: the same languages (a member's language is set
// once for both).
std::vector<CatalogueSet> CatalogueSets() {
  const std::filesystem::path source(TIMELEDGER_SOURCE_DIR);
  return {{"kiosk", source / "clients/kiosk/messages", &CompiledCatalogues, 50, 6},
          {"statement", source / "clients/cli/messages", &cli::CompiledStatementCatalogues, 35, 5}};
}

const std::filesystem::path kMessagesDir = CatalogueSets().front().dir;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Catalogue ShippedCatalogue(const std::string& language,
                           const std::filesystem::path& dir = kMessagesDir) {
  auto catalogue = Catalogue::Parse(language, ReadFile(dir / (language + ".txt")));
  EXPECT_TRUE(catalogue.ok()) << catalogue.status();
  if (!catalogue.ok()) return Catalogue();
  return *std::move(catalogue);
}

std::vector<std::string> ShippedLanguages() {
  return {std::begin(ledger::kKioskLanguages), std::end(ledger::kKioskLanguages)};
}

std::unique_ptr<Messages> KioskMessages() {
  auto messages = LoadKioskMessages();
  EXPECT_TRUE(messages.ok()) << messages.status();
  return messages.ok() ? *std::move(messages) : nullptr;
}

TEST(MessageCataloguesTest, TheFilesAreTheLanguagesTheLedgerAcceptsAndTheKioskCompiledIn) {
  const std::vector<std::string> shipped = ShippedLanguages();
  EXPECT_EQ(shipped.front(), "en");
  for (const CatalogueSet& set : CatalogueSets()) {
    std::set<std::string> files;
    for (const auto& file : std::filesystem::directory_iterator(set.dir)) {
      files.insert(file.path().stem().string());
      EXPECT_EQ(file.path().extension(), ".txt") << file.path();
    }
    EXPECT_EQ(files, std::set<std::string>(shipped.begin(), shipped.end())) << set.name;
    std::vector<std::string> compiled;
    for (const auto& [language, text] : set.compiled()) {
      compiled.push_back(language);
      EXPECT_EQ(text, ReadFile(set.dir / (std::string(language) + ".txt"))) << language;
    }
    EXPECT_EQ(compiled, shipped) << set.name;
  }
}

TEST(MessageCataloguesTest, EveryCatalogueHasExactlyTheKeysAndArgumentsOfEnglish) {
  for (const CatalogueSet& set : CatalogueSets()) {
    const Catalogue english = ShippedCatalogue("en", set.dir);
    ASSERT_GT(english.messages().size(), set.messages_min) << set.name;
    for (const std::string& language : ShippedLanguages()) {
      const Catalogue catalogue = ShippedCatalogue(language, set.dir);
      std::set<std::string> keys, english_keys;
      for (const auto& [key, message] : catalogue.messages()) keys.insert(key);
      for (const auto& [key, message] : english.messages()) english_keys.insert(key);
      EXPECT_EQ(keys, english_keys) << set.name << " " << language;
      for (const auto& [key, message] : catalogue.messages()) {
        const std::string* theirs = english.Find(key);
        if (theirs == nullptr) continue;
        auto names = clients::ArgumentNamesOf(message);
        auto english_names = clients::ArgumentNamesOf(*theirs);
        ASSERT_TRUE(names.ok() && english_names.ok()) << language << " " << key;
        EXPECT_EQ(*names, *english_names)
            << set.name << " " << language << " " << key << ": " << message;
      }
    }
  }
}

TEST(MessageCataloguesTest, EveryPluralHasExactlyTheFormsOfItsLanguage) {
  EXPECT_EQ(clients::PluralCategories("ar"),
            (std::set<std::string>{"zero", "one", "two", "few", "many", "other"}));
  EXPECT_EQ(clients::PluralCategories("pl"),
            (std::set<std::string>{"one", "few", "many", "other"}));
  EXPECT_EQ(clients::PluralCategories("bn"), (std::set<std::string>{"one", "other"}));
  EXPECT_EQ(clients::PluralCategories("en"), (std::set<std::string>{"one", "other"}));
  for (const CatalogueSet& set : CatalogueSets()) {
    for (const std::string& language : ShippedLanguages()) {
      const std::set<std::string> forms = clients::PluralCategories(language);
      size_t plurals = 0;
      const Catalogue catalogue = ShippedCatalogue(language, set.dir);
      for (const auto& [key, message] : catalogue.messages()) {
        auto keywords = clients::PluralKeywordsOf(message);
        ASSERT_TRUE(keywords.ok()) << language << " " << key;
        for (const std::set<std::string>& used : *keywords) {
          EXPECT_EQ(used, forms) << set.name << " " << language << " " << key << ": " << message;
          ++plurals;
        }
      }
      EXPECT_GE(plurals, set.plurals_min) << set.name << " " << language;
    }
  }
}

TEST(MessageCataloguesTest, EveryMessageFormatsInEveryLanguageWithItsArguments) {
  auto statement_messages = cli::LoadStatementMessages();
  ASSERT_TRUE(statement_messages.ok()) << statement_messages.status();
  std::vector<std::unique_ptr<Messages>> sets;
  sets.push_back(KioskMessages());
  sets.push_back(*std::move(statement_messages));
  const clients::MessageArgs args = {
      {"time", std::string("T")},     {"hours", int64_t{3}},         {"minutes", int64_t{2}},
      {"seconds", int64_t{20}},       {"other", std::string("Bob")}, {"activity", std::string("A")},
      {"sentence", std::string("S")}, {"amount", std::string("M")},  {"when", std::string("W")},
      {"name", std::string("Dev")},   {"month", std::string("N")},   {"given", std::string("G")},
      {"received", std::string("R")}, {"date", std::string("D")},    {"bank", std::string("B")},
      {"seq", std::string("12")},     {"kind", std::string("K")},    {"entries", int64_t{4}},
      {"first", std::string("F")},    {"last", std::string("L")}};
  for (const std::unique_ptr<Messages>& messages : sets) {
    ASSERT_NE(messages, nullptr);
    for (const std::string& language : messages->Languages()) {
      for (const auto& [key, message] : messages->CatalogueOf(language).messages()) {
        const std::string words = messages->Format(language, key, args);
        EXPECT_NE(words, key) << language << " " << key;
        EXPECT_EQ(words.find('{'), std::string::npos) << language << " " << key << ": " << words;
      }
    }
  }
}

TEST(MessagesTest, PluralsAndDigitsFollowTheLanguage) {
  auto messages = KioskMessages();
  ASSERT_NE(messages, nullptr);
  const auto hours = [&](const char* language, int64_t count) {
    return messages->Format(language, "time.hours", {{"hours", count}});
  };
  EXPECT_EQ(hours("en", 1), "1 hour");
  EXPECT_EQ(hours("en", 12), "12 hours");
  EXPECT_EQ(hours("pl", 1), "1 godzina");
  EXPECT_EQ(hours("pl", 3), "3 godziny");
  EXPECT_EQ(hours("pl", 5), "5 godzin");
  EXPECT_EQ(hours("pl", 22), "22 godziny");
  EXPECT_EQ(hours("ar", 1), "ساعة واحدة");
  EXPECT_EQ(hours("ar", 2), "ساعتان");
  EXPECT_EQ(hours("ar", 3), "٣ ساعات");
  EXPECT_EQ(hours("ar", 11), "١١ ساعة");
  EXPECT_EQ(hours("bn", 3), "৩ ঘণ্টা");
  EXPECT_EQ(messages->Format("en", "balance.have", {{"time", std::string("12 hours")}}),
            "You have 12 hours.");
}

TEST(MessagesTest, AMissingKeyOrLanguageReadsEnglishAndAKeyMissingEverywhereReadsAsItself) {
  auto english = Catalogue::Parse("en", "greeting = Hello, {name}\nonly.english = Welcome\n");
  auto polish = Catalogue::Parse("pl", "greeting = Dzień dobry, {name}\n");
  ASSERT_TRUE(english.ok() && polish.ok());
  auto messages = Messages::Make({*english, *polish});
  ASSERT_TRUE(messages.ok()) << messages.status();
  EXPECT_EQ((*messages)->Format("pl", "greeting", {{"name", std::string("Ola")}}),
            "Dzień dobry, Ola");
  EXPECT_EQ((*messages)->Format("pl", "only.english"), "Welcome");
  EXPECT_EQ((*messages)->Format("so", "greeting", {{"name", std::string("Ayaan")}}),
            "Hello, Ayaan");
  EXPECT_EQ((*messages)->Format("pl", "nowhere"), "nowhere");
  EXPECT_FALSE((*messages)->Has("so"));
  EXPECT_FALSE(Messages::Make({*english, *english}).ok());
}

TEST(MessagesTest, ACatalogueThatIsNotKeyEqualsMessageOrNotICUIsRefusedNamingTheLine) {
  auto no_equals = Catalogue::Parse("en", "# fine\n\ngreeting Hello\n");
  ASSERT_FALSE(no_equals.ok());
  EXPECT_NE(no_equals.status().message().find("line 3"), std::string::npos) << no_equals.status();
  auto bad_icu = Catalogue::Parse("en", "a = fine\nb = {hours, plural, one {# hour}\n");
  ASSERT_FALSE(bad_icu.ok());
  EXPECT_NE(bad_icu.status().message().find("line 2"), std::string::npos) << bad_icu.status();
  EXPECT_FALSE(Catalogue::Parse("en", "a = one\na = two\n").ok());
  EXPECT_FALSE(Catalogue::Parse("en", "Bad Key = words\n").ok());
  EXPECT_FALSE(Catalogue::Parse("en", std::string(clients::kCatalogueBytesMax + 1, '#')).ok());
}

TEST(MessagesTest, DaysAreInTheLanguagesOwnWordsAndArabicIsRightToLeft) {
  auto messages = KioskMessages();
  ASSERT_NE(messages, nullptr);
  const absl::CivilDay day(2026, 3, 3);  // a Tuesday
  EXPECT_EQ(messages->Day("en", day, "EEEE"), "Tuesday");
  EXPECT_EQ(messages->Day("en", day, "dMMMM"), "3 March");
  EXPECT_EQ(messages->Day("pl", day, "EEEE"), "wtorek");
  EXPECT_EQ(messages->Day("ar", day, "EEEE"), "الثلاثاء");
  EXPECT_TRUE(messages->RightToLeft("ar"));
  EXPECT_FALSE(messages->RightToLeft("bn"));
  EXPECT_FALSE(messages->RightToLeft(clients::kPseudoLanguage));
}

TEST(PseudoLocaleTest, AccentsAndLengthensWordsButKeepsArgumentsAndPluralSyntax) {
  auto messages = KioskMessages();
  ASSERT_NE(messages, nullptr);
  ASSERT_TRUE(messages->Has(clients::kPseudoLanguage));
  const Catalogue& pseudo = messages->CatalogueOf(clients::kPseudoLanguage);
  EXPECT_EQ(pseudo.messages().size(), messages->CatalogueOf("en").messages().size());
  for (const auto& [key, message] : pseudo.messages()) {
    EXPECT_EQ(message.front(), '[') << key;
    EXPECT_EQ(message.back(), ']') << key;
  }
  const std::string hours = messages->Format(
      clients::kPseudoLanguage, "balance.have",
      {{"time",
        messages->Format(clients::kPseudoLanguage, "time.hours", {{"hours", int64_t{12}}})}});
  EXPECT_EQ(hours, "[Ýöü ĥåṽé [12 ĥöüŕš ····]. ···]");
  // An apostrophe in words is a letter's neighbour, not ICU's quote.
  EXPECT_EQ(messages->Format(clients::kPseudoLanguage, "idle.stay"),
            "[Ýéš, Î'ɱ šţîļļ ĥéŕé ······]");
  EXPECT_EQ(messages->Day(clients::kPseudoLanguage, absl::CivilDay(2026, 3, 3), "EEEE"),
            "[Ţüéšðåý ···]");
}

}  // namespace
}  // namespace timeledger::kiosk
