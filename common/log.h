// timeledgerd's log: one line per event in logfmt (https://brandur.org/logfmt), written whole to
// stderr, which systemd's journal keeps:
//
//   ts=2026-12-07T03:04:05.678Z level=info event=rpc request_id=9f2c41d0a7e3b815
//   principal=alice@holy-cross rpc=/timeledger.v1.Ledger/RecordEntry status=OK duration_ms=1.204
//
// (one line). Every line begins with ts (UTC, milliseconds), level and event; the other keys are
// the event's. A value is written bare if it is a plain word, else in double quotes with '\',
// '"', newlines and other control characters escaped, so that a value can never end the line or
// forge a key. Only the fields a caller adds are written: no message of a refusal, no request,
// no metadata, so that a PIN, a token or a card number has no way in (docs/OPERATIONS.md, Logs).
//
// Thread-safe: each line is one write(2).
#ifndef TIMELEDGER_COMMON_LOG_H_
#define TIMELEDGER_COMMON_LOG_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace timeledger::common {

enum class LogLevel { kInfo, kWarn, kError };

class LogLine {
 public:
  // ts, level and event: `event` is a word such as "rpc", "start", "stop", "health".
  LogLine(LogLevel level, absl::string_view event);

  // Adds key=value. Keys are the code's own words ([a-z0-9_]); values are quoted as needed.
  LogLine& Add(absl::string_view key, absl::string_view value);
  LogLine& Add(absl::string_view key, const char* value) {
    return Add(key, absl::string_view(value));
  }
  LogLine& Add(absl::string_view key, const std::string& value) {
    return Add(key, absl::string_view(value));
  }
  LogLine& Add(absl::string_view key, int64_t value);
  LogLine& Add(absl::string_view key, bool value);
  // key=12.345: a duration in milliseconds, to the microsecond.
  LogLine& AddMillis(absl::string_view key, absl::Duration duration);

  // The line so far, without its newline.
  const std::string& text() const { return text_; }
  // Writes the line and a newline to stderr in one write.
  void Write() const;

 private:
  std::string text_;
};

// `value` as logfmt writes it: bare if it is non-empty and has no space, '=', '"', '\' or control
// character; otherwise quoted and escaped as JsonQuoted does.
std::string LogfmtValue(absl::string_view value);

// `text` as a JSON string literal, quotes included: '"', '\' and control characters (and DEL)
// escaped, everything else as it is. Also the audit client's digest files (clients/audit).
std::string JsonQuoted(absl::string_view text);

}  // namespace timeledger::common

#endif  // TIMELEDGER_COMMON_LOG_H_
