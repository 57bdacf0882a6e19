// Helpers for the tests of a program's command line and config file (timeledgerd's and the
// kiosk's ParseFlags): parse words as argv, capturing what was printed, and write config files.
#ifndef TIMELEDGER_TESTS_SUPPORT_COMMAND_LINE_H_
#define TIMELEDGER_TESTS_SUPPORT_COMMAND_LINE_H_

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace timeledger::testing {

// `parse` (a ParseFlags) over `words` after the program name; *error gets what it printed to
// stderr (stdout, e.g. --help, is dropped).
template <typename Flags>
std::optional<int> ParseWords(std::optional<int> (*parse)(int, char**, Flags*),
                              const std::string& program, std::vector<std::string> words,
                              Flags* flags, std::string* error) {
  words.insert(words.begin(), program);
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  std::optional<int> exit = parse(static_cast<int>(argv.size()), argv.data(), flags);
  *error = ::testing::internal::GetCapturedStderr();
  ::testing::internal::GetCapturedStdout();
  return exit;
}

// A config file `name` in the test's temporary directory holding `text`; returns its path.
inline std::string ConfigFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

// The text of the file at `path` ("" if it cannot be read).
inline std::string FileText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `example` (a config file as a package installs it) with every setting it shows commented out
// ("#name = value", no space after '#') made active; *settings counts them.
inline std::string Uncommented(const std::string& example, int* settings) {
  std::string uncommented;
  std::istringstream lines(example);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > 1 && line[0] == '#' && line[1] != ' ' &&
        line.find(" = ") != std::string::npos) {
      line = line.substr(1);
      ++*settings;
    }
    uncommented += line + "\n";
  }
  return uncommented;
}

}  // namespace timeledger::testing

#endif  // TIMELEDGER_TESTS_SUPPORT_COMMAND_LINE_H_
