#include "clients/common/messages.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include <unicode/dtptngen.h>
#include <unicode/locid.h>
#include <unicode/messagepattern.h>
#include <unicode/msgfmt.h>
#include <unicode/plurrule.h>
#include <unicode/smpdtfmt.h>
#include <unicode/strenum.h>
#include <unicode/unistr.h>

#include "common/log.h"

namespace timeledger::clients {
namespace {

icu::UnicodeString U(absl::string_view text) {
  return icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size()));
}

std::string Utf8(const icu::UnicodeString& text) {
  std::string out;
  text.toUTF8String(out);
  return out;
}

bool IsKey(absl::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return absl::ascii_islower(static_cast<unsigned char>(c)) ||
           absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '@' ||
           c == '-';
  });
}

// OK if ICU can parse `message` as a MessageFormat pattern; else where and why it cannot.
absl::Status CheckPattern(absl::string_view message) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError where;
  icu::MessagePattern pattern(U(message), &where, status);
  if (U_FAILURE(status)) {
    return absl::InvalidArgumentError(absl::StrCat("ICU cannot read the message (",
                                                   u_errorName(status), " at character ",
                                                   where.offset + 1, ")"));
  }
  return absl::OkStatus();
}

// The accented letter for each ASCII letter of the pseudo-locale.
const char* Accented(char c) {
  static constexpr const char* kLower[] = {"å", "ƀ", "ç", "ð", "é", "ƒ", "ĝ", "ĥ", "î",
                                           "ĵ", "ķ", "ļ", "ɱ", "ñ", "ö", "þ", "ǫ", "ŕ",
                                           "š", "ţ", "ü", "ṽ", "ŵ", "ẋ", "ý", "ž"};
  static constexpr const char* kUpper[] = {"Å", "Ɓ", "Ç", "Ð", "É", "Ƒ", "Ĝ", "Ĥ", "Î",
                                           "Ĵ", "Ķ", "Ļ", "Ṁ", "Ñ", "Ö", "Þ", "Ǫ", "Ŕ",
                                           "Š", "Ţ", "Ü", "Ṽ", "Ŵ", "Ẋ", "Ý", "Ž"};
  if (c >= 'a' && c <= 'z') return kLower[c - 'a'];
  if (c >= 'A' && c <= 'Z') return kUpper[c - 'A'];
  return nullptr;
}

// Appends `c` accented (or as it is) and counts the letters, for the lengthening.
void AppendPseudo(char c, std::string* out, size_t* letters) {
  const char* accented = Accented(c);
  if (accented == nullptr) {
    out->push_back(c);
    return;
  }
  out->append(accented);
  ++*letters;
}

// " ···": about 40 % more, so that a layout has room for longer languages.
std::string Lengthening(size_t letters) {
  std::string out = " ";
  const size_t dots = std::max<size_t>(2, static_cast<size_t>(std::ceil(letters * 0.4)));
  for (size_t i = 0; i < dots; ++i) out.append("·");
  return out;
}

// Whether the apostrophe at `i` is ICU syntax (ApostropheMode DOUBLE_OPTIONAL): "''", or a quote
// before a brace, '#' or '|'. Any other apostrophe ("That's") is an apostrophe.
bool StartsQuote(absl::string_view pattern, size_t i) {
  if (i + 1 >= pattern.size()) return false;
  const char next = pattern[i + 1];
  return next == '\'' || next == '{' || next == '}' || next == '#' || next == '|';
}

// Accents the words of an ICU pattern: text is changed where it is a message (the top level, or a
// plural or select case inside braces), and kept inside an argument ({name, plural, one ...}),
// inside quotes ('{'), and for "#".
std::string PseudoPattern(absl::string_view pattern) {
  std::string out = "[";
  std::vector<bool> in_message = {true};  // one level per open brace
  size_t letters = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '{') {
      in_message.push_back(!in_message.back());
      out.push_back(c);
    } else if (c == '}') {
      if (in_message.size() > 1) in_message.pop_back();
      out.push_back(c);
    } else if (c == '\'' && in_message.back() && StartsQuote(pattern, i)) {
      // '' or a quoted '{...}' is ICU syntax: copy it whole.
      const size_t end = pattern[i + 1] == '\'' ? i + 1 : pattern.find('\'', i + 1);
      const size_t stop = end == absl::string_view::npos ? pattern.size() - 1 : end;
      absl::StrAppend(&out, pattern.substr(i, stop - i + 1));
      i = stop;
    } else if (in_message.back()) {
      AppendPseudo(c, &out, &letters);
    } else {
      out.push_back(c);
    }
  }
  return absl::StrCat(out, Lengthening(letters), "]");
}

