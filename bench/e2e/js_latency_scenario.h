#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/e2e/nats_client.h"
#include "bench/e2e/scenario.h"

namespace spate::bench {

struct LatencyTally;  // js_latency_scenario.cc

// JetStream publish-to-delivery latency: an empty file stream and a push consumer on it
// (js_Subscribe, an ephemeral consumer with explicit acks, max_ack_pending 1000; the callback
// acks every message with natsMsg_Ack). A second connection publishes `messages` messages of
// `payload_bytes` at a fixed `rate` (absolute-time sleeps on the monotonic clock) with plain
// core publishes (natsConnection_Publish, no reply subject: no PubAck is asked for or waited
// on), each carrying its send time. The latency of a message is its arrival in the callback
// minus that send time, so it covers the store and the consumer's delivery, plus libnats' reader
// and delivery threads on the receiving side. Messages must arrive once each, in stream order,
// with the right size; afterwards the ack floor has to reach the last one and the stream has to
// hold them all. Each server runs in its default durability: spate-server syncs before the
// PubAck but delivers to consumers once the message is written to the OS, before that sync;
// nats-server 2.9 syncs every 2 min.
//
// Metrics: p50, p99, p99.9 latency in us (the first 5% of the messages are a warm-up and left
// out), server CPU us per message (the whole publishing run).
class JsLatencyScenario : public Scenario {
 public:
  struct Config {
    std::string name;
    int payload_bytes = 128;
    int64_t messages = 25'000;
    int rate = 5'000;  // messages per second
  };
  explicit JsLatencyScenario(Config config);
  ~JsLatencyScenario() override;

  const std::string& name() const override { return config_.name; }
  std::string description() const override;
  std::vector<MetricSpec> metrics() const override;
  Status Run(const ScenarioContext& context, Sample* sample) override;
  Result<std::vector<std::string>> ServerArgs(const ServerSpec& server,
                                              const std::string& work_dir) override;

 private:
  Config config_;
  // Outlive the connections: library threads may still call into them.
  std::vector<std::unique_ptr<ConnectionEvents>> events_;
  std::vector<std::unique_ptr<LatencyTally>> tallies_;
};

}  // namespace spate::bench
