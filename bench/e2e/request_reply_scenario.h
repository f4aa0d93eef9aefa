#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/e2e/nats_client.h"
#include "bench/e2e/scenario.h"

namespace spate::bench {

// Request/reply latency: a requester connection sends `requests` sequential requests
// (natsConnection_Request, one in flight at a time) and a responder connection echoes each
// payload back. Both connections write at once (no client-side batching) so the latency is the
// round trip through the server twice, plus the client library.
//
// Metrics: p50 and p99 round-trip latency in microseconds, server CPU microseconds per request.
class RequestReplyScenario : public Scenario {
 public:
  RequestReplyScenario(std::string name, int requests, int payload_bytes)
      : name_(std::move(name)), requests_(requests), payload_bytes_(payload_bytes) {}

  const std::string& name() const override { return name_; }
  std::string description() const override;
  std::vector<MetricSpec> metrics() const override;
  Status Run(const ScenarioContext& context, Sample* sample) override;

 private:
  std::string name_;
  int requests_;
  int payload_bytes_;
  std::vector<std::unique_ptr<ConnectionEvents>> events_;  // outlive the connections' callbacks
};

}  // namespace spate::bench