// `day` written by an ICU date `pattern` in `locale`; "" if ICU cannot.
std::string FormatDay(const Catalogue& catalogue, const icu::Locale& locale,
                      const icu::UnicodeString& pattern, absl::CivilDay day) {
  UErrorCode status = U_ZERO_ERROR;
  icu::SimpleDateFormat format(pattern, locale, status);
  if (U_FAILURE(status)) return "";
  format.adoptTimeZone(icu::TimeZone::createTimeZone("Etc/UTC"));
  // Noon UTC of the civil day: the day is already the bank's, so no zone moves it.
  const absl::Time noon = absl::FromCivil(absl::CivilSecond(day) + 12 * 3600, absl::UTCTimeZone());
  icu::UnicodeString out;
  format.format(static_cast<UDate>(absl::ToUnixMillis(noon)), out);
  if (U_FAILURE(status)) return "";
  return catalogue.pseudo() ? PseudoText(Utf8(out)) : Utf8(out);
}

}  // namespace

absl::StatusOr<Catalogue> Catalogue::Parse(std::string language, absl::string_view text) {
  if (text.size() > kCatalogueBytesMax) {
    return absl::InvalidArgumentError(
        absl::StrCat(language, ": the catalogue is over ", kCatalogueBytesMax, " bytes"));
  }
  Catalogue catalogue;
  catalogue.locale_ = language;
  catalogue.language_ = std::move(language);
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const auto problem = [&](absl::string_view what) {
      return absl::InvalidArgumentError(
          absl::StrCat(catalogue.language_, " line ", line_number, ": ", what));
    };
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    const size_t equals = line.find(" = ");
    if (equals == absl::string_view::npos) return problem("not \"key = message\"");
    const absl::string_view key = absl::StripAsciiWhitespace(line.substr(0, equals));
    const absl::string_view message = absl::StripAsciiWhitespace(line.substr(equals + 3));
    if (!IsKey(key)) return problem(absl::StrCat("the key \"", key, "\" is not [a-z0-9_.@-]"));
    if (message.empty() || message.size() > kMessageBytesMax) {
      return problem(
          absl::StrCat("the message of ", key, " is empty or over ", kMessageBytesMax, " bytes"));
    }
    if (auto s = CheckPattern(message); !s.ok()) {
      return problem(absl::StrCat(key, ": ", s.message()));
    }
    if (!catalogue.messages_.emplace(std::string(key), std::string(message)).second) {
      return problem(absl::StrCat(key, " is given twice"));
    }
  }
  if (const std::string* locale = catalogue.Find("@locale")) catalogue.locale_ = *locale;
  return catalogue;
}

const std::string* Catalogue::Find(absl::string_view key) const {
  auto it = messages_.find(key);
  return it == messages_.end() ? nullptr : &it->second;
}

Catalogue PseudoLocalize(const Catalogue& english) {
  Catalogue pseudo;
  pseudo.language_ = kPseudoLanguage;
  pseudo.locale_ = english.locale();
  pseudo.pseudo_ = true;
  for (const auto& [key, message] : english.messages()) {
    pseudo.messages_.emplace(key, PseudoPattern(message));
  }
  return pseudo;
}

std::string PseudoText(absl::string_view text) {
  std::string out = "[";
  size_t letters = 0;
  for (char c : text) AppendPseudo(c, &out, &letters);
  return absl::StrCat(out, Lengthening(letters), "]");
}

absl::StatusOr<std::unique_ptr<Messages>> Messages::Make(std::vector<Catalogue> catalogues) {
  if (catalogues.empty()) return absl::InvalidArgumentError("no catalogue of messages");
  std::set<std::string> seen;
  for (const Catalogue& catalogue : catalogues) {
    if (!seen.insert(catalogue.language()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("two catalogues for the language ", catalogue.language()));
    }
  }
  return std::unique_ptr<Messages>(new Messages(std::move(catalogues)));
}

const Catalogue& Messages::CatalogueOf(absl::string_view language) const {
  for (const Catalogue& catalogue : catalogues_) {
    if (catalogue.language() == language) return catalogue;
  }
  return catalogues_.front();
}

bool Messages::Has(absl::string_view language) const {
  return std::any_of(catalogues_.begin(), catalogues_.end(),
                     [&](const Catalogue& c) { return c.language() == language; });
}

std::vector<std::string> Messages::Languages() const {
  std::vector<std::string> languages;
  for (const Catalogue& catalogue : catalogues_) languages.push_back(catalogue.language());
  return languages;
}

bool Messages::RightToLeft(absl::string_view language) const {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Locale locale = icu::Locale::forLanguageTag(CatalogueOf(language).locale(), status);
  return U_SUCCESS(status) && locale.isRightToLeft();
}

void Messages::LogOnce(absl::string_view event, absl::string_view language,
                       absl::string_view key) const {
  {
    absl::MutexLock lock(&logged_mu_);
    if (!logged_.insert(absl::StrCat(event, " ", language, " ", key)).second) return;
  }
  common::LogLine(common::LogLevel::kWarn, event).Add("language", language).Add("key", key).Write();
}

