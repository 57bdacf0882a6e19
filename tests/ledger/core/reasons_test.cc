// The one table of refusal reasons (ledger/core/reasons.h) held to the source and the docs: no
// reason is a string literal in ledger/ or services/ outside reasons.cc, docs/API.md lists
// exactly the table's reasons, and every reason the clients match on is in the table.
#include "ledger/core/reasons.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include <gtest/gtest.h>

#include "ledger/core/errors.h"

namespace timeledger::ledger {
namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = TIMELEDGER_SOURCE_DIR;

// Upper-case words that are string literals in ledger/ or services/ but not refusal reasons.
const std::set<std::string> kNotReasons = {
    "CURRENT",   // RocksDB's file naming the live manifest
    "TZDIR",     // the environment variable of the tz database
    "FILE",      // the value name of a file flag in --help (CLI11 type_name)
    "DURATION",  // and of a duration flag (--backup-every)
    "PARTNER_SPEND", "SELF_RECORDED", "CONFIRMATION",  // why a pending entry waits (rules.h)
    "WRITE_OFF",  // and a write-off waiting for a second coordinator (types.h)
};

struct Literal {
  std::string text;
  int line = 0;
};

// Returns the string literals of C++ `source` (plain and raw), skipping comments and character
// literals. Escapes are kept as written: a reason has none.
std::vector<Literal> StringLiterals(const std::string& source) {
  std::vector<Literal> literals;
  int line = 1;
  size_t i = 0;
  const size_t n = source.size();
  auto advance_to = [&](size_t end) {
    for (; i < end && i < n; ++i) line += source[i] == '\n';
  };
  while (i < n) {
    const char c = source[i];
    const char next = i + 1 < n ? source[i + 1] : '\0';
    if (c == '/' && next == '/') {
      advance_to(source.find('\n', i));
    } else if (c == '/' && next == '*') {
      const size_t end = source.find("*/", i + 2);
      advance_to(end == std::string::npos ? n : end + 2);
    } else if (c == 'R' && next == '"' && (i == 0 || !std::isalnum(source[i - 1]))) {
      const size_t open = source.find('(', i);
      const std::string close = ")" + source.substr(i + 2, open - i - 2) + "\"";
      const size_t end = source.find(close, open);
      literals.push_back({source.substr(open + 1, end - open - 1), line});
      advance_to(end + close.size());
    } else if (c == '"' || (c == '\'' && !(i > 0 && std::isxdigit(source[i - 1])))) {
      size_t end = i + 1;
      while (end < n && source[end] != c) end += source[end] == '\\' ? 2 : 1;
      if (c == '"') literals.push_back({source.substr(i + 1, end - i - 1), line});
      advance_to(end + 1);
    } else {
      advance_to(i + 1);
    }
  }
  return literals;
}

bool LooksLikeReason(const std::string& text) {
  static const std::regex kReason("[A-Z][A-Z0-9]*(_[A-Z0-9]+)+|[A-Z]{4,}");
  return std::regex_match(text, kReason);
}

// A literal that begins "REASON: ": Merkle's errors carry their reason so (audit.cc FromMerkle).
std::string ReasonPrefix(const std::string& text) {
  static const std::regex kPrefix("([A-Z][A-Z0-9]*(_[A-Z0-9]+)+): .*");
  std::smatch match;
  return std::regex_match(text, match, kPrefix) ? match[1].str() : std::string();
}

// What the scan of some source found.
struct Scan {
  std::vector<std::string> violations;  // "file:line LITERAL"
  std::set<std::string> prefixes;       // the reasons Merkle-style messages begin with
  size_t enum_uses = 0;                 // occurrences of "Reason::k"
};

void ScanSource(const std::string& name, const std::string& source, Scan* scan) {
  for (const Literal& literal : StringLiterals(source)) {
    if (LooksLikeReason(literal.text) && !kNotReasons.contains(literal.text)) {
      scan->violations.push_back(name + ":" + std::to_string(literal.line) + " " + literal.text);
    }
    if (std::string prefix = ReasonPrefix(literal.text); !prefix.empty()) {
      scan->prefixes.insert(prefix);
    }
  }
  for (size_t at = source.find("Reason::k"); at != std::string::npos;
       at = source.find("Reason::k", at + 1)) {
    ++scan->enum_uses;
  }
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every .cc and .h under `folders` of the source tree, as paths relative to it.
std::vector<std::string> SourceFiles(const std::vector<std::string>& folders) {
  std::vector<std::string> files;
  for (const std::string& folder : folders) {
    for (const auto& item : fs::recursive_directory_iterator(kSourceDir / folder)) {
      const std::string ext = item.path().extension().string();
      if (item.is_regular_file() && (ext == ".cc" || ext == ".h")) {
        files.push_back(fs::relative(item.path(), kSourceDir).generic_string());
      }
    }
  }
  return files;
}

TEST(ReasonTableTest, NamesRoundTripAndLookLikeReasons) {
  ASSERT_EQ(AllReasons().size(), kReasonCount);
  for (const ReasonRow& row : AllReasons()) {
    EXPECT_EQ(ReasonName(row.reason), row.name);
    EXPECT_EQ(ReasonCode(row.reason), row.code);
    EXPECT_EQ(ParseReason(row.name), row.reason) << row.name;
    EXPECT_TRUE(LooksLikeReason(std::string(row.name))) << row.name;
    EXPECT_NE(row.code, absl::StatusCode::kOk) << row.name;
  }
  EXPECT_EQ(ParseReason("NO_SUCH_REASON"), std::nullopt);
  EXPECT_EQ(ParseReason(""), std::nullopt);
  EXPECT_EQ(ParseReason("account_suspended"), std::nullopt);
}

TEST(ReasonTableTest, KeepsTheWireStringsAndCodes) {
  EXPECT_EQ(ReasonName(Reason::kAccountSuspended), "ACCOUNT_SUSPENDED");
  EXPECT_EQ(ReasonCode(Reason::kAccountSuspended), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonName(Reason::kBankNotFound), "BANK_NOT_FOUND");
  EXPECT_EQ(ReasonCode(Reason::kSelfCredit), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonCode(Reason::kZeroSumBroken), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ReasonCode(Reason::kBusy), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonCode(Reason::kEntryIdReused), absl::StatusCode::kAlreadyExists);
}

TEST(ReasonTableTest, NoWordOfTheAllowListIsAReason) {
  for (const std::string& word : kNotReasons) EXPECT_EQ(ParseReason(word), std::nullopt) << word;
}

TEST(RefuseTest, TakesTheCodeFromTheTable) {
  absl::Status status = Refuse(Reason::kOverdraftLimit, "too little", {{"limit_minutes", "60"}});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "too little");
  EXPECT_EQ(ReasonOf(status), "OVERDRAFT_LIMIT");
  EXPECT_TRUE(HasReason(status, Reason::kOverdraftLimit));
  EXPECT_FALSE(HasReason(status, Reason::kBalanceCap));
  EXPECT_EQ(FiguresOf(status).at("limit_minutes"), "60");
  EXPECT_FALSE(HasReason(absl::InternalError("plain"), Reason::kOverdraftLimit));
}

TEST(RefuseTest, RefusalOverridesTheCodeAndKeepsTheReason) {
  absl::Status status = Refusal(absl::StatusCode::kInternal, Reason::kZeroSumBroken, "bug");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(HasReason(status, Reason::kZeroSumBroken));
}

TEST(RefuseTest, BankNotFoundNamesTheBank) {
  absl::Status status = BankNotFound("bank-1");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(status), "BANK_NOT_FOUND");
  EXPECT_EQ(status.message(), "there is no bank bank-1");
  EXPECT_EQ(FiguresOf(status), (std::map<std::string, std::string>{{"bank_id", "bank-1"}}));
}

