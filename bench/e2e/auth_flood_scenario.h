#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/e2e/scenario.h"
#include "bench/e2e/throughput_scenario.h"

namespace spate::bench {

// The denial-of-service bound of authentication: "thousands of failed logins per second do not
// slow authenticated traffic measurably".
//
// The server runs with a config file that requires a user and password
// (`authorization { users = [ {user: bench, password: ...} ] }`), the password stored either as a
// bcrypt hash of cost 11 (nsc's default; each check costs ~120 ms of CPU here) or as plain text.
// Authenticated pub/sub throughput is measured twice on the same server: alone, then while
// `flood_threads` threads fail logins as fast as they can. The load is ThroughputScenario's own
// (1 pub -> 1 sub, flow-controlled, warm-up, every delivery checked), its clients logging in with
// the right user and password; each of the two runs connects anew. A flood thread loops over: open
// a TCP connection, read INFO, send `CONNECT {"user":"bench","pass":"wrong",...}` and PING, read
// the -ERR, close (abortively: SO_LINGER 0, so no TIME_WAIT piles up on either side). A wrong
// password that gets a PONG fails the sample. So does a flooded run that the load generator
// calls stalled (a flush not answered in 10 s, no delivery for 5 s): the error line then gives
// the flooded run's length, the failed logins/s and the msgs/s alone, and the JSON has them.
//
// Metrics: msgs/s without and with the flood, the slowdown (baseline / flood msgs/s; 1.00 = no
// effect), failed logins per second during the flooded run (from its first connect to its last
// delivery: the attack rate the server answered, context for the slowdown).
class AuthFloodScenario : public Scenario {
 public:
  struct Config {
    std::string name;
    bool bcrypt = true;  // false: the password is stored as plain text
    int payload_bytes = 128;
    int64_t messages = 500'000;  // per throughput run
    int flood_threads = 4;
  };
  explicit AuthFloodScenario(Config config);

  const std::string& name() const override { return config_.name; }
  std::string description() const override;
  std::vector<MetricSpec> metrics() const override;
  Status Run(const ScenarioContext& context, Sample* sample) override;
  // `-c work_dir/auth.conf`, the file with the authorization block.
  Result<std::vector<std::string>> ServerArgs(const ServerSpec& server,
                                              const std::string& work_dir) override;

 private:
  Config config_;
  ThroughputScenario load_;  // the authenticated traffic
};

}  // namespace spate::bench
