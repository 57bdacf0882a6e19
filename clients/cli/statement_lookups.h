// What a member's statement needs from the server besides its entries: the language to write it
// in (--language, else the one a coordinator set for the member, else English) and the bank
// catalogue's titles of what entries were for. Used by `statement` and `statement-report`.
//
// Not thread-safe, as Connection is not.
#ifndef TIMELEDGER_CLIENTS_CLI_STATEMENT_LOOKUPS_H_
#define TIMELEDGER_CLIENTS_CLI_STATEMENT_LOOKUPS_H_

#include <optional>
#include <string>

#include "clients/cli/command_line.h"
#include "clients/cli/connection.h"
#include "clients/cli/statement_words.h"

namespace timeledger::cli {

// The --language option of the statement commands.
inline constexpr FlagSpec kStatementLanguageFlag = {
    "language", "TAG",
    "write it in this language (en, bn, ar or pl); default: the member's kiosk language"};

// The words of `account_id`'s statement: the language from --language, or the member's card
// (Kiosk.GetMemberCard; English if none is set, or from a server too old to say), and the
// bank's catalogue titles. On failure reports it (a usage error for a --language statements are
// not written in) and returns nullopt with `*exit_code` set.
std::optional<StatementWords> StatementWordsFor(const ParsedArgs& args, Connection& connection,
                                                const std::string& bank_id,
                                                const std::string& account_id, int* exit_code);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_STATEMENT_LOOKUPS_H_