TEST(ReasonScanTest, CatchesAPlantedLiteral) {
  Scan scan;
  ScanSource("planted.cc",
             "// \"ACCOUNT_HELD\" in a comment is not code\n"
             "/* nor \"BALANCE_CAP\" here */ char q = '\"'; int x = 0x1'000;\n"
             "return Refuse(\"ACCOUNT_SUSPENDED\", \"an \\\"ACCOUNT\\\" sentence\");\n"
             "auto raw = R\"x(SELF_CREDIT)x\"; auto ok = \"CURRENT\"; f(Reason::kBusy);\n"
             "auto merkle = \"MERKLE_LEVEL: level 3\";\n",
             &scan);
  EXPECT_EQ(scan.violations, (std::vector<std::string>{"planted.cc:3 ACCOUNT_SUSPENDED",
                                                       "planted.cc:4 SELF_CREDIT"}));
  EXPECT_EQ(scan.prefixes, (std::set<std::string>{"MERKLE_LEVEL"}));
  EXPECT_EQ(scan.enum_uses, 1u);
}

TEST(ReasonScanTest, NoReasonIsALiteralOutsideTheTable) {
  const std::vector<std::string> files = SourceFiles({"ledger", "services"});
  const std::set<std::string> read(files.begin(), files.end());
  // The scan reads the tree it is meant to: the files that give most refusals are among them.
  for (const char* expected :
       {"ledger/core/reasons.cc", "ledger/core/validate.cc", "ledger/engine/commands.cc",
        "ledger/rules/access.cc", "ledger/rules/rules.cc", "ledger/verify/verify.cc",
        "ledger/store/rocksdb_store.cc", "services/tls.cc", "services/kiosk_desk.cc",
        "services/convert.cc"}) {
    EXPECT_TRUE(read.contains(expected)) << expected;
  }
  ASSERT_GE(files.size(), 60u);
  Scan scan;
  for (const std::string& file : files) {
    if (file == "ledger/core/reasons.cc") continue;
    ScanSource(file, ReadFile(kSourceDir / file), &scan);
  }
  EXPECT_EQ(scan.violations, std::vector<std::string>{});
  // The refusals are there, by the enum: about two hundred sites.
  EXPECT_GE(scan.enum_uses, 250u);
  // Nor is a reason written as the head of a message ("MERKLE_LEVEL: ..."): the Merkle tree's
  // errors say theirs with RefusalSaying, from the enum.
  EXPECT_EQ(scan.prefixes, std::set<std::string>{});
}

