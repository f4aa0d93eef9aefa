#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace spate::test {

struct TestServerOptions {
  // Flags appended after `-a 127.0.0.1 -p -1` (for example {"-js"} or {"-D"}). With -js and no
  // -sd, `-sd <dir>/store` is added.
  std::vector<std::string> args;
  // When not empty: written to <dir>/server.conf and passed as `-c <file>`. Flags win over the
  // file, as in nats-server, so do not set `port` or `listen` here.
  std::string config;
  // When > 0: RLIMIT_FSIZE of the server process, so that writes past it fail (EFBIG) like a
  // full disk does, without needing a small filesystem.
  uint64_t max_file_size = 0;
  std::chrono::milliseconds start_deadline{10000};
  std::chrono::milliseconds stop_deadline{5000};  // SIGTERM, then SIGKILL after this
};

// A server process (spate-server or nats-server, which take the same flags) on a random port with
// a fresh temp dir. Start() launches it with stdout and stderr going to <dir>/server.log and waits,
// with a deadline, for the line "Listening for client connections on HOST:PORT" to learn the port.
// The destructor stops it: SIGTERM, then SIGKILL after stop_deadline. The child also gets
// PR_SET_PDEATHSIG, so a crashed test leaves no server behind.
// Threading: use from one thread.
class TestServer {
 public:
  // Path of the server under test: $SPATE_TEST_SERVER_BIN if set, else the build's spate-server.
  static std::string SpateBinary();
  // Path of the reference server: $NATS_SERVER_BIN if set, else /usr/sbin/nats-server.
  static std::string NatsServerBinary();

  explicit TestServer(std::string binary, TestServerOptions options = {});
  // Convenience constructors for the two binaries above.
  static std::unique_ptr<TestServer> Spate(TestServerOptions options = {});
  static std::unique_ptr<TestServer> NatsServer(TestServerOptions options = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // Starts the process and waits for its listen line. On failure returns false and error() says
  // why (including the log so far). After a Stop(), Start() again reuses the previous port, so
  // clients can reconnect, and keeps the same dir (so stored data survives).
  [[nodiscard]] bool Start();
  // SIGTERM, wait up to stop_deadline for exit, then SIGKILL. No-op when not running.
  void Stop();
  // SIGKILL now and reap (crash tests).
  void Kill();
  // Stop() then Start() on the same port.
  [[nodiscard]] bool Restart();
  // True while the process has not exited (reaps it if it has).
  bool Running();

  int port() const { return port_; }
  const std::string& host() const { return host_; }
  std::string url() const;  // nats://127.0.0.1:PORT
  const std::string& binary() const { return binary_; }
  const std::string& dir() const { return dir_.path(); }
  std::string log_path() const { return dir_.path() + "/server.log"; }
  std::string Log() const;  // everything the process wrote so far (all runs)
  const std::string& error() const { return error_; }
  pid_t pid() const { return pid_; }
  // Wait status of the last exit (as from waitpid), or -1 if it has not exited.
  int exit_status() const { return exit_status_; }

 private:
  bool Fail(const std::string& why);
  bool ReapWithin(std::chrono::milliseconds deadline);

  std::string binary_;
  TestServerOptions options_;
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string host_ = "127.0.0.1";
  int exit_status_ = -1;
  std::string error_;
};

}  // namespace spate::test
