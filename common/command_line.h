// How timeledger's programs read their command lines with CLI11 (Debian's libcli11-dev), so that
// timeledgerd and timeledger-kiosk behave alike: --help (and -h) generated from the options and
// printed with exit status 0; --version; a flag given twice takes its last value; settings also
// from a config file (--config FILE, see AddConfigFile); anything not understood told on stderr as
// "<program>: <what is wrong, naming the flag or setting>" with a pointer to --help, and exit
// status kExitUsage. Header-only, as CLI11 is.
#ifndef TIMELEDGER_COMMON_COMMAND_LINE_H_
#define TIMELEDGER_COMMON_COMMAND_LINE_H_

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/version.h"

namespace timeledger::common {

// Exit status of a command line that a program does not understand.
inline constexpr int kExitUsage = 2;

// An App for `program`, to which the caller adds its options.
inline std::unique_ptr<CLI::App> NewCommandLine(const std::string& description,
                                                const std::string& program) {
  auto app = std::make_unique<CLI::App>(description, program);
  app->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app->set_version_flag("--version", program + " " + kVersion, "print the version and exit");
  app->failure_message([program](const CLI::App*, const CLI::Error& error) {
    return program + ": " + error.what() + "\nRun '" + program + " --help' for the options.\n";
  });
  return app;
}

// Lets `app` read its settings from a file too: --config FILE, one "name = value" per line, where
// a name is a long flag without its "--" (data-dir = "/var/lib/timeledger"), a flag is true or
// false, a repeated option a list (host = ["a", "b"]), and '#' starts a comment. The command line
// wins over the file. A name the program does not know is an error, as an unknown flag is: a typo
// in a config file must not silently leave a default in force. Call after adding the options.
inline CLI::Option* AddConfigFile(CLI::App& app, const std::string& example) {
  app.allow_config_extras(CLI::config_extras_mode::error);
  return app
      .set_config("--config", "",
                  "read settings from FILE, one 'name = value' per line, a name being a flag "
                  "without its '--' (e.g. " +
                      example + "); flags on the command line win")
      ->type_name("FILE");
}

// Parses argv with `app`. Returns nothing if the program should go on, or the status to exit
// with at once: 0 after printing --help, kExitUsage after saying what is wrong.
inline std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ConfigError& error) {
    // CLI11 says "INI was not able to parse NAME": say which file, and what NAME is.
    std::string what = error.what();
    const std::string prefix = "INI was not able to parse ";
    if (what.rfind(prefix, 0) == 0) {
      what = "a setting it does not know: " + what.substr(prefix.size()) +
             " (a setting is a long flag without its '--'; see --help)";
    }
    const CLI::Option* config = app.get_config_ptr();
    const std::string file = config != nullptr && config->count() > 0 ? config->as<std::string>()
                                                                      : std::string("config");
    std::cerr << app.get_name() << ": " << file << ": " << what << "\n";
    return kExitUsage;
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : kExitUsage;
  }
  return std::nullopt;
}

}  // namespace timeledger::common

#endif  // TIMELEDGER_COMMON_COMMAND_LINE_H_
