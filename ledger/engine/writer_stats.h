// WriterStats: what the ledger's writer counts about itself for an operator (timeledgerd's
// metrics, services/server_metrics.h): how deep its queue is, how large its groups are and how
// long each group's synced commit takes. Plain atomics, updated by the writer (and by Submit for
// the queue) with relaxed increments and read at any time from any thread; a reader may see one
// figure a moment ahead of another. No Prometheus here: the service layer renders them.
#ifndef TIMELEDGER_LEDGER_ENGINE_WRITER_STATS_H_
#define TIMELEDGER_LEDGER_ENGINE_WRITER_STATS_H_

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace timeledger::ledger {

// Counts of values by powers of two: bucket 0 counts values up to 1, bucket i values in
// (2^(i-1), 2^i], and the last bucket everything above 2^(kBuckets - 2) too. With the count and
// the sum, that is a histogram with the bounds 1, 2, 4, ...
template <size_t kBuckets>
struct Log2Counts {
  static_assert(kBuckets >= 2 && kBuckets <= 64);
  static constexpr size_t kBucketCount = kBuckets;

  void Add(uint64_t value) {
    const size_t bucket = value <= 1 ? 0 : static_cast<size_t>(std::bit_width(value - 1));
    buckets[bucket < kBuckets ? bucket : kBuckets - 1].fetch_add(1, std::memory_order_relaxed);
    sum.fetch_add(value, std::memory_order_relaxed);
    count.fetch_add(1, std::memory_order_relaxed);
  }
  // The upper bound of bucket i (the last one's is unbounded).
  static constexpr uint64_t UpperBound(size_t i) { return uint64_t{1} << i; }

  std::array<std::atomic<uint64_t>, kBuckets> buckets{};
  std::atomic<uint64_t> sum{0};
  std::atomic<uint64_t> count{0};
};

struct WriterStats {
  // Adds the time from its construction to its destruction, in microseconds, to `counts`.
  class Timer {
   public:
    explicit Timer(Log2Counts<24>* counts) : counts_(counts), started_(absl::Now()) {}
    ~Timer() { counts_->Add(absl::ToInt64Microseconds(absl::Now() - started_)); }
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

   private:
    Log2Counts<24>* counts_;
    const absl::Time started_;
  };

  // A command was queued.
  void Queued() { queue_depth.fetch_add(1, std::memory_order_relaxed); }
  // The writer took `size` commands off the queue (into the open group; 0: it woke with nothing
  // to do).
  void Took(size_t size) {
    if (size == 0) return;
    queue_depth.fetch_sub(static_cast<int64_t>(size), std::memory_order_relaxed);
  }
  // The writer closed a group of `commands` commands, to be committed with one sync (a group of
  // expiries alone, with no command, is not counted).
  void Grouped(size_t commands) {
    if (commands > 0) group_sizes.Add(commands);
  }

  std::atomic<int64_t> queue_depth{0};  // commands queued, not yet taken by the writer
  Log2Counts<15> group_sizes;           // commands per group: 1 to 8192 (group_commit_max)
  Log2Counts<24> commit_micros;         // a group's synced commit: 1 us to 8 s and above
};

}  // namespace timeledger::ledger

#endif  // TIMELEDGER_LEDGER_ENGINE_WRITER_STATS_H_
