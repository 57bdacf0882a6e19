#include "clients/common/error_info.h"

#include "google/rpc/status.pb.h"

namespace timeledger::clients {

std::optional<google::rpc::ErrorInfo> FindErrorInfo(const grpc::Status& status) {
  if (status.error_details().empty()) return std::nullopt;
  google::rpc::Status rich;
  if (!rich.ParseFromString(status.error_details())) return std::nullopt;
  for (const google::protobuf::Any& detail : rich.details()) {
    google::rpc::ErrorInfo info;
    if (detail.Is<google::rpc::ErrorInfo>() && detail.UnpackTo(&info)) return info;
  }
  return std::nullopt;
}

Refusal RefusalOf(const grpc::Status& status) {
  Refusal refusal;
  if (auto info = FindErrorInfo(status); info.has_value()) {
    refusal.reason = info->reason();
    refusal.figures.insert(info->metadata().begin(), info->metadata().end());
  }
  return refusal;
}

}  // namespace timeledger::clients
