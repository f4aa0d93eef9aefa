#include "bench/e2e/js_restart_scenario.h"

#include <chrono>
#include <thread>

#include "bench/e2e/proc_stats.h"

namespace spate::bench {
namespace {

constexpr char kStream[] = "BENCH";
constexpr char kSubject[] = "bench.js";
constexpr int64_t kReadyTimeoutNs = 30'000'000'000;

double Millis(int64_t nanos) { return static_cast<double>(nanos) / 1e6; }

}  // namespace

std::string JsRestartScenario::description() const {
  return "stop (SIGTERM) and restart with a " + std::to_string(config_.messages) + " x " +
         std::to_string(config_.payload_bytes) + " B file stream, until stream info answers; " +
         PairingDescription(config_.pairing);
}

std::vector<MetricSpec> JsRestartScenario::metrics() const {
  return {{"ready_ms", "ready ms", false},
          {"listen_ms", "listen ms", false},
          {"stop_ms", "stop ms", false},
          {"rss_mib", "RSS MiB ready", false}};
}

Result<std::vector<std::string>> JsRestartScenario::ServerArgs(const ServerSpec& server,
                                                               const std::string& work_dir) {
  return JetStreamServerArgs(server, SideDurability(config_.pairing, server.side), work_dir);
}

std::string JsRestartScenario::Unsupported(const ServerSpec& server) {
  return DurabilityUnsupported(server, SideDurability(config_.pairing, server.side));
}

Status JsRestartScenario::Fill(const std::string& url, Sample* sample) {
  auto& events = *events_.emplace_back(std::make_unique<ConnectionEvents>());
  SPATE_ASSIGN_OR_RETURN(NatsConnection nc, Connect({.url = url,
                                                     .name = "e2e-js-fill",
                                                     .send_mode = SendMode::kBuffered,
                                                     .events = &events}));
  PubAckTally* tally =
      tallies_.emplace_back(std::make_unique<PubAckTally>(kStream, config_.messages)).get();
  SPATE_RETURN_IF_ERROR(FillFileStream(nc.get(), tally, kSubject,
                                       std::string(config_.payload_bytes, 'r'), config_.messages,
                                       sample));
  SPATE_ASSIGN_OR_RETURN(JetStreamContext js, NewJetStream(nc.get()));
  SPATE_ASSIGN_OR_RETURN(const uint64_t stored, StreamMessages(js.get(), kStream));
  if (stored != static_cast<uint64_t>(config_.messages)) {
    return Status::Corruption("stream holds " + std::to_string(stored) + " messages before the " +
                              "restart, " + std::to_string(config_.messages) + " were acked");
  }
  return Status::Ok();
}

Status JsRestartScenario::Run(const ScenarioContext& context, Sample* sample) {
  if (context.server == nullptr) return Status::Internal("js-restart needs a ServerControl");
  ServerControl& server = *context.server;
  sample->expected_msgs = config_.messages;
  SPATE_RETURN_IF_ERROR(Fill(context.url, sample));

  const int64_t stop_start = NowNanos();
  SPATE_RETURN_IF_ERROR(server.Stop());
  sample->metrics["stop_ms"] = Millis(NowNanos() - stop_start);
  if (const Status started = server.Start(); !started.ok()) {
    return Status::Unavailable("restart: " + started.message());
  }
  sample->metrics["listen_ms"] = Millis(server.listening_ns() - server.started_ns());

  auto& events = *events_.emplace_back(std::make_unique<ConnectionEvents>());
  SPATE_ASSIGN_OR_RETURN(NatsConnection nc, Connect({.url = server.url(),
                                                     .name = "e2e-js-restarted",
                                                     .send_mode = SendMode::kAsap,
                                                     .events = &events}));
  SPATE_ASSIGN_OR_RETURN(JetStreamContext js, NewJetStream(nc.get()));
  // Until the stream is back: a server may listen before it has recovered its streams.
  Result<uint64_t> stored = Status::Unavailable("no stream info asked");
  int attempts = 0;
  while (!(stored = StreamMessages(js.get(), kStream)).ok()) {
    ++attempts;
    if (NowNanos() - server.started_ns() > kReadyTimeoutNs) {
      return Status::Unavailable("no stream info 30 s after the restart (" +
                                 std::to_string(attempts) +
                                 " attempts): " + stored.status().message());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const int64_t ready_ns = NowNanos();
  sample->received_msgs = static_cast<int64_t>(*stored);
  if (*stored != static_cast<uint64_t>(config_.messages)) {
    return Status::Corruption("after the restart the stream holds " + std::to_string(*stored) +
                              " of " + std::to_string(config_.messages) + " messages");
  }
  sample->metrics["ready_ms"] = Millis(ready_ns - server.started_ns());
  sample->metrics["stream_info_attempts"] = attempts + 1;
  SPATE_ASSIGN_OR_RETURN(const int64_t rss_kib, ReadRssKib(server.pid()));
  sample->metrics["rss_mib"] = static_cast<double>(rss_kib) / 1024.0;
  return Status::Ok();
}

}  // namespace spate::bench
