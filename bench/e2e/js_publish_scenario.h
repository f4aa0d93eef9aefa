#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/e2e/jetstream_support.h"
#include "bench/e2e/js_publish_scenario_base.h"
#include "bench/e2e/nats_client.h"

namespace spate::bench {

// The JetStream publish scenarios (JsPublishScenarioBase) driven by libnats:
// - synchronous: js_Publish; the connection writes at once (no client-side batching), as for
//   request/reply.
// - asynchronous: js_PublishAsync (AsyncPublisher); libnats blocks the publisher while the
//   window is full.
class JsPublishScenario : public JsPublishScenarioBase {
 public:
  explicit JsPublishScenario(Config config) : JsPublishScenarioBase(std::move(config)) {}

  Status Run(const ScenarioContext& context, Sample* sample) override;

 protected:
  std::string PublishDescription() const override;

 private:
  Status RunSync(const ScenarioContext& context, natsConnection* nc, Sample* sample);
  Status RunAsync(const ScenarioContext& context, natsConnection* nc, Sample* sample);

  // Outlive the connections: library threads may still call into them.
  std::vector<std::unique_ptr<ConnectionEvents>> events_;
  std::vector<std::unique_ptr<PubAckTally>> tallies_;
};

}  // namespace spate::bench
