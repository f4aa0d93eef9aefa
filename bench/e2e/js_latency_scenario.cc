#include "bench/e2e/js_latency_scenario.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "bench/e2e/jetstream_support.h"
#include "bench/e2e/proc_stats.h"
#include "bench/e2e/report.h"

namespace spate::bench {

// What the push consumer's callback saw. Written on the library's delivery thread.
struct LatencyTally {
  LatencyTally(int payload, int64_t target_count)
      : payload_bytes(payload), target(target_count), latency_ns(target_count, 0) {}
  const int payload_bytes;
  const int64_t target;
  std::vector<int64_t> latency_ns;  // [i]: the i-th message's (0-based)
  std::atomic<int64_t> received{0};
  std::atomic<int64_t> problems{0};
  std::mutex mutex;
  std::string first_problem;  // guarded by mutex
};

namespace {

constexpr char kStream[] = "BENCH";
constexpr char kSubject[] = "bench.js";
constexpr int64_t kMaxAckPending = 1000;
// The payload starts with the send time and the message's index (0-based), host byte order.
constexpr int kHeaderBytes = 16;

// Empty when `msg` is message `index` (0-based; stream sequence index + 1), delivered once, with
// the right size. Sets *sent_ns from its payload.
std::string CheckMessage(natsMsg* msg, const LatencyTally& tally, int64_t index, int64_t* sent_ns) {
  if (natsMsg_GetDataLength(msg) != tally.payload_bytes) {
    return "message " + std::to_string(index + 1) + " has " +
           std::to_string(natsMsg_GetDataLength(msg)) + " bytes";
  }
  int64_t payload_index = -1;
  std::memcpy(sent_ns, natsMsg_GetData(msg), 8);
  std::memcpy(&payload_index, natsMsg_GetData(msg) + 8, 8);
  if (payload_index != index) {
    return "message " + std::to_string(index + 1) + " carries index " +
           std::to_string(payload_index + 1);
  }
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) != NATS_OK) {
    return "message " + std::to_string(index + 1) + " has no JetStream metadata";
  }
  std::string problem;
  if (meta->Sequence.Stream != static_cast<uint64_t>(index + 1) || meta->NumDelivered != 1) {
    problem = "got stream sequence " + std::to_string(meta->Sequence.Stream) + " (delivery " +
              std::to_string(meta->NumDelivered) + "), expected " + std::to_string(index + 1);
  }
  jsMsgMetaData_Destroy(meta);
  return problem;
}

void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  const int64_t arrived = NowNanos();
  auto* tally = static_cast<LatencyTally*>(closure);
  const int64_t index = tally->received.load(std::memory_order_relaxed);
  int64_t sent = 0;
  std::string problem = index < tally->target ? CheckMessage(msg, *tally, index, &sent)
                                              : "more messages than were published";
  if (problem.empty()) tally->latency_ns[static_cast<size_t>(index)] = arrived - sent;
  if (const natsStatus s = natsMsg_Ack(msg, nullptr); s != NATS_OK && problem.empty()) {
    problem = std::string("natsMsg_Ack: ") + natsStatus_GetText(s);
  }
  natsMsg_Destroy(msg);
  if (!problem.empty()) {
    tally->problems.fetch_add(1);
    std::lock_guard lock(tally->mutex);
    if (tally->first_problem.empty()) tally->first_problem = problem;
  }
  tally->received.store(index + 1, std::memory_order_release);
}

// Waits until the consumer has delivered every message; fails on a 5 s stall.
Status WaitForDelivered(const LatencyTally& tally, const ConnectionEvents& events) {
  return WaitWithoutStall(
      tally.received, tally.target,
      [&] { return tally.received.load(std::memory_order_acquire) >= tally.target; }, events,
      std::chrono::milliseconds(1));
}

}  // namespace

JsLatencyScenario::JsLatencyScenario(Config config) : config_(std::move(config)) {}
JsLatencyScenario::~JsLatencyScenario() = default;

std::string JsLatencyScenario::description() const {
  return std::to_string(config_.messages) + " x " + std::to_string(config_.payload_bytes) +
         " B core publishes at " + std::to_string(config_.rate) +
         "/s into a file stream, publish-to-delivery latency at a push consumer (explicit "
         "acks); each server's default durability";
}

std::vector<MetricSpec> JsLatencyScenario::metrics() const {
  return {{"p50_us", "p50 us", false},
          {"p99_us", "p99 us", false},
          {"p999_us", "p99.9 us", false},
          {"cpu_us_per_msg", "srv cpu us/msg", false}};
}

Result<std::vector<std::string>> JsLatencyScenario::ServerArgs(const ServerSpec& server,
                                                               const std::string& work_dir) {
  return JetStreamServerArgs(server, std::nullopt, work_dir);
}

