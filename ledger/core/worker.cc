#include "ledger/core/worker.h"

#include <utility>

#include "ledger/core/check.h"

namespace timeledger::ledger {

Worker::Worker(size_t waiting_max) : Worker(waiting_max, std::chrono::milliseconds(0), nullptr) {}

Worker::Worker(size_t waiting_max, std::chrono::milliseconds period, Task task)
    : waiting_max_(waiting_max), period_(period), task_(std::move(task)) {
  TL_CHECK(task_ == nullptr || period_.count() > 0);
  thread_ = std::thread([this] { Loop(); });
}

Worker::~Worker() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

bool Worker::Submit(Job job) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ || jobs_.size() >= waiting_max_) return false;
    jobs_.push_back(std::move(job));
  }
  return true;
}

void Worker::Loop() {
  auto next_task = std::chrono::steady_clock::now() + period_;
  for (;;) {
    Job job;
    bool task_due = false;
    {
      absl::MutexLock lock(&mu_);
      const absl::Condition ready(this, &Worker::Ready);
      task_due = task_ == nullptr
                     ? (mu_.Await(ready), false)
                     : !mu_.AwaitWithTimeout(
                           ready, absl::FromChrono(next_task - std::chrono::steady_clock::now()));
      if (!task_due) {
        if (jobs_.empty()) return;  // stopping, and everything queued has run
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
    }
    if (task_due) {
      task_();
      next_task = std::chrono::steady_clock::now() + period_;
      continue;
    }
    std::move(job)();
  }
}

}  // namespace timeledger::ledger
