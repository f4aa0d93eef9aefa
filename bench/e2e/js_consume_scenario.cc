#include "bench/e2e/js_consume_scenario.h"

#include <algorithm>

#include "bench/e2e/proc_stats.h"
#include "bench/e2e/report.h"

namespace spate::bench {
namespace {

constexpr char kStream[] = "BENCH";
constexpr char kSubject[] = "bench.js";
constexpr int64_t kMaxAckPending = 1000;
constexpr int kFetchTimeoutMs = 5000;

// Empty when `msg` is the stream's message `expected_seq` with the right payload size.
std::string CheckMessage(natsMsg* msg, int payload_bytes, uint64_t expected_seq) {
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) != NATS_OK) {
    return "message " + std::to_string(expected_seq) + " has no JetStream metadata";
  }
  std::string problem =
      DeliveryProblem(expected_seq, payload_bytes, static_cast<size_t>(natsMsg_GetDataLength(msg)),
                      meta->Sequence.Stream, meta->NumDelivered);
  jsMsgMetaData_Destroy(meta);
  return problem;
}

void OnPushMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* tally = static_cast<DeliveryTally*>(closure);
  std::string problem = CheckMessage(msg, tally->payload_bytes, tally->next_seq());
  if (const natsStatus s = natsMsg_Ack(msg, nullptr); s != NATS_OK && problem.empty()) {
    problem = std::string("natsMsg_Ack: ") + natsStatus_GetText(s);
  }
  natsMsg_Destroy(msg);
  tally->Record(problem);
}

}  // namespace

JsConsumeScenario::JsConsumeScenario(Config config) : config_(std::move(config)) {}
JsConsumeScenario::~JsConsumeScenario() = default;

std::string JsConsumeScenario::description() const {
  return (config_.push ? std::string("push consumer")
                       : "pull consumer, fetch " + std::to_string(config_.batch)) +
         ", natsMsg_Ack per message, " + std::to_string(config_.messages) + " x " +
         std::to_string(config_.payload_bytes) + " B pre-filled file stream; " +
         PairingDescription(config_.pairing);
}

std::vector<MetricSpec> JsConsumeScenario::metrics() const {
  return {{"msgs_per_sec", "msgs/s", true}, {"cpu_us_per_msg", "srv cpu us/msg", false}};
}

Result<std::vector<std::string>> JsConsumeScenario::ServerArgs(const ServerSpec& server,
                                                               const std::string& work_dir) {
  return JetStreamServerArgs(server, SideDurability(config_.pairing, server.side), work_dir);
}

std::string JsConsumeScenario::Unsupported(const ServerSpec& server) {
  return DurabilityUnsupported(server, SideDurability(config_.pairing, server.side));
}

Status JsConsumeScenario::Run(const ScenarioContext& context, Sample* sample) {
  auto& events = *events_.emplace_back(std::make_unique<ConnectionEvents>());
  // Buffered: the many small +ACK publishes go out in batches, as a real consumer's would.
  SPATE_ASSIGN_OR_RETURN(NatsConnection nc, Connect({.url = context.url,
                                                     .name = "e2e-js-consume",
                                                     .send_mode = SendMode::kBuffered,
                                                     .events = &events}));
  PubAckTally* pub_tally =
      pub_tallies_.emplace_back(std::make_unique<PubAckTally>(kStream, config_.messages)).get();
  SPATE_RETURN_IF_ERROR(FillFileStream(nc.get(), pub_tally, kSubject,
                                       std::string(config_.payload_bytes, 'c'), config_.messages,
                                       sample));
  SPATE_ASSIGN_OR_RETURN(JetStreamContext js, NewJetStream(nc.get()));
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = kStream;
  options.Config.AckPolicy = js_AckExplicit;
  options.Config.DeliverPolicy = js_DeliverAll;
  options.Config.MaxAckPending = kMaxAckPending;
  sample->expected_msgs = config_.messages;

  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_before, ReadCpuMicros(context.server_pid));
  const int64_t start = NowNanos();
  natsSubscription* raw_sub = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  DeliveryTally* push = nullptr;
  if (config_.push) {
    options.ManualAck = true;
    push =
        push_tallies_
            .emplace_back(std::make_unique<DeliveryTally>(config_.payload_bytes, config_.messages))
            .get();
    SPATE_RETURN_IF_ERROR(FromJs(
        js_Subscribe(&raw_sub, js.get(), kSubject, OnPushMessage, push, nullptr, &options, &code),
        code, "js_Subscribe"));
  } else {
    SPATE_RETURN_IF_ERROR(FromJs(
        js_PullSubscribe(&raw_sub, js.get(), kSubject, "bench-pull", nullptr, &options, &code),
        code, "js_PullSubscribe"));
  }
  NatsSubscription sub(raw_sub);
  int64_t end = 0;
  if (config_.push) {
    const Status run = push->Wait(events);
    sample->received_msgs = push->received.load();
    SPATE_RETURN_IF_ERROR(run);
    end = push->done_ns.load();
  } else {
    SPATE_RETURN_IF_ERROR(Pull(sub.get(), sample));
    end = NowNanos();
  }
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_after, ReadCpuMicros(context.server_pid));
  SPATE_RETURN_IF_ERROR(FromNats(natsConnection_FlushTimeout(nc.get(), 5000), "flush acks"));
  SPATE_RETURN_IF_ERROR(WaitForAckFloor(sub.get(), static_cast<uint64_t>(config_.messages)));
  RecordRate(sample, config_.messages, start, end, cpu_before, cpu_after);
  return Status::Ok();
}

Status JsConsumeScenario::Pull(natsSubscription* sub, Sample* sample) {
  int64_t received = 0;
  while (received < config_.messages) {
    const int want =
        static_cast<int>(std::min<int64_t>(config_.batch, config_.messages - received));
    natsMsgList list{};
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus s = natsSubscription_Fetch(&list, sub, want, kFetchTimeoutMs, &code);
    if (s != NATS_OK) {
      natsMsgList_Destroy(&list);
      return FromJs(s, code,
                    "fetch " + std::to_string(want) + " after " + std::to_string(received) +
                        " of " + std::to_string(config_.messages) + " messages");
    }
    std::string problem;
    for (int i = 0; i < list.Count; ++i) {
      ++received;
      if (problem.empty()) {
        problem =
            CheckMessage(list.Msgs[i], config_.payload_bytes, static_cast<uint64_t>(received));
      }
      if (const natsStatus ack = natsMsg_Ack(list.Msgs[i], nullptr); ack != NATS_OK) {
        if (problem.empty()) problem = std::string("natsMsg_Ack: ") + natsStatus_GetText(ack);
      }
    }
    natsMsgList_Destroy(&list);
    sample->received_msgs = received;
    if (!problem.empty()) return Status::Corruption(problem);
  }
  return Status::Ok();
}

}  // namespace spate::bench
