// What a refusal from timeledgerd says beyond its code: the google.rpc.ErrorInfo (a stable reason
// and the figures behind it) that the server packs into a failed call's details. Shared by the
// programs in clients/ so that each reads refusals the same way. Pure; thread-safe.
#ifndef TIMELEDGER_CLIENTS_COMMON_ERROR_INFO_H_
#define TIMELEDGER_CLIENTS_COMMON_ERROR_INFO_H_

#include <map>
#include <optional>
#include <string>

#include "google/rpc/error_details.pb.h"
#include <grpcpp/grpcpp.h>

namespace timeledger::clients {

// The ErrorInfo in `status`'s details, or nullopt if it carries none.
std::optional<google::rpc::ErrorInfo> FindErrorInfo(const grpc::Status& status);

// A refusal's reason (e.g. CARD_LOCKED) and figures (e.g. retry_after_seconds); both empty if
// the status carries no ErrorInfo.
struct Refusal {
  std::string reason;
  std::map<std::string, std::string> figures;
};
Refusal RefusalOf(const grpc::Status& status);

}  // namespace timeledger::clients

#endif  // TIMELEDGER_CLIENTS_COMMON_ERROR_INFO_H_