Status JsLatencyScenario::Run(const ScenarioContext& context, Sample* sample) {
  if (config_.payload_bytes < kHeaderBytes) return Status::InvalidArgument("payload too small");
  auto& events = *events_.emplace_back(std::make_unique<ConnectionEvents>());
  // Both connections write at once (no flusher thread): a buffered write would add its delay.
  SPATE_ASSIGN_OR_RETURN(NatsConnection sub_nc, Connect({.url = context.url,
                                                         .name = "e2e-js-latency-sub",
                                                         .send_mode = SendMode::kAsap,
                                                         .events = &events}));
  SPATE_ASSIGN_OR_RETURN(NatsConnection pub_nc, Connect({.url = context.url,
                                                         .name = "e2e-js-latency-pub",
                                                         .send_mode = SendMode::kAsap,
                                                         .events = &events}));
  SPATE_ASSIGN_OR_RETURN(JetStreamContext js, NewJetStream(sub_nc.get()));
  SPATE_RETURN_IF_ERROR(AddStream(js.get(), kStream, kSubject, StorageKind::kFile));

  LatencyTally* tally =
      tallies_.emplace_back(std::make_unique<LatencyTally>(config_.payload_bytes, config_.messages))
          .get();
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = kStream;
  options.ManualAck = true;
  options.Config.AckPolicy = js_AckExplicit;
  options.Config.DeliverPolicy = js_DeliverAll;
  options.Config.MaxAckPending = kMaxAckPending;
  natsSubscription* raw_sub = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  SPATE_RETURN_IF_ERROR(
      FromJs(js_Subscribe(&raw_sub, js.get(), kSubject, OnMessage, tally, nullptr, &options, &code),
             code, "js_Subscribe"));
  NatsSubscription sub(raw_sub);
  SPATE_RETURN_IF_ERROR(FromNats(natsConnection_FlushTimeout(sub_nc.get(), 5000), "sub flush"));
  sample->expected_msgs = config_.messages;

  std::string payload(config_.payload_bytes, 'l');
  const int64_t interval_ns = 1'000'000'000 / config_.rate;
  int64_t max_late_ns = 0;
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_before, ReadCpuMicros(context.server_pid));
  const int64_t start = NowNanos() + 1'000'000;
  int64_t sent = 0;
  for (int64_t i = 0; i < config_.messages; ++i) {
    const int64_t due = start + i * interval_ns;
    SleepUntilNanos(due);
    sent = NowNanos();
    max_late_ns = std::max(max_late_ns, sent - due);
    std::memcpy(payload.data(), &sent, 8);
    std::memcpy(payload.data() + 8, &i, 8);
    const natsStatus s =
        natsConnection_Publish(pub_nc.get(), kSubject, payload.data(), config_.payload_bytes);
    if (s != NATS_OK) {
      sample->received_msgs = tally->received.load();
      return FromNats(s, "publish of message " + std::to_string(i + 1));
    }
  }
  const int64_t last_sent = sent;
  const Status delivered = WaitForDelivered(*tally, events);
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_after, ReadCpuMicros(context.server_pid));
  sample->received_msgs = tally->received.load();
  SPATE_RETURN_IF_ERROR(delivered);
  if (const int64_t problems = tally->problems.load(); problems > 0) {
    std::lock_guard lock(tally->mutex);
    return Status::Corruption(std::to_string(problems) +
                              " bad message(s); first: " + tally->first_problem);
  }
  SPATE_RETURN_IF_ERROR(FromNats(natsConnection_FlushTimeout(sub_nc.get(), 5000), "flush acks"));
  SPATE_RETURN_IF_ERROR(WaitForAckFloor(sub.get(), static_cast<uint64_t>(config_.messages)));
  SPATE_ASSIGN_OR_RETURN(const uint64_t stored, StreamMessages(js.get(), kStream));
  if (stored != static_cast<uint64_t>(config_.messages)) {
    return Status::Corruption("stream holds " + std::to_string(stored) + " of " +
                              std::to_string(config_.messages) + " published messages");
  }

  const size_t warm_up = static_cast<size_t>(config_.messages / 20);
  std::vector<int64_t> latencies(tally->latency_ns.begin() + static_cast<ptrdiff_t>(warm_up),
                                 tally->latency_ns.end());
  std::sort(latencies.begin(), latencies.end());
  RecordLatencies(sample, latencies);
  sample->metrics["cpu_us_per_msg"] =
      static_cast<double>(cpu_after - cpu_before) / static_cast<double>(config_.messages);
  // How well the publisher kept its schedule (a late send is timed from when it really went).
  sample->metrics["send_msgs_per_sec"] =
      static_cast<double>(config_.messages - 1) * 1e9 / static_cast<double>(last_sent - start);
  sample->metrics["send_max_late_us"] = static_cast<double>(max_late_ns) / 1000.0;
  sample->metrics["seconds"] = static_cast<double>(last_sent - start) / 1e9;
  return Status::Ok();
}

}  // namespace spate::bench
