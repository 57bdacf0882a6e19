#include "bench/driver.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>
#include <vector>

namespace timeledger::bench {
namespace {

using Clock = std::chrono::steady_clock;

// One in-flight position: its call and when its current RPC started. The address of a Slot is the
// completion-queue tag of its RPC.
struct Slot {
  std::unique_ptr<Call> call;
  Clock::time_point started;
};

// State every polling thread reads; next_index is the only thing they write.
struct Schedule {
  std::atomic<int64_t> next_index{0};
  int64_t count = 0;  // > 0: stop after this many calls
  Clock::time_point window_start;
  Clock::time_point window_end;
  std::chrono::milliseconds call_timeout{0};
};

// Starts the slot's next RPC unless the run is over; returns whether it started one.
bool StartNext(Slot& slot, grpc::CompletionQueue* cq, Schedule& schedule) {
  const Clock::time_point now = Clock::now();
  int64_t index = 0;
  if (schedule.count > 0) {
    index = schedule.next_index.fetch_add(1, std::memory_order_relaxed);
    if (index >= schedule.count) return false;
  } else {
    if (now >= schedule.window_end) return false;
    index = schedule.next_index.fetch_add(1, std::memory_order_relaxed);
  }
  slot.started = now;
  slot.call->Start(cq, &slot, index, std::chrono::system_clock::now() + schedule.call_timeout);
  return true;
}

// Adds one finished call to the thread's tally, if it finished inside the measured window.
void Tally(const Slot& slot, Outcome outcome, Clock::time_point finished, const Schedule& schedule,
           RunResult& tally) {
  if (schedule.count == 0 &&
      (finished < schedule.window_start || finished >= schedule.window_end)) {
    return;
  }
  ++tally.calls;
  tally.ops_ok += outcome.ops_ok;
  tally.ops_failed += outcome.ops_failed;
  tally.latency.Record(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(finished - slot.started).count()));
  if (outcome.ops_failed > 0) {
    for (const auto& [reason, count] : outcome.failures) tally.errors[reason] += count;
    if (tally.first_error_message.empty() && !outcome.failures.empty()) {
      tally.first_error_message = outcome.failures.begin()->first + ": " + outcome.error_message;
    }
  }
}

// The body of one polling thread: starts its slots, then restarts each as it finishes until the
// run is over, and drains its queue.
void Poll(std::vector<Slot*> slots, grpc::CompletionQueue* cq, Schedule& schedule,
          RunResult& tally) {
  int in_flight = 0;
  for (Slot* slot : slots) {
    if (StartNext(*slot, cq, schedule)) ++in_flight;
  }
  void* tag = nullptr;
  bool ok = false;
  while (in_flight > 0 && cq->Next(&tag, &ok)) {
    Slot& slot = *static_cast<Slot*>(tag);
    Outcome outcome = slot.call->Finish(ok);
    Tally(slot, std::move(outcome), Clock::now(), schedule, tally);
    if (!StartNext(slot, cq, schedule)) --in_flight;
  }
  cq->Shutdown();
  while (cq->Next(&tag, &ok)) {
  }
}

void MergeInto(RunResult& total, const RunResult& part) {
  total.calls += part.calls;
  total.ops_ok += part.ops_ok;
  total.ops_failed += part.ops_failed;
  for (const auto& [reason, count] : part.errors) total.errors[reason] += count;
  if (total.first_error_message.empty()) total.first_error_message = part.first_error_message;
  total.latency.Merge(part.latency);
}

}  // namespace

RunResult Run(const RunOptions& options, const CallFactory& factory) {
  const int concurrency = std::max(1, options.concurrency);
  const int threads = std::clamp(options.threads, 1, concurrency);

  // The queues outlive the calls that were started on them.
  std::vector<std::unique_ptr<grpc::CompletionQueue>> queues;
  std::vector<Slot> slots(static_cast<size_t>(concurrency));
  for (int i = 0; i < concurrency; ++i) slots[static_cast<size_t>(i)].call = factory(i);
  std::vector<std::vector<Slot*>> slots_of_queue(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) queues.push_back(std::make_unique<grpc::CompletionQueue>());
  for (int i = 0; i < concurrency; ++i) {
    slots_of_queue[static_cast<size_t>(i % threads)].push_back(&slots[static_cast<size_t>(i)]);
  }

  Schedule schedule;
  schedule.count = options.count;
  schedule.call_timeout = options.call_timeout;
  const Clock::time_point begin = Clock::now();
  const auto to_duration = [](double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  };
  schedule.window_start = begin + to_duration(options.count > 0 ? 0 : options.warmup_seconds);
  schedule.window_end = schedule.window_start + to_duration(options.seconds);

  std::vector<RunResult> tallies(static_cast<size_t>(threads));
  std::vector<std::thread> pollers;
  for (int t = 0; t < threads; ++t) {
    const auto i = static_cast<size_t>(t);
    pollers.emplace_back(Poll, slots_of_queue[i], queues[i].get(), std::ref(schedule),
                         std::ref(tallies[i]));
  }
  for (std::thread& poller : pollers) poller.join();

  RunResult total;
  for (const RunResult& part : tallies) MergeInto(total, part);
  const Clock::time_point end = options.count > 0 ? Clock::now() : schedule.window_end;
  const Clock::time_point start = options.count > 0 ? begin : schedule.window_start;
  total.seconds = std::chrono::duration<double>(end - start).count();
  total.issued = schedule.next_index.load();
  if (options.count > 0) total.issued = std::min(total.issued, options.count);
  return total;
}

}  // namespace timeledger::bench
