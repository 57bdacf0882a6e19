// The log's lines (common/log.h): ts, level and event first; a value bare when it is a plain word
// and quoted with its quotes, backslashes, newlines and control characters escaped otherwise, so
// that a value can neither end its line nor forge a key.
#include "common/log.h"

#include <regex>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include <gtest/gtest.h>

namespace timeledger::common {
namespace {

TEST(LogTest, ALineBeginsWithTimeLevelAndEvent) {
  LogLine line(LogLevel::kWarn, "health");
  line.Add("serving", false).Add("reason", "STORE_FULL").Add("count", int64_t{-3});
  line.AddMillis("duration_ms", absl::Microseconds(1234567));
  EXPECT_TRUE(std::regex_match(
      line.text(),
      std::regex(R"(ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=warn event=health )"
                 R"(serving=false reason=STORE_FULL count=-3 duration_ms=1234\.567)")))
      << line.text();
}

TEST(LogTest, DurationsAreMillisecondsToTheMicrosecondWithTheirSign) {
  const auto millis = [](absl::Duration duration) {
    LogLine line(LogLevel::kInfo, "t");
    line.AddMillis("d", duration);
    return line.text().substr(line.text().rfind(" d=") + 3);
  };
  EXPECT_EQ(millis(absl::Microseconds(5)), "0.005");
  EXPECT_EQ(millis(absl::Microseconds(1000)), "1.000");
  EXPECT_EQ(millis(absl::Microseconds(1040)), "1.040");
  EXPECT_EQ(millis(absl::Microseconds(-2500)), "-2.500");
  EXPECT_EQ(millis(absl::Nanoseconds(999)), "0.000");
  EXPECT_EQ(millis(absl::ZeroDuration()), "0.000");
}

TEST(LogTest, TheTimestampIsTodaysInUtcToTheMillisecond) {
  const absl::Time before = absl::Now();
  LogLine line(LogLevel::kInfo, "t");
  const absl::Time after = absl::Now();
  absl::Time logged;
  std::string error;
  ASSERT_TRUE(absl::ParseTime("%Y-%m-%dT%H:%M:%E3SZ", line.text().substr(3, 24),
                              absl::UTCTimeZone(), &logged, &error))
      << line.text() << ": " << error;
  EXPECT_GE(logged,
            absl::Floor(before - absl::UnixEpoch(), absl::Milliseconds(1)) + absl::UnixEpoch());
  EXPECT_LE(logged, after);
}

TEST(LogTest, ValuesAreQuotedAndEscapedWhenTheyMustBe) {
  EXPECT_EQ(LogfmtValue("plain/path-1.2@bank"), "plain/path-1.2@bank");
  EXPECT_EQ(LogfmtValue(""), "\"\"");
  EXPECT_EQ(LogfmtValue("two words"), "\"two words\"");
  EXPECT_EQ(LogfmtValue("a=b"), "\"a=b\"");
  EXPECT_EQ(LogfmtValue("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(LogfmtValue("back\\slash"), "\"back\\\\slash\"");
  EXPECT_EQ(LogfmtValue("line\nforged=1"), "\"line\\nforged=1\"");
  EXPECT_EQ(LogfmtValue("tab\there\r"), "\"tab\\there\\r\"");
  EXPECT_EQ(LogfmtValue(std::string("nul\0bell\a", 9)), "\"nul\\u0000bell\\u0007\"");
  EXPECT_EQ(LogfmtValue("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 stays as it is
}

TEST(LogTest, ALineNeverHoldsANewline) {
  LogLine line(LogLevel::kError, "open_failed");
  line.Add("msg", "first line\nlevel=info event=forged");
  EXPECT_EQ(line.text().find('\n'), std::string::npos) << line.text();
  EXPECT_NE(line.text().find("msg=\"first line\\nlevel=info event=forged\""), std::string::npos)
      << line.text();
}

}  // namespace
}  // namespace timeledger::common
