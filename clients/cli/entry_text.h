// Entries of the ledger in plain words: who gave time to whom, and what kind of entry it is.
// Pure functions over generated protobuf types; thread-safe.
#ifndef TIMELEDGER_CLIENTS_CLI_ENTRY_TEXT_H_
#define TIMELEDGER_CLIENTS_CLI_ENTRY_TEXT_H_

#include <string>

#include "timeledger/v1/types.pb.h"

namespace timeledger::cli {

// One sentence saying which way the time went, in the terms of the entry's kind, e.g.
// "Alice Brown (alice) gave 1 hour 30 minutes of gardening to Bob Smith (bob)." The labels
// name the paying (from) and earning (to) accounts.
std::string DescribeEntry(const timeledger::v1::Entry& entry, const std::string& from_label,
                          const std::string& to_label);

// The kind for a table cell: "exchange", "exchange (reversed)", "reversal of 12".
std::string EntryKindCell(const timeledger::v1::Entry& entry);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_ENTRY_TEXT_H_
