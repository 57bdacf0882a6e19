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
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool Worker::Submit(Job job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || jobs_.size() >= waiting_max_) return false;
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void Worker::Loop() {
  auto next_task = std::chrono::steady_clock::now() + period_;
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      const auto ready = [this] { return stopping_ || !jobs_.empty(); };
      const bool woken =
          task_ == nullptr ? (cv_.wait(lock, ready), true) : cv_.wait_until(lock, next_task, ready);
      if (!woken) {
        lock.unlock();
        task_();
        next_task = std::chrono::steady_clock::now() + period_;
        continue;
      }
      if (jobs_.empty()) return;  // stopping, and everything queued has run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    std::move(job)();
  }
}

}  // namespace timeledger::ledger
