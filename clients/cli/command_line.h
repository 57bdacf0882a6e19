// The command-line grammar of the `timeledger` staff CLI: what each command accepts, the reading
// of a command line against it (command_line.cc, with CLI11 built from the same descriptions),
// and the help text generated from them (command_help.cc).
//
// A CommandSpec is a static description (all string_views point at literals); ParsedArgs owns
// copies of the words it was given. Nothing here does I/O except ReportUsageError, which writes
// to stderr. No shared state; safe to use from any one thread.
#ifndef TIMELEDGER_CLIENTS_CLI_COMMAND_LINE_H_
#define TIMELEDGER_CLIENTS_CLI_COMMAND_LINE_H_

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

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

  // The text ReportUsageError prints.
  std::string UsageErrorText(absl::string_view message) const;

 private:
  friend class ArgsBuilder;  // command_line.cc fills these from what CLI11 parsed

  const CommandSpec* spec_;
  std::vector<std::string> positionals_;
  std::map<std::string, std::string, std::less<>> flags_;
};

// What a whole command line asks for: a command to run with its arguments, or an exit status to
// leave with at once, after printing `out` (help) or `err` (what is wrong).
struct Invocation {
  std::optional<ParsedArgs> args = std::nullopt;  // set when there is a command to run
  int exit_code = 0;     // otherwise: 0 after help, kExitUsage after a mistake
  std::string out = "";  // for stdout
  std::string err = "";  // for stderr
};

// Reads `words` (argv without the program name) with CLI11 against `commands`: "GROUP VERB" or
// a one-word command, its positionals and options, and the global options before or after the
// command words; `help [GROUP [VERB]]`; --help or -h at any level; after "--", positional words
// only. A mistake is named in one sentence: an unknown command or option (-hx is one), an option
// without its value ("--minutes=" too) or given twice, a value given to a switch ("--json=true"
// too), a "--" before the command words, a missing or an extra positional word, or a required
// option left out.
// The returned ParsedArgs points into `commands`, which must outlive it.
Invocation ReadCommandLine(absl::Span<const CommandSpec> commands,
                           absl::Span<const std::string> words);

// The options that every command accepts (kServerFlag, ..., kHelpFlag), for parsing and help.
absl::Span<const FlagSpec> GlobalFlags();

// "--minutes AMOUNT", or "--json" for a switch.
std::string FlagUsage(const FlagSpec& flag);

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
