#include "bench/e2e/auth_flood_scenario.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/e2e/proc_stats.h"
#include "bench/e2e/report.h"
#include "bench/e2e/server_address.h"

namespace spate::bench {
namespace {

constexpr std::string_view kUser = "bench";
constexpr std::string_view kPassword = "bench-secret";
// bcrypt of kPassword, cost 11, made once with libxcrypt: crypt_gensalt_rn("$2a$", 11, ...) and
// crypt_r. "$2a$" because every bcrypt reader takes it (nats-server, libxcrypt, nsc's output).
constexpr std::string_view kPasswordBcrypt =
    "$2a$11$fU2BhjC302mXh1B1HZAV9uO9EYemOYal9dA/hq6MDtvvJtUKizjya";

constexpr std::string_view kBadLogin =
    "CONNECT {\"user\":\"bench\",\"pass\":\"wrong\",\"verbose\":false}\r\nPING\r\n";
constexpr int kIoTimeoutSeconds = 5;
constexpr auto kFirstRejectionTimeout = std::chrono::seconds(5);

// "nats://HOST:PORT" -> "nats://bench:bench-secret@HOST:PORT": libnats sends the URL's user and
// password in CONNECT.
std::string WithCredentials(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  return url.substr(0, scheme + 3) + std::string(kUser) + ":" + std::string(kPassword) + "@" +
         url.substr(scheme + 3);
}

enum class LoginOutcome {
  kRejected,  // -ERR after the CONNECT: what the flood expects
  kAccepted,  // PONG: the wrong password got in
  kBroken,    // socket error, timeout, or closed without an answer
};

// Counts of the flood's login attempts. Written by the flood threads, read by the scenario.
struct FloodTally {
  std::atomic<int64_t> rejected{0};
  std::atomic<int64_t> accepted{0};
  std::atomic<int64_t> broken{0};
  std::mutex mutex;
  std::string first_problem;  // guarded by mutex

  void Problem(const std::string& text) {
    std::lock_guard lock(mutex);
    if (first_problem.empty()) first_problem = text;
  }
};

// Reads into `buffer` until it holds one of `needles`; false on EOF, error or timeout.
bool ReadUntilAny(int fd, std::initializer_list<std::string_view> needles, std::string* buffer,
                  size_t from) {
  char chunk[4096];
  while (true) {
    for (std::string_view needle : needles) {
      if (buffer->find(needle, from) != std::string::npos) return true;
    }
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) return false;
    buffer->append(chunk, static_cast<size_t>(n));
  }
}

// One failed login attempt on a fresh connection.
LoginOutcome FailLogin(const sockaddr_in& address, FloodTally* tally) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    tally->Problem(std::string("socket: ") + std::strerror(errno));
    return LoginOutcome::kBroken;
  }
  struct CloseFd {
    int fd;
    ~CloseFd() { close(fd); }
  } close_fd{fd};
  timeval timeout{.tv_sec = kIoTimeoutSeconds, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  // close() sends RST: thousands of closes a second would otherwise fill the port range with
  // TIME_WAIT entries.
  linger abortive{.l_onoff = 1, .l_linger = 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof(abortive));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    tally->Problem(std::string("connect: ") + std::strerror(errno));
    return LoginOutcome::kBroken;
  }
  std::string received;
  if (!ReadUntilAny(fd, {"\r\n"}, &received, 0) || received.rfind("INFO ", 0) != 0) {
    tally->Problem("no INFO, got \"" + received.substr(0, 80) + "\"");
    return LoginOutcome::kBroken;
  }
  const size_t info_end = received.find("\r\n") + 2;
  if (write(fd, kBadLogin.data(), kBadLogin.size()) != static_cast<ssize_t>(kBadLogin.size())) {
    tally->Problem("short write of CONNECT");
    return LoginOutcome::kBroken;
  }
  if (!ReadUntilAny(fd, {"-ERR", "PONG"}, &received, info_end)) {
    tally->Problem("no answer to a wrong password (closed or timed out)");
    return LoginOutcome::kBroken;
  }
  if (received.find("-ERR", info_end) != std::string::npos) return LoginOutcome::kRejected;
  tally->Problem("a wrong password got PONG");
  return LoginOutcome::kAccepted;
}

// `threads` threads failing logins back to back until destroyed.
class LoginFlood {
 public:
  LoginFlood(const sockaddr_in& address, int threads) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this, address](std::stop_token stop) {
        while (!stop.stop_requested()) {
          switch (FailLogin(address, &tally_)) {
            case LoginOutcome::kRejected:
              tally_.rejected.fetch_add(1, std::memory_order_relaxed);
              break;
            case LoginOutcome::kAccepted:
              tally_.accepted.fetch_add(1, std::memory_order_relaxed);
              break;
            case LoginOutcome::kBroken:
              tally_.broken.fetch_add(1, std::memory_order_relaxed);
              // Do not spin when the server refuses connections outright.
              std::this_thread::sleep_for(std::chrono::milliseconds(1));
              break;
          }
        }
      });
    }
  }
  // Each thread finishes its current attempt (the server's answer, or the 5 s timeout).
  ~LoginFlood() { Stop(); }
  void Stop() {
    for (std::jthread& thread : threads_) thread.request_stop();
    threads_.clear();  // joins
  }

  FloodTally& tally() { return tally_; }

  // Returns once the server has rejected a login, so the flood is known to work before the
  // measured run; an error when nothing was rejected within `timeout`.
  Status WaitForFirstRejection(std::chrono::nanoseconds timeout) {
    const int64_t deadline = NowNanos() + timeout.count();
    while (tally_.rejected.load() == 0) {
      if (NowNanos() > deadline) {
        std::lock_guard lock(tally_.mutex);
        return Status::Unavailable("login flood: no login rejected within 5 s (" +
                                   tally_.first_problem + ")");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return Status::Ok();
  }

 private:
  FloodTally tally_;                   // before threads_: the threads use it until joined
  std::vector<std::jthread> threads_;  // destroyed first
};

}  // namespace

