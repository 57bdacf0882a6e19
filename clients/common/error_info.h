// What a refusal from timeledgerd says beyond its code: the google.rpc.ErrorInfo (a stable reason
// and the figures behind it) that the server packs into a failed call's details. Shared by the
// programs in clients/ so that each reads refusals the same way. Pure; thread-safe.
#ifndef TIMELEDGER_CLIENTS_COMMON_ERROR_INFO_H_
#define TIMELEDGER_CLIENTS_COMMON_ERROR_INFO_H_

#include <grpcpp/grpcpp.h>

#include <optional>

#include "google/rpc/error_details.pb.h"

namespace timeledger::clients {

// The ErrorInfo in `status`'s details, or nullopt if it carries none.
std::optional<google::rpc::ErrorInfo> FindErrorInfo(const grpc::Status& status);

}  // namespace timeledger::clients

#endif  // TIMELEDGER_CLIENTS_COMMON_ERROR_INFO_H_
