// The one worker loop: jobs in order, a bounded queue, a periodic task, and a destructor that
// finishes what it accepted.
#include "ledger/core/worker.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

namespace timeledger::ledger {
namespace {

TEST(WorkerTest, RunsJobsInTheOrderSubmitted) {
  std::vector<int> order;
  {
    Worker worker(10);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(worker.Submit([&order, i] { order.push_back(i); }));
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(WorkerTest, RefusesAJobWhenWaitingMaxJobsWait) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::atomic<int> ran{0};
  {
    Worker worker(2);
    ASSERT_TRUE(worker.Submit([&] {
      started.set_value();
      released.wait();
      ++ran;
    }));
    started.get_future().wait();  // the first job runs, so none waits
    EXPECT_TRUE(worker.Submit([&] { ++ran; }));
    EXPECT_TRUE(worker.Submit([&] { ++ran; }));
    EXPECT_FALSE(worker.Submit([&] { ++ran; }));
    release.set_value();
  }
  EXPECT_EQ(ran.load(), 3);  // the accepted ones all ran before the destructor returned
}

TEST(WorkerTest, RunsThePeriodicTaskUntilDestroyed) {
  std::mutex mu;
  std::condition_variable cv;
  int ticks = 0;
  {
    Worker worker(1, std::chrono::milliseconds(1), [&] {
      std::lock_guard<std::mutex> lock(mu);
      ++ticks;
      cv.notify_all();
    });
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return ticks >= 3; }));
  }
  std::lock_guard<std::mutex> lock(mu);
  const int ticks_at_stop = ticks;
  EXPECT_GE(ticks_at_stop, 3);
}

TEST(WorkerTest, DestroyingBeforeThePeriodEndsSkipsTheTask) {
  std::atomic<int> ticks{0};
  std::atomic<bool> job_ran{false};
  {
    Worker worker(1, std::chrono::hours(24), [&] { ++ticks; });
    ASSERT_TRUE(worker.Submit([&] { job_ran = true; }));
  }
  EXPECT_TRUE(job_ran.load());
  EXPECT_EQ(ticks.load(), 0);
}

}  // namespace
}  // namespace timeledger::ledger
