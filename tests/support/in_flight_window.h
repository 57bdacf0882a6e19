// InFlightWindow: bounds the calls one client thread has in flight (a closed loop of at most
// `max`), for the tests that drive a ledger or a server with many concurrent writes. Acquire
// before a call, Release when it completes (on whichever thread completes it), Drain to wait for
// all to complete. Thread-safe.
#ifndef TIMELEDGER_TESTS_SUPPORT_IN_FLIGHT_WINDOW_H_
#define TIMELEDGER_TESTS_SUPPORT_IN_FLIGHT_WINDOW_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace timeledger::testing {

class InFlightWindow {
 public:
  explicit InFlightWindow(int max) : max_(max) {}

  void Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ < max_; });
    ++in_flight_;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --in_flight_;
    }
    cv_.notify_all();
  }
  // Waits until no call is in flight.
  void Drain() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ == 0; });
  }
  // Returns false if calls are still in flight after `timeout`.
  bool Drain(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return in_flight_ == 0; });
  }

 private:
  const int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
};

}  // namespace timeledger::testing

#endif  // TIMELEDGER_TESTS_SUPPORT_IN_FLIGHT_WINDOW_H_
