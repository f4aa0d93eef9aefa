#include "bench/e2e/idle_connections_scenario.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>

#include "bench/e2e/proc_stats.h"
#include "bench/e2e/server_address.h"

namespace spate::bench {
namespace {

constexpr std::string_view kConnect =
    "CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"e2e-idle\",\"lang\":\"raw\","
    "\"version\":\"e2e\",\"protocol\":1}\r\nPING\r\n";
constexpr int kIoTimeoutSeconds = 5;
// Lets the server finish per-connection setup (and a GC cycle, for a Go server) before reading RSS.
constexpr auto kSettleTime = std::chrono::milliseconds(500);

// Owns the sockets; closes them all when done.
class SocketSet {
 public:
  ~SocketSet() {
    for (int fd : fds_) close(fd);
  }
  void Add(int fd) { fds_.push_back(fd); }
  size_t size() const { return fds_.size(); }

 private:
  std::vector<int> fds_;
};

// Reads until `needle` has arrived (the server may send INFO and PONG in any split).
Status ReadUntil(int fd, std::string_view needle, std::string* buffer) {
  char chunk[4096];
  while (buffer->find(needle) == std::string::npos) {
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) {
      return Status::IoError("connection closed or timed out waiting for " +
                             std::string(needle.substr(0, 4)));
    }
    buffer->append(chunk, static_cast<size_t>(n));
    if (buffer->find("-ERR") != std::string::npos) return Status::Unavailable("server: " + *buffer);
  }
  return Status::Ok();
}

Status OpenIdleConnection(const sockaddr_in& address, SocketSet* sockets) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(std::string("socket: ") + std::strerror(errno));
  sockets->Add(fd);
  timeval timeout{.tv_sec = kIoTimeoutSeconds, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return Status::IoError(std::string("connect: ") + std::strerror(errno));
  }
  std::string received;
  SPATE_RETURN_IF_ERROR(ReadUntil(fd, "\r\n", &received));  // INFO {...}
  if (received.rfind("INFO ", 0) != 0) return Status::Corruption("expected INFO, got " + received);
  if (write(fd, kConnect.data(), kConnect.size()) != static_cast<ssize_t>(kConnect.size())) {
    return Status::IoError("short write of CONNECT");
  }
  received.clear();
  return ReadUntil(fd, "PONG\r\n", &received);
}

}  // namespace

std::string IdleConnectionsScenario::description() const {
  return std::to_string(connections_) + " idle client connections (handshake done, then silent)";
}

std::vector<MetricSpec> IdleConnectionsScenario::metrics() const {
  return {{"rss_mib", "srv RSS MiB", false},
          {"rss_kib_per_conn", "RSS KiB/conn", false},
          {"cpu_us_per_conn", "srv cpu us/conn", false}};
}

Status IdleConnectionsScenario::Run(const ScenarioContext& context, Sample* sample) {
  SPATE_ASSIGN_OR_RETURN(const sockaddr_in address, ParseServerAddress(context.url));
  std::this_thread::sleep_for(kSettleTime);
  SPATE_ASSIGN_OR_RETURN(const int64_t rss_before, ReadRssKib(context.server_pid));
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_before, ReadCpuMicros(context.server_pid));
  SocketSet sockets;
  sample->expected_msgs = connections_;
  for (int i = 0; i < connections_; ++i) {
    const Status s = OpenIdleConnection(address, &sockets);
    if (!s.ok()) {
      return Status::Unavailable("connection " + std::to_string(i + 1) + " of " +
                                 std::to_string(connections_) + ": " + s.message());
    }
    sample->received_msgs = i + 1;
  }
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_after, ReadCpuMicros(context.server_pid));
  std::this_thread::sleep_for(kSettleTime);
  SPATE_ASSIGN_OR_RETURN(const int64_t rss_after, ReadRssKib(context.server_pid));
  sample->metrics["rss_mib"] = static_cast<double>(rss_after) / 1024.0;
  sample->metrics["rss_before_mib"] = static_cast<double>(rss_before) / 1024.0;
  sample->metrics["rss_kib_per_conn"] =
      static_cast<double>(rss_after - rss_before) / static_cast<double>(connections_);
  sample->metrics["cpu_us_per_conn"] =
      static_cast<double>(cpu_after - cpu_before) / static_cast<double>(connections_);
  return Status::Ok();
}

}  // namespace spate::bench
