// Printing the receipt the server gives for a recorded, reversed or confirmed entry. Writes to
// stdout; uses the Connection to name accounts. Main thread only, like the Connection.
#ifndef TIMELEDGER_CLIENTS_CLI_RECEIPT_H_
#define TIMELEDGER_CLIENTS_CLI_RECEIPT_H_

#include <string>

#include "clients/cli/connection.h"
#include "timeledger/v1/ledger.pb.h"

namespace timeledger::cli {

// What a rule added to a receipt: warnings a coordinator should see, and minutes that a balance
// cap sent on to the pool.
void PrintReceiptNotes(const v1::RecordEntryResponse& receipt, const std::string& to_label);

// The receipt of an entry: `headline`, what happened and both balances after it, or, for an
// entry waiting for confirmation, whose confirmation it waits for.
void PrintReceipt(const v1::RecordEntryResponse& receipt, const std::string& headline,
                  Connection& connection);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_RECEIPT_H_
