// The command-line grammar of the `timeledger` staff CLI: what each command accepts, the parser
// that checks a command line against it, and the help text generated from the same description.
//
// A CommandSpec is a static description (all string_views point at literals); ParsedArgs owns
// copies of the words it was given. Neither does I/O except ReportUsageError, which writes to
// stderr. No shared state; safe to use from any one thread.
#ifndef TIMELEDGER_CLIENTS_CLI_COMMAND_LINE_H_
#define TIMELEDGER_CLIENTS_CLI_COMMAND_LINE_H_

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace timeledger::cli {

class Connection;
class ParsedArgs;

// One `--name VALUE` option, or a `--name` switch when value_name is empty.
struct FlagSpec {
  absl::string_view name;        // without the leading "--", e.g. "minutes"
  absl::string_view value_name;  // shown in help, e.g. "AMOUNT"; empty for a switch
  absl::string_view help;
  bool required = false;
};

// One word that the command takes by position, e.g. BANK.
struct PositionalSpec {
  absl::string_view name;
  absl::string_view help;
  bool optional = false;  // only trailing positionals may be optional
};

// Runs a parsed command against the server; returns the process exit code (exit_code.h).
using CommandRunner = int (*)(const ParsedArgs& args, Connection& connection);

// What one command is called, what it accepts, how it is explained, and what runs it.
struct CommandSpec {
  absl::string_view group = "";        // "account"; all of a one-word command such as "statement"
  absl::string_view verb = "";         // "open"; empty for a one-word command
  absl::string_view summary = "";      // one line, for the list of commands
  absl::string_view description = "";  // a paragraph or two, for --help
  std::vector<PositionalSpec> positionals = {};
  std::vector<FlagSpec> flags = {};
  absl::string_view examples = "";  // lines of example command lines, for --help
  CommandRunner run = nullptr;
};

// The options that every command accepts, before or after the command words.
inline constexpr absl::string_view kServerFlag = "server";
inline constexpr absl::string_view kJsonFlag = "json";
inline constexpr absl::string_view kTokenFileFlag = "token-file";
inline constexpr absl::string_view kHelpFlag = "help";
inline constexpr absl::string_view kTlsFlag = "tls";
inline constexpr absl::string_view kTlsCaFlag = "tls-ca";
inline constexpr absl::string_view kTlsCertFlag = "tls-cert";
inline constexpr absl::string_view kTlsKeyFlag = "tls-key";

// A command line checked against its CommandSpec: positionals in order and options by name.
class ParsedArgs {
 public:
  explicit ParsedArgs(const CommandSpec& spec) : spec_(&spec) {}

  const CommandSpec& spec() const { return *spec_; }

  // The i-th positional word, or "" when an optional positional was left out.
  const std::string& Positional(std::size_t i) const;

  // True if the option was given (with or without a value).
  bool Has(absl::string_view flag) const;

  // The value given for an option, or `fallback` when the option was not given.
  std::string Value(absl::string_view flag, absl::string_view fallback = "") const;

  // Prints "error: <message>", the usage line and a pointer to --help to stderr; returns
  // kExitUsage. For problems found after parsing, such as an --minutes that is not a duration.
  int ReportUsageError(absl::string_view message) const;

 private:
  friend absl::StatusOr<ParsedArgs> ParseArgs(const CommandSpec& spec,
                                              absl::Span<const std::string> words);

  // Takes the option at words[*i], and its value from the next word if it needs one (moving *i
  // past it). Returns InvalidArgument for an unknown option, a missing value, a value given to
  // a switch, or an option given twice.
  absl::Status TakeOption(absl::Span<const std::string> words, std::size_t* i);

  // Returns InvalidArgument if a positional word is missing or extra, or a required option is
  // missing.
  absl::Status CheckComplete() const;

  const CommandSpec* spec_;
  std::vector<std::string> positionals_;
  std::map<std::string, std::string, std::less<>> flags_;
};

// Checks `words` (everything after the command words, plus any global options given before
// them) against `spec`. Returns InvalidArgument with a sentence naming exactly what is wrong:
// an unknown option, an option without its value, an option given twice, a missing or an extra
// positional word, or a required option left out.
absl::StatusOr<ParsedArgs> ParseArgs(const CommandSpec& spec, absl::Span<const std::string> words);

// True if `words` asks for help (--help or -h) anywhere.
bool WantsHelp(absl::Span<const std::string> words);

// True if `word` names one of the global options (with or without "=value").
bool IsGlobalFlag(absl::string_view word);

// True if the global option named by `word` takes a value in the next word.
bool GlobalFlagTakesValue(absl::string_view word);

// "timeledger account open".
std::string CommandName(const CommandSpec& spec);

// "timeledger account open BANK ACCOUNT --kind KIND --name NAME [options]".
std::string UsageLine(const CommandSpec& spec);

// The full --help text of one command.
std::string CommandHelp(const CommandSpec& spec);

// The --help text of a group such as "account": its commands, one line each.
std::string GroupHelp(absl::string_view group, absl::Span<const CommandSpec> commands);

// The top-level --help text: every command, one line each, and the global options.
std::string OverviewHelp(absl::Span<const CommandSpec> commands);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_COMMAND_LINE_H_
