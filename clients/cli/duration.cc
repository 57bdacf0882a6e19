#include "clients/cli/duration.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace timeledger::cli {
namespace {

constexpr int64_t kMinutesPerHour = 60;

// "1,250" for large numbers of hours, so they are easy to read out.
std::string GroupedDigits(uint64_t n) {
  std::string digits = absl::StrCat(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Counted(uint64_t n, absl::string_view one, absl::string_view many) {
  return absl::StrCat(GroupedDigits(n), " ", n == 1 ? one : many);
}

absl::Status NotAnAmount(absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat(
      "'", text,
      "' is not an amount of time; write minutes (90) or hours and minutes (1h30m, 1h, 45m, "
      "1:30)"));
}

// Reads the digits at the front of `rest` into `value` and removes them; false if there are
// none. A number past kParsedMinutesMax stops growing there, so that it cannot overflow and
// the caller still sees that it is too large.
bool ConsumeNumber(absl::string_view& rest, int64_t& value) {
  std::size_t n = 0;
  value = 0;
  while (n < rest.size() && absl::ascii_isdigit(rest[n])) {
    if (value <= kParsedMinutesMax) value = value * 10 + (rest[n] - '0');
    ++n;
  }
  rest.remove_prefix(n);
  return n > 0;
}

bool ConsumeChar(absl::string_view& rest, char c) {
  if (rest.empty() || rest.front() != c) return false;
  rest.remove_prefix(1);
  return true;
}

// "H:MM"; false unless `text` is exactly that.
bool ParseClock(absl::string_view text, int64_t& minutes) {
  int64_t hours = 0;
  int64_t rest_minutes = 0;
  absl::string_view rest = text;
  if (!ConsumeNumber(rest, hours) || !ConsumeChar(rest, ':')) return false;
  const std::size_t minute_digits = rest.size();
  if (!ConsumeNumber(rest, rest_minutes) || !rest.empty() || minute_digits != 2) return false;
  if (rest_minutes >= kMinutesPerHour) return false;
  minutes = hours * kMinutesPerHour + rest_minutes;
  return true;
}

// "90", "90m", "1h", "1h30", "1h30m"; false unless `text` is exactly one of those forms.
bool ParseHoursMinutes(absl::string_view text, int64_t& minutes) {
  absl::string_view rest = text;
  int64_t first = 0;
  if (!ConsumeNumber(rest, first)) return false;
  if (rest.empty() || ConsumeChar(rest, 'm')) {
    minutes = first;
    return rest.empty();
  }
  if (!ConsumeChar(rest, 'h')) return false;
  int64_t rest_minutes = 0;
  if (!rest.empty()) {
    if (!ConsumeNumber(rest, rest_minutes)) return false;
    ConsumeChar(rest, 'm');
    if (!rest.empty() || rest_minutes >= kMinutesPerHour) return false;
  }
  minutes = first * kMinutesPerHour + rest_minutes;
  return true;
}

}  // namespace

std::string FormatMinutes(int64_t minutes) {
  // Unsigned arithmetic, so that the most negative int64 has a magnitude too.
  const uint64_t magnitude =
      minutes < 0 ? ~static_cast<uint64_t>(minutes) + 1 : static_cast<uint64_t>(minutes);
  const uint64_t hours = magnitude / kMinutesPerHour;
  const uint64_t rest = magnitude % kMinutesPerHour;
  std::string out = minutes < 0 ? "-" : "";
  if (hours > 0) absl::StrAppend(&out, Counted(hours, "hour", "hours"));
  if (rest > 0 || hours == 0) {
    absl::StrAppend(&out, hours > 0 ? " " : "", Counted(rest, "minute", "minutes"));
  }
  return out;
}

std::string FormatSignedMinutes(int64_t minutes) {
  return minutes > 0 ? absl::StrCat("+", FormatMinutes(minutes)) : FormatMinutes(minutes);
}

absl::StatusOr<int64_t> ParseMinutes(absl::string_view text) {
  std::string compact;
  for (char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) {
      compact.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    }
  }
  int64_t minutes = 0;
  const bool ok = compact.find(':') != std::string::npos ? ParseClock(compact, minutes)
                                                         : ParseHoursMinutes(compact, minutes);
  if (!ok) return NotAnAmount(text);
  if (minutes > kParsedMinutesMax) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is too long an amount of time"));
  }
  return minutes;
}

}  // namespace timeledger::cli
