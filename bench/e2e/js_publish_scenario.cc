#include "bench/e2e/js_publish_scenario.h"

#include <algorithm>

#include "bench/e2e/proc_stats.h"
#include "bench/e2e/report.h"

namespace spate::bench {
namespace {

constexpr char kStream[] = "BENCH";
constexpr char kSubject[] = "bench.js";
constexpr int kPubAckWaitMs = 5000;

int64_t WarmUpCount(int64_t messages) { return std::max<int64_t>(100, messages / 20); }

// One js_Publish: its PubAck must be for `kStream`, sequence `expected_seq`, not a duplicate.
Status PublishOne(jsCtx* js, const std::string& payload, uint64_t expected_seq, int64_t* nanos) {
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = kPubAckWaitMs;
  jsPubAck* ack = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const int64_t start = NowNanos();
  const natsStatus s = js_Publish(&ack, js, kSubject, payload.data(),
                                  static_cast<int>(payload.size()), &options, &code);
  *nanos = NowNanos() - start;
  if (s != NATS_OK) {
    return FromJs(s, code, "js_Publish of sequence " + std::to_string(expected_seq));
  }
  std::string problem;
  if (ack->Stream == nullptr || std::string(ack->Stream) != kStream) {
    problem = "PubAck names stream " + std::string(ack->Stream ? ack->Stream : "(none)");
  } else if (ack->Sequence != expected_seq) {
    problem = "PubAck sequence " + std::to_string(ack->Sequence) + ", expected " +
              std::to_string(expected_seq);
  } else if (ack->Duplicate) {
    problem = "PubAck of sequence " + std::to_string(expected_seq) + " says duplicate";
  }
  jsPubAck_Destroy(ack);
  return problem.empty() ? Status::Ok() : Status::Corruption(problem);
}

}  // namespace

std::string JsPublishScenario::description() const {
  std::string text = config_.async
                         ? "js_PublishAsync, " + std::to_string(config_.max_pending) + " in flight"
                         : "js_Publish, one at a time";
  text += ", " + std::to_string(config_.payload_bytes) + " B, " + std::to_string(config_.messages) +
          " msgs, ";
  if (config_.storage == StorageKind::kMemory) return text + "memory stream";
  return text + "file stream; " + PairingDescription(config_.pairing);
}

std::vector<MetricSpec> JsPublishScenario::metrics() const {
  if (config_.async) {
    return {{"msgs_per_sec", "msgs/s", true}, {"cpu_us_per_msg", "srv cpu us/msg", false}};
  }
  return {{"msgs_per_sec", "msgs/s", true},
          {"p50_us", "p50 us", false},
          {"p99_us", "p99 us", false},
          {"cpu_us_per_msg", "srv cpu us/msg", false}};
}

std::optional<Durability> JsPublishScenario::SideDurability(int side) const {
  if (config_.storage == StorageKind::kMemory) return std::nullopt;
  return spate::bench::SideDurability(config_.pairing, side);
}

Result<std::vector<std::string>> JsPublishScenario::ServerArgs(const ServerSpec& server,
                                                               const std::string& work_dir) {
  return JetStreamServerArgs(server, SideDurability(server.side), work_dir);
}

std::string JsPublishScenario::Unsupported(const ServerSpec& server) {
  const std::optional<Durability> durability = SideDurability(server.side);
  return durability.has_value() ? DurabilityUnsupported(server, *durability) : "";
}

Status JsPublishScenario::Run(const ScenarioContext& context, Sample* sample) {
  auto& events = *events_.emplace_back(std::make_unique<ConnectionEvents>());
  SPATE_ASSIGN_OR_RETURN(
      NatsConnection nc,
      Connect({.url = context.url,
               .name = "e2e-js-pub",
               .send_mode = config_.async ? SendMode::kBuffered : SendMode::kAsap,
               .events = &events}));
  {
    SPATE_ASSIGN_OR_RETURN(JetStreamContext js, NewJetStream(nc.get()));
    SPATE_RETURN_IF_ERROR(AddStream(js.get(), kStream, kSubject, config_.storage));
  }
  const int64_t total = WarmUpCount(config_.messages) + config_.messages;
  sample->expected_msgs = config_.messages;
  SPATE_RETURN_IF_ERROR(config_.async ? RunAsync(context, nc.get(), sample)
                                      : RunSync(context, nc.get(), sample));
  // Every PubAck'ed message has to be in the stream.
  SPATE_ASSIGN_OR_RETURN(JetStreamContext js, NewJetStream(nc.get()));
  SPATE_ASSIGN_OR_RETURN(const uint64_t stored, StreamMessages(js.get(), kStream));
  if (stored != static_cast<uint64_t>(total)) {
    return Status::Corruption("stream holds " + std::to_string(stored) + " messages, " +
                              std::to_string(total) + " were acknowledged");
  }
  if (events.closed.load() > 0) return Status::Unavailable("the server closed the connection");
  return Status::Ok();
}

Status JsPublishScenario::RunSync(const ScenarioContext& context, natsConnection* nc,
                                  Sample* sample) {
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = kPubAckWaitMs;
  SPATE_ASSIGN_OR_RETURN(JetStreamContext js, NewJetStream(nc, &options));
  const std::string payload(config_.payload_bytes, 'j');
  uint64_t seq = 0;
  int64_t ignored = 0;
  for (int64_t i = WarmUpCount(config_.messages); i > 0; --i) {
    SPATE_RETURN_IF_ERROR(PublishOne(js.get(), payload, ++seq, &ignored));
  }
  std::vector<int64_t> latencies(config_.messages);
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_before, ReadCpuMicros(context.server_pid));
  const int64_t start = NowNanos();
  for (int64_t i = 0; i < config_.messages; ++i) {
    const Status s = PublishOne(js.get(), payload, ++seq, &latencies[i]);
    if (!s.ok()) {
      if (s.code() == Status::Code::kCorruption) return s;
      return Status::Unavailable(s.message() + " (message " + std::to_string(i + 1) + " of " +
                                 std::to_string(config_.messages) + ")");
    }
    sample->received_msgs = i + 1;
  }
  const int64_t end = NowNanos();
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_after, ReadCpuMicros(context.server_pid));
  std::sort(latencies.begin(), latencies.end());
  const double seconds = static_cast<double>(end - start) / 1e9;
  sample->metrics["msgs_per_sec"] = static_cast<double>(config_.messages) / seconds;
  sample->metrics["seconds"] = seconds;
  sample->metrics["p50_us"] = Percentile(latencies, 0.50) / 1000.0;
  sample->metrics["p90_us"] = Percentile(latencies, 0.90) / 1000.0;
  sample->metrics["p99_us"] = Percentile(latencies, 0.99) / 1000.0;
  sample->metrics["p999_us"] = Percentile(latencies, 0.999) / 1000.0;
  sample->metrics["max_us"] = static_cast<double>(latencies.back()) / 1000.0;
  sample->metrics["cpu_us_per_msg"] =
      static_cast<double>(cpu_after - cpu_before) / static_cast<double>(config_.messages);
  return Status::Ok();
}

