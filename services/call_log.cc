#include "services/call_log.h"

#include <utility>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

#include "common/log.h"

namespace timeledger::services {
namespace {

using grpc::experimental::InterceptionHookPoints;

// An RPC's name is the caller's to send for an unknown method: cut to this in the log and labels.
constexpr size_t kRpcNameBytesMax = 128;
// Health checks come every few seconds from a kiosk or a load balancer: counted, but only a
// failed one is logged.
constexpr absl::string_view kHealthRpcPrefix = "/grpc.health.v1.Health/";

std::string NewRequestId() {
  thread_local absl::BitGen bits;
  return absl::StrFormat("%016x", absl::Uniform<uint64_t>(bits));
}

// The reason ToGrpcStatus put in the status's ErrorInfo, or the code's name.
std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    for (const auto& detail : details.details()) {
      google::rpc::ErrorInfo info;
      if (detail.UnpackTo(&info) && !info.reason().empty()) return info.reason();
    }
  }
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()));
}

common::LogLevel LevelOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DATA_LOSS:
      return common::LogLevel::kError;
    case grpc::StatusCode::UNAVAILABLE:
      return common::LogLevel::kWarn;
    default:
      return common::LogLevel::kInfo;
  }
}

// One call's interceptor: made when the call starts, destroyed when it is done.
class CallInterceptor : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(grpc::experimental::ServerRpcInfo* info, CallPrincipals* principals,
                  RpcCounters counters)
      : call_(info->server_context()),
        rpc_(absl::string_view(info->method() == nullptr ? "" : info->method())
                 .substr(0, kRpcNameBytesMax)),
        principals_(principals),
        counters_(counters),
        started_(absl::Now()) {
    principals_->Open(call_);
  }

  ~CallInterceptor() override {
    if (!finished_) Finish(grpc::Status(grpc::StatusCode::CANCELLED, ""));
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      TakeRequestId(*methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kRequestIdMetadata, RequestId());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finish(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void TakeRequestId(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    auto it = metadata.find(kRequestIdMetadata);
    absl::MutexLock lock(&mu_);
    if (it != metadata.end()) {
      const absl::string_view sent(it->second.data(), it->second.size());
      if (IsSaneRequestId(sent)) request_id_ = std::string(sent);
    }
    if (request_id_.empty()) request_id_ = NewRequestId();
  }

  std::string RequestId() {
    absl::MutexLock lock(&mu_);
    if (request_id_.empty()) request_id_ = NewRequestId();
    return request_id_;
  }

  // Counts the call and logs its line, once.
  void Finish(const grpc::Status& status) {
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
    }
    const absl::Duration took = absl::Now() - started_;
    const std::string code =
        absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()));
    counters_.calls->With({rpc_, code}).Add();
    counters_.seconds->Observe(absl::ToDoubleSeconds(took));
    std::string principal = principals_->Close(call_);
    std::string reason;
    if (!status.ok()) {
      reason = ReasonOf(status);
      counters_.refusals->With({rpc_, reason}).Add();
    } else if (absl::StartsWith(rpc_, kHealthRpcPrefix)) {
      return;
    }
    common::LogLine line(LevelOf(status.error_code()), "rpc");
    line.Add("request_id", RequestId())
        .Add("principal", principal.empty() ? "-" : principal)
        .Add("rpc", rpc_)
        .Add("status", code);
    if (!reason.empty()) line.Add("reason", reason);
    line.AddMillis("duration_ms", took).Write();
  }

  const grpc::ServerContextBase* const call_;
  const std::string rpc_;
  CallPrincipals* const principals_;
  const RpcCounters counters_;
  const absl::Time started_;
  absl::Mutex mu_;
  std::string request_id_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

bool IsSaneRequestId(absl::string_view id) {
  if (id.empty() || id.size() > kRequestIdBytesMax) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

void CallPrincipals::Open(const grpc::ServerContextBase* call) {
  absl::MutexLock lock(&mu_);
  open_[call];
}

void CallPrincipals::Name(const grpc::ServerContextBase* call, std::string principal) {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(call);
  if (it != open_.end()) it->second = std::move(principal);
}

std::string CallPrincipals::Close(const grpc::ServerContextBase* call) {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(call);
  if (it == open_.end()) return "";
  std::string principal = std::move(it->second);
  open_.erase(it);
  return principal;
}

grpc::experimental::Interceptor* CallLogFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallInterceptor(info, principals_, counters_);
}

}  // namespace timeledger::services
