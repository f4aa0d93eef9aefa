#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/e2e/jetstream_support.h"
#include "bench/e2e/nats_client.h"
#include "bench/e2e/scenario.h"

namespace spate::bench {

// Restart of a server with a large file stream: the stream is filled with `messages` messages
// (js_PublishAsync, 256 in flight, PubAcks checked; not timed), the client disconnects, the
// server is stopped with SIGTERM and started again on the same store directory. Then a client
// connects and asks for the stream's info until it answers (up to 30 s); the stream must hold
// every message at its first answer.
//
// Metrics, all from the fork of the new process: "ready ms" to the first good stream info (the
// server is usable), "listen ms" to the "Listening for client connections" log line; also the
// clean stop (SIGTERM to exit) in ms and the RSS of the restarted server once ready.
class JsRestartScenario : public Scenario {
 public:
  struct Config {
    std::string name;
    int payload_bytes = 128;
    int64_t messages = 1'000'000;
    Pairing pairing = Pairing::kFast;
  };
  explicit JsRestartScenario(Config config) : config_(std::move(config)) {}

  const std::string& name() const override { return config_.name; }
  std::string description() const override;
  std::vector<MetricSpec> metrics() const override;
  Status Run(const ScenarioContext& context, Sample* sample) override;
  Result<std::vector<std::string>> ServerArgs(const ServerSpec& server,
                                              const std::string& work_dir) override;
  std::string Unsupported(const ServerSpec& server) override;

 private:
  Status Fill(const std::string& url, Sample* sample);

  Config config_;
  // Outlive the connections: library threads may still call into them.
  std::vector<std::unique_ptr<ConnectionEvents>> events_;
  std::vector<std::unique_ptr<PubAckTally>> tallies_;
};

}  // namespace spate::bench
