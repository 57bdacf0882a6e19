// The metrics registry and its text (common/metrics.h), checked with the tests' own parser of the
// format (tests/support/metrics_text.h): escaping of help and label values, cumulative histogram
// buckets, the bound on a family's series; and the parser refuses what a scraper would.
#include "common/metrics.h"

#include <string>

#include <gtest/gtest.h>

#include "tests/support/metrics_text.h"

namespace timeledger::common {
namespace {

using testing::MetricsPage;
using testing::ParseMetricsText;

TEST(MetricsTest, TheTextParsesWithItsEscapesAndCumulativeBuckets) {
  Registry registry;
  Counter& started = registry.AddCounter("demo_started_total", "a help with \\ and\na newline");
  CounterFamily& calls =
      registry.AddCounterFamily("demo_calls_total", "calls by name", {"name", "code"});
  Histogram& seconds = registry.AddHistogram("demo_seconds", "durations", {0.1, 1, 10});
  registry.AddCollector([](MetricsText& text) {
    text.Family("demo_depth", "read at the scrape", "gauge");
    text.Sample("demo_depth", {}, 2.5);
  });
  started.Add(3);
  calls.With({"say \"hi\"\n\\", "OK"}).Add();
  calls.With({"say \"hi\"\n\\", "OK"}).Add(2);
  seconds.Observe(0.05);
  seconds.Observe(0.5);
  seconds.Observe(100);

  const std::string text = registry.Render();
  EXPECT_NE(text.find("# HELP demo_started_total a help with \\\\ and\\na newline\n"),
            std::string::npos)
      << text;
  MetricsPage page;
  ASSERT_EQ(ParseMetricsText(text, &page), "") << text;
  EXPECT_EQ(page.Value("demo_started_total"), 3);
  EXPECT_EQ(page.Value("demo_calls_total", {{"name", "say \"hi\"\n\\"}, {"code", "OK"}}), 3);
  EXPECT_EQ(page.Value("demo_seconds_bucket", {{"le", "0.1"}}), 1);
  EXPECT_EQ(page.Value("demo_seconds_bucket", {{"le", "1"}}), 2);
  EXPECT_EQ(page.Value("demo_seconds_bucket", {{"le", "10"}}), 2);
  EXPECT_EQ(page.Value("demo_seconds_bucket", {{"le", "+Inf"}}), 3);
  EXPECT_EQ(page.Value("demo_seconds_count"), 3);
  EXPECT_DOUBLE_EQ(page.Value("demo_seconds_sum"), 100.55);
  EXPECT_EQ(page.Value("demo_depth"), 2.5);
  EXPECT_EQ(page.types.at("demo_seconds"), "histogram");
}

TEST(MetricsTest, AFamilyKeepsABoundedNumberOfSeries) {
  Registry registry;
  CounterFamily& calls = registry.AddCounterFamily("demo_calls_total", "calls", {"rpc"});
  for (size_t i = 0; i < CounterFamily::kSeriesMax + 100; ++i) {
    calls.With({"/made.up/Method" + std::to_string(i)}).Add();
  }
  MetricsPage page;
  ASSERT_EQ(ParseMetricsText(registry.Render(), &page), "");
  EXPECT_EQ(page.samples.size(), CounterFamily::kSeriesMax + 1);
  EXPECT_EQ(page.Value("demo_calls_total", {{"rpc", "other"}}), 100);
  EXPECT_EQ(page.Value("demo_calls_total", {{"rpc", "/made.up/Method0"}}), 1);
}

TEST(MetricsTest, NamesAreCheckedAsPrometheusDoes) {
  EXPECT_TRUE(IsMetricName("timeledger_rpcs_total"));
  EXPECT_TRUE(IsMetricName("a:b"));
  EXPECT_FALSE(IsMetricName("9lives"));
  EXPECT_FALSE(IsMetricName("with-dash"));
  EXPECT_FALSE(IsMetricName(""));
  EXPECT_TRUE(IsLabelName("reason"));
  EXPECT_FALSE(IsLabelName("a:b"));
  EXPECT_FALSE(IsLabelName("__reserved"));
}

// The parser is only worth its checks if it refuses what Prometheus refuses.
TEST(MetricsTest, TheTestParserRefusesBrokenText) {
  const std::string kType = "# TYPE h histogram\n";
  for (const std::string& bad : {
           std::string("x 1\n"),                           // no TYPE
           std::string("# TYPE x counter\nx{a=\"1} 1\n"),  // unterminated label
           std::string("# TYPE x counter\nx one\n"),       // not a number
           std::string("# TYPE x counter\n9x 1\n"),        // invalid name
           std::string("# TYPE x counter\nx 1"),           // no final newline
           kType + "h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
           kType + "h_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",                  // no +Inf
           kType + "h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",  // no _sum
           kType + "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n",  // _count is not +Inf's
       }) {
    MetricsPage page;
    EXPECT_NE(ParseMetricsText(bad, &page), "") << bad;
  }
}

}  // namespace
}  // namespace timeledger::common
