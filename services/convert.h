// Translation between the wire messages of timeledger.v1 and the domain types of ledger/.
//
// Pure functions, thread-safe. From-proto functions return InvalidArgument (with a reason) for
// values the domain cannot represent: unknown enum numbers, timestamps out of range.
#ifndef TIMELEDGER_SERVICES_CONVERT_H_
#define TIMELEDGER_SERVICES_CONVERT_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include <grpcpp/grpcpp.h>

#include "ledger/core/types.h"
#include "ledger/engine/ledger.h"
#include "timeledger/v1/accounts.pb.h"
#include "timeledger/v1/banks.pb.h"
#include "timeledger/v1/ledger.pb.h"
#include "timeledger/v1/policies.pb.h"
#include "timeledger/v1/types.pb.h"

namespace timeledger::services {

// What one error carries at most, so that it always fits gRPC's 8 KiB of response metadata:
// the message travels twice, as grpc-message (percent-encoded, up to 3 bytes a byte) and inside
// grpc-status-details-bin (base64). Longer messages and figures are cut, further figures dropped.
inline constexpr size_t kErrorMessageBytesMax = 512;
inline constexpr size_t kErrorFigureBytesMax = 96;      // a figure's value, and the reason
inline constexpr size_t kErrorFigureNameBytesMax = 32;  // a figure's name
inline constexpr size_t kErrorFiguresMax = 12;

// The one place an absl::Status becomes a grpc::Status: same code and message, plus a
// google.rpc.Status in the details carrying an ErrorInfo (reason, domain, figures), each bounded
// by the limits above.
grpc::Status ToGrpcStatus(const absl::Status& status);
// The same refusal as a batch item's Problem, bounded alike.
void ToProblem(const absl::Status& status, v1::Problem* problem);

absl::StatusOr<absl::Time> FromProto(const google::protobuf::Timestamp& timestamp);
void ToProto(absl::Time time, google::protobuf::Timestamp* timestamp);

absl::StatusOr<ledger::AccountKind> FromProto(v1::AccountKind kind);
absl::StatusOr<ledger::Role> FromProto(v1::Role role);
absl::StatusOr<ledger::EntryKind> FromProto(v1::EntryKind kind);

absl::StatusOr<ledger::Account> FromProto(const v1::OpenAccountRequest& request);
// A request's roles (INVALID_ROLES for too many, INVALID_ARGUMENT for an unknown one).
absl::StatusOr<std::vector<ledger::Role>> RolesFromProto(
    const google::protobuf::RepeatedField<int>& roles);
absl::StatusOr<ledger::EntrySpec> FromProto(const v1::RecordEntryRequest& request);

void ToProto(const ledger::BankSummary& summary, v1::Bank* bank);
void ToProto(const ledger::Account& account, v1::Account* out);
void ToProto(const ledger::Entry& entry, v1::Entry* out);
void ToProto(const ledger::Receipt& receipt, v1::RecordEntryResponse* out);
void ToProto(const ledger::AccountStanding& standing, v1::Account* out);
void ToProto(const ledger::PendingEntry& pending, v1::PendingEntry* out);
void ToProto(const ledger::Policy& policy, v1::Policy* out);
// A section missing from `policy` keeps its default. Unknown enum values are InvalidArgument.
absl::StatusOr<ledger::Policy> FromProto(const v1::Policy& policy);

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_CONVERT_H_
