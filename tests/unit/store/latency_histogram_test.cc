#include "store/latency_histogram.h"

#include <gtest/gtest.h>

namespace spate::store {
namespace {

using std::chrono::microseconds;

TEST(LatencyHistogramTest, EachObservationLandsInTheFirstBucketThatHoldsIt) {
  LatencyHistogram h;
  h.Record(microseconds(10));              // <= 50 µs
  h.Record(microseconds(50));              // the bound itself belongs to its bucket
  h.Record(microseconds(51));              // <= 100 µs
  h.Record(microseconds(3000));            // <= 5 ms
  h.Record(microseconds(2000000));         // slower than the last bound: +Inf
  h.Record(std::chrono::nanoseconds(-5));  // a clock step backwards counts as zero
  EXPECT_EQ(h.bucket(0), 3u);
  EXPECT_EQ(h.bucket(1), 1u);
  EXPECT_EQ(h.bucket(6), 1u);  // 5000 µs
  EXPECT_EQ(h.bucket(LatencyHistogram::kBoundsUs.size()), 1u);
  uint64_t total = 0;
  for (size_t i = 0; i <= LatencyHistogram::kBoundsUs.size(); ++i) total += h.bucket(i);
  EXPECT_EQ(total, 6u);
  EXPECT_EQ(h.sum_ns(), (10 + 50 + 51 + 3000 + 2000000) * 1000u);
}

}  // namespace
}  // namespace spate::store
