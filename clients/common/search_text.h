// Text as a coordinator searches it: "jose" finds José García, "oneill" Maria O'Neill, "lukasz"
// Łukasz. Pure; thread-safe.
#ifndef TIMELEDGER_CLIENTS_COMMON_SEARCH_TEXT_H_
#define TIMELEDGER_CLIENTS_COMMON_SEARCH_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace timeledger::clients {

// `text` (UTF-8) lower-cased, compatibility forms made plain (º, ﬁ, full-width letters),
// accents and other marks removed (in every script, so Arabic vowel marks too), Latin letters
// without an ASCII decomposition spelt in ASCII (ł, ø, ß), apostrophes dropped ("O'Neill" is
// "oneill"), and any other character that is neither a letter nor a digit made one space between
// words. Query and name are folded alike, so what is dropped from one is dropped from the other.
std::string FoldForSearch(absl::string_view text);

// Whether every word of `query` (folded) is found in `text` (folded), each anywhere in it.
bool MatchesSearch(absl::string_view text, absl::string_view query);

}  // namespace timeledger::clients

#endif  // TIMELEDGER_CLIENTS_COMMON_SEARCH_TEXT_H_
