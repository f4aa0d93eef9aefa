#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/e2e/jetstream_support.h"
#include "bench/e2e/js_publish_scenario_base.h"
#include "bench/e2e/nats_client.h"

namespace spate::bench {

// The JetStream publish scenarios (JsPublishScenarioBase) driven by the spate C++ client
// (src/client) on both servers. libnats limits the libnats ones (JsPublishScenario): against
// spate-server they spend a fraction of nats-server's CPU per message but gain far less in
// msgs/s. This client is faster, and still the same client for both.
// - synchronous: JetStream::Publish, which waits for the PubAck (a request on the connection's
//   shared reply inbox).
// - asynchronous: JetStream::PublishAsync with a window of `max_pending` (the client blocks the
//   publisher while it is full); PubAcks are checked on the client's dispatcher thread.
// The stream is created and counted over a libnats connection of its own (see the base).
class JsPublishCppScenario : public JsPublishScenarioBase {
 public:
  explicit JsPublishCppScenario(Config config) : JsPublishScenarioBase(std::move(config)) {}

  Status Run(const ScenarioContext& context, Sample* sample) override;

 protected:
  std::string PublishDescription() const override;

 private:
  // Outlive the connections: library threads may still call into them (a PubAck handler of a
  // failed sample, say).
  std::vector<std::unique_ptr<ConnectionEvents>> admin_events_;
  std::vector<std::unique_ptr<PubAckTally>> tallies_;
};

}  // namespace spate::bench
