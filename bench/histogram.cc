#include "bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace timeledger::bench {

// Layout: latencies below kLinearLimit (128 ns) have a bucket each. Above, a latency whose highest
// set bit is b (b >= 7) keeps its top 7 bits, m in [64, 127], and falls in bucket
// (b - 6) * 64 + m; buckets stay contiguous from 128 upwards.
int LatencyHistogram::BucketOf(uint64_t latency_ns) {
  if (latency_ns < static_cast<uint64_t>(kLinearLimit)) return static_cast<int>(latency_ns);
  const int top_bit = std::bit_width(latency_ns) - 1;
  const int shift = top_bit - kSubBucketBits;
  const auto mantissa = static_cast<int>(latency_ns >> shift);
  return shift * (1 << kSubBucketBits) + mantissa;
}

uint64_t LatencyHistogram::MidpointOf(int bucket) {
  if (bucket < kLinearLimit) return static_cast<uint64_t>(bucket);
  const int shift = bucket / (1 << kSubBucketBits) - 1;
  const uint64_t mantissa =
      static_cast<uint64_t>(bucket % (1 << kSubBucketBits)) + (uint64_t{1} << kSubBucketBits);
  const uint64_t low = mantissa << shift;
  const uint64_t width = uint64_t{1} << shift;
  return low + width / 2;
}

void LatencyHistogram::Record(uint64_t latency_ns) {
  ++counts_[static_cast<size_t>(BucketOf(latency_ns))];
  ++count_;
  max_ns_ = std::max(max_ns_, latency_ns);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ns_ = std::max(max_ns_, other.max_ns_);
}

uint64_t LatencyHistogram::QuantileNs(double q) const {
  if (count_ == 0) return 0;
  // The rank of the sample at quantile q, 1-based: the smallest r with r / count >= q.
  const auto rank =
      static_cast<uint64_t>(std::max(1.0, std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(MidpointOf(static_cast<int>(i)), max_ns_);
  }
  return max_ns_;
}

}  // namespace timeledger::bench
