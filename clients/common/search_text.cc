#include "clients/common/search_text.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace timeledger::clients {
namespace {

// Made once: creating a transliterator parses its rules (milliseconds).
const icu::Transliterator* Folder() {
  static const icu::Transliterator* const folder = [] {
    UErrorCode error = U_ZERO_ERROR;
    icu::Transliterator* made = icu::Transliterator::createInstance(
        "NFKD; [:Nonspacing Mark:] Remove; NFC; Latin-ASCII; Lower", UTRANS_FORWARD, error);
    return U_SUCCESS(error) ? made : nullptr;
  }();
  return folder;
}

bool IsApostrophe(UChar32 c) { return c == 0x27 || c == 0x2019 || c == 0x2BC; }

}  // namespace

std::string FoldForSearch(absl::string_view text) {
  icu::UnicodeString folded = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  if (const icu::Transliterator* folder = Folder(); folder != nullptr) {
    folder->transliterate(folded);
  } else {
    folded.foldCase();
  }
  icu::UnicodeString words;
  bool space = true;  // no space at the start
  for (int32_t i = 0; i < folded.length();) {
    const UChar32 c = folded.char32At(i);
    i += U16_LENGTH(c);
    if (IsApostrophe(c)) continue;
    if (u_isalnum(c) || u_charType(c) == U_COMBINING_SPACING_MARK ||
        u_charType(c) == U_NON_SPACING_MARK) {
      words.append(c);
      space = false;
    } else if (!space) {
      words.append(static_cast<UChar32>(' '));
      space = true;
    }
  }
  std::string out;
  words.toUTF8String(out);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool MatchesSearch(absl::string_view text, absl::string_view query) {
  const std::string folded_text = FoldForSearch(text);
  const std::string folded_query = FoldForSearch(query);
  for (absl::string_view word : absl::StrSplit(folded_query, ' ', absl::SkipEmpty())) {
    if (!absl::StrContains(folded_text, word)) return false;
  }
  return true;
}

}  // namespace timeledger::clients
