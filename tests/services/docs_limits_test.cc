// The limits tables of docs/SECURITY.md and docs/API.md against the constants the code enforces:
// every number in a row must be the code's, and every row of SECURITY.md's table is checked, so
// the docs cannot say 64 where the server says 128 (issue 16, finding 9).
#include <cctype>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include <gtest/gtest.h>

#include "ledger/core/page_token.h"
#include "ledger/core/types.h"
#include "ledger/engine/audit.h"
#include "ledger/rules/access.h"
#include "ledger/rules/kiosk.h"
#include "ledger/store/data_dir.h"
#include "services/access.h"
#include "services/convert.h"
#include "services/metrics_endpoint.h"
#include "services/server.h"

namespace timeledger::services {
namespace {

using Rows = std::map<std::string, std::string>;  // first cell -> second cell

std::string ReadDoc(const std::string& name) {
  std::ifstream in(std::string(TIMELEDGER_SOURCE_DIR) + "/docs/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The rows of the first Markdown table after the line `heading`: first cell -> second cell.
Rows TableAfter(const std::string& doc, const std::string& heading) {
  Rows rows;
  std::istringstream lines(doc);
  std::string line;
  bool in_section = false;
  bool in_table = false;
  while (std::getline(lines, line)) {
    if (!in_section) {
      in_section = line == heading;
      continue;
    }
    if (line.rfind("|", 0) != 0) {
      if (in_table) break;
      continue;
    }
    in_table = true;
    std::vector<std::string> cells = absl::StrSplit(line, '|');
    if (cells.size() < 4 || cells[1].find("---") != std::string::npos) continue;
    rows[std::string(absl::StripAsciiWhitespace(cells[1]))] =
        std::string(absl::StripAsciiWhitespace(cells[2]));
  }
  rows.erase("what");  // the header
  return rows;
}

// The numbers a cell states, in order: "1,000" is 1000, "4 MiB" is 4194304, "1–64" is 1 and 64.
// Code in backquotes (`[A-Za-z0-9._-]`, `RecordEntries`) states no limit.
std::vector<int64_t> NumbersIn(const std::string& cell) {
  std::vector<int64_t> numbers;
  bool in_code = false;
  for (size_t i = 0; i < cell.size();) {
    if (cell[i] == '`') in_code = !in_code;
    if (in_code || !std::isdigit(static_cast<unsigned char>(cell[i]))) {
      ++i;
      continue;
    }
    // A name with a number in it ("UTF-8", "SHA-256") states no limit either.
    const bool in_name =
        i > 0 &&
        (std::isalpha(static_cast<unsigned char>(cell[i - 1])) ||
         (cell[i - 1] == '-' && i > 1 && std::isalpha(static_cast<unsigned char>(cell[i - 2]))));
    int64_t value = 0;
    while (i < cell.size() && (std::isdigit(static_cast<unsigned char>(cell[i])) ||
                               (cell[i] == ',' && i + 1 < cell.size() &&
                                std::isdigit(static_cast<unsigned char>(cell[i + 1]))))) {
      if (cell[i] != ',') value = value * 10 + (cell[i] - '0');
      ++i;
    }
    const absl::string_view rest = absl::string_view(cell).substr(i);
    if (absl::StartsWith(rest, " MiB")) value <<= 20;
    if (absl::StartsWith(rest, " KiB")) value <<= 10;
    if (!in_name) numbers.push_back(value);
  }
  return numbers;
}

using Expected = std::map<std::string, std::vector<int64_t>>;

// Checks that `rows` hold exactly the numbers expected of each named row; with `every_row`, that
// the table has no row the test does not know.
void ExpectTable(const std::string& doc_name, const Rows& rows, const Expected& expected,
                 bool every_row) {
  ASSERT_FALSE(rows.empty()) << doc_name << ": no limits table found";
  for (const auto& [what, numbers] : expected) {
    auto row = rows.find(what);
    if (row == rows.end()) {
      ADD_FAILURE() << doc_name << " has no row '" << what << "'";
      continue;
    }
    EXPECT_EQ(NumbersIn(row->second), numbers)
        << doc_name << ", row '" << what << "': " << row->second;
  }
  if (!every_row) return;
  for (const auto& [what, limit] : rows) {
    EXPECT_EQ(expected.count(what), 1u)
        << doc_name << " has a row this test does not check against the code: '" << what
        << "' (add it to the test with the constants it states)";
  }
}

TEST(DocsLimitsTest, SecurityMdStatesTheLimitsTheCodeEnforces) {
  const GateOptions gate;
  ASSERT_EQ(gate.partner.per_second, gate.coordinator.per_second);
  ASSERT_EQ(gate.partner.burst, gate.coordinator.burst);
  const Expected expected = {
      {"a gRPC message", {kMessageBytesMax}},
      {"calls in flight on one connection", {kConcurrentStreamsMax}},
      {"calls per principal",
       {static_cast<int64_t>(gate.coordinator.per_second),
        static_cast<int64_t>(gate.coordinator.burst), static_cast<int64_t>(gate.kiosk.per_second),
        static_cast<int64_t>(gate.kiosk.burst)}},
      {"entries in a batch", {ledger::kBatchSizeMax}},
      {"a page", {ledger::kPageSizeMax}},
      {"bank and account ids", {ledger::kIdLengthMax}},
      {"entry ids (idempotency keys)", {ledger::kEntryIdLengthMax}},
      {"bank and display names", {ledger::kNameLengthMax}},
      {"activity; notes and reasons",
       {ledger::kActivityLengthMax, ledger::kNoteLengthMax, ledger::kReasonLengthMax}},
      {"a backup directory", {ledger::kBackupDirLengthMax, ledger::kBackupDirNameLengthMax}},
      {"an error's message and figures",
       {kErrorMessageBytesMax, kErrorFiguresMax, kErrorFigureBytesMax}},
      {"wrong PINs", {ledger::kPinAttemptsMax, absl::ToInt64Minutes(ledger::kCardLockDuration)}},
      {"token records", {ledger::kTokensMax}},
      {"change feed streams (`WatchJournal`)",
       {static_cast<int64_t>(FeedOptions().streams_per_token_max),
        static_cast<int64_t>(kFeedStreamsMax)}},
      {"change feed messages",
       {static_cast<int64_t>(kFeedMessageBytesMax), static_cast<int64_t>(kFeedMessagesAheadMax),
        static_cast<int64_t>(kFeedMessageBytesMax * (kFeedStreamsMax + kFeedMessagesAheadMax))}},
      {"change feed pages (the storage a stream reading ahead keeps for its next read)",
       {static_cast<int64_t>(kFeedPageFactsMax), static_cast<int64_t>(ledger::kJournalPageBytesMax),
        static_cast<int64_t>(kFeedMessagesAheadMax)}},
      {"change feed tails (the newest facts kept in memory for watchers that keep up)",
       {static_cast<int64_t>(kFeedTailFactsMax), static_cast<int64_t>(kFeedTailBytesMax),
        static_cast<int64_t>(kFeedTailsMax),
        static_cast<int64_t>(kFeedTailBytesMax * kFeedTailsMax)}},
      {"a metrics scrape (`--metrics-address`)",
       {static_cast<int64_t>(kMetricsRequestBytesMax), kMetricsRequestTimeout.count(),
        kMetricsConnectionsMax, kMetricsIdleTimeout.count()}},
  };
  ExpectTable("docs/SECURITY.md", TableAfter(ReadDoc("SECURITY.md"), "## Limits"), expected,
              /*every_row=*/true);
}

TEST(DocsLimitsTest, ApiMdStatesTheSameLengthsAsTheCode) {
  const Expected expected = {
      {"bank and account ids", {1, ledger::kIdLengthMax}},
      {"entry ids (idempotency keys)", {1, ledger::kEntryIdLengthMax}},
      {"bank and display names", {1, ledger::kNameLengthMax}},
      {"activity", {ledger::kActivityLengthMax, ledger::kNoteLengthMax}},
      {"entries in one `RecordEntries`", {ledger::kBatchSizeMax}},
      {"page size", {ledger::kPageSizeMax, ledger::kPageSizeDefault}},
      {"a page token", {ledger::kPageTokenCharsMax}},
      {"one gRPC message", {kMessageBytesMax}},
      {"a backup directory", {ledger::kBackupDirLengthMax, ledger::kBackupDirNameLengthMax}},
      {"an error's message and figures",
       {kErrorMessageBytesMax, kErrorFiguresMax, kErrorFigureBytesMax}},
  };
  ExpectTable("docs/API.md", TableAfter(ReadDoc("API.md"), "## Limits"), expected,
              /*every_row=*/false);
}

TEST(DocsLimitsTest, NumbersInACellAreReadAsWritten) {
  EXPECT_EQ(NumbersIn("1–64 characters of `[A-Za-z0-9._-]`"), (std::vector<int64_t>{1, 64}));
  EXPECT_EQ(NumbersIn("4 MiB"), (std::vector<int64_t>{4 << 20}));
  EXPECT_EQ(NumbersIn("4,096, then 1,000 items"), (std::vector<int64_t>{4096, 1000}));
  EXPECT_EQ(NumbersIn("`INVALID_ID` (`rule: 2`) 3 bytes of UTF-8"), (std::vector<int64_t>{3}));
}

}  // namespace
}  // namespace timeledger::services
