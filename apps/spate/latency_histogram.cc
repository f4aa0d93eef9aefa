#include "latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace spate::cli {

int LatencyHistogram::BucketOf(uint64_t v) {
  if (v < kSub) return static_cast<int>(v);
  const int exponent = 63 - std::countl_zero(v);  // >= kSubBits
  const int shift = exponent - kSubBits;
  const int sub = static_cast<int>((v >> shift) & (kSub - 1));
  return kSub + shift * kSub + sub;
}

uint64_t LatencyHistogram::BucketMid(int bucket) {
  if (bucket < kSub) return static_cast<uint64_t>(bucket);
  const int shift = (bucket - kSub) / kSub;
  const uint64_t sub = static_cast<uint64_t>((bucket - kSub) % kSub);
  const uint64_t low = (uint64_t{kSub} + sub) << shift;
  return low + ((uint64_t{1} << shift) >> 1);
}

void LatencyHistogram::Record(int64_t ns) {
  if (ns < 0) ns = 0;
  ++buckets_[BucketOf(static_cast<uint64_t>(ns))];
  ++count_;
  sum_ += static_cast<double>(ns);
  min_ = std::min(min_, ns);
  max_ = std::max(max_, ns);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

int64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  const uint64_t rank =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      return std::clamp(static_cast<int64_t>(BucketMid(i)), min_, max_);
    }
  }
  return max_;
}

}  // namespace spate::cli
