#include "bench/e2e/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "bench/e2e/proc_stats.h"

namespace spate::bench {
namespace {

constexpr std::string_view kListenMarker = "Listening for client connections on ";
constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopGrace = std::chrono::seconds(5);
constexpr auto kPollInterval = std::chrono::milliseconds(5);
// Finer while waiting for the listen line: js-restart times the start-up.
constexpr auto kStartPollInterval = std::chrono::microseconds(200);

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended with status " + std::to_string(status);
}

}  // namespace

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const std::string& binary, const std::vector<std::string>& extra_args,
    const std::string& log_path) {
  if (access(binary.c_str(), X_OK) != 0) {
    return Status::NotFound("server binary not executable: " + binary);
  }
  std::vector<std::string> args = {binary, "-a", "127.0.0.1", "-p", "-1"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) return Status::IoError("cannot create " + log_path);
  const pid_t parent = getpid();
  const int64_t started_ns = NowNanos();
  // vfork, not fork: fork copies the page tables of this process, which after a fill of a
  // million messages took 1-5 ms of every start sample (js-restart's "ready").
  const pid_t pid = vfork();
  if (pid < 0) {
    close(log_fd);
    return Status::IoError("vfork failed");
  }
  if (pid == 0) {
    // Child, on the parent's memory until exec: plain system calls only, nothing that allocates
    // or takes a lock (the parent has NATS client threads).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  std::unique_ptr<ServerProcess> server(new ServerProcess(pid, log_path));
  server->started_ns_ = started_ns;
  SPATE_RETURN_IF_ERROR(server->WaitForListenLine());
  return server;
}

Status ServerProcess::WaitForListenLine() {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream log(log_path_);
    std::string line;
    while (std::getline(log, line)) {
      const size_t at = line.find(kListenMarker);
      if (at == std::string::npos) continue;
      std::string address = line.substr(at + kListenMarker.size());
      while (!address.empty() && (address.back() == '\r' || address.back() == ' ')) {
        address.pop_back();
      }
      const size_t colon = address.rfind(':');
      if (colon == std::string::npos || colon + 1 == address.size()) continue;  // partial line
      url_ = "nats://" + address;
      listening_ns_ = NowNanos();
      return Status::Ok();
    }
    if (!Running()) {
      return Status::Unavailable("server " + DescribeWaitStatus(exit_status_) +
                                 " before listening; see " + log_path_);
    }
    std::this_thread::sleep_for(kStartPollInterval);
  }
  return Status::Unavailable("no \"" + std::string(kListenMarker) + "\" line within 10 s in " +
                             log_path_);
}

void ServerProcess::Reaped(int status, const ::rusage& usage) {
  exited_ = true;
  exit_status_ = status;
  auto micros = [](const timeval& tv) {
    return static_cast<int64_t>(tv.tv_sec) * 1'000'000 + tv.tv_usec;
  };
  exit_cpu_us_ = micros(usage.ru_utime) + micros(usage.ru_stime);
}

bool ServerProcess::Running() {
  if (exited_) return false;
  int status = 0;
  ::rusage usage{};
  if (wait4(pid_, &status, WNOHANG, &usage) == pid_) Reaped(status, usage);
  return !exited_;
}

Result<int64_t> ServerProcess::CpuMicros() const {
  if (exited_) return exit_cpu_us_;
  return ReadCpuMicros(pid_);
}

int ServerProcess::CountLogLinesIn(const std::string& log_path, const std::string& needle) {
  std::ifstream log(log_path);
  std::string line;
  int count = 0;
  while (std::getline(log, line)) count += line.find(needle) != std::string::npos ? 1 : 0;
  return count;
}

Status ServerProcess::Stop() {
  if (Running()) {
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + kStopGrace;
    while (Running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (Running()) {
      kill(pid_, SIGKILL);
      int status = 0;
      ::rusage usage{};
      wait4(pid_, &status, 0, &usage);
      Reaped(status, usage);
      return Status::Unavailable("server ignored SIGTERM for 5 s; killed");
    }
  }
  // No check of the exit code: nats-server 2.9 exits with 1 after a clean SIGTERM shutdown.
  return Status::Ok();
}

ServerProcess::~ServerProcess() {
  if (Running()) (void)Stop();
}

Result<std::string> ServerVersion(const std::string& binary) {
  // Called before any client thread exists; popen's shell sees a quoted path.
  std::string quoted = "'";
  for (char c : binary) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  FILE* pipe = popen((quoted + " --version 2>&1").c_str(), "r");
  if (pipe == nullptr) return Status::IoError("cannot run " + binary + " --version");
  char line[256] = {};
  const bool got = std::fgets(line, sizeof(line), pipe) != nullptr;
  pclose(pipe);
  if (!got) return Status::Unavailable(binary + " --version printed nothing");
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace spate::bench
