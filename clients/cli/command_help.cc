// The help texts of the `timeledger` CLI, generated from the CommandSpec tables: the overview,
// a group's commands, one command's usage, arguments and options.
#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

#include "clients/cli/command_line.h"

namespace timeledger::cli {
namespace {

constexpr absl::string_view kProgram = "timeledger";

// Every command accepts these as well as its own options.
const FlagSpec kGlobalFlags[] = {
    {kServerFlag, "HOST:PORT",
     "the timeledgerd to talk to (default: $TIMELEDGER_SERVER, else 127.0.0.1:50051)"},
    {kJsonFlag, "", "print the server's answers as JSON instead of sentences and tables"},
    {kTokenFileFlag, "FILE",
     "the file holding your token (default: $TIMELEDGER_TOKEN_FILE, else the token in "
     "$TIMELEDGER_TOKEN, else ./var/admin.token, which timeledgerd makes on first start)"},
    {kTlsFlag, "", "talk TLS, checking the server's certificate against the system's CAs"},
    {kTlsCaFlag, "FILE",
     "talk TLS, trusting the PEM CAs in FILE for the server's certificate (default: "
     "$TIMELEDGER_TLS_CA)"},
    {kTlsCertFlag, "FILE",
     "present this PEM client certificate, for a server that requires one (default: "
     "$TIMELEDGER_TLS_CERT)"},
    {kTlsKeyFlag, "FILE",
     "the client certificate's PEM private key (default: $TIMELEDGER_TLS_KEY)"},
    {kHelpFlag, "", "show this help"},
};

// The help column where explanations start; longer option names push it right.
constexpr std::size_t kHelpColumnMin = 22;

// Lines "  left   help", with the help column aligned across all rows.
std::string AlignedRows(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::size_t width = kHelpColumnMin;
  for (const auto& [left, help] : rows) width = std::max(width, left.size() + 4);
  std::string out;
  for (const auto& [left, help] : rows) {
    absl::StrAppend(&out, "  ", left, std::string(width - 2 - left.size(), ' '), help, "\n");
  }
  return out;
}

std::string GlobalOptionsHelp() {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const FlagSpec& flag : kGlobalFlags) rows.emplace_back(FlagUsage(flag), flag.help);
  return AlignedRows(rows);
}

}  // namespace

absl::Span<const FlagSpec> GlobalFlags() { return kGlobalFlags; }

std::string FlagUsage(const FlagSpec& flag) {
  if (flag.value_name.empty()) return absl::StrCat("--", flag.name);
  return absl::StrCat("--", flag.name, " ", flag.value_name);
}

std::string CommandName(const CommandSpec& spec) {
  if (spec.verb.empty()) return absl::StrCat(kProgram, " ", spec.group);
  return absl::StrCat(kProgram, " ", spec.group, " ", spec.verb);
}

std::string UsageLine(const CommandSpec& spec) {
  std::string line = CommandName(spec);
  for (const PositionalSpec& positional : spec.positionals) {
    if (positional.optional) {
      absl::StrAppend(&line, " [", positional.name, "]");
    } else {
      absl::StrAppend(&line, " ", positional.name);
    }
  }
  for (const FlagSpec& flag : spec.flags) {
    if (flag.required) absl::StrAppend(&line, " ", FlagUsage(flag));
  }
  absl::StrAppend(&line, " [options]");
  return line;
}

std::string CommandHelp(const CommandSpec& spec) {
  std::string out = absl::StrCat("Usage: ", UsageLine(spec), "\n\n", spec.description, "\n");
  if (!spec.positionals.empty()) {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const PositionalSpec& positional : spec.positionals) {
      rows.emplace_back(std::string(positional.name),
                        positional.optional ? absl::StrCat(positional.help, " (optional)")
                                            : std::string(positional.help));
    }
    absl::StrAppend(&out, "\nArguments:\n", AlignedRows(rows));
  }
  if (!spec.flags.empty()) {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const FlagSpec& flag : spec.flags) {
      rows.emplace_back(FlagUsage(flag), flag.required ? absl::StrCat(flag.help, " (required)")
                                                       : std::string(flag.help));
    }
    absl::StrAppend(&out, "\nOptions:\n", AlignedRows(rows));
  }
  absl::StrAppend(&out, "\nGlobal options:\n", GlobalOptionsHelp());
  if (!spec.examples.empty()) absl::StrAppend(&out, "\nExamples:\n", spec.examples);
  return out;
}

std::string GroupHelp(absl::string_view group, absl::Span<const CommandSpec> commands) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const CommandSpec& spec : commands) {
    if (spec.group == group) rows.emplace_back(std::string(spec.verb), std::string(spec.summary));
  }
  return absl::StrCat("Usage: ", kProgram, " ", group, " COMMAND [options]\n\nCommands:\n",
                      AlignedRows(rows), "\nRun '", kProgram, " ", group,
                      " COMMAND --help' for the details of one.\n");
}

std::string OverviewHelp(absl::Span<const CommandSpec> commands) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const CommandSpec& spec : commands) {
    std::string name =
        spec.verb.empty() ? std::string(spec.group) : absl::StrCat(spec.group, " ", spec.verb);
    rows.emplace_back(std::move(name), std::string(spec.summary));
  }
  return absl::StrCat(kProgram, ": the staff tool for a Timeledger time bank.\n\n",
                      "Usage: ", kProgram, " COMMAND [options]\n\nCommands:\n", AlignedRows(rows),
                      "\nGlobal options:\n", GlobalOptionsHelp(),
                      "\nAmounts of time are whole minutes: 90, or 1h30m, 1h, 45m, 1:30.\n"
                      "Exit codes: 0 done; 1 refused by the server; 2 the command line is wrong;\n"
                      "3 the server cannot be reached.\n\nRun '",
                      kProgram, " COMMAND --help' for the details of one command.\n");
}

}  // namespace timeledger::cli
