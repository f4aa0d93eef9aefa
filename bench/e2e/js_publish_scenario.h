#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/e2e/jetstream_support.h"
#include "bench/e2e/nats_client.h"
#include "bench/e2e/scenario.h"

namespace spate::bench {

// JetStream publish into a fresh stream with one subject, in one of two ways:
// - synchronous: js_Publish, one message at a time; each call waits for its PubAck. The
//   connection writes at once (no client-side batching), as for request/reply.
// - asynchronous: js_PublishAsync with up to `max_pending` PubAcks outstanding; libnats blocks
//   the publisher while the window is full.
// A warm-up of 5% of the messages (at least 100) goes into the same stream first. Every PubAck
// is checked: the stream's name, no duplicate flag, and sequences 1, 2, 3... (synchronous) or
// each sequence of the phase exactly once (asynchronous). At the end the stream must hold every
// message. File streams run each server in the durability `pairing` gives its side.
//
// Metrics: msgs/s (first publish to last PubAck), server CPU us per message and, synchronous
// only, p50/p99 PubAck latency in microseconds.
class JsPublishScenario : public Scenario {
 public:
  struct Config {
    std::string name;
    bool async = false;
    StorageKind storage = StorageKind::kFile;
    Pairing pairing = Pairing::kFast;  // file streams only
    int payload_bytes = 128;
    int64_t messages = 10'000;  // in the measured phase
    int max_pending = 256;      // asynchronous only
  };
  explicit JsPublishScenario(Config config) : config_(std::move(config)) {}

  const std::string& name() const override { return config_.name; }
  std::string description() const override;
  std::vector<MetricSpec> metrics() const override;
  Status Run(const ScenarioContext& context, Sample* sample) override;
  Result<std::vector<std::string>> ServerArgs(const ServerSpec& server,
                                              const std::string& work_dir) override;
  std::string Unsupported(const ServerSpec& server) override;

 private:
  std::optional<Durability> SideDurability(int side) const;
  Status RunSync(const ScenarioContext& context, natsConnection* nc, Sample* sample);
  Status RunAsync(const ScenarioContext& context, natsConnection* nc, Sample* sample);

  Config config_;
  // Outlive the connections: library threads may still call into them.
  std::vector<std::unique_ptr<ConnectionEvents>> events_;
  std::vector<std::unique_ptr<PubAckTally>> tallies_;
};

}  // namespace spate::bench
