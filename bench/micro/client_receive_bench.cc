// The C++ client's receive path alone: a loopback peer writes prebuilt MSG/HMSG bursts as fast as
// the socket takes them (no server, no routing), and one subscription counts them. Compares the
// copying path (owning Msg, dispatcher thread) with inline delivery (MsgView on the I/O thread).
// items_per_second depends on what else the machine runs; client_cpu_ns_per_msg (the CPU time of
// the client's threads, that is the process minus the peer and the benchmark thread) much less.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "client/connection.h"

namespace {

using spate::client::Connection;
using spate::client::Msg;
using spate::client::MsgView;
using spate::client::Options;

constexpr int kBurst = 100000;  // messages per benchmark iteration

int64_t CpuNs(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

std::string MakeBurst(size_t payload_size, bool headers) {
  const std::string block = "NATS/1.0\r\nNats-Msg-Id: 4f9c2a\r\n\r\n";
  const std::string payload(payload_size, 'x');
  std::string frame =
      headers ? "HMSG bench.rx 1 " + std::to_string(block.size()) + " " +
                    std::to_string(block.size() + payload_size) + "\r\n" + block + payload + "\r\n"
              : "MSG bench.rx 1 " + std::to_string(payload_size) + "\r\n" + payload + "\r\n";
  std::string burst;
  burst.reserve(frame.size() * kBurst);
  for (int i = 0; i < kBurst; ++i) burst += frame;
  return burst;
}

// Accepts one client, completes its handshake, then writes `burst` each time Send() is called.
// Never reads after the handshake: the client sends only its SUB.
class Peer {
 public:
  explicit Peer(std::string burst) : burst_(std::move(burst)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(listen_fd_, 1);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~Peer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    if (fd_ >= 0) ::close(fd_);
    ::close(listen_fd_);
  }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  void Send() {
    std::lock_guard lock(mu_);
    ++requested_;
    cv_.notify_all();
  }
  int64_t cpu_ns() const { return cpu_ns_.load(std::memory_order_acquire); }

 private:
  void Run() {
    fd_ = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd_ < 0) return;
    WriteAll(R"(INFO {"server_id":"BENCH","headers":true,"max_payload":1048576})"
             "\r\n");
    std::string got;
    char buf[4096];
    while (got.find("PING\r\n") == std::string::npos) {
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return;
      got.append(buf, static_cast<size_t>(n));
    }
    WriteAll("PONG\r\n");
    const int64_t cpu_start = CpuNs(CLOCK_THREAD_CPUTIME_ID);
    uint64_t sent = 0;
    while (true) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || requested_ > sent; });
      if (stop_) return;
      lock.unlock();
      WriteAll(burst_);
      cpu_ns_.store(CpuNs(CLOCK_THREAD_CPUTIME_ID) - cpu_start, std::memory_order_release);
      ++sent;
    }
  }
  void WriteAll(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

  const std::string burst_;
  int listen_fd_ = -1, fd_ = -1, port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t requested_ = 0;
  bool stop_ = false;
  std::atomic<int64_t> cpu_ns_{0};  // this thread's CPU time since the handshake
};

// The subscription's handler counts into `received` and wakes the benchmark at each burst's end.
struct Counter {
  std::atomic<uint64_t> received{0};
  uint64_t bytes = 0;  // the handler's thread only
  void Add(size_t n) {
    bytes += n;
    const uint64_t now = received.fetch_add(1, std::memory_order_release) + 1;
    if (now % kBurst == 0) received.notify_one();
  }
  void WaitFor(uint64_t target) {
    for (uint64_t seen = received.load(std::memory_order_acquire); seen < target;
         seen = received.load(std::memory_order_acquire)) {
      received.wait(seen, std::memory_order_acquire);
    }
  }
};

void Receive(benchmark::State& state, bool inline_delivery, bool headers) {
  Peer peer(MakeBurst(static_cast<size_t>(state.range(0)), headers));
  Options options;
  options.servers = {peer.url()};
  // The copying path must queue a whole burst, not drop it as a slow consumer.
  options.pending_msgs_limit = 4 * kBurst;
  options.pending_bytes_limit = size_t{1} << 30;
  auto conn = Connection::Connect(options);
  if (!conn.ok()) {
    state.SkipWithError(conn.status().message().c_str());
    return;
  }
  Counter counter;
  // Each handler reads the payload size and, with headers, one header's value.
  auto sub =
      inline_delivery
          ? (*conn)->SubscribeInline(
                "bench.rx",
                [&](const MsgView& m) {
                  counter.Add(m.data.size() + m.headers.Get("Nats-Msg-Id").value_or("").size());
                })
          : (*conn)->Subscribe("bench.rx", [&](const Msg& m) {
              counter.Add(m.data.size() + m.headers.Get("Nats-Msg-Id").value_or("").size());
            });
  if (!sub.ok()) {
    state.SkipWithError(sub.status().message().c_str());
    return;
  }
  uint64_t target = 0;
  const int64_t process_start = CpuNs(CLOCK_PROCESS_CPUTIME_ID);
  const int64_t self_start = CpuNs(CLOCK_THREAD_CPUTIME_ID);
  const int64_t peer_start = peer.cpu_ns();
  for (auto _ : state) {
    target += kBurst;
    peer.Send();
    counter.WaitFor(target);
  }
  const int64_t client_cpu = (CpuNs(CLOCK_PROCESS_CPUTIME_ID) - process_start) -
                             (CpuNs(CLOCK_THREAD_CPUTIME_ID) - self_start) -
                             (peer.cpu_ns() - peer_start);
  state.SetItemsProcessed(static_cast<int64_t>(target));
  state.counters["client_cpu_ns_per_msg"] =
      target > 0 ? static_cast<double>(client_cpu) / static_cast<double>(target) : 0;
  (*conn)->Close();
}

void BM_ReceiveCopy(benchmark::State& state) { Receive(state, false, false); }
void BM_ReceiveInline(benchmark::State& state) { Receive(state, true, false); }
void BM_ReceiveCopyHeaders(benchmark::State& state) { Receive(state, false, true); }
void BM_ReceiveInlineHeaders(benchmark::State& state) { Receive(state, true, true); }

BENCHMARK(BM_ReceiveCopy)
    ->Arg(16)
    ->Arg(128)
    ->Arg(1024)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReceiveInline)
    ->Arg(16)
    ->Arg(128)
    ->Arg(1024)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReceiveCopyHeaders)->Arg(128)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReceiveInlineHeaders)->Arg(128)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
