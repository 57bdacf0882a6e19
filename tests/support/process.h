// Helpers for end-to-end tests that run the real binaries as child processes: the environment,
// a file's text, starting a program with its output to a log, and waiting for its exit status.
// Header-only; each function is independent and thread-safe where the C library calls are.
#ifndef TIMELEDGER_TESTS_SUPPORT_PROCESS_H_
#define TIMELEDGER_TESTS_SUPPORT_PROCESS_H_

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>

namespace timeledger::testing {

// The variable's value, or "" if it is not set.
inline std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// The whole text of `path`, or "" if it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Starts `argv` (argv[0] a path) with stdout and stderr to `log`; returns its pid.
inline pid_t Spawn(const std::vector<std::string>& argv, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// Waits for `pid`; returns its exit status, or 128 + the signal that ended it.
inline int WaitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace timeledger::testing

#endif  // TIMELEDGER_TESTS_SUPPORT_PROCESS_H_
