// Message catalogues: the words a program says to people, one plain-text file per language that
// a volunteer can correct, looked up by key and formatted with ICU's MessageFormat (named
// arguments, each language's plural rules, its digits and its names of days and months).
//
// A catalogue file is UTF-8 text, one message a line:
//
//   # a comment
//   @name = বাংলা                                  the language's name, in that language
//   @locale = bn-BD                               the ICU locale for digits, days and plurals
//   balance.have = You have {time}.
//   time.hours = {hours, plural, one {# hour} other {# hours}}
//
// Keys are [a-z0-9_.@-]; a message is everything after the first " = " to the end of the line,
// spaces at either end removed. Code never holds the words: it holds keys and argument names.
//
// The first catalogue given to Messages is the fallback (English): a language without a
// catalogue reads it, and a key missing from a catalogue reads its words there, logged once.
//
// Catalogue and Messages are immutable after construction; every method is const and
// thread-safe (the log of missing keys has its own lock).
#ifndef TIMELEDGER_CLIENTS_COMMON_MESSAGES_H_
#define TIMELEDGER_CLIENTS_COMMON_MESSAGES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"

namespace timeledger::clients {

// Limits: a catalogue file, and one message in it.
inline constexpr size_t kCatalogueBytesMax = 256 * 1024;
inline constexpr size_t kMessageBytesMax = 2048;

// The pseudo-locale: English with every word accented and lengthened and each message inside
// "[" and "]", to find words that bypass the catalogues and layouts that clip longer languages.
inline constexpr char kPseudoLanguage[] = "en-XA";

// One argument of a message: a number (for plural, number and ordinal formats) or text.
using MessageArg = std::variant<int64_t, std::string>;
using MessageArgs = std::vector<std::pair<std::string, MessageArg>>;

// One language's messages, as parsed from its file.
class Catalogue {
 public:
  // Parses a catalogue file. InvalidArgument naming the line for a line that is not a comment,
  // blank or "key = message", a key given twice, a message ICU cannot parse, or over the limits.
  static absl::StatusOr<Catalogue> Parse(std::string language, absl::string_view text);

  const std::string& language() const { return language_; }
  // The locale whose plural rules, digits and calendar words go with the messages: its "@locale"
  // message if it has one (English's for the pseudo-locale), else the language itself.
  const std::string& locale() const { return locale_; }
  bool pseudo() const { return pseudo_; }
  const std::map<std::string, std::string, std::less<>>& messages() const { return messages_; }
  // The message of `key`, or nullptr.
  const std::string* Find(absl::string_view key) const;

 private:
  friend Catalogue PseudoLocalize(const Catalogue& english);
  std::string language_;
  std::string locale_;
  bool pseudo_ = false;
  std::map<std::string, std::string, std::less<>> messages_;
};

// The pseudo-locale (kPseudoLanguage) made from the English catalogue: the words of every message
// accented ("Ýöü ĥåṽé"), lengthened by about 40 % and put inside "[" "]"; its arguments, plural
// keywords and "#" untouched, so that it formats like English.
Catalogue PseudoLocalize(const Catalogue& english);
// The same for one piece of text without ICU syntax (a date ICU wrote in English).
std::string PseudoText(absl::string_view text);

class Messages {
 public:
  // `catalogues` in the order a language picker shows them; the first is the fallback.
  // InvalidArgument if there is none, or a language is given twice.
  static absl::StatusOr<std::unique_ptr<Messages>> Make(std::vector<Catalogue> catalogues);

  // Formats `key` in `language` with `args`. A language without a catalogue reads the fallback;
  // a key the language lacks reads the fallback's message (logged once per language and key);
  // a key missing everywhere, or a message ICU cannot format, returns the key (logged).
  std::string Format(absl::string_view language, absl::string_view key,
                     const MessageArgs& args = {}) const;

  // A day in `language`'s words and digits, per an ICU skeleton ("EEEE": the weekday, "dMMMM":
  // its day and month, "yMMMMd": with the year, "MMM": a month's short name, ...).
  std::string Day(absl::string_view language, absl::CivilDay day, absl::string_view skeleton) const;
  // A day written by an ICU date pattern ("d MMM y": the day, the month's short name, the year)
  // with `language`'s names of months and digits, in the pattern's order whatever the locale's.
  std::string DayByPattern(absl::string_view language, absl::CivilDay day,
                           absl::string_view pattern) const;

  // Whether `language` has a catalogue here; the shipped languages in picker order (without the
  // pseudo-locale unless it was given); the catalogue a language reads (the fallback's if none).
  bool Has(absl::string_view language) const;
  std::vector<std::string> Languages() const;
  const Catalogue& CatalogueOf(absl::string_view language) const;
  // Whether `language` is written right to left (ICU's view of its script).
  bool RightToLeft(absl::string_view language) const;

 private:
  explicit Messages(std::vector<Catalogue> catalogues) : catalogues_(std::move(catalogues)) {}
  void LogOnce(absl::string_view event, absl::string_view language, absl::string_view key) const
      ABSL_LOCKS_EXCLUDED(logged_mu_);

  std::vector<Catalogue> catalogues_;
  mutable absl::Mutex logged_mu_;
  mutable std::set<std::string> logged_ ABSL_GUARDED_BY(logged_mu_);
};

// What the catalogue checks need of ICU (tests/clients/message_catalogues_test.cc).
// The keywords of every plural argument of `message` ("one", "few", ...; not "=0"), in order.
absl::StatusOr<std::vector<std::set<std::string>>> PluralKeywordsOf(absl::string_view message);
// The plural categories of a locale's cardinal numbers: {"one", "other"} for English, six for
// Arabic, four for Polish.
std::set<std::string> PluralCategories(absl::string_view locale);
// The names of the arguments of `message` ("time", "hours", ...).
absl::StatusOr<std::set<std::string>> ArgumentNamesOf(absl::string_view message);

}  // namespace timeledger::clients

#endif  // TIMELEDGER_CLIENTS_COMMON_MESSAGES_H_
