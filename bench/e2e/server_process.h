#pragma once

#include <sys/types.h>

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

  // True while the child has not exited.
  bool Running();
  // Counts log lines containing `needle` (e.g. "Slow Consumer").
  int CountLogLines(const std::string& needle) const;
  Status Stop();

 private:
  ServerProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  Status WaitForListenLine();

  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_status_ = 0;
  std::string log_path_;
  std::string url_;
};

}  // namespace spate::bench
