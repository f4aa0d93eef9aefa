#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/e2e/nats_client.h"
#include "bench/e2e/scenario.h"

namespace spate::bench {

struct DeliveryTally;  // throughput_scenario.cc

// Core publish/subscribe throughput: one publisher, `subscribers` subscriber connections, either
// each with its own subscription (fan-out: every subscriber gets every message) or all in one
// queue group (every message goes to exactly one member).
//
// Flow control: the publisher publishes as fast as the client allows but never runs more than a
// window (~4 MiB of messages) ahead of the slowest subscriber; when it would, it flushes
// (PING/PONG) and waits. That keeps the server's outbound queues far below the 64 MB slow-consumer
// limit, so the result is the sustainable rate, and the same for any server. The subscribers must
// receive exactly what was published; anything else is reported as a loss.
//
// Metrics: delivered msgs/s (sum over subscribers, first publish to last delivery) and server CPU
// microseconds per delivered message.
class ThroughputScenario : public Scenario {
 public:
  struct Config {
    std::string name;
    int payload_bytes = 128;
    int subscribers = 1;
    bool queue_group = false;
    int64_t messages = 1'000'000;  // published in the measured phase
  };
  explicit ThroughputScenario(Config config);
  ~ThroughputScenario() override;

  const std::string& name() const override { return config_.name; }
  std::string description() const override;
  std::vector<MetricSpec> metrics() const override;
  Status Run(const ScenarioContext& context, Sample* sample) override;

 private:
  Config config_;
  // Written by client library threads, possibly until after a run's connections are closed, so
  // they live as long as the scenario rather than one Run() call.
  std::vector<std::unique_ptr<ConnectionEvents>> events_;
  std::vector<std::unique_ptr<DeliveryTally>> tallies_;
};

}  // namespace spate::bench
