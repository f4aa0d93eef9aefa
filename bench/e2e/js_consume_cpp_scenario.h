#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/e2e/jetstream_support.h"
#include "bench/e2e/nats_client.h"
#include "bench/e2e/scenario.h"
#include "client/pull_subscription.h"

namespace spate::bench {

// JetStream consume driven by the spate C++ client (src/client) on both servers. The libnats
// consume scenarios (JsConsumeScenario) are bound by libnats itself at ~90-100k msgs/s whichever
// server it talks to, so they cannot show a difference between the servers; this client is
// faster, and still the same client for both.
//
// Set-up as JsConsumeScenario's, not timed: a file stream filled with `messages` messages over
// libnats (FillFileStream), servers in the pairing's durability. Then one consumer reads them all:
// - pull: PullSubscription::Fetch of `batch` at a time; every message acked with JsMsg::Ack (one
//   +ACK each) before the next fetch.
// - push: a durable push consumer (JetStream::Subscribe, callback); the callback acks every
//   message with JsMsg::Ack.
// - ordered: an OrderedConsumer (ack none, flow control, heartbeats) over the whole stream;
//   ordered-inline the same with deliver_inline (the handler on the client's I/O thread).
// Pull and push consumers have max_ack_pending 1000, as in the libnats scenarios. Messages must
// arrive in stream order, each once, with the right size; for pull and push, consumer info has
// to show the ack floor at the last sequence and no ack pending afterwards (polled up to 5 s,
// not timed). An ordered consumer that had to recreate itself is noted in the sample.
//
// Metrics: msgs/s (consumer creation to the last message received and acked), server CPU us per
// message.
class JsConsumeCppScenario : public Scenario {
 public:
  enum class Consumer { kPull, kPush, kOrdered, kOrderedInline };
  struct Config {
    std::string name;
    Consumer consumer = Consumer::kPull;
    int payload_bytes = 128;
    int64_t messages = 200'000;
    int batch = 256;  // pull only
    Pairing pairing = Pairing::kFast;
  };
  explicit JsConsumeCppScenario(Config config) : config_(std::move(config)) {}

  const std::string& name() const override { return config_.name; }
  std::string description() const override;
  std::vector<MetricSpec> metrics() const override;
  Status Run(const ScenarioContext& context, Sample* sample) override;
  Result<std::vector<std::string>> ServerArgs(const ServerSpec& server,
                                              const std::string& work_dir) override;
  std::string Unsupported(const ServerSpec& server) override;

 private:
  Status Fill(const std::string& url, Sample* sample);
  Status Pull(client::PullSubscription& sub, Sample* sample);

  Config config_;
  // The fill's libnats objects outlive its connection: library threads may still call into them.
  std::vector<std::unique_ptr<ConnectionEvents>> fill_events_;
  std::vector<std::unique_ptr<PubAckTally>> fill_tallies_;
};

}  // namespace spate::bench
