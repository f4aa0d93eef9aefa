#pragma once

#include <cstdint>

namespace spate::monitor {

// Resident memory and CPU use of this process, read from /proc/self.
// Threading: one sampler per caller thread (the monitor's HTTP thread).
class ProcessStats {
 public:
  // Resident set size in bytes (0 when /proc is unavailable).
  static int64_t ResidentBytes();
  // CPU use in percent of one core since the previous call (the first call: since start).
  double CpuPercent();

 private:
  int64_t last_cpu_ticks_ = 0;
  int64_t last_wall_ns_ = 0;
};

}  // namespace spate::monitor
