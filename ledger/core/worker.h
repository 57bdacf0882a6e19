// Worker: one thread that runs queued jobs in order and, if asked, a task every period, until it
// is destroyed. It is the loop that long calls (verification, backups, reports), kiosk PIN
// hashing and timeledgerd's expiry sweep each need: a thread waiting on its mutex for a job, the
// next period or the stop flag.
//
// The queue is bounded (waiting_max): Submit refuses a job rather than let a burst of callers
// pile up work without limit. Destroying a Worker runs the jobs still queued (each was accepted,
// so its caller waits for an answer), skips any further periodic task, then joins the thread.
// Thread-safe; jobs and the periodic task run on the worker's thread only.
#ifndef TIMELEDGER_LEDGER_CORE_WORKER_H_
#define TIMELEDGER_LEDGER_CORE_WORKER_H_

#include <chrono>
#include <cstddef>
#include <deque>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace timeledger::ledger {

class Worker {
 public:
  using Job = absl::AnyInvocable<void() &&>;
  using Task = absl::AnyInvocable<void()>;

  // A worker for Submit()ted jobs, at most `waiting_max` of them waiting.
  explicit Worker(size_t waiting_max);

  // A worker that also runs `task` every `period` (measured from the end of the last run), the
  // first time one period after it starts.
  Worker(size_t waiting_max, std::chrono::milliseconds period, Task task);

  // Runs the jobs still queued, then joins the thread.
  ~Worker();

  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Queues `job`; returns false (dropping it) if waiting_max jobs already wait or the worker is
  // stopping.
  bool Submit(Job job) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);
  // What the thread waits for: a job, or the stop.
  bool Ready() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !jobs_.empty(); }

  const size_t waiting_max_;
  const std::chrono::milliseconds period_;
  Task task_;  // empty: no periodic task
  absl::Mutex mu_;
  std::deque<Job> jobs_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once everything above is ready
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_CORE_WORKER_H_
