// Finishing a unary call from a domain result: fill the response when the result is OK, and
// finish the reactor with the translated status. Safe from any thread, including the ledger's
// writer, since gRPC's reactor may be finished from anywhere.
#ifndef TIMELEDGER_SERVICES_REPLY_H_
#define TIMELEDGER_SERVICES_REPLY_H_

#include <exception>

#include "absl/status/statusor.h"
#include <grpcpp/grpcpp.h>

#include "services/convert.h"

namespace timeledger::services {

template <typename T, typename Fill>
void Reply(grpc::ServerUnaryReactor* reactor, const absl::StatusOr<T>& result, Fill fill) {
  if (!result.ok()) {
    reactor->Finish(ToGrpcStatus(result.status()));
    return;
  }
  try {
    fill(*result);
    reactor->Finish(grpc::Status::OK);
  } catch (const std::exception& e) {
    reactor->Finish(ToGrpcStatus(absl::InternalError(e.what())));
  }
}

// Finishes `reactor` with a refusal, e.g. the gate's (services/access.h), and returns it.
inline grpc::ServerUnaryReactor* Refuse(grpc::ServerUnaryReactor* reactor,
                                        const absl::Status& status) {
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// Returns a callback for a ledger write that replies on `reactor`.
template <typename T, typename Fill>
auto ReplyLater(grpc::ServerUnaryReactor* reactor, Fill fill) {
  return
      [reactor, fill = std::move(fill)](absl::StatusOr<T> result) { Reply(reactor, result, fill); };
}

}  // namespace timeledger::services

#endif  // TIMELEDGER_SERVICES_REPLY_H_
