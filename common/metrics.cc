#include "common/metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace timeledger::common {
namespace {

// A bad name or bucket is the code's mistake, never a caller's: stop at once rather than serve a
// scrape that Prometheus refuses whole.
void Check(bool valid, absl::string_view what) {
  if (valid) return;
  std::cerr << "metrics: " << what << std::endl;
  std::abort();
}

void CheckName(bool valid, absl::string_view name) {
  Check(valid, absl::StrCat("invalid name \"", name, "\""));
}

// HELP text: backslash and newline escaped. Label values: the double quote too.
std::string Escape(absl::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// A value as Go's ParseFloat reads it: whole numbers without a point, +Inf, -Inf, NaN.
std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return absl::StrFormat("%.15g", value);
}

bool IsNameChar(char c, bool first, bool colon) {
  return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' || (colon && c == ':') ||
         (!first && absl::ascii_isdigit(static_cast<unsigned char>(c)));
}

bool IsName(absl::string_view name, bool colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, colon)) return false;
  }
  return true;
}

}  // namespace

bool IsMetricName(absl::string_view name) { return IsName(name, /*colon=*/true); }

bool IsLabelName(absl::string_view name) {
  return IsName(name, /*colon=*/false) && name.substr(0, 2) != "__";
}

void MetricsText::Family(absl::string_view name, absl::string_view help, absl::string_view type) {
  CheckName(IsMetricName(name), name);
  absl::StrAppend(&text_, "# HELP ", name, " ", Escape(help, /*quote=*/false), "\n", "# TYPE ",
                  name, " ", type, "\n");
}

void MetricsText::Series(absl::string_view name, const Labels& labels) {
  CheckName(IsMetricName(name), name);
  absl::StrAppend(&text_, name);
  if (labels.empty()) return;
  text_ += '{';
  for (size_t i = 0; i < labels.size(); ++i) {
    CheckName(IsLabelName(labels[i].first), labels[i].first);
    absl::StrAppend(&text_, i == 0 ? "" : ",", labels[i].first, "=\"",
                    Escape(labels[i].second, /*quote=*/true), "\"");
  }
  text_ += '}';
}

void MetricsText::Sample(absl::string_view name, const Labels& labels, double value) {
  Series(name, labels);
  absl::StrAppend(&text_, " ", FormatValue(value), "\n");
}

void MetricsText::Sample(absl::string_view name, const Labels& labels, uint64_t value) {
  Series(name, labels);
  absl::StrAppend(&text_, " ", value, "\n");
}

void MetricsText::Histogram(absl::string_view name, const Labels& labels,
                            absl::Span<const double> bounds, absl::Span<const uint64_t> counts,
                            double sum) {
  const std::string bucket = absl::StrCat(name, "_bucket");
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    Labels with_le = labels;
    with_le.emplace_back("le", i < bounds.size() ? FormatValue(bounds[i]) : "+Inf");
    Sample(bucket, with_le, cumulative);
  }
  Sample(absl::StrCat(name, "_sum"), labels, sum);
  Sample(absl::StrCat(name, "_count"), labels, cumulative);
}

CounterFamily::CounterFamily(std::vector<std::string> label_names)
    : label_names_(std::move(label_names)) {
  for (const std::string& label : label_names_) CheckName(IsLabelName(label), label);
}

Counter& CounterFamily::With(const std::vector<std::string>& values) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
  }
  absl::MutexLock lock(&mu_);
  std::vector<std::string> key = values;
  key.resize(label_names_.size());
  if (series_.size() >= kSeriesMax && !series_.contains(key)) {
    key.assign(label_names_.size(), "other");
  }
  std::unique_ptr<Counter>& counter = series_[key];
  if (counter == nullptr) counter = std::make_unique<Counter>();
  return *counter;
}

void CounterFamily::Render(absl::string_view name, MetricsText& text) const {
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [values, counter] : series_) {
    Labels labels;
    for (size_t i = 0; i < label_names_.size(); ++i)
      labels.emplace_back(label_names_[i], values[i]);
    text.Sample(name, labels, counter->value());
  }
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  for (size_t i = 1; i < bounds_.size(); ++i) {
    Check(bounds_[i - 1] < bounds_[i], "histogram bounds not ascending");
  }
}

void Histogram::Observe(double value) {
  size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

void Histogram::Render(absl::string_view name, MetricsText& text) const {
  std::vector<uint64_t> counts(bounds_.size() + 1);
  for (size_t i = 0; i < counts.size(); ++i) counts[i] = counts_[i].load(std::memory_order_relaxed);
  text.Histogram(name, {}, bounds_, counts, sum_.load(std::memory_order_relaxed));
}

Registry::Family& Registry::Add(Family family) {
  CheckName(IsMetricName(family.name) || family.collect != nullptr, family.name);
  absl::MutexLock lock(&mu_);
  families_.push_back(std::make_unique<Family>(std::move(family)));
  return *families_.back();
}

Counter& Registry::AddCounter(std::string name, std::string help) {
  Family family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.counter = std::make_unique<Counter>();
  return *Add(std::move(family)).counter;
}

CounterFamily& Registry::AddCounterFamily(std::string name, std::string help,
                                          std::vector<std::string> label_names) {
  Family family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.counters = std::make_unique<CounterFamily>(std::move(label_names));
  return *Add(std::move(family)).counters;
}

Histogram& Registry::AddHistogram(std::string name, std::string help, std::vector<double> bounds) {
  Family family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.histogram = std::make_unique<Histogram>(std::move(bounds));
  return *Add(std::move(family)).histogram;
}

void Registry::AddCollector(std::function<void(MetricsText&)> collect) {
  Family family;
  family.collect = std::move(collect);
  Add(std::move(family));
}

std::string Registry::Render() const {
  MetricsText text;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& family : families_) {
    if (family->collect != nullptr) {
      family->collect(text);
    } else if (family->counter != nullptr) {
      text.Family(family->name, family->help, "counter");
      text.Sample(family->name, {}, family->counter->value());
    } else if (family->counters != nullptr) {
      text.Family(family->name, family->help, "counter");
      family->counters->Render(family->name, text);
    } else {
      text.Family(family->name, family->help, "histogram");
      family->histogram->Render(family->name, text);
    }
  }
  return text.Take();
}

}  // namespace timeledger::common
