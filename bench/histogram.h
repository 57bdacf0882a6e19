// LatencyHistogram: a fixed-size log-linear histogram of latencies in nanoseconds, for the load
// generator's p50 / p99 / p999.
//
// Each power of two is split into 64 equal buckets, so a reported percentile is within 1/64 (1.6%)
// of the true value, whatever the range; memory is fixed (kBucketCount counters) however many
// samples are recorded, so a long run cannot grow without bound.
//
// Thread-safety: none. Each polling thread owns one histogram; they are merged with Merge() after
// the threads have joined.
#ifndef TIMELEDGER_BENCH_HISTOGRAM_H_
#define TIMELEDGER_BENCH_HISTOGRAM_H_

#include <array>
#include <cstdint>

namespace timeledger::bench {

class LatencyHistogram {
 public:
  // Records one latency.
  void Record(uint64_t latency_ns);

  // Adds every sample of `other` to this histogram.
  void Merge(const LatencyHistogram& other);

  // Returns the number of samples recorded.
  uint64_t count() const { return count_; }

  // Returns the largest latency recorded, exactly; 0 if empty.
  uint64_t max_ns() const { return max_ns_; }

  // Returns the latency at quantile q (0 < q <= 1), as the midpoint of the bucket holding it;
  // 0 if empty.
  uint64_t QuantileNs(double q) const;

 private:
  static constexpr int kSubBucketBits = 6;                  // 64 buckets per power of two
  static constexpr int kLinearLimit = 2 << kSubBucketBits;  // below 128 ns: one bucket per ns
  static constexpr int kBucketCount = (64 - kSubBucketBits) * (1 << kSubBucketBits) + kLinearLimit;

  // Maps a latency to its bucket, and a bucket back to the midpoint of the latencies it holds.
  static int BucketOf(uint64_t latency_ns);
  static uint64_t MidpointOf(int bucket);

  std::array<uint64_t, kBucketCount> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ns_ = 0;
};

}  // namespace timeledger::bench

#endif  // TIMELEDGER_BENCH_HISTOGRAM_H_
