// A journal fact on the wire, as a v1::JournalRecord (audit.proto): built as a message
// (ToProto: Audit.ListJournal, proofs, exports), or written straight as its serialised bytes
// (AppendJournalRecord: the change feed, which sends every fact of a journal and cannot afford a
// message object and its allocations per fact). Both give the same message; the body's fields
// are found by name (ledger/journal/fact.h VisitBody names them as audit.proto does), so a new
// type of fact needs nothing here, only its message in audit.proto.
//
// Pure; thread-safe (AppendJournalRecord keeps scratch memory per thread).
#ifndef TIMELEDGER_SERVICES_JOURNAL_RECORD_CONVERT_H_
#define TIMELEDGER_SERVICES_JOURNAL_RECORD_CONVERT_H_

#include <string>

#include "ledger/journal/fact.h"
#include "ledger/store/store.h"
#include "timeledger/v1/audit.pb.h"

namespace timeledger::services {

// `fact` (decoded from `record`) as a message.
void ToProto(const ledger::JournalRecord& record, const ledger::Fact& fact, v1::JournalRecord* out);

// Appends to `out` the serialised v1::JournalRecord of `fact`, the message ToProto builds.
void AppendJournalRecord(const ledger::JournalRecord& record, const ledger::Fact& fact,
                         std::string* out);

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_JOURNAL_RECORD_CONVERT_H_
