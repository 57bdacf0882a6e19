// The exit codes of the `timeledger` staff CLI, the same for every command.
//
// Scripts that drive the CLI branch on these, so they never change meaning:
//   0  the server did what was asked
//   1  the server refused or failed the request (it says why on stderr)
//   2  the command line itself is wrong (nothing was sent to the server)
//   3  the server could not be reached, or did not answer in time; retry later
#ifndef TIMELEDGER_CLIENTS_CLI_EXIT_CODE_H_
#define TIMELEDGER_CLIENTS_CLI_EXIT_CODE_H_

namespace timeledger::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_EXIT_CODE_H_
