// A bank's journal read page by page, and each fact's line in the JSON Lines form of
// `timeledger export journal` (which clients/verify_export.py checks): for `export journal` and
// `export member` (audit_commands.cc defines them).
#ifndef TIMELEDGER_CLIENTS_CLI_JOURNAL_EXPORT_H_
#define TIMELEDGER_CLIENTS_CLI_JOURNAL_EXPORT_H_

#include <string>

#include "absl/functional/function_ref.h"
#include <grpcpp/grpcpp.h>

#include "clients/cli/connection.h"
#include "timeledger/v1/audit.pb.h"

namespace timeledger::cli {

// One fact as a line of the export: its fields, canonical bytes in hex, leaf and chain hash.
std::string JournalExportLine(const v1::JournalRecord& record);

// Reads the bank's digest now into *digest and hands it to on_digest, then every fact up to it,
// in position order, to on_record. Returns the first failed call's status, INTERNAL if the
// server's pages do not advance, DATA_LOSS if they held fewer facts than the digest.
grpc::Status ForEachJournalRecord(const Connection& connection, const std::string& bank_id,
                                  v1::Digest* digest,
                                  absl::FunctionRef<void(const v1::Digest&)> on_digest,
                                  absl::FunctionRef<void(const v1::JournalRecord&)> on_record);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_JOURNAL_EXPORT_H_
