#include <cmath>

#include "bench/e2e/idle_connections_scenario.h"
#include "bench/e2e/request_reply_scenario.h"
#include "bench/e2e/scenario.h"
#include "bench/e2e/throughput_scenario.h"

namespace spate::bench {

// Message counts are chosen so that each measurement takes about 1-2 s against nats-server 2.9 on
// a 2-core machine (publisher, subscribers and server sharing the cores).
std::vector<std::unique_ptr<Scenario>> MakeScenarios(const ScenarioScale& scale) {
  auto messages = [&](int64_t full) {
    return std::max<int64_t>(1000, std::llround(static_cast<double>(full) * scale.msg_factor));
  };
  auto throughput = [&](std::string name, int payload, int subscribers, bool queue,
                        int64_t full_count) -> std::unique_ptr<Scenario> {
    return std::make_unique<ThroughputScenario>(ThroughputScenario::Config{
        .name = std::move(name),
        .payload_bytes = payload,
        .subscribers = subscribers,
        .queue_group = queue,
        .messages = messages(full_count),
    });
  };
  std::vector<std::unique_ptr<Scenario>> all;
  all.push_back(throughput("pubsub-16b", 16, 1, false, 1'500'000));
  all.push_back(throughput("pubsub-128b", 128, 1, false, 1'000'000));
  all.push_back(throughput("pubsub-1k", 1024, 1, false, 300'000));
  all.push_back(throughput("pubsub-16k", 16 * 1024, 1, false, 25'000));
  all.push_back(throughput("fanout-4", 128, 4, false, 300'000));
  all.push_back(throughput("queue-4", 128, 4, true, 800'000));
  all.push_back(std::make_unique<RequestReplyScenario>("reqreply", scale.requests, 128));
  all.push_back(std::make_unique<IdleConnectionsScenario>("idle-conns", scale.idle_connections));
  return all;
}

}  // namespace spate::bench
