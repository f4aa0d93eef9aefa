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

// Which server a binary is, from its `--version` line: scenarios that configure the server
// (JetStream durability, say) need to know which configuration keys it takes.
enum class ServerKind { kNats, kSpate };

// The server a sample is about to start. side 0 is A, 1 is B.
struct ServerSpec {
  std::string name;  // display name, e.g. "spate"
  std::string path;
  ServerKind kind = ServerKind::kNats;
  int side = 0;
};

// The running server of one sample. Lets a scenario stop the server and start it again with the
// same binary and arguments (the same store directory), e.g. to time a restart.
class ServerControl {
 public:
  virtual ~ServerControl() = default;
  virtual const std::string& url() const = 0;
  virtual pid_t pid() const = 0;
  // SIGTERM, then waits for the exit; an error when the server had to be killed or exited badly.
  virtual Status Stop() = 0;
  // Starts the server again and returns once its log has the "Listening for client connections"
  // line. The times of the fork and of the first sight of that line are in started_ns() and
  // listening_ns() (NowNanos clock; the log is polled every millisecond).
  virtual Status Start() = 0;
  virtual int64_t started_ns() const = 0;
  virtual int64_t listening_ns() const = 0;
};

// What a scenario gets to work with: a freshly started server.
struct ScenarioContext {
  std::string url;
  pid_t server_pid = -1;
  ServerControl* server = nullptr;  // the same server; url and server_pid are its first start's
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
  // Extra server arguments for one sample, e.g. `-js -sd DIR`. `work_dir` is an empty directory
  // of this sample's own; it is removed after the sample.
  virtual Result<std::vector<std::string>> ServerArgs(const ServerSpec& /*server*/,
                                                      const std::string& /*work_dir*/) {
    return std::vector<std::string>{};
  }
  // Non-empty when the scenario cannot run against this server (say, it lacks a configuration
  // option the scenario needs): the reason. Such scenarios are skipped for both servers.
  virtual std::string Unsupported(const ServerSpec& /*server*/) { return ""; }
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
  int64_t restart_messages = 1'000'000;  // stored before js-restart stops the server
  int many_consumers = 10'000;           // js-many-consumers
  int consumers_idle_seconds = 5;        // js-many-consumers' idle window
};

// All scenarios, in run order.
std::vector<std::unique_ptr<Scenario>> MakeScenarios(const ScenarioScale& scale);

}  // namespace spate::bench
