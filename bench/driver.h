// The closed-loop driver of the load generator: keeps `concurrency` unary calls in flight on gRPC
// completion queues, starting a new call as soon as one finishes, and tallies what came back.
//
// A workload is a CallFactory: it makes one Call per in-flight slot. A Call owns everything one
// RPC needs (context, request, response, status) and is reused for the slot's next RPC. The
// driver never blocks a thread per call: one or two polling threads drain the completion queues.
//
// Ownership: Run() owns the calls and the queues for the length of the run; the factory and the
// channels it captured must outlive Run().
// Thread-safety: Run() is called from one thread. A Call is only touched by the polling thread of
// its queue, so Call implementations need no locking; a factory's shared state (for example a
// counter of accounts opened) must be safe to read from every polling thread.
#ifndef TIMELEDGER_BENCH_DRIVER_H_
#define TIMELEDGER_BENCH_DRIVER_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "bench/histogram.h"

namespace timeledger::bench {

// What one finished RPC amounted to.
struct Outcome {
  int64_t ops_ok = 0;      // operations that succeeded: 1 for a call, entries for a batch
  int64_t ops_failed = 0;  // operations refused or failed
  // Failed operations by why: "<grpc code name>", "<grpc code name>/<ErrorInfo reason>", or
  // "ITEM/<code name>/<reason>" for a refused item of a batch. Empty when nothing failed.
  std::map<std::string, int64_t> failures;
  std::string error_message;  // the first failure's message, for diagnostics
};

// One in-flight slot's RPC. Start() is called from a polling thread with the index of the
// operation (0, 1, 2, ... across all slots), and must start exactly one async RPC on `cq` whose
// completion is tagged with `tag`; Finish() is then called once with that RPC's completion.
class Call {
 public:
  virtual ~Call() = default;
  virtual void Start(grpc::CompletionQueue* cq, void* tag, int64_t index,
                     std::chrono::system_clock::time_point deadline) = 0;
  virtual Outcome Finish(bool ok) = 0;
};

// Makes the Call for slot `slot` (0 .. concurrency-1).
using CallFactory = std::function<std::unique_ptr<Call>(int slot)>;

struct RunOptions {
  int concurrency = 1;        // calls kept in flight
  int threads = 1;            // polling threads, one completion queue each
  double seconds = 10;        // measured window; ignored when count > 0
  double warmup_seconds = 0;  // run before the window, not counted; ignored when count > 0
  int64_t count = 0;          // > 0: run exactly this many calls and count them all
  std::chrono::milliseconds call_timeout{10000};  // deadline of each call
};

struct RunResult {
  double seconds = 0;      // length of the measured window
  int64_t issued = 0;      // calls started, warm-up included: operation indexes 0 .. issued-1
  int64_t calls = 0;       // calls finished in the window
  int64_t ops_ok = 0;      // operations that succeeded in the window
  int64_t ops_failed = 0;  // operations refused or failed in the window
  std::map<std::string, int64_t> errors;  // failed operations by reason
  std::string first_error_message;
  LatencyHistogram latency;  // of every call finished in the window, ok or not
};

// Runs the workload to completion and returns the tally. Never throws; a failed RPC is an
// outcome, not an error of the run.
RunResult Run(const RunOptions& options, const CallFactory& factory);

}  // namespace timeledger::bench

#endif  // TIMELEDGER_BENCH_DRIVER_H_
