#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace spate::store {

// A latency histogram with fixed bucket bounds, for monitoring (/metrics exports it in the
// Prometheus histogram shape). Record is wait-free, from any thread; readers see each counter
// on its own (a scrape may be a sample or two apart between buckets, as Prometheus allows).
class LatencyHistogram {
 public:
  // Upper bounds in microseconds: 50 µs (a sync the disk cache absorbed) to 1 s (a device that
  // stalls). Anything slower is counted in +Inf only.
  static constexpr std::array<uint64_t, 14> kBoundsUs = {
      50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000};

  void Record(std::chrono::nanoseconds latency) {
    const uint64_t ns = latency.count() < 0 ? 0 : static_cast<uint64_t>(latency.count());
    size_t i = 0;
    while (i < kBoundsUs.size() && ns > kBoundsUs[i] * 1000) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(ns, std::memory_order_relaxed);
  }

  // Observations of at most kBoundsUs[i] (not cumulative); index kBoundsUs.size() is +Inf.
  uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  uint64_t sum_ns() const { return sum_ns_.load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<uint64_t>, kBoundsUs.size() + 1> buckets_{};
  std::atomic<uint64_t> sum_ns_{0};
};

}  // namespace spate::store