// The table's own file is where the literals are: one for each reason.
TEST(ReasonScanTest, TheTableHoldsEveryReasonAsALiteral) {
  Scan scan;
  ScanSource("reasons.cc", ReadFile(kSourceDir / "ledger/core/reasons.cc"), &scan);
  EXPECT_EQ(scan.violations.size(), kReasonCount);
}

// The clients do not link ledger/: they match the wire strings they receive. Each is a reason.
TEST(ReasonScanTest, EveryReasonAClientMatchesIsInTheTable) {
  static const std::regex kMatch("reason\\s*[!=]=\\s*\"([A-Z0-9_]+)\"");
  std::map<std::string, std::string> matched;  // reason -> file
  for (const std::string& file : SourceFiles({"clients"})) {
    const std::string source = ReadFile(kSourceDir / file);
    for (auto it = std::sregex_iterator(source.begin(), source.end(), kMatch);
         it != std::sregex_iterator(); ++it) {
      matched[(*it)[1].str()] = file;
    }
  }
  EXPECT_GE(matched.size(), 10u);
  EXPECT_EQ(matched.count("CARD_OR_PIN_WRONG"), 1u);
  for (const auto& [reason, file] : matched) {
    EXPECT_NE(ParseReason(reason), std::nullopt) << reason << " in " << file;
  }
}

// The reasons docs/API.md lists: the backquoted upper-case words of the first column of the
// tables between "## Errors" and "## Limits".
std::set<std::string> DocumentedReasons() {
  const std::string api = ReadFile(kSourceDir / "docs/API.md");
  const size_t begin = api.find("\n## Errors");
  const size_t end = api.find("\n## Limits");
  EXPECT_NE(begin, std::string::npos);
  EXPECT_NE(end, std::string::npos);
  std::set<std::string> documented;
  static const std::regex kWord("`([A-Z][A-Z0-9_]+)`");
  for (absl::string_view line : absl::StrSplit(api.substr(begin, end - begin), '\n')) {
    if (!absl::StartsWith(line, "| `")) continue;
    const std::string cell(line.substr(1, line.find('|', 1) - 1));
    for (auto it = std::sregex_iterator(cell.begin(), cell.end(), kWord);
         it != std::sregex_iterator(); ++it) {
      documented.insert((*it)[1].str());
    }
  }
  return documented;
}

TEST(ReasonDocsTest, ApiMdListsExactlyTheTable) {
  const std::set<std::string> documented = DocumentedReasons();
  std::set<std::string> table;
  for (const ReasonRow& row : AllReasons()) table.insert(std::string(row.name));
  std::vector<std::string> undocumented, unknown;
  for (const std::string& name : table) {
    if (!documented.contains(name)) undocumented.push_back(name);
  }
  for (const std::string& name : documented) {
    if (!table.contains(name)) unknown.push_back(name);
  }
  EXPECT_EQ(undocumented, std::vector<std::string>{}) << "reasons missing from docs/API.md";
  EXPECT_EQ(unknown, std::vector<std::string>{}) << "docs/API.md names reasons not in the table";
  EXPECT_EQ(documented.size(), kReasonCount);
}

}  // namespace
}  // namespace timeledger::ledger
