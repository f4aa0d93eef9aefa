#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace spate::bench {

// One server under test, run as a child process on 127.0.0.1 with a random port (`-p -1`).
// The port is taken from the "Listening for client connections on HOST:PORT" line, which both
// nats-server and spate-server log at startup. stderr/stdout go to `log_path`, so the child never
// blocks on a full pipe and the log survives for diagnosis (e.g. slow-consumer warnings).
// Lifecycle: Start() returns a running server; Stop() or the destructor ends it (SIGTERM, then
// SIGKILL after a grace period). The child also gets SIGKILL if this process dies.
// Threading: used from the benchmark's main thread only.
class ServerProcess {
 public:
  static Result<std::unique_ptr<ServerProcess>> Start(const std::string& binary,
                                                      const std::vector<std::string>& extra_args,
                                                      const std::string& log_path);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& url() const { return url_; }
  const std::string& log_path() const { return log_path_; }

  // NowNanos() just before the fork, and when the listen line was first seen in the log.
  int64_t started_ns() const { return started_ns_; }
  int64_t listening_ns() const { return listening_ns_; }

  // True while the child has not exited.
  bool Running();
  // Counts log lines containing `needle` (e.g. "Slow Consumer").
  int CountLogLines(const std::string& needle) const { return CountLogLinesIn(log_path_, needle); }
  static int CountLogLinesIn(const std::string& log_path, const std::string& needle);
  // SIGTERM, then SIGKILL after a grace period (an error then).
  Status Stop();
  // utime + stime in microseconds: from /proc while it runs, from wait4() once it has exited.
  Result<int64_t> CpuMicros() const;

 private:
  ServerProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  Status WaitForListenLine();
  void Reaped(int status, const ::rusage& usage);

  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_status_ = 0;
  int64_t exit_cpu_us_ = 0;
  int64_t started_ns_ = 0;
  int64_t listening_ns_ = 0;
  std::string log_path_;
  std::string url_;
};

// The first line `binary --version` prints (stdout or stderr), e.g. "nats-server: v2.9.10".
Result<std::string> ServerVersion(const std::string& binary);

}  // namespace spate::bench
