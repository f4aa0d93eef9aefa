#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/connection.h"
#include "common/status.h"
#include "latency_histogram.h"

namespace spate::cli {

enum class BenchKind : uint8_t {
  kPub,     // publishers only: how fast the server takes messages
  kPubSub,  // publishers and subscribers: throughput through the server, one-way latency
  kReq,     // request/reply round trips against a responder (built in unless told otherwise)
};

struct BenchConfig {
  BenchKind kind = BenchKind::kPub;
  std::string subject;
  uint64_t msgs = 100000;    // published (or requested) in total, split across the clients
  size_t size = 128;         // payload bytes
  int pubs = 1;              // publisher (or requester) connections
  int subs = 1;              // kPubSub: subscriber connections, each receives every message
  bool inline_subs = false;  // kPubSub: subscribers use SubscribeInline (zero-copy, I/O thread)
  int responders = 1;        // kReq: built-in responder connections (0: use an external one)
  std::chrono::milliseconds timeout{5000};  // a request's timeout; subscribers' idle limit
  bool progress = false;                    // draw a progress bar
};

struct ClientStats {
  uint64_t msgs = 0, bytes = 0;
  int64_t elapsed_ns = 0;
};

// One side of a run (publishers or subscribers): per-client numbers and the aggregate over the
// span from the first client's start to the last one's end.
struct SideStats {
  std::vector<ClientStats> clients;
  uint64_t msgs = 0, bytes = 0;
  int64_t elapsed_ns = 0;
  double MsgsPerSec() const { return elapsed_ns > 0 ? msgs * 1e9 / elapsed_ns : 0; }
  double BytesPerSec() const { return elapsed_ns > 0 ? bytes * 1e9 / elapsed_ns : 0; }
};

struct BenchResult {
  SideStats pub;             // publishers, or requesters for kReq
  SideStats sub;             // subscribers (kPubSub) or responders (kReq)
  LatencyHistogram latency;  // kPubSub: publish to receive (same host clock); kReq: round trip
  uint64_t dropped = 0;      // messages the subscribers' slow-consumer limits dropped
};

// Runs one benchmark. Each client has its own connection and thread; connections are made
// before the clock starts. Ctrl-C (CliContext::Interrupted) stops the publishers early and the
// result covers what was done.
class BenchRunner {
 public:
  using ConnectFn =
      std::function<Result<std::unique_ptr<client::Connection>>(client::Options options)>;
  BenchRunner(BenchConfig config, client::Options base_options, ConnectFn connect);
  Result<BenchResult> Run();

 private:
  using Connections = std::vector<std::unique_ptr<client::Connection>>;
  Result<Connections> ConnectMany(int n, std::string_view role, bool big_buffers);
  Status RunPublishers(Connections& conns, SideStats* out);
  Status RunRequesters(Connections& conns, SideStats* out, LatencyHistogram* latency);
  // Polls the shared progress counter until every client thread has finished.
  void WatchProgress(const char* label, uint64_t total, const std::atomic<uint64_t>& done,
                     const std::atomic<int>& running);

  BenchConfig config_;
  client::Options base_options_;
  ConnectFn connect_;
};

}  // namespace spate::cli
