// timeledger: the staff CLI of a Timeledger time bank.
//
// Reads the command line against the commands' descriptions (command_line.h, with CLI11) and runs
// the command it names against timeledgerd over gRPC. Exit codes are in exit_code.h.
#include <cerrno>
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

std::vector<CommandSpec> AllCommands() {
  std::vector<CommandSpec> all;
  for (auto group : {BankCommands, AccountCommands, CardCommands, EntryCommands, PendingCommands,
                     StatementCommands, PolicyCommands, ReportCommands, AuditCommands,
                     ExportCommands, ImportCommands, QualificationCommands, TokenCommands,
                     StatusCommands}) {
    for (CommandSpec& spec : group()) all.push_back(std::move(spec));
  }
  return all;
}

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

int Main(const std::vector<std::string>& words) {
  const std::vector<CommandSpec> commands = AllCommands();

  Invocation invocation = ReadCommandLine(commands, words);
  std::fputs(invocation.out.c_str(), stdout);
  std::fputs(invocation.err.c_str(), stderr);
  if (!invocation.args.has_value()) return invocation.exit_code;
  const ParsedArgs& args = *invocation.args;

  absl::StatusOr<std::string> token = TokenOf(args);
  if (!token.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(token.status().message()).c_str());
    return kExitUsage;
  }
  const std::string server = args.Value(kServerFlag, DefaultServer());
  auto channel =
      clients::MakeChannel(server, ChannelSecurityOf(args), Connection::ChannelArguments());
  if (!channel.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(channel.status().message()).c_str());
    return kExitUsage;
  }
  Connection connection(server, *std::move(channel), args.Has(kJsonFlag), *std::move(token));
  return args.spec().run(args, connection);
}

}  // namespace
}  // namespace timeledger::cli

int main(int argc, char** argv) {
  return timeledger::cli::Main(std::vector<std::string>(argv + 1, argv + argc));
}
