#include "bench/e2e/js_publish_scenario.h"

#include "bench/e2e/proc_stats.h"

namespace spate::bench {

std::string JsPublishScenario::PublishDescription() const {
  return config_.async ? "js_PublishAsync, " + std::to_string(config_.max_pending) + " in flight"
                       : "js_Publish, one at a time";
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
    SPATE_RETURN_IF_ERROR(CreateStream(js.get()));
  }
  sample->expected_msgs = config_.messages;
  SPATE_RETURN_IF_ERROR(config_.async ? RunAsync(context, nc.get(), sample)
                                      : RunSync(context, nc.get(), sample));
  SPATE_ASSIGN_OR_RETURN(JetStreamContext js, NewJetStream(nc.get()));
  SPATE_RETURN_IF_ERROR(CheckStreamHoldsAll(js.get()));
  if (events.closed.load() > 0) return Status::Unavailable("the server closed the connection");
  return Status::Ok();
}

Status JsPublishScenario::RunSync(const ScenarioContext& context, natsConnection* nc,
                                  Sample* sample) {
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = kPubAckWaitMs;
  SPATE_ASSIGN_OR_RETURN(JetStreamContext js, NewJetStream(nc, &options));
  const std::string data = payload();
  jsPubOptions pub_options;
  jsPubOptions_Init(&pub_options);
  pub_options.MaxWait = kPubAckWaitMs;
  return MeasureSync(
      context,
      [&](uint64_t expected_seq, int64_t* nanos) {
        jsPubAck* ack = nullptr;
        jsErrCode code = static_cast<jsErrCode>(0);
        const int64_t start = NowNanos();
        const natsStatus s = js_Publish(&ack, js.get(), kSubject, data.data(),
                                        static_cast<int>(data.size()), &pub_options, &code);
        *nanos = NowNanos() - start;
        if (s != NATS_OK) {
          return FromJs(s, code, "js_Publish of sequence " + std::to_string(expected_seq));
        }
        const std::string problem = PubAckProblem(
            kStream, expected_seq, ack->Stream ? ack->Stream : "", ack->Sequence, ack->Duplicate);
        jsPubAck_Destroy(ack);
        return problem.empty() ? Status::Ok() : Status::Corruption(problem);
      },
      sample);
}

Status JsPublishScenario::RunAsync(const ScenarioContext& context, natsConnection* nc,
                                   Sample* sample) {
  PubAckTally* tally =
      tallies_.emplace_back(std::make_unique<PubAckTally>(kStream, warm_up() + config_.messages))
          .get();
  SPATE_ASSIGN_OR_RETURN(std::unique_ptr<AsyncPublisher> publisher,
                         AsyncPublisher::Create(nc, config_.max_pending, tally));
  const std::string data = payload();
  return MeasureAsync(
      context, *tally,
      [&](int64_t count, int64_t* start_ns, int64_t* end_ns) {
        SPATE_RETURN_IF_ERROR(publisher->Publish(kSubject, data, count));
        *start_ns = publisher->start_ns();
        *end_ns = publisher->end_ns();
        return Status::Ok();
      },
      sample);
}

}  // namespace spate::bench
