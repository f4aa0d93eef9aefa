#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace spate::bench {

// One measured value a scenario reports, e.g. delivered msgs/s.
struct MetricSpec {
  std::string name;  // key in Sample::metrics and in the JSON
  std::string unit;
  bool higher_is_better = true;
};

// The result of running one scenario once against one server process.
struct Sample {
  std::string scenario;
  std::string server;  // display name, e.g. "spate"
  int round = 0;
  std::map<std::string, double> metrics;
  int64_t expected_msgs = 0;  // deliveries the subscribers should see (0 if not applicable)
  int64_t received_msgs = 0;
  std::string error;               // empty when the sample is valid; losses are errors
  std::vector<std::string> notes;  // e.g. slow-consumer lines in the server log
};

// What a scenario gets to work with: a freshly started server.
struct ScenarioContext {
  std::string url;
  pid_t server_pid = -1;
};

// A benchmark scenario. Run() connects its own clients, measures, and disconnects them; it may
// assume a fresh server. The server's CPU time is read around the measured part only.
class Scenario {
 public:
  virtual ~Scenario() = default;
  virtual const std::string& name() const = 0;
  virtual std::string description() const = 0;
  virtual std::vector<MetricSpec> metrics() const = 0;
  virtual Status Run(const ScenarioContext& context, Sample* sample) = 0;
  // False when other processes' CPU use hardly moves the result (RSS, say): such samples are not
  // rerun by --max-other-cpu nor counted in the noise warning. A mostly idle scenario leaves the
  // CPUs to others, so its "other cpu" is high without meaning anything.
  virtual bool cpu_sensitive() const { return true; }
};

// Message counts and sizes; --quick scales them down for a smoke run.
struct ScenarioScale {
  double msg_factor = 1.0;
  int requests = 10'000;
  int idle_connections = 2'000;
};

// All scenarios, in run order.
std::vector<std::unique_ptr<Scenario>> MakeScenarios(const ScenarioScale& scale);

}  // namespace spate::bench
