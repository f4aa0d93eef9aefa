#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>

#include "common/status.h"

namespace spate::bench {

// Reads a process's resource usage from /proc. Works for any pid we may read (our children).

// utime + stime of the whole process (all threads, live and exited), in microseconds.
// Resolution is one clock tick (10 ms at the usual USER_HZ of 100), so measure over >= 1 s.
Result<int64_t> ReadCpuMicros(pid_t pid);

// Run time of each live thread (tid -> ns) from /proc/<pid>/task/*/schedstat: nanosecond
// resolution, for measuring a nearly idle process over a few seconds. A thread that exits takes
// its time with it, so compare the thread sets of two readings.
Result<std::map<pid_t, int64_t>> ReadThreadCpuNanos(pid_t pid);

// Busy time of all CPUs (everything in /proc/stat's "cpu" line except idle and iowait), in
// microseconds. Minus our own and the server's CPU time, it shows how much other work shared the
// machine during a measurement.
Result<int64_t> ReadSystemBusyMicros();

// VmRSS from /proc/<pid>/status, in KiB.
Result<int64_t> ReadRssKib(pid_t pid);

// Raises this process's RLIMIT_NOFILE soft limit to the hard limit; children inherit it.
// Returns the new soft limit.
int64_t RaiseFileLimit();

// Monotonic clock in nanoseconds (CLOCK_MONOTONIC, as std::chrono::steady_clock on Linux).
int64_t NowNanos();

// Sleeps until NowNanos() reaches `deadline_ns` (clock_nanosleep on CLOCK_MONOTONIC, absolute).
void SleepUntilNanos(int64_t deadline_ns);

}  // namespace spate::bench
