// CallLog: what timeledgerd says about each gRPC call, from one server interceptor so that no
// handler has to: one logfmt line (common/log.h) with the request id, the principal, the RPC, the
// status, the refusal's reason and the duration, and the call's counts in the metrics
// (services/server_metrics.h).
//
// A call's request id is the caller's "x-request-id" metadata if it is sane (1 to 64 of
// [A-Za-z0-9._-]), else a new one of 16 hex digits; it goes back in the initial metadata. The
// principal is the one the gate (services/access.h) authenticated, which it names through
// CallPrincipals; "-" if the call was refused before. The reason is the one ToGrpcStatus put in
// the status's google.rpc.ErrorInfo, or the status code's name. Nothing of a request's content,
// metadata or refusal message is logged: a PIN, a token or a card number has no way in.
//
// Thread-safe. The factory and what it borrows must outlive the grpc::Server it is built into.
#ifndef TIMELEDGER_SERVICES_CALL_LOG_H_
#define TIMELEDGER_SERVICES_CALL_LOG_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include "common/metrics.h"

namespace timeledger::services {

inline constexpr char kRequestIdMetadata[] = "x-request-id";
inline constexpr size_t kRequestIdBytesMax = 64;

// Whether `id` may be taken as a request id: 1 to kRequestIdBytesMax of [A-Za-z0-9._-].
bool IsSaneRequestId(absl::string_view id);

// Who each call in flight is, as the gate found it. A call is known from the interceptor's
// creation (Open) to its end (Close): the map holds only calls in flight.
class CallPrincipals {
 public:
  void Open(const grpc::ServerContextBase* call) ABSL_LOCKS_EXCLUDED(mu_);
  // Names the principal of `call` ("name@bank"), if it is open; a call made without the
  // interceptor (a test's own server) is not kept.
  void Name(const grpc::ServerContextBase* call, std::string principal) ABSL_LOCKS_EXCLUDED(mu_);
  // The principal named, or "" if none; forgets the call.
  std::string Close(const grpc::ServerContextBase* call) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<const grpc::ServerContextBase*, std::string> open_ ABSL_GUARDED_BY(mu_);
};

// The metric families a call counts in (owned by ServerMetrics).
struct RpcCounters {
  common::CounterFamily* calls;     // by rpc and code
  common::CounterFamily* refusals;  // by rpc and reason
  common::Histogram* seconds;       // every call's duration
};

class CallLogFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  CallLogFactory(CallPrincipals* principals, RpcCounters counters)
      : principals_(principals), counters_(counters) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  CallPrincipals* principals_;
  const RpcCounters counters_;
};

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_CALL_LOG_H_
