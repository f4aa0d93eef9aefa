#include "bench/e2e/proc_stats.h"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace spate::bench {

Result<int64_t> ReadCpuMicros(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return Status::IoError("cannot read " + path);
  // The command name (field 2) is in parentheses and may hold spaces; fields restart after ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return Status::Corruption("no ')' in " + path);
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  int64_t utime = -1, stime = -1;
  // After ')', the first field is field 3 (state); utime is field 14 and stime field 15.
  for (int index = 3; index <= 15 && (fields >> field); ++index) {
    if (index == 14) utime = std::stoll(field);
    if (index == 15) stime = std::stoll(field);
  }
  if (utime < 0 || stime < 0) return Status::Corruption("short " + path);
  const int64_t ticks_per_second = sysconf(_SC_CLK_TCK);
  return (utime + stime) * 1'000'000 / ticks_per_second;
}

Result<std::map<pid_t, int64_t>> ReadThreadCpuNanos(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  std::map<pid_t, int64_t> threads;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::ifstream in(entry.path() / "schedstat");
    int64_t run_ns = -1;
    // A thread that exited between the listing and the read has no file left: skip it.
    if (!(in >> run_ns)) continue;
    threads[static_cast<pid_t>(std::stol(entry.path().filename().string()))] = run_ns;
  }
  if (ec) return Status::IoError("cannot list " + dir + ": " + ec.message());
  if (threads.empty()) return Status::IoError("no thread schedstat under " + dir);
  return threads;
}

Result<int64_t> ReadSystemBusyMicros() {
  std::ifstream in("/proc/stat");
  std::string label;
  // cpu  user nice system idle iowait irq softirq steal (guest time is already in user)
  int64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (!(in >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) ||
      label != "cpu") {
    return Status::IoError("cannot parse /proc/stat");
  }
  const int64_t ticks_per_second = sysconf(_SC_CLK_TCK);
  return (user + nice + system + irq + softirq + steal) * 1'000'000 / ticks_per_second;
}

Result<int64_t> ReadRssKib(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot read " + path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));  // "VmRSS:  1234 kB"
  }
  return Status::NotFound("no VmRSS in " + path);
}

int64_t RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) getrlimit(RLIMIT_NOFILE, &limit);
  }
  return static_cast<int64_t>(limit.rlim_cur);
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void SleepUntilNanos(int64_t deadline_ns) {
  const timespec at{.tv_sec = static_cast<time_t>(deadline_ns / 1'000'000'000),
                    .tv_nsec = static_cast<long>(deadline_ns % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) != 0) {
  }
}

}  // namespace spate::bench
