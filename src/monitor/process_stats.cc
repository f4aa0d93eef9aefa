#include "monitor/process_stats.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace spate::monitor {
namespace {

int64_t MonotonicNs() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// utime + stime of this process, in clock ticks; and its start time in ticks since boot.
bool ReadCpuTicks(int64_t* cpu_ticks, int64_t* start_ticks) {
  std::FILE* f = std::fopen("/proc/self/stat", "r");
  if (f == nullptr) return false;
  char buf[1024];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char* p = std::strrchr(buf, ')');  // the command name may hold spaces
  if (p == nullptr) return false;
  // Fields after ')' start at field 3 (state); utime is 14, stime 15, starttime 22.
  long long fields[20] = {};
  int field = 3;
  for (const char* s = p + 2; *s != '\0' && field <= 22; ++field) {
    if (field >= 14) fields[field - 14 < 20 ? field - 14 : 19] = std::atoll(s);
    s = std::strchr(s, ' ');
    if (s == nullptr) break;
    ++s;
  }
  *cpu_ticks = fields[0] + fields[1];
  *start_ticks = fields[8];
  return true;
}

}  // namespace

int64_t ProcessStats::ResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  long long size = 0, resident = 0;
  int got = std::fscanf(f, "%lld %lld", &size, &resident);
  std::fclose(f);
  return got == 2 ? resident * ::sysconf(_SC_PAGESIZE) : 0;
}

double ProcessStats::CpuPercent() {
  int64_t cpu = 0, start = 0;
  if (!ReadCpuTicks(&cpu, &start)) return 0;
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  int64_t now = MonotonicNs();
  double busy_s, wall_s;
  if (last_wall_ns_ == 0) {
    timespec up;
    ::clock_gettime(CLOCK_BOOTTIME, &up);
    busy_s = static_cast<double>(cpu) / hz;
    wall_s = static_cast<double>(up.tv_sec) + up.tv_nsec / 1e9 - static_cast<double>(start) / hz;
  } else {
    busy_s = static_cast<double>(cpu - last_cpu_ticks_) / hz;
    wall_s = static_cast<double>(now - last_wall_ns_) / 1e9;
  }
  last_cpu_ticks_ = cpu;
  last_wall_ns_ = now;
  if (wall_s <= 0) return 0;
  return std::round(busy_s / wall_s * 10000.0) / 100.0;
}

}  // namespace spate::monitor
