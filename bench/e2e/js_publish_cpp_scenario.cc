#include "bench/e2e/js_publish_cpp_scenario.h"

#include <chrono>

#include "bench/e2e/proc_stats.h"
#include "client/errors.h"
#include "client/jetstream.h"

namespace spate::bench {
namespace {

// PublishAsync of `count` messages inside the context's window, then waits for their PubAcks;
// each is checked into `tally` on the dispatcher thread. Mirrors AsyncPublisher::Publish (the
// libnats one), so both families time and check the same span.
Status PublishAsyncPhase(client::JetStream& js, PubAckTally& tally, const std::string& subject,
                         const std::string& payload, int64_t count, int64_t* start_ns,
                         int64_t* end_ns) {
  SPATE_RETURN_IF_ERROR(tally.BeginPhase(count));
  const int64_t base = tally.acked.load();
  // One small capture: copying it into each publish's std::function does not allocate.
  const client::JetStream::AckHandler on_ack = [tally = &tally](Result<client::PubAck> ack) {
    if (ack.ok()) {
      tally->Record(ack->stream, ack->seq, ack->duplicate);
    } else {
      tally->RecordError("PubAck error: " + ack.status().message());
    }
  };
  const client::PubOptions options;
  const std::chrono::milliseconds wait = js.options().async_stall_wait;
  *start_ns = NowNanos();
  for (int64_t i = 0; i < count; ++i) {
    if (const Status s = js.PublishAsync(subject, payload, options, on_ack); !s.ok()) {
      return Status::Unavailable("PublishAsync of message " + std::to_string(i + 1) + " (" +
                                 tally.AckedText(base, count) + "): " + s.message());
    }
  }
  // As for libnats: a timeout is a stall only when no PubAck came during it.
  for (int64_t last = -1;;) {
    const Status s = js.PublishAsyncComplete(wait);
    if (s.ok()) break;
    const int64_t acked = tally.acked.load();
    if (!client::IsTimeout(s) || acked == last) {
      return Status::Unavailable("waiting " + std::to_string(wait.count()) + " ms for PubAcks (" +
                                 tally.AckedText(base, count) + "): " + s.message());
    }
    last = acked;
  }
  SPATE_RETURN_IF_ERROR(tally.AwaitAcks(base, count));
  *end_ns = NowNanos();
  return tally.Verdict();
}

}  // namespace

std::string JsPublishCppScenario::PublishDescription() const {
  return config_.async ? "spate C++ client, JetStream::PublishAsync, " +
                             std::to_string(config_.max_pending) + " in flight"
                       : "spate C++ client, JetStream::Publish, one at a time";
}

Status JsPublishCppScenario::Run(const ScenarioContext& context, Sample* sample) {
  auto& admin_events = *admin_events_.emplace_back(std::make_unique<ConnectionEvents>());
  SPATE_ASSIGN_OR_RETURN(NatsConnection admin, Connect({.url = context.url,
                                                        .name = "e2e-js-admin",
                                                        .send_mode = SendMode::kAsap,
                                                        .events = &admin_events}));
  SPATE_ASSIGN_OR_RETURN(JetStreamContext admin_js, NewJetStream(admin.get()));
  SPATE_RETURN_IF_ERROR(CreateStream(admin_js.get()));

  // Declared before the connection: its callbacks write into it until it is closed.
  ConnectionEvents events;
  client::Options options;
  options.servers = {context.url};
  options.name = "e2e-js-pub-cpp";
  options.allow_reconnect = false;  // a server that goes away fails the sample at once
  options.closed = [&events](client::Connection&) { events.closed.fetch_add(1); };
  SPATE_ASSIGN_OR_RETURN(std::unique_ptr<client::Connection> conn,
                         client::Connection::Connect(std::move(options)));
  client::JsOptions js_options;
  js_options.timeout = std::chrono::milliseconds(kPubAckWaitMs);
  js_options.max_async_pending = static_cast<size_t>(config_.max_pending);
  js_options.async_stall_wait = std::chrono::milliseconds(kPubAckWaitMs);
  js_options.async_ack_timeout = std::chrono::milliseconds(kPubAckWaitMs);
  SPATE_ASSIGN_OR_RETURN(client::JetStream js, client::JetStream::Create(*conn, js_options));

  sample->expected_msgs = config_.messages;
  const std::string data = payload();
  if (config_.async) {
    PubAckTally& tally = *tallies_.emplace_back(
        std::make_unique<PubAckTally>(kStream, warm_up() + config_.messages));
    SPATE_RETURN_IF_ERROR(MeasureAsync(
        context, tally,
        [&](int64_t count, int64_t* start_ns, int64_t* end_ns) {
          return PublishAsyncPhase(js, tally, kSubject, data, count, start_ns, end_ns);
        },
        sample));
  } else {
    SPATE_RETURN_IF_ERROR(MeasureSync(
        context,
        [&](uint64_t expected_seq, int64_t* nanos) {
          const int64_t start = NowNanos();
          Result<client::PubAck> ack = js.Publish(kSubject, data);
          *nanos = NowNanos() - start;
          if (!ack.ok()) {
            return Status::Unavailable("JetStream::Publish of sequence " +
                                       std::to_string(expected_seq) + ": " +
                                       ack.status().message());
          }
          const std::string problem =
              PubAckProblem(kStream, expected_seq, ack->stream, ack->seq, ack->duplicate);
          return problem.empty() ? Status::Ok() : Status::Corruption(problem);
        },
        sample));
  }
  SPATE_RETURN_IF_ERROR(CheckStreamHoldsAll(admin_js.get()));
  if (events.closed.load() > 0 || admin_events.closed.load() > 0) {
    return Status::Unavailable("the server closed a connection");
  }
  return Status::Ok();
}

}  // namespace spate::bench
