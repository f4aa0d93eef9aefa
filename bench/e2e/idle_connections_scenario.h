#pragma once

#include <string>
#include <vector>

#include "bench/e2e/scenario.h"

namespace spate::bench {

// Memory cost of idle clients: opens `connections` client connections that complete the handshake
// (INFO, CONNECT, PING/PONG) and then stay silent, and reads the server's VmRSS.
//
// These are plain sockets speaking the client protocol rather than libnats connections: libnats
// runs two threads per connection, and 4,000 client threads would swamp a small machine without
// changing what the server sees (an idle, connected client).
//
// Metrics: server RSS with all connections open (MiB), RSS growth per connection (KiB), server
// CPU microseconds per connection for the handshakes.
class IdleConnectionsScenario : public Scenario {
 public:
  IdleConnectionsScenario(std::string name, int connections)
      : name_(std::move(name)), connections_(connections) {}

  const std::string& name() const override { return name_; }
  std::string description() const override;
  std::vector<MetricSpec> metrics() const override;
  Status Run(const ScenarioContext& context, Sample* sample) override;
  bool cpu_sensitive() const override { return false; }

 private:
  std::string name_;
  int connections_;
};

}  // namespace spate::bench
