// timeledger: the staff CLI of a Timeledger time bank.
//
// Finds the command named by the first words of the command line, checks the rest against that
// command's description (command_line.h), and runs it against timeledgerd over gRPC. Exit codes
// are in exit_code.h.
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "clients/cli/command_line.h"
#include "clients/cli/commands.h"
#include "clients/cli/connection.h"
#include "clients/cli/exit_code.h"
#include "clients/common/channel.h"

namespace timeledger::cli {
namespace {

constexpr char kServerEnvironment[] = "TIMELEDGER_SERVER";
constexpr char kTokenFileEnvironment[] = "TIMELEDGER_TOKEN_FILE";
constexpr char kTokenEnvironment[] = "TIMELEDGER_TOKEN";
// Where timeledgerd's admin token is when the CLI runs from the directory of its data dir.
constexpr char kLocalAdminTokenFile[] = "var/admin.token";
constexpr char kDefaultServer[] = "127.0.0.1:50051";
constexpr char kHelpCommand[] = "help";

std::vector<CommandSpec> AllCommands() {
  std::vector<CommandSpec> all;
  for (auto group : {BankCommands, AccountCommands, CardCommands, EntryCommands, PendingCommands,
                     StatementCommands, PolicyCommands, ReportCommands, AuditCommands,
                     QualificationCommands, TokenCommands}) {
    for (CommandSpec& spec : group()) all.push_back(std::move(spec));
  }
  return all;
}

bool IsHelpWord(absl::string_view word) { return word == "--help" || word == "-h"; }

std::string DefaultServer() {
  const char* from_environment = std::getenv(kServerEnvironment);
  if (from_environment != nullptr && from_environment[0] != '\0') return from_environment;
  return kDefaultServer;
}

// The first line of `path`, trimmed; an error naming the file if it cannot be read or is empty.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return absl::NotFoundError(absl::StrCat("cannot read the token file ", path, ": ",
                                            in ? "it is empty" : std::strerror(errno)));
  }
  std::string token(absl::StripAsciiWhitespace(line));
  if (token.empty()) {
    return absl::NotFoundError(absl::StrCat("the token file ", path, " is empty"));
  }
  return token;
}

// The bearer token to send: --token-file, else $TIMELEDGER_TOKEN_FILE, else $TIMELEDGER_TOKEN,
// else ./var/admin.token if it exists (timeledgerd's own on this machine), else none (the server
// then says that a token is needed).
absl::StatusOr<std::string> TokenOf(const ParsedArgs& args) {
  if (args.Has(kTokenFileFlag)) return ReadTokenFile(args.Value(kTokenFileFlag));
  const char* file = std::getenv(kTokenFileEnvironment);
  if (file != nullptr && file[0] != '\0') return ReadTokenFile(file);
  const char* token = std::getenv(kTokenEnvironment);
  if (token != nullptr && token[0] != '\0') {
    return std::string(absl::StripAsciiWhitespace(token));
  }
  std::error_code error;
  if (std::filesystem::exists(kLocalAdminTokenFile, error)) {
    return ReadTokenFile(kLocalAdminTokenFile);
  }
  return std::string();
}

// The --tls options, each falling back to its environment variable.
clients::ChannelSecurity ChannelSecurityOf(const ParsedArgs& args) {
  clients::ChannelSecurity security = clients::ChannelSecurityFromEnvironment();
  security.tls = args.Has(kTlsFlag);
  security.ca_file = args.Value(kTlsCaFlag, security.ca_file);
  security.cert_file = args.Value(kTlsCertFlag, security.cert_file);
  security.key_file = args.Value(kTlsKeyFlag, security.key_file);
  return security;
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "error: %s\nRun 'timeledger --help' for the list of commands.\n",
               message.c_str());
  return kExitUsage;
}

// The commands of `group`, or none if there is no such group.
std::vector<const CommandSpec*> GroupOf(const std::vector<CommandSpec>& commands,
                                        absl::string_view group) {
  std::vector<const CommandSpec*> found;
  for (const CommandSpec& spec : commands) {
    if (spec.group == group) found.push_back(&spec);
  }
  return found;
}

std::string GroupNames(const std::vector<CommandSpec>& commands) {
  std::vector<std::string> names;
  for (const CommandSpec& spec : commands) {
    if (names.empty() || names.back() != spec.group) names.emplace_back(spec.group);
  }
  return absl::StrJoin(names, ", ");
}

std::string VerbNames(const std::vector<const CommandSpec*>& group) {
  std::vector<std::string> names;
  for (const CommandSpec* spec : group) names.emplace_back(spec->verb);
  return absl::StrJoin(names, ", ");
}

