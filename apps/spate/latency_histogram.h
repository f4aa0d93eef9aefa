#pragma once

#include <array>
#include <cstdint>

// Latencies in nanoseconds, bucketed log-linearly: exact below 64 ns, then 64 buckets per power
// of two (about 1.6% resolution), so percentiles of millions of samples cost 30 KiB and no sort.
// Threading: not thread-safe; each client records into its own and Merge() combines them.
namespace spate::cli {

class LatencyHistogram {
 public:
  void Record(int64_t ns);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  int64_t mean() const { return count_ == 0 ? 0 : static_cast<int64_t>(sum_ / count_); }
  // The value below which a fraction `q` (0..1) of the samples fall, within one bucket's width.
  int64_t Percentile(double q) const;

 private:
  static constexpr int kSubBits = 6;
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kBuckets = kSub + (64 - kSubBits) * kSub;
  static int BucketOf(uint64_t v);
  static uint64_t BucketMid(int bucket);

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  double sum_ = 0;
  int64_t min_ = INT64_MAX, max_ = 0;
};

}  // namespace spate::cli
