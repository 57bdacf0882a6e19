// Metrics in Prometheus's text exposition format (version 0.0.4), kept in this one file: the
// registry of counters, counter families (by label values) and histograms, families read from
// elsewhere at each scrape (collectors), and the text itself with its escaping. Debian 12 packages
// no Prometheus client library; the format is small (https://prometheus.io/docs/instrumenting/
// exposition_formats/).
//
// Counting is cheap: a Counter and a Histogram are atomics, added to with relaxed order from any
// thread; a CounterFamily finds its series under a shared lock. Families are registered once,
// when their owner is made, then rendered any number of times. Thread-safe.
#ifndef TIMELEDGER_COMMON_METRICS_H_
#define TIMELEDGER_COMMON_METRICS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

namespace timeledger::common {

// The Content-Type of the text format.
inline constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// Label names and values of one series, in the order written.
using Labels = std::vector<std::pair<std::string, std::string>>;

// Whether `name` may name a metric ([a-zA-Z_:][a-zA-Z0-9_:]*) or a label ([a-zA-Z_][a-zA-Z0-9_]*,
// not beginning with "__", which Prometheus keeps for itself).
bool IsMetricName(absl::string_view name);
bool IsLabelName(absl::string_view name);

// Writes the text format: one family's "# HELP" and "# TYPE" lines, then its samples. Names must
// be valid (checked: a bad name is a programming error and aborts); help and label values are
// escaped here.
class MetricsText {
 public:
  // type: "counter", "gauge" or "histogram".
  void Family(absl::string_view name, absl::string_view help, absl::string_view type);
  void Sample(absl::string_view name, const Labels& labels, double value);
  void Sample(absl::string_view name, const Labels& labels, uint64_t value);
  // One histogram series: NAME_bucket for each bound (ascending) and +Inf, cumulative, then
  // NAME_sum and NAME_count. `counts` has one count per bound and one more above the last.
  void Histogram(absl::string_view name, const Labels& labels, absl::Span<const double> bounds,
                 absl::Span<const uint64_t> counts, double sum);

  std::string Take() { return std::move(text_); }

 private:
  void Series(absl::string_view name, const Labels& labels);
  std::string text_;
};

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Counters by their label values, each made on first use. A family holds at most kSeriesMax
// series: the values come from callers (an RPC's name, a reason), and a scrape must stay small
// whatever they send, so beyond it every new combination is counted under values "other".
class CounterFamily {
 public:
  static constexpr size_t kSeriesMax = 512;

  explicit CounterFamily(std::vector<std::string> label_names);
  // The counter of `values`, one per label name. The reference stays valid as long as the family.
  Counter& With(const std::vector<std::string>& values) ABSL_LOCKS_EXCLUDED(mu_);
  void Render(absl::string_view name, MetricsText& text) const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const std::vector<std::string> label_names_;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Counter>> series_ ABSL_GUARDED_BY(mu_);
};

// Observations counted into fixed buckets (upper bounds, ascending), with their sum.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  void Render(absl::string_view name, MetricsText& text) const;

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1: the last for +Inf
  std::atomic<double> sum_{0};
};

class Registry {
 public:
  // Each adds a family, rendered in the order added; the reference lives as long as the registry.
  Counter& AddCounter(std::string name, std::string help) ABSL_LOCKS_EXCLUDED(mu_);
  CounterFamily& AddCounterFamily(std::string name, std::string help,
                                  std::vector<std::string> label_names) ABSL_LOCKS_EXCLUDED(mu_);
  Histogram& AddHistogram(std::string name, std::string help, std::vector<double> bounds)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Families whose figures live elsewhere (a gauge read at the scrape, another module's
  // counters): `collect` writes them whole, "# HELP" and "# TYPE" included, at each Render. It
  // runs on the rendering thread and must not block for long.
  void AddCollector(std::function<void(MetricsText&)> collect) ABSL_LOCKS_EXCLUDED(mu_);

  // Every family, in the text format.
  std::string Render() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Family {
    std::string name;
    std::string help;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<CounterFamily> counters;
    std::unique_ptr<Histogram> histogram;
    std::function<void(MetricsText&)> collect;
  };
  Family& Add(Family family) ABSL_LOCKS_EXCLUDED(mu_);

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Family>> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace timeledger::common

#endif  // TIMELEDGER_COMMON_METRICS_H_
