// The change feed's workloads (docs/PERFORMANCE.md, "The change feed"):
//
//   watch     `watchers` streams of Audit.WatchJournal follow the bank's entries from now on while
//             the record workload runs as usual (its figures are printed as for `record`); then
//             watch_p50_us / watch_p99_us / watch_max_us: from each entry's acknowledgement (its
//             RecordEntry reply reaching the load generator) to its delivery to a watcher, over
//             every watcher and entry; watch_deliveries, and watch_missing: entries acknowledged
//             but not delivered to every watcher within 10 s of the run's end. 0 watchers: the
//             record workload alone, for the comparison.
//   catch-up  one stream from position 0 to the journal's size when it starts, every fact:
//             catchup_facts, catchup_seconds, catchup_facts_per_s.
//
// Thread-safety: each runs from the load generator's main thread; watchers are threads of their
// own, each with its own stream.
#ifndef TIMELEDGER_BENCH_WATCH_BENCH_H_
#define TIMELEDGER_BENCH_WATCH_BENCH_H_

#include <memory>
#include <string>

#include "absl/time/time.h"

#include "bench/driver.h"
#include "bench/workloads.h"

namespace timeledger::bench {

// Runs the watch workload and prints its figures; `print` prints the record run's. Returns the
// exit status: 0 if every entry was recorded and delivered.
// One watcher follows each of `watcher_channels`.
int RunWatch(std::shared_ptr<WorkloadConfig> config,
             const std::vector<std::shared_ptr<grpc::Channel>>& watcher_channels,
             const RunOptions& options, const std::function<void(const RunResult&)>& print);

// Runs the follow workload: one watcher on each of `watcher_channels` follows the bank's entries
// for `duration` (while another process records them) and prints how many it was sent. Returns
// the exit status: 0 if no stream ended before it was stopped.
int RunFollow(const WorkloadConfig& config,
              const std::vector<std::shared_ptr<grpc::Channel>>& watcher_channels,
              absl::Duration duration);

// Runs the catch-up workload (one stream from position 0; with `account_id`, only that account's
// facts, as a partner's stream is) and prints its figures. Returns the exit status.
int RunCatchUp(const WorkloadConfig& config, int timeout_ms, const std::string& account_id);

}  // namespace timeledger::bench

#endif  // TIMELEDGER_BENCH_WATCH_BENCH_H_
