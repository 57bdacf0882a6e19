#include "clients/cli/entry_text.h"

#include <string>

#include "absl/strings/str_cat.h"

#include "clients/cli/duration.h"
#include "clients/cli/words.h"

namespace timeledger::cli {
namespace {

// " of gardening" / " for gardening": the activity, when the entry names one.
std::string Activity(const v1::Entry& entry, const char* preposition) {
  if (entry.activity().empty()) return "";
  return absl::StrCat(" ", preposition, " ", entry.activity());
}

}  // namespace

std::string DescribeEntry(const v1::Entry& entry, const std::string& from_label,
                          const std::string& to_label) {
  const std::string amount = FormatMinutes(entry.minutes());
  switch (entry.kind()) {
    case v1::EXCHANGE:
      return absl::StrCat(to_label, " gave ", amount, Activity(entry, "of"), " to ", from_label,
                          ".");
    case v1::AWARD:
      return absl::StrCat(to_label, " was credited ", amount, Activity(entry, "for"), " by ",
                          from_label, ".");
    case v1::SPEND:
      return absl::StrCat(from_label, " spent ", amount, Activity(entry, "on"), " with ", to_label,
                          ".");
    case v1::DONATION:
      return absl::StrCat(from_label, " donated ", amount, " to ", to_label, ".");
    case v1::GRANT:
      return absl::StrCat(to_label, " was granted ", amount, Activity(entry, "for"), " from ",
                          from_label, ".");
    case v1::QUALIFICATION_REWARD:
      return absl::StrCat(to_label, " was rewarded ", amount, Activity(entry, "for"), " by ",
                          from_label, ".");
    case v1::REVERSAL:
      return absl::StrCat("Undoing entry ", entry.reverses_seq(), ": ", amount, " went back from ",
                          from_label, " to ", to_label, ".");
    default:
      return absl::StrCat(from_label, " paid ", amount, " to ", to_label, ".");
  }
}

std::string EntryKindCell(const v1::Entry& entry) {
  if (entry.kind() == v1::REVERSAL) return absl::StrCat("reversal of ", entry.reverses_seq());
  const std::string kind = EntryKindWords(entry.kind());
  return entry.reversed_by_seq() != 0 ? absl::StrCat(kind, " (reversed)") : kind;
}

}  // namespace timeledger::cli
