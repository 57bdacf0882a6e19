// How timeledger's programs read their command lines with CLI11 (Debian's libcli11-dev), so that
// timeledgerd and timeledger-kiosk behave alike: --help (and -h) generated from the options and
// printed with exit status 0; a flag given twice takes its last value; anything not understood
// told on stderr as "<program>: <what is wrong, naming the flag>" with a pointer to --help, and
// exit status kExitUsage. Header-only, as CLI11 is.
#ifndef TIMELEDGER_COMMON_COMMAND_LINE_H_
#define TIMELEDGER_COMMON_COMMAND_LINE_H_

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace timeledger::common {

// Exit status of a command line that a program does not understand.
inline constexpr int kExitUsage = 2;

// An App for `program`, to which the caller adds its options.
inline std::unique_ptr<CLI::App> NewCommandLine(const std::string& description,
                                                const std::string& program) {
  auto app = std::make_unique<CLI::App>(description, program);
  app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app->failure_message([program](const CLI::App*, const CLI::Error& error) {
    return program + ": " + error.what() + "\nRun '" + program + " --help' for the options.\n";
  });
  return app;
}

// Parses argv with `app`. Returns nothing if the program should go on, or the status to exit
// with at once: 0 after printing --help, kExitUsage after saying what is wrong.
inline std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : kExitUsage;
  }
  return std::nullopt;
}

}  // namespace timeledger::common

#endif  // TIMELEDGER_COMMON_COMMAND_LINE_H_
