// The commands of the `timeledger` staff CLI, by area. Each function returns the static
// descriptions (command_line.h) of its commands, with the functions that run them.
#ifndef TIMELEDGER_CLIENTS_CLI_COMMANDS_H_
#define TIMELEDGER_CLIENTS_CLI_COMMANDS_H_

#include <vector>

#include "clients/cli/command_line.h"

namespace timeledger::cli {

// bank create | get | list
std::vector<CommandSpec> BankCommands();

// account open | get | list | find | change | suspend | reactivate | close | reopen | erase
std::vector<CommandSpec> AccountCommands();

// account set-card | set-pin | set-language (kiosk cards, PINs and languages, card_commands.cc)
std::vector<CommandSpec> CardCommands();

// entry record | reverse | get | list
std::vector<CommandSpec> EntryCommands();

// statement
std::vector<CommandSpec> StatementCommands();

// audit digest | verify-entry | verify-consistency | verify, export journal, backup
// (audit_commands.cc)
std::vector<CommandSpec> AuditCommands();

// export member, export bank: one member's data; a bank as the generic CSV files
// (export_commands.cc)
std::vector<CommandSpec> ExportCommands();

// policy get | validate | set | history (policy_commands.cc)
std::vector<CommandSpec> PolicyCommands();

// entry confirm | reject | pending, expiry run (pending_commands.cc)
std::vector<CommandSpec> PendingCommands();

// report | statement-report (period reports and dated statements, report_commands.cc)
std::vector<CommandSpec> ReportCommands();

// qualification define | award | list | holders, activity define, offer define | redeem,
// catalogue list | retire (qualification_commands.cc)
std::vector<CommandSpec> QualificationCommands();
// import timeoverflow | generic: a bank moved in from another system (import_commands.cc)
std::vector<CommandSpec> ImportCommands();
// token create | list | revoke, whoami (token_commands.cc)
std::vector<CommandSpec> TokenCommands();
// status: whether the server serves as it should (status_command.cc)
std::vector<CommandSpec> StatusCommands();

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_COMMANDS_H_
