#include "clients/cli/command_line.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "clients/cli/exit_code.h"

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

const FlagSpec* FindGlobalFlag(absl::string_view name) {
  for (const FlagSpec& flag : kGlobalFlags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

const FlagSpec* FindFlag(const CommandSpec& spec, absl::string_view name) {
  for (const FlagSpec& flag : spec.flags) {
    if (flag.name == name) return &flag;
  }
  return FindGlobalFlag(name);
}

// "-x" and "--x" are options; "-" and negative numbers such as "-5" are plain words.
bool LooksLikeOption(absl::string_view word) {
  return word.size() > 1 && word[0] == '-' && !absl::ascii_isdigit(word[1]);
}

// The name of an option word without its dashes and any "=value".
absl::string_view OptionName(absl::string_view word) {
  if (absl::StartsWith(word, "--")) word.remove_prefix(2);
  return word.substr(0, word.find('='));
}

std::string FlagUsage(const FlagSpec& flag) {
  if (flag.value_name.empty()) return absl::StrCat("--", flag.name);
  return absl::StrCat("--", flag.name, " ", flag.value_name);
}

// "only BANK ACCOUNT", or "only options" for a command without positional words.
std::string PositionalNames(const CommandSpec& spec) {
  std::string names;
  for (const PositionalSpec& positional : spec.positionals) {
    absl::StrAppend(&names, names.empty() ? "" : " ", positional.name);
  }
  return absl::StrCat("only ", names.empty() ? "options" : names);
}

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

const std::string& ParsedArgs::Positional(std::size_t i) const {
  static const std::string* const kEmpty = new std::string();
  return i < positionals_.size() ? positionals_[i] : *kEmpty;
}

bool ParsedArgs::Has(absl::string_view flag) const { return flags_.find(flag) != flags_.end(); }

std::string ParsedArgs::Value(absl::string_view flag, absl::string_view fallback) const {
  auto it = flags_.find(flag);
  return it == flags_.end() ? std::string(fallback) : it->second;
}

int ParsedArgs::ReportUsageError(absl::string_view message) const {
  std::fprintf(stderr, "error: %.*s\nusage: %s\nRun '%s --help' for more.\n",
               static_cast<int>(message.size()), message.data(), UsageLine(*spec_).c_str(),
               CommandName(*spec_).c_str());
  return kExitUsage;
}

absl::Status ParsedArgs::TakeOption(absl::Span<const std::string> words, std::size_t* i) {
  const std::string& word = words[*i];
  if (word == "-h") {
    flags_[std::string(kHelpFlag)] = "";
    return absl::OkStatus();
  }
  if (!absl::StartsWith(word, "--")) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown option '", word, "' (options start with two dashes, e.g. --name)"));
  }
  const absl::string_view name = OptionName(word);
  const FlagSpec* flag = FindFlag(*spec_, name);
  if (flag == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown option '--", name, "' for '", CommandName(*spec_), "'"));
  }
  if (Has(name)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " was given more than once"));
  }
  const std::size_t equals = word.find('=');
  if (flag->value_name.empty()) {
    if (equals != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
    }
    flags_[std::string(name)] = "";
    return absl::OkStatus();
  }
  std::string value;
  if (equals != std::string::npos) {
    value = word.substr(equals + 1);
  } else if (*i + 1 < words.size() && !absl::StartsWith(words[*i + 1], "--")) {
    value = words[++*i];
  }
  if (value.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " needs a value: ", FlagUsage(*flag)));
  }
  flags_[std::string(name)] = std::move(value);
  return absl::OkStatus();
}

absl::Status ParsedArgs::CheckComplete() const {
  const CommandSpec& spec = *spec_;
  const std::size_t required_count =
      static_cast<std::size_t>(std::count_if(spec.positionals.begin(), spec.positionals.end(),
                                             [](const PositionalSpec& p) { return !p.optional; }));
  if (positionals_.size() < required_count) {
    const PositionalSpec& missing = spec.positionals[positionals_.size()];
    return absl::InvalidArgumentError(
        absl::StrCat("missing ", missing.name, " (", missing.help, ")"));
  }
  if (positionals_.size() > spec.positionals.size()) {
    const std::string& extra = positionals_[spec.positionals.size()];
    return absl::InvalidArgumentError(absl::StrCat(
        "unexpected '", extra, "': '", CommandName(spec), "' takes ", PositionalNames(spec),
        "; if '", extra,
        "' belongs to the value before it, put that value in quotes, e.g. --name \"Alice "
        "Brown\""));
  }
  for (const FlagSpec& flag : spec.flags) {
    if (flag.required && !Has(flag.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("missing ", FlagUsage(flag), " (", flag.help, ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ParsedArgs> ParseArgs(const CommandSpec& spec, absl::Span<const std::string> words) {
  ParsedArgs args(spec);
  bool only_positionals = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (only_positionals || !LooksLikeOption(words[i])) {
      args.positionals_.push_back(words[i]);
    } else if (words[i] == "--") {
      only_positionals = true;
    } else if (absl::Status status = args.TakeOption(words, &i); !status.ok()) {
      return status;
    }
  }
  if (absl::Status status = args.CheckComplete(); !status.ok()) return status;
  return args;
}

bool WantsHelp(absl::Span<const std::string> words) {
  for (const std::string& word : words) {
    if (word == "--") return false;
    if (word == "-h" || word == "--help") return true;
  }
  return false;
}

bool IsGlobalFlag(absl::string_view word) {
  return absl::StartsWith(word, "--") && FindGlobalFlag(OptionName(word)) != nullptr;
}

bool GlobalFlagTakesValue(absl::string_view word) {
  const FlagSpec* flag = FindGlobalFlag(OptionName(word));
  return flag != nullptr && !flag->value_name.empty() && word.find('=') == std::string::npos;
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