Status JsPublishScenario::RunAsync(const ScenarioContext& context, natsConnection* nc,
                                   Sample* sample) {
  const int64_t warm_up = WarmUpCount(config_.messages);
  PubAckTally* tally =
      tallies_.emplace_back(std::make_unique<PubAckTally>(kStream, warm_up + config_.messages))
          .get();
  SPATE_ASSIGN_OR_RETURN(std::unique_ptr<AsyncPublisher> publisher,
                         AsyncPublisher::Create(nc, config_.max_pending, tally));
  const std::string payload(config_.payload_bytes, 'j');
  SPATE_RETURN_IF_ERROR(publisher->Publish(kSubject, payload, warm_up));
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_before, ReadCpuMicros(context.server_pid));
  const int64_t acked_before = tally->acked.load();
  const Status run = publisher->Publish(kSubject, payload, config_.messages);
  sample->received_msgs = tally->acked.load() - acked_before;
  SPATE_RETURN_IF_ERROR(run);
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_after, ReadCpuMicros(context.server_pid));
  const double seconds = static_cast<double>(publisher->end_ns() - publisher->start_ns()) / 1e9;
  sample->metrics["msgs_per_sec"] = static_cast<double>(config_.messages) / seconds;
  sample->metrics["seconds"] = seconds;
  sample->metrics["cpu_us_per_msg"] =
      static_cast<double>(cpu_after - cpu_before) / static_cast<double>(config_.messages);
  return Status::Ok();
}

}  // namespace spate::bench