// `timeledger help [GROUP [COMMAND]]`.
int PrintHelpFor(const std::vector<CommandSpec>& commands, const std::vector<std::string>& words) {
  const std::vector<const CommandSpec*> group =
      words.empty() ? std::vector<const CommandSpec*>() : GroupOf(commands, words[0]);
  if (group.empty()) {
    std::fputs(OverviewHelp(commands).c_str(), stdout);
    return kExitOk;
  }
  for (const CommandSpec* spec : group) {
    if (spec->verb.empty() || (words.size() > 1 && spec->verb == words[1])) {
      std::fputs(CommandHelp(*spec).c_str(), stdout);
      return kExitOk;
    }
  }
  std::fputs(GroupHelp(words[0], commands).c_str(), stdout);
  return kExitOk;
}

// The command named by words[*next...], or the exit code if there is none to run: help was
// asked for, or the words name no command. Advances *next past the command words.
struct Resolution {
  const CommandSpec* spec = nullptr;
  int exit_code = kExitOk;
};

Resolution ResolveCommand(const std::vector<CommandSpec>& commands,
                          const std::vector<std::string>& words, std::size_t* next) {
  std::size_t& i = *next;
  if (i == words.size()) {
    std::fputs(OverviewHelp(commands).c_str(), stderr);
    return {.exit_code = kExitUsage};
  }
  const std::string& group_name = words[i++];
  if (group_name == kHelpCommand) {
    const std::vector<std::string> topic(words.begin() + i, words.end());
    i = words.size();
    return {.exit_code = PrintHelpFor(commands, topic)};
  }
  const std::vector<const CommandSpec*> group = GroupOf(commands, group_name);
  if (group.empty()) {
    return {.exit_code = UsageError(absl::StrCat("'", group_name,
                                                 "' is not a command; the commands are ",
                                                 GroupNames(commands)))};
  }
  if (group.front()->verb.empty()) return {.spec = group.front()};
  if (i == words.size()) {
    std::fprintf(stderr, "error: '%s' needs a command: %s\n\n", group_name.c_str(),
                 VerbNames(group).c_str());
    std::fputs(GroupHelp(group_name, commands).c_str(), stderr);
    return {.exit_code = kExitUsage};
  }
  if (IsHelpWord(words[i])) {
    std::fputs(GroupHelp(group_name, commands).c_str(), stdout);
    return {.exit_code = kExitOk};
  }
  const std::string& verb = words[i++];
  for (const CommandSpec* spec : group) {
    if (spec->verb == verb) return {.spec = spec};
  }
  return {.exit_code = UsageError(absl::StrCat("'", verb, "' is not a ", group_name,
                                               " command; the ", group_name, " commands are ",
                                               VerbNames(group)))};
}

int Main(const std::vector<std::string>& words) {
  const std::vector<CommandSpec> commands = AllCommands();

  // Global options may come before the command words; they are handed on to the command.
  std::vector<std::string> rest;
  std::size_t i = 0;
  for (; i < words.size() && words[i].size() > 1 && words[i][0] == '-'; ++i) {
    if (IsHelpWord(words[i])) return PrintHelpFor(commands, {});
    if (!IsGlobalFlag(words[i])) {
      return UsageError(absl::StrCat("unknown option '", words[i],
                                     "' before the command; only --server, --token-file, --json, "
                                     "the --tls options and --help may come first"));
    }
    rest.push_back(words[i]);
    if (GlobalFlagTakesValue(words[i]) && i + 1 < words.size()) rest.push_back(words[++i]);
  }
  const Resolution resolution = ResolveCommand(commands, words, &i);
  if (resolution.spec == nullptr) return resolution.exit_code;
  const CommandSpec& spec = *resolution.spec;

  rest.insert(rest.end(), words.begin() + i, words.end());
  if (WantsHelp(rest)) {
    std::fputs(CommandHelp(spec).c_str(), stdout);
    return kExitOk;
  }
  absl::StatusOr<ParsedArgs> args = ParseArgs(spec, rest);
  if (!args.ok()) return ParsedArgs(spec).ReportUsageError(std::string(args.status().message()));

  absl::StatusOr<std::string> token = TokenOf(*args);
  if (!token.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(token.status().message()).c_str());
    return kExitUsage;
  }
  const std::string server = args->Value(kServerFlag, DefaultServer());
  auto channel =
      clients::MakeChannel(server, ChannelSecurityOf(*args), Connection::ChannelArguments());
  if (!channel.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(channel.status().message()).c_str());
    return kExitUsage;
  }
  Connection connection(server, *std::move(channel), args->Has(kJsonFlag), *std::move(token));
  return spec.run(*args, connection);
}

}  // namespace
}  // namespace timeledger::cli

int main(int argc, char** argv) {
  return timeledger::cli::Main(std::vector<std::string>(argv + 1, argv + argc));
}