AuthFloodScenario::AuthFloodScenario(Config config)
    : config_(std::move(config)),
      load_(ThroughputScenario::Config{.name = config_.name,
                                       .payload_bytes = config_.payload_bytes,
                                       .subscribers = 1,
                                       .queue_group = false,
                                       .messages = config_.messages}) {}

std::string AuthFloodScenario::description() const {
  return "authenticated 1 pub -> 1 sub, " + std::to_string(config_.payload_bytes) + " B, " +
         std::to_string(config_.messages) + " msgs, alone then with " +
         std::to_string(config_.flood_threads) + " threads failing logins (" +
         (config_.bcrypt ? "bcrypt cost 11" : "plain") + " password)";
}

std::vector<MetricSpec> AuthFloodScenario::metrics() const {
  return {{"msgs_per_sec_baseline", "msgs/s alone", true},
          {"msgs_per_sec_flood", "msgs/s in flood", true},
          {"slowdown", "slowdown x", false},
          {"failed_logins_per_sec", "failed logins/s", true}};
}

Result<std::vector<std::string>> AuthFloodScenario::ServerArgs(const ServerSpec& /*server*/,
                                                               const std::string& work_dir) {
  const std::string conf = work_dir + "/auth.conf";
  std::ofstream out(conf);
  out << "authorization {\n  users = [\n    {user: " << kUser << ", password: \""
      << (config_.bcrypt ? kPasswordBcrypt : kPassword) << "\"}\n  ]\n}\n";
  out.close();
  if (!out) return Status::IoError("cannot write " + conf);
  return std::vector<std::string>{"-c", conf};
}

Status AuthFloodScenario::Run(const ScenarioContext& context, Sample* sample) {
  SPATE_ASSIGN_OR_RETURN(const sockaddr_in address, ParseServerAddress(context.url));
  const ScenarioContext authenticated{.url = WithCredentials(context.url),
                                      .server_pid = context.server_pid,
                                      .server = context.server};
  Sample baseline;
  const Status alone = load_.Run(authenticated, &baseline);
  sample->expected_msgs = baseline.expected_msgs;
  sample->received_msgs = baseline.received_msgs;
  if (!alone.ok()) return Status::Unavailable("without the flood: " + alone.message());

  LoginFlood flood(address, config_.flood_threads);
  SPATE_RETURN_IF_ERROR(flood.WaitForFirstRejection(kFirstRejectionTimeout));
  FloodTally& tally = flood.tally();
  Sample flooded;
  const int64_t rejected_before = tally.rejected.load();
  const int64_t start_ns = NowNanos();
  const Status under_flood = load_.Run(authenticated, &flooded);
  const int64_t end_ns = NowNanos();
  const int64_t rejected = tally.rejected.load() - rejected_before;
  flood.Stop();
  sample->expected_msgs += flooded.expected_msgs;
  sample->received_msgs += flooded.received_msgs;
  // Recorded whether or not the flooded run completes: a run that stalls (the load generator's
  // flush not answered in 10 s, or no delivery for 5 s) is what this scenario exists to show.
  const double base_rate = baseline.metrics["msgs_per_sec"];
  const double flood_seconds = static_cast<double>(end_ns - start_ns) / 1e9;
  const double login_rate = static_cast<double>(rejected) / flood_seconds;
  sample->metrics["msgs_per_sec_baseline"] = base_rate;
  sample->metrics["failed_logins_per_sec"] = login_rate;
  sample->metrics["failed_logins"] = static_cast<double>(rejected);
  sample->metrics["flood_run_seconds"] = flood_seconds;
  sample->metrics["seconds_baseline"] = baseline.metrics["seconds"];
  sample->metrics["cpu_us_per_msg_baseline"] = baseline.metrics["cpu_us_per_msg"];
  if (!under_flood.ok()) {
    return Status::Unavailable("under the flood: " + under_flood.message() + " (flooded run " +
                               FormatValue(flood_seconds) + " s, " + FormatValue(login_rate) +
                               " failed logins/s; alone " + FormatValue(base_rate) + " msgs/s)");
  }
  if (const int64_t accepted = tally.accepted.load(); accepted > 0) {
    return Status::Corruption(std::to_string(accepted) + " logins with a wrong password got in");
  }
  if (const int64_t broken = tally.broken.load(); broken > 0) {
    sample->notes.push_back(std::to_string(broken) +
                            " flood login(s) got no answer, first: " + tally.first_problem);
  }
  const double flood_rate = flooded.metrics["msgs_per_sec"];
  sample->metrics["msgs_per_sec_flood"] = flood_rate;
  sample->metrics["slowdown"] = base_rate / flood_rate;
  sample->metrics["seconds_flood"] = flooded.metrics["seconds"];
  // Includes the CPU of the failed logins answered meanwhile.
  sample->metrics["cpu_us_per_msg_flood"] = flooded.metrics["cpu_us_per_msg"];
  return Status::Ok();
}

}  // namespace spate::bench