std::string Messages::Format(absl::string_view language, absl::string_view key,
                             const MessageArgs& args) const {
  const Catalogue& catalogue = CatalogueOf(language);
  const std::string* message = catalogue.Find(key);
  const Catalogue* speaking = &catalogue;
  if (message == nullptr) {
    LogOnce("message_missing", catalogue.language(), key);
    speaking = &catalogues_.front();
    message = speaking->Find(key);
    if (message == nullptr) return std::string(key);
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Locale locale = icu::Locale::forLanguageTag(speaking->locale(), status);
  icu::MessageFormat format(U(*message), locale, status);
  std::vector<icu::UnicodeString> names;
  std::vector<icu::Formattable> values;
  for (const auto& [name, value] : args) {
    names.push_back(U(name));
    if (const int64_t* number = std::get_if<int64_t>(&value)) {
      values.emplace_back(static_cast<int64_t>(*number));
    } else {
      values.emplace_back(U(std::get<std::string>(value)));
    }
  }
  icu::UnicodeString out;
  format.format(names.data(), values.data(), static_cast<int32_t>(names.size()), out, status);
  if (U_FAILURE(status)) {
    LogOnce("message_unformattable", speaking->language(), key);
    return std::string(key);
  }
  return Utf8(out);
}

std::string Messages::Day(absl::string_view language, absl::CivilDay day,
                          absl::string_view skeleton) const {
  const Catalogue& catalogue = CatalogueOf(language);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Locale locale = icu::Locale::forLanguageTag(catalogue.locale(), status);
  std::unique_ptr<icu::DateTimePatternGenerator> generator(
      icu::DateTimePatternGenerator::createInstance(locale, status));
  if (U_FAILURE(status)) return "";
  const icu::UnicodeString pattern = generator->getBestPattern(U(skeleton), status);
  if (U_FAILURE(status)) return "";
  return FormatDay(catalogue, locale, pattern, day);
}

std::string Messages::DayByPattern(absl::string_view language, absl::CivilDay day,
                                   absl::string_view pattern) const {
  const Catalogue& catalogue = CatalogueOf(language);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Locale locale = icu::Locale::forLanguageTag(catalogue.locale(), status);
  if (U_FAILURE(status)) return "";
  return FormatDay(catalogue, locale, U(pattern), day);
}

absl::StatusOr<std::vector<std::set<std::string>>> PluralKeywordsOf(absl::string_view message) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError where;
  icu::MessagePattern pattern(U(message), &where, status);
  if (U_FAILURE(status)) return absl::InvalidArgumentError(u_errorName(status));
  std::vector<std::set<std::string>> plurals;
  for (int32_t i = 0; i < pattern.countParts(); ++i) {
    const icu::MessagePattern::Part& part = pattern.getPart(i);
    if (part.getType() != UMSGPAT_PART_TYPE_ARG_START ||
        part.getArgType() != UMSGPAT_ARG_TYPE_PLURAL) {
      continue;
    }
    std::set<std::string> keywords;
    const int32_t limit = pattern.getLimitPartIndex(i);
    for (int32_t j = i + 1; j < limit; ++j) {
      const icu::MessagePattern::Part& inner = pattern.getPart(j);
      if (inner.getType() == UMSGPAT_PART_TYPE_MSG_START) {
        j = pattern.getLimitPartIndex(j);  // a nested message's parts are its own
      } else if (inner.getType() == UMSGPAT_PART_TYPE_ARG_SELECTOR) {
        const std::string keyword = Utf8(pattern.getSubstring(inner));
        if (!keyword.empty() && keyword.front() != '=') keywords.insert(keyword);
      }
    }
    plurals.push_back(std::move(keywords));
  }
  return plurals;
}

std::set<std::string> PluralCategories(absl::string_view locale) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::PluralRules> rules(icu::PluralRules::forLocale(
      icu::Locale::forLanguageTag(std::string(locale), status), status));
  std::set<std::string> categories;
  if (U_FAILURE(status)) return categories;
  std::unique_ptr<icu::StringEnumeration> keywords(rules->getKeywords(status));
  while (U_SUCCESS(status)) {
    const icu::UnicodeString* keyword = keywords->snext(status);
    if (keyword == nullptr) break;
    categories.insert(Utf8(*keyword));
  }
  return categories;
}

absl::StatusOr<std::set<std::string>> ArgumentNamesOf(absl::string_view message) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError where;
  icu::MessagePattern pattern(U(message), &where, status);
  if (U_FAILURE(status)) return absl::InvalidArgumentError(u_errorName(status));
  std::set<std::string> names;
  for (int32_t i = 0; i < pattern.countParts(); ++i) {
    const icu::MessagePattern::Part& part = pattern.getPart(i);
    if (part.getType() == UMSGPAT_PART_TYPE_ARG_NAME)
      names.insert(Utf8(pattern.getSubstring(part)));
  }
  return names;
}

}  // namespace timeledger::clients
