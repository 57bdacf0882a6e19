// The load generator's workloads: for each, a CallFactory that the driver (bench/driver.h) runs.
//
//   health        grpc.health.v1.Health/Check, service "": the transport's ceiling
//   record        Ledger.RecordEntry, one EXCHANGE between a pair of bench accounts (ExchangePlan)
//   record-batch  Ledger.RecordEntries, batch_size such entries, atomic=false; counts entries
//   get-account   Accounts.GetAccount of a random bench account (the kiosk's balance check)
//   open-account  Accounts.OpenAccount of bench account `index` (PERSON, MEMBER), used by setup
//
// Every entry gets a unique entry_id ("<run_id>-<plan index>"), so no call is an idempotent
// replay, and follows the ExchangePlan, so no entry breaks a rule of the default policy.
// A failed RPC, and a refused item of a batch, is a failed operation with its reason: the gRPC code
// name, followed by the google.rpc.ErrorInfo reason when the server sent one.
//
// Thread-safety: a factory may be called from one thread; the calls it makes share only immutable
// state (the config), so they may run on different polling threads.
#ifndef TIMELEDGER_BENCH_WORKLOADS_H_
#define TIMELEDGER_BENCH_WORKLOADS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "bench/driver.h"
#include "bench/exchange_plan.h"

namespace timeledger::bench {

struct WorkloadConfig {
  std::vector<std::shared_ptr<grpc::Channel>> channels;  // slot i uses channels[i % size]
  std::string bank_id;
  std::vector<std::string> account_ids;  // the bench accounts, see AccountIds()
  int batch_size = 100;                  // record-batch only
  std::string run_id;                    // prefix of entry ids; unique per run
  // record and record-batch: operation i records the plan's entries first_entry + i * batch_size
  // onwards, dated days_back days before anchor_unix_seconds (a UTC midnight), at noon UTC.
  ExchangePlan plan{2, 1};
  int64_t first_entry = 0;
  int64_t anchor_unix_seconds = 0;
  std::vector<std::pair<std::string, std::string>> metadata;  // sent on every call
  uint64_t seed = 1;
  // record: called on a polling thread with each recorded entry's seq as its reply arrives (the
  // watch workload's acknowledgement times, bench/watch_bench.h); unset: not called.
  std::function<void(uint64_t seq)> on_recorded;
};

// Returns the ids of the bench accounts 0 .. count-1: "<prefix>0000000", "<prefix>0000001", ...
std::vector<std::string> AccountIds(const std::string& prefix, int64_t count);

// Returns the factory of the named workload, or nullptr if there is no such workload.
CallFactory MakeWorkload(const std::string& name, std::shared_ptr<const WorkloadConfig> config);

// Returns the failure reason of a status: "NOT_FOUND", or "FAILED_PRECONDITION/OVERDRAFT_LIMIT"
// when the status carries a google.rpc.ErrorInfo.
std::string ReasonOf(const grpc::Status& status);

}  // namespace timeledger::bench

#endif  // TIMELEDGER_BENCH_WORKLOADS_H_
