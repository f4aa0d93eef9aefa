#include "support/test_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/wait_for.h"

#ifndef SPATE_DEFAULT_SERVER_BIN
#define SPATE_DEFAULT_SERVER_BIN "spate-server"
#endif
#ifndef SPATE_DEFAULT_NATS_SERVER_BIN
#define SPATE_DEFAULT_NATS_SERVER_BIN "/usr/sbin/nats-server"
#endif

namespace spate::test {
namespace {

constexpr std::string_view kListenLine = "Listening for client connections on ";

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// Finds the listen line in `log` and splits its HOST:PORT (the host may be [v6]).
bool ParseListenLine(const std::string& log, std::string* host, int* port) {
  const size_t at = log.find(kListenLine);
  if (at == std::string::npos) return false;
  const size_t start = at + kListenLine.size();
  const size_t end = log.find('\n', start);
  if (end == std::string::npos) return false;  // line not complete yet
  std::string address = log.substr(start, end - start);
  while (!address.empty() && (address.back() == '\r' || address.back() == ' ')) address.pop_back();
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  *host = address.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  *port = std::atoi(address.c_str() + colon + 1);
  return *port > 0;
}

}  // namespace

std::string TestServer::SpateBinary() {
  return EnvOr("SPATE_TEST_SERVER_BIN", SPATE_DEFAULT_SERVER_BIN);
}

std::string TestServer::NatsServerBinary() {
  return EnvOr("NATS_SERVER_BIN", SPATE_DEFAULT_NATS_SERVER_BIN);
}

TestServer::TestServer(std::string binary, TestServerOptions options)
    : binary_(std::move(binary)), options_(std::move(options)), dir_("spate-server") {}

std::unique_ptr<TestServer> TestServer::Spate(TestServerOptions options) {
  return std::make_unique<TestServer>(SpateBinary(), std::move(options));
}

std::unique_ptr<TestServer> TestServer::NatsServer(TestServerOptions options) {
  return std::make_unique<TestServer>(NatsServerBinary(), std::move(options));
}

TestServer::~TestServer() {
  Stop();
  // A sanitizer build of the server reports memory errors and leaks in its log, which no test
  // reads: end the test binary with the report so that ctest fails.
  const std::string log = Log();
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                             "runtime error:", "WARNING: ThreadSanitizer"}) {
    if (log.find(marker) != std::string::npos) {
      std::fprintf(stderr, "server under test reported a sanitizer error (%s):\n%s\n",
                   log_path().c_str(), log.c_str());
      std::_Exit(1);
    }
  }
}

std::string TestServer::url() const { return "nats://" + host_ + ":" + std::to_string(port_); }

std::string TestServer::Log() const {
  std::ifstream in(log_path(), std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

bool TestServer::Fail(const std::string& why) {
  error_ = binary_ + ": " + why + "\n--- server log (" + log_path() + ") ---\n" + Log();
  return false;
}

bool TestServer::Start() {
  if (pid_ > 0) return true;
  error_.clear();
  if (access(binary_.c_str(), X_OK) != 0) {
    error_ = "server binary not executable: " + binary_ + " (" + std::strerror(errno) +
             "); set SPATE_TEST_SERVER_BIN";
    return false;
  }

  std::vector<std::string> args = {binary_, "-a", "127.0.0.1", "-p",
                                   port_ > 0 ? std::to_string(port_) : "-1"};
  if (!options_.config.empty()) {
    args.push_back("-c");
    args.push_back(dir_.WriteFile("server.conf", options_.config));
  }
  args.insert(args.end(), options_.args.begin(), options_.args.end());
  // JetStream's default store dir is shared (/tmp/nats): keep each server's data in its own dir.
  auto has = [&](std::string_view flag) {
    return std::find(options_.args.begin(), options_.args.end(), flag) != options_.args.end();
  };
  if ((has("-js") || has("--jetstream")) && !has("-sd") && !has("--store_dir")) {
    args.push_back("-sd");
    args.push_back(dir_.path() + "/store");
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  // Each run appends to the log; only this run's part is searched for the listen line.
  const int log_fd = open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Fail(std::string("cannot open log: ") + std::strerror(errno));
  const size_t log_start = static_cast<size_t>(lseek(log_fd, 0, SEEK_END));
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = getpid();

  const pid_t child = fork();
  if (child < 0) {
    close(log_fd);
    close(null_fd);
    return Fail(std::string("fork failed: ") + std::strerror(errno));
  }
  if (child == 0) {
    // Only async-signal-safe calls from here to exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (options_.max_file_size > 0) {
      rlimit limit{options_.max_file_size, options_.max_file_size};
      setrlimit(RLIMIT_FSIZE, &limit);
    }
    dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    syscall(SYS_close_range, 3U, ~0U, 0U);  // sockets of the test process stay with the test
    if (chdir(dir_.path().c_str()) != 0) _exit(127);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  close(null_fd);
  pid_ = child;
  exit_status_ = -1;

  std::string host;
  int port = 0;
  bool exited = false;
  const bool listening = WaitFor(
      [&] {
        if (!Running()) {
          exited = true;
          return true;
        }
        const std::string log = Log();
        return log.size() > log_start && ParseListenLine(log.substr(log_start), &host, &port);
      },
      options_.start_deadline, std::chrono::milliseconds(2));
  if (exited) return Fail("exited during startup, wait status " + std::to_string(exit_status_));
  if (!listening) {
    Kill();
    return Fail("no \"Listening for client connections on HOST:PORT\" line within " +
                std::to_string(options_.start_deadline.count()) + " ms");
  }
  host_ = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host;
  port_ = port;
  return true;
}

bool TestServer::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    exit_status_ = r == pid_ ? status : -1;
    pid_ = -1;
    return false;
  }
  return true;
}

bool TestServer::ReapWithin(std::chrono::milliseconds deadline) {
  return WaitFor([&] { return !Running(); }, deadline, std::chrono::milliseconds(2));
}

void TestServer::Stop() {
  if (!Running()) return;
  kill(pid_, SIGTERM);
  if (ReapWithin(options_.stop_deadline)) return;
  Kill();
}

void TestServer::Kill() {
  if (!Running()) return;
  kill(pid_, SIGKILL);
  int status = 0;
  if (waitpid(pid_, &status, 0) == pid_) exit_status_ = status;
  pid_ = -1;
}

bool TestServer::Restart() {
  Stop();
  return Start();
}

}  // namespace spate::test
