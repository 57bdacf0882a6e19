// No member-facing word bypasses the catalogues: the kiosk's words are in
// clients/kiosk/messages/*.txt, and its code and page hold keys, argument names and markup only;
// a member's statement's words are in clients/cli/messages/*.txt, and the code that writes it
// holds keys and argument names, and no literal that reads as words.
// This reads the sources: member_words.cc may hold no literal but a catalogue key, an argument
// name or an ICU date skeleton; the kiosk server's other files no literal that reads as words;
// page.html no text and no labelled attribute outside its script, and no words inside it. The
// browser test's pseudo-locale run is the other half: it fails on any visible text without the
// pseudo-locale's brackets.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include <gtest/gtest.h>

#include "clients/common/messages.h"

namespace timeledger::kiosk {
namespace {

const std::filesystem::path kKioskDir =
    std::filesystem::path(TIMELEDGER_SOURCE_DIR) / "clients/kiosk";

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::filesystem::path kCliDir = std::filesystem::path(TIMELEDGER_SOURCE_DIR) / "clients/cli";

// Every key of the English catalogue in `dir`, and every argument name its messages use.
std::set<std::string> KeysAndArguments(const std::filesystem::path& dir = kKioskDir / "messages") {
  auto english = clients::Catalogue::Parse("en", ReadFile(dir / "en.txt"));
  EXPECT_TRUE(english.ok()) << english.status();
  std::set<std::string> allowed;
  if (!english.ok()) return allowed;
  for (const auto& [key, message] : english->messages()) {
    allowed.insert(key);
    auto names = clients::ArgumentNamesOf(message);
    if (names.ok()) allowed.insert(names->begin(), names->end());
  }
  return allowed;
}

// `text` without what lies between each `open` and the next `close` (both included), appending
// what was cut out to `cut` if given. (std::regex recurses once per character over long
// stretches, too deep for a page.)
std::string Without(const std::string& text, const std::string& open, const std::string& close,
                    std::string* cut = nullptr) {
  std::string kept;
  size_t at = 0;
  for (;;) {
    const size_t start = text.find(open, at);
    if (start == std::string::npos) break;
    const size_t end = text.find(close, start + open.size());
    kept += text.substr(at, start - at) + (close == "\n" ? "\n" : " ");
    if (cut != nullptr) {
      cut->append(text.substr(start, end == std::string::npos ? end : end - start)).append("\n");
    }
    if (end == std::string::npos) return kept;
    at = end + close.size();
  }
  return kept + text.substr(at);
}

std::string WithoutComments(const std::string& code) {
  return Without(Without(Without(code, "/*", "*/"), "//", "\n"), "#include", "\n");
}

// The string literals of C++ or JavaScript code ("...", and for JavaScript '...' and `...`).
std::vector<std::string> Literals(const std::string& code, bool javascript) {
  static const std::regex kCpp(R"re("((?:\\.|[^"\\\n])*)")re");
  static const std::regex kJs(
      R"re("((?:\\.|[^"\\\n])*)"|'((?:\\.|[^'\\\n])*)'|`((?:\\.|[^`\\])*)`)re");
  std::vector<std::string> literals;
  const std::regex& pattern = javascript ? kJs : kCpp;
  for (auto it = std::sregex_iterator(code.begin(), code.end(), pattern);
       it != std::sregex_iterator(); ++it) {
    for (size_t group = 1; group < it->size(); ++group) {
      if ((*it)[group].matched) literals.push_back((*it)[group].str());
    }
  }
  return literals;
}

// Whether a literal reads as words: two words in a row, or a capitalised word, or any letter
// outside ASCII (every language but English is written so).
bool ReadsAsWords(const std::string& literal) {
  static const std::regex kTwoWords(R"([A-Za-z]{2,}[,.;:!?'’]*\s+[A-Za-z]{2,})");
  static const std::regex kCapitalised(R"(^[A-Z][a-z]{2,})");
  for (unsigned char c : literal) {
    if (c >= 0x80) return true;
  }
  return std::regex_search(literal, kTwoWords) || std::regex_search(literal, kCapitalised);
}

TEST(KioskLiteralsTest, MemberWordsHoldsOnlyKeysArgumentNamesAndDateSkeletons) {
  const std::set<std::string> allowed = KeysAndArguments();
  ASSERT_FALSE(allowed.empty());
  const std::set<std::string> skeletons = {"EEEE", "dMMMM", "yMMMMd", "LLLL", "yMMMM", "LLL", ""};
  const std::string code = WithoutComments(ReadFile(kKioskDir / "member_words.cc"));
  const std::vector<std::string> literals = Literals(code, /*javascript=*/false);
  EXPECT_GT(literals.size(), 30u);
  for (const std::string& literal : literals) {
    EXPECT_TRUE(allowed.count(literal) != 0 || skeletons.count(literal) != 0)
        << "member_words.cc: \"" << literal << "\" is neither a catalogue key nor an argument";
  }
}

TEST(KioskLiteralsTest, TheKioskServerSaysNoWordsOfItsOwn) {
  // HTTP's own words, which no member reads.
  const std::set<std::string> http = {"Bearer ", "text/html; charset=utf-8"};
  for (const char* file : {"kiosk_api.cc", "summary_json.cc", "kiosk_messages.cc"}) {
    const std::string code = WithoutComments(ReadFile(kKioskDir / file));
    ASSERT_FALSE(code.empty()) << file;
    for (const std::string& literal : Literals(code, /*javascript=*/false)) {
      EXPECT_TRUE(http.count(literal) != 0 || !ReadsAsWords(literal))
          << file << ": \"" << literal << "\" reads as words; put it in the catalogues";
    }
  }
}

TEST(KioskLiteralsTest, ThePageHasNoWordsOutsideTheCatalogues) {
  const std::string page = ReadFile(kKioskDir / "page.html");
  ASSERT_FALSE(page.empty());
  static const std::regex kTag(R"re(<[^>]*>)re");
  static const std::regex kLabelled(R"re(\s(aria-label|title|alt|placeholder)="([^"]*)")re");
  std::string scripts;
  const std::string markup = Without(Without(Without(page, "<style", "</style>"), "<!--", "-->"),
                                     "<script", "</script>", &scripts);
  for (auto it = std::sregex_iterator(markup.begin(), markup.end(), kLabelled);
       it != std::sregex_iterator(); ++it) {
    ADD_FAILURE() << "page.html: " << (*it)[1] << "=\"" << (*it)[2]
                  << "\": labels come from the catalogues (data-words-label)";
  }
  // Placeholders the server fills in (__TITLE__, __WORDS__) are not words.
  static const std::regex kPlaceholder(R"(__[A-Z_]+__)");
  const std::string text =
      std::regex_replace(std::regex_replace(markup, kTag, " "), kPlaceholder, " ");
  // Letters (ASCII, or any byte of a UTF-8 letter) two or more in a row.
  std::string run;
  for (const char c : text + " ") {
    const bool letter =
        absl::ascii_isalpha(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
    if (letter) {
      run.push_back(c);
      continue;
    }
    if (run.size() >= 2) {
      ADD_FAILURE() << "page.html: the text \"" << run
                    << "\" is in the markup; give its element data-words=\"KEY\"";
    }
    run.clear();
  }
  const std::string code = WithoutComments(scripts);
  // HTTP's and the DOM's own words, which no member reads.
  const std::set<std::string> http = {"use strict", "Content-Type", "Accept", ".keypad button",
                                      "chart-title chart-desc"};
  const std::vector<std::string> literals = Literals(code, /*javascript=*/true);
  EXPECT_GT(literals.size(), 20u);
  for (const std::string& literal : literals) {
    EXPECT_TRUE(http.count(literal) != 0 || !ReadsAsWords(literal))
        << "page.html script: \"" << literal << "\" reads as words; put it in the catalogues";
  }
}

// The code of `file` from `from` up to the end of the function or table that starts there.
std::string Part(const std::string& code, const std::string& from) {
  const size_t start = code.find(from);
  if (start == std::string::npos) return "";
  const size_t end = code.find("\n}\n", start);
  return code.substr(start, end == std::string::npos ? end : end - start);
}

TEST(StatementLiteralsTest, TheStatementsWordsAreAllCatalogueKeysOrArguments) {
  const std::set<std::string> allowed = KeysAndArguments(kCliDir / "messages");
  ASSERT_GT(allowed.size(), 40u);
  for (const char* file : {"statement_words.cc", "statement_text.cc"}) {
    const std::vector<std::string> literals =
        Literals(WithoutComments(ReadFile(kCliDir / file)), /*javascript=*/false);
    EXPECT_GT(literals.size(), 10u) << file;
    for (const std::string& literal : literals) {
      // Escapes ("\n") and printf's conversions ("%s") are not letters of words.
      static const std::regex kNotWords(R"(\\.|%[a-z])");
      const std::string bare = std::regex_replace(literal, kNotWords, "");
      const bool letters = std::any_of(bare.begin(), bare.end(), [](char c) {
        return absl::ascii_isalpha(static_cast<unsigned char>(c)) ||
               static_cast<unsigned char>(c) >= 0x80;
      });
      EXPECT_TRUE(allowed.count(literal) != 0 || !letters)
          << file << ": \"" << literal << "\" is neither a statement catalogue key nor an argument";
    }
  }
}

TEST(StatementLiteralsTest, TheStatementCommandsSayNoWordsOfTheirOwnToTheMember) {
  // What the coordinator who runs the command is told, not words of the statement.
  const std::set<std::string> staff = {R"(Wrote the statement to %s\n)"};
  const std::string statement = ReadFile(kCliDir / "statement_command.cc");
  const std::string report = ReadFile(kCliDir / "report_commands.cc");
  for (const auto& [name, code] :
       {std::pair{"statement_command.cc", Part(statement, "int RunStatement(")},
        std::pair{"report_commands.cc", Part(report, "int RunStatementReport(")},
        std::pair{"statement_lookups.cc",
                  Part(ReadFile(kCliDir / "statement_lookups.cc"), "grpc::Status FetchTitles(")}}) {
    ASSERT_FALSE(code.empty()) << name;
    for (const std::string& literal : Literals(WithoutComments(code), /*javascript=*/false)) {
      EXPECT_TRUE(staff.count(literal) != 0 || !ReadsAsWords(literal))
          << name << ": \"" << literal << "\" reads as words; put it in clients/cli/messages";
    }
  }
}

}  // namespace
}  // namespace timeledger::kiosk
