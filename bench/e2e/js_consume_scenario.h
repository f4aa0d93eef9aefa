#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/e2e/jetstream_support.h"
#include "bench/e2e/nats_client.h"
#include "bench/e2e/scenario.h"

namespace spate::bench {

// JetStream consume: a file stream is filled with `messages` messages (js_PublishAsync, 256 in
// flight, PubAcks checked; not timed), then one consumer with explicit acks reads them all:
// - pull: js_PullSubscribe + natsSubscription_Fetch of `batch` messages at a time; every
//   message is acked with natsMsg_Ack (one +ACK each, no ack-all) before the next fetch.
// - push: js_Subscribe (an ephemeral push consumer) with manual acks; the callback acks every
//   message with natsMsg_Ack.
// Both consumers have max_ack_pending 1000 (nats-server's default, set explicitly so both
// servers get the same). Messages must arrive in stream order, each once, with the right size.
// After the last one, consumer info has to show an ack floor at the last sequence and no ack
// pending (polled for up to 5 s, not timed). Servers run in the durability of the pairing.
//
// Metrics: msgs/s (first fetch or subscribe to the last message received and acked), server
// CPU us per message.
class JsConsumeScenario : public Scenario {
 public:
  struct Config {
    std::string name;
    bool push = false;
    int payload_bytes = 128;
    int64_t messages = 200'000;
    int batch = 256;  // pull only
    Pairing pairing = Pairing::kFast;
  };
  explicit JsConsumeScenario(Config config);
  ~JsConsumeScenario() override;

  const std::string& name() const override { return config_.name; }
  std::string description() const override;
  std::vector<MetricSpec> metrics() const override;
  Status Run(const ScenarioContext& context, Sample* sample) override;
  Result<std::vector<std::string>> ServerArgs(const ServerSpec& server,
                                              const std::string& work_dir) override;
  std::string Unsupported(const ServerSpec& server) override;

 private:
  Status Pull(natsSubscription* sub, Sample* sample);

  Config config_;
  // Outlive the connections: library threads may still call into them.
  std::vector<std::unique_ptr<ConnectionEvents>> events_;
  std::vector<std::unique_ptr<PubAckTally>> pub_tallies_;
  std::vector<std::unique_ptr<DeliveryTally>> push_tallies_;
};

}  // namespace spate::bench
