#include "bench/e2e/js_consume_cpp_scenario.h"

#include <algorithm>
#include <chrono>

#include "bench/e2e/proc_stats.h"
#include "bench/e2e/report.h"
#include "client/jetstream.h"

namespace spate::bench {
namespace {

constexpr char kStream[] = "BENCH";
constexpr char kSubject[] = "bench.js";
constexpr char kPullConsumer[] = "bench-pull";
constexpr char kPushConsumer[] = "bench-push";
constexpr int64_t kMaxAckPending = 1000;
constexpr std::chrono::milliseconds kWait{5000};

// `s` with `what` in front, so an error names the call that failed.
Status Named(const Status& s, const std::string& what) {
  return s.ok() ? s : Status::Unavailable(what + ": " + s.message());
}

// Empty when `msg` is the stream's message `expected_seq` with the right payload size.
std::string CheckMessage(const client::JsMsg& msg, int payload_bytes, uint64_t expected_seq) {
  Result<client::MsgMetadata> meta = msg.Metadata();
  if (!meta.ok()) {
    return "message " + std::to_string(expected_seq) +
           " has no JetStream metadata: " + meta.status().message();
  }
  return DeliveryProblem(expected_seq, payload_bytes, msg.data().size(), meta->stream_seq.value,
                         meta->num_delivered);
}

// Checks each message (and acks it when `ack`) into `tally`; runs on the dispatcher thread.
client::JsMsgHandler Handler(DeliveryTally& tally, bool ack) {
  return [&tally, ack](client::JsMsg& msg) {
    std::string problem = CheckMessage(msg, tally.payload_bytes, tally.next_seq());
    if (ack) {
      if (const Status s = msg.Ack(); !s.ok() && problem.empty()) problem = "Ack: " + s.message();
    }
    tally.Record(problem);
  };
}

client::ConsumerConfig AckedConsumer() {
  client::ConsumerConfig config;
  config.ack_policy = client::AckPolicy::kExplicit;
  config.deliver_policy = client::DeliverPolicy::kAll;
  config.max_ack_pending = kMaxAckPending;
  return config;
}

}  // namespace

std::string JsConsumeCppScenario::description() const {
  std::string consumer;
  switch (config_.consumer) {
    case Consumer::kPull:
      consumer =
          "pull consumer, fetch " + std::to_string(config_.batch) + ", JsMsg::Ack per message";
      break;
    case Consumer::kPush:
      consumer = "durable push consumer, JsMsg::Ack per message";
      break;
    case Consumer::kOrdered:
      consumer = "ordered consumer (ack none)";
      break;
    case Consumer::kOrderedInline:
      consumer = "ordered consumer (ack none), handler on the client's I/O thread";
      break;
  }
  return "spate C++ client, " + consumer + ", " + std::to_string(config_.messages) + " x " +
         std::to_string(config_.payload_bytes) + " B pre-filled file stream; " +
         PairingDescription(config_.pairing);
}

std::vector<MetricSpec> JsConsumeCppScenario::metrics() const {
  return {{"msgs_per_sec", "msgs/s", true}, {"cpu_us_per_msg", "srv cpu us/msg", false}};
}

Result<std::vector<std::string>> JsConsumeCppScenario::ServerArgs(const ServerSpec& server,
                                                                  const std::string& work_dir) {
  return JetStreamServerArgs(server, SideDurability(config_.pairing, server.side), work_dir);
}

std::string JsConsumeCppScenario::Unsupported(const ServerSpec& server) {
  return DurabilityUnsupported(server, SideDurability(config_.pairing, server.side));
}

// With libnats, as the libnats consume scenarios fill: both families start from the same stream.
Status JsConsumeCppScenario::Fill(const std::string& url, Sample* sample) {
  auto& events = *fill_events_.emplace_back(std::make_unique<ConnectionEvents>());
  SPATE_ASSIGN_OR_RETURN(NatsConnection nc, Connect({.url = url,
                                                     .name = "e2e-js-fill",
                                                     .send_mode = SendMode::kBuffered,
                                                     .events = &events}));
  PubAckTally* tally =
      fill_tallies_.emplace_back(std::make_unique<PubAckTally>(kStream, config_.messages)).get();
  return FillFileStream(nc.get(), tally, kSubject, std::string(config_.payload_bytes, 'c'),
                        config_.messages, sample);
}

Status JsConsumeCppScenario::Run(const ScenarioContext& context, Sample* sample) {
  SPATE_RETURN_IF_ERROR(Fill(context.url, sample));
  // Declared before the connection: its callbacks write into these until it is closed.
  ConnectionEvents events;
  DeliveryTally tally(config_.payload_bytes, config_.messages);
  client::Options options;
  options.servers = {context.url};
  options.name = "e2e-js-consume-cpp";
  options.allow_reconnect = false;  // a server that goes away fails the sample at once
  // Client-side pending limits off: a loss must come from the server, not from our client.
  options.pending_msgs_limit = 10'000'000;
  options.pending_bytes_limit = size_t{4} << 30;
  options.closed = [&events](client::Connection&) { events.closed.fetch_add(1); };
  SPATE_ASSIGN_OR_RETURN(std::unique_ptr<client::Connection> conn,
                         client::Connection::Connect(std::move(options)));
  SPATE_ASSIGN_OR_RETURN(client::JetStream js, client::JetStream::Create(*conn));
  sample->expected_msgs = config_.messages;

  // Consumers live until the server's CPU time is read: stopping one is not part of the run.
  client::PullSubscription pull;
  client::PushSubscription push;
  std::unique_ptr<client::OrderedConsumer> ordered;
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_before, ReadCpuMicros(context.server_pid));
  const int64_t start = NowNanos();
  int64_t end = 0;
  if (config_.consumer == Consumer::kPull) {
    Result<client::PullSubscription> sub =
        js.PullSubscribe(kStream, kPullConsumer, AckedConsumer());
    SPATE_RETURN_IF_ERROR(Named(sub.status(), "PullSubscribe"));
    pull = std::move(*sub);
    SPATE_RETURN_IF_ERROR(Pull(pull, sample));
    end = NowNanos();
  } else {
    if (config_.consumer == Consumer::kPush) {
      client::ConsumerConfig config = AckedConsumer();
      config.durable_name = kPushConsumer;
      Result<client::PushSubscription> sub =
          js.Subscribe(kStream, std::move(config), Handler(tally, true));
      SPATE_RETURN_IF_ERROR(Named(sub.status(), "Subscribe"));
      push = std::move(*sub);
    } else {
      client::OrderedConsumerOptions options;
      options.deliver_inline = config_.consumer == Consumer::kOrderedInline;
      Result<std::unique_ptr<client::OrderedConsumer>> sub =
          js.SubscribeOrdered(kStream, options, Handler(tally, false));
      SPATE_RETURN_IF_ERROR(Named(sub.status(), "SubscribeOrdered"));
      ordered = std::move(*sub);
    }
    const Status run = tally.Wait(events);
    sample->received_msgs = tally.received.load();
    SPATE_RETURN_IF_ERROR(run);
    end = tally.done_ns.load();
  }
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_after, ReadCpuMicros(context.server_pid));
  SPATE_RETURN_IF_ERROR(Named(conn->Flush(kWait), "flush acks"));
  if (ordered != nullptr) {
    // Not an error: the consumer recovers by design. But in a bench on loopback it should not
    // have to, so the table should not hide it.
    if (const uint64_t resets = ordered->Resets(); resets > 0) {
      sample->notes.push_back("the ordered consumer was recreated " + std::to_string(resets) +
                              " time(s)");
    }
  } else {
    const std::string consumer = pull.consumer().empty() ? push.consumer() : pull.consumer();
    SPATE_RETURN_IF_ERROR(WaitForAckFloor(
        [&]() -> Result<AckState> {
          Result<client::ConsumerInfo> info = js.GetConsumerInfo(kStream, consumer);
          SPATE_RETURN_IF_ERROR(Named(info.status(), "consumer info"));
          return AckState{.ack_floor = info->ack_floor.stream_seq,
                          .ack_pending = info->num_ack_pending,
                          .redelivered = info->num_redelivered};
        },
        static_cast<uint64_t>(config_.messages)));
  }
  RecordRate(sample, config_.messages, start, end, cpu_before, cpu_after);
  return Status::Ok();
}

Status JsConsumeCppScenario::Pull(client::PullSubscription& sub, Sample* sample) {
  int64_t received = 0;
  while (received < config_.messages) {
    const size_t want =
        static_cast<size_t>(std::min<int64_t>(config_.batch, config_.messages - received));
    auto where = [&] {
      return "fetch " + std::to_string(want) + " after " + std::to_string(received) + " of " +
             std::to_string(config_.messages) + " messages";
    };
    Result<std::vector<client::JsMsg>> msgs = sub.Fetch(want, kWait);
    SPATE_RETURN_IF_ERROR(Named(msgs.status(), where()));
    // Fetch is not an error when nothing comes: for this stream that is a stall.
    if (msgs->empty()) return Status::Unavailable(where() + ": nothing for 5 s");
    std::string problem;
    for (client::JsMsg& msg : *msgs) {
      ++received;
      if (problem.empty()) {
        problem = CheckMessage(msg, config_.payload_bytes, static_cast<uint64_t>(received));
      }
      if (const Status s = msg.Ack(); !s.ok() && problem.empty()) problem = "Ack: " + s.message();
    }
    sample->received_msgs = received;
    if (!problem.empty()) return Status::Corruption(problem);
  }
  return Status::Ok();
}

}  // namespace spate::bench
