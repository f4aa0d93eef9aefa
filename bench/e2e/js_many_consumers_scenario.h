#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/e2e/nats_client.h"
#include "bench/e2e/scenario.h"

namespace spate::bench {

// Many consumers on one stream: an empty file stream gets `consumers` durable pull consumers
// (explicit ack, deliver all, otherwise the server's defaults), created one after another with
// js_AddConsumer (each waits for its answer, which must name the consumer). Then the client
// stays connected and silent for `idle_seconds`. Finally the stream info must count every
// consumer. Each server runs in its default durability (creating a consumer does not depend on
// it: neither server syncs per create).
//
// Metrics: create time in s and us per consumer (first request to the last answer), server CPU
// us per consumer created, server CPU during the idle window in percent of one CPU (summed over
// the server's threads from /proc/<pid>/task/*/schedstat, nanosecond resolution; the window
// starts right after the last create, so work a server defers past the create answers counts
// here), VmRSS right after the last create and its growth per consumer over the RSS with the
// empty stream. The JSON also has the idle CPU of each second and from clock ticks.
class JsManyConsumersScenario : public Scenario {
 public:
  struct Config {
    std::string name;
    int consumers = 10'000;
    int idle_seconds = 5;
  };
  explicit JsManyConsumersScenario(Config config) : config_(std::move(config)) {}

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
};

}  // namespace spate::bench
