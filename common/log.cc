#include "common/log.h"

#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace timeledger::common {
namespace {

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "error";
}

bool NeedsQuotes(absl::string_view value) {
  if (value.empty()) return true;
  for (unsigned char c : value) {
    if (c <= ' ' || c == '=' || c == '"' || c == '\\' || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

std::string LogfmtValue(absl::string_view value) {
  return NeedsQuotes(value) ? JsonQuoted(value) : std::string(value);
}

std::string JsonQuoted(absl::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < ' ' || c == 0x7f) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

LogLine::LogLine(LogLevel level, absl::string_view event) {
  text_ = absl::StrCat(
      "ts=", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      " level=", LevelName(level));
  Add("event", event);
}

LogLine& LogLine::Add(absl::string_view key, absl::string_view value) {
  absl::StrAppend(&text_, " ", key, "=", LogfmtValue(value));
  return *this;
}

LogLine& LogLine::Add(absl::string_view key, int64_t value) {
  absl::StrAppend(&text_, " ", key, "=", value);
  return *this;
}

LogLine& LogLine::Add(absl::string_view key, bool value) {
  absl::StrAppend(&text_, " ", key, "=", value ? "true" : "false");
  return *this;
}

LogLine& LogLine::AddMillis(absl::string_view key, absl::Duration duration) {
  absl::StrAppendFormat(&text_, " %s=%.3f", key, absl::ToDoubleMilliseconds(duration));
  return *this;
}

void LogLine::Write() const {
  const std::string line = text_ + "\n";
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to log to: the event is lost, the server goes on
    written += static_cast<size_t>(n);
  }
}

}  // namespace timeledger::common
