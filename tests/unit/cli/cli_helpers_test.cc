#include <gtest/gtest.h>

#include "format.h"
#include "latency_histogram.h"
#include "parse_units.h"
#include "table.h"

namespace spate::cli {
namespace {

using std::chrono::nanoseconds;

TEST(ParseDurationTest, GoStyleUnitsAndCombinations) {
  EXPECT_EQ(*ParseDuration("500ms"), nanoseconds(500'000'000));
  EXPECT_EQ(*ParseDuration("1h30m"), nanoseconds(int64_t{5400} * 1'000'000'000));
  EXPECT_EQ(*ParseDuration("2d"), nanoseconds(int64_t{172800} * 1'000'000'000));
  EXPECT_EQ(*ParseDuration("1.5s"), nanoseconds(1'500'000'000));
  EXPECT_EQ(*ParseDuration("7"), nanoseconds(7'000'000'000));  // a bare number: seconds
  EXPECT_EQ(*ParseDuration("250us"), nanoseconds(250'000));
}

TEST(ParseDurationTest, RejectsGarbage) {
  for (const char* bad : {"", "soon", "5x", "1h5", "ms", "-1s"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(ParseSizeTest, BinaryUnitsAndUnlimited) {
  EXPECT_EQ(*ParseSize("1024"), 1024);
  EXPECT_EQ(*ParseSize("64KB"), 64 * 1024);
  EXPECT_EQ(*ParseSize("10MiB"), 10 * 1024 * 1024);
  EXPECT_EQ(*ParseSize("1g"), int64_t{1} << 30);
  EXPECT_EQ(*ParseSize("-1"), -1);
  EXPECT_FALSE(ParseSize("lots").ok());
  EXPECT_FALSE(ParseSize("5XB").ok());
}

TEST(LatencyHistogramTest, PercentilesWithinOneBucket) {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 100000; ++v) h.Record(v * 1000);  // 1µs .. 100ms, uniform
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_EQ(h.min(), 1000);
  EXPECT_EQ(h.max(), 100'000'000);
  EXPECT_NEAR(h.Percentile(0.50), 50'000'000, 50'000'000 * 0.02);
  EXPECT_NEAR(h.Percentile(0.99), 99'000'000, 99'000'000 * 0.02);
  EXPECT_NEAR(h.mean(), 50'000'500, 1000);
}

TEST(LatencyHistogramTest, MergeAddsSamplesAndSmallValuesAreExact) {
  LatencyHistogram a, b;
  a.Record(5);
  b.Record(7);
  b.Record(7);
  a.Merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.Percentile(0.34), 7);
  EXPECT_EQ(a.Percentile(0.33), 5);
  EXPECT_EQ(LatencyHistogram().Percentile(0.5), 0);
}

TEST(FormatTest, HumanNumbers) {
  EXPECT_EQ(HumanCount(1234567), "1,234,567");
  EXPECT_EQ(HumanCount(12), "12");
  EXPECT_EQ(HumanBytes(512), "512 B");
  EXPECT_EQ(HumanBytes(1536), "1.50 KiB");
  EXPECT_EQ(HumanDuration(nanoseconds(1'500'000)), "1.50ms");
  EXPECT_EQ(HumanDuration(nanoseconds(int64_t{3723} * 1'000'000'000)), "1h2m");
}

TEST(TableTest, AlignsColumnsAndRightAlignsNumbers) {
  Table t({"Name", "Msgs"});
  t.AddRow({"ORDERS", "1,234"});
  t.AddRow({"X", "5"});
  EXPECT_EQ(t.Render(),
            "Name     Msgs\n"
            "-------------\n"
            "ORDERS  1,234\n"
            "X           5\n");
}

}  // namespace
}  // namespace spate::cli
