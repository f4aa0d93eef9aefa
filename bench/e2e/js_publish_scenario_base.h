#pragma once

#include <nats/nats.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench/e2e/jetstream_support.h"
#include "bench/e2e/scenario.h"

namespace spate::bench {

// What the JetStream publish scenarios have in common whichever client publishes
// (JsPublishScenario: libnats, JsPublishCppScenario: the spate C++ client), so that the two
// families differ in the client alone.
//
// JetStream publish into a fresh stream with one subject, in one of two ways:
// - synchronous: one message at a time; each publish waits for its PubAck.
// - asynchronous: up to `max_pending` PubAcks outstanding; the publisher blocks while the
//   window is full.
// A warm-up of 5% of the messages (at least 100) goes into the same stream first. Every PubAck
// is checked: the stream's name, no duplicate flag, and sequences 1, 2, 3... (synchronous) or
// each sequence of the phase exactly once (asynchronous). At the end the stream must hold every
// message. The stream is created and counted over libnats by both families (CreateStream,
// CheckStreamHoldsAll), so they publish into the same stream config. File streams run each
// server in the durability `pairing` gives its side.
//
// Metrics: msgs/s (first publish to last PubAck), server CPU us per message and, synchronous
// only, p50/p99 PubAck latency in microseconds.
class JsPublishScenarioBase : public Scenario {
 public:
  struct Config {
    std::string name;
    bool async = false;
    StorageKind storage = StorageKind::kFile;
    Pairing pairing = Pairing::kFast;  // file streams only
    int payload_bytes = 128;
    int64_t messages = 10'000;  // in the measured phase
    int max_pending = 256;      // asynchronous only
  };

  const std::string& name() const override { return config_.name; }
  std::string description() const override;
  std::vector<MetricSpec> metrics() const override;
  Result<std::vector<std::string>> ServerArgs(const ServerSpec& server,
                                              const std::string& work_dir) override;
  std::string Unsupported(const ServerSpec& server) override;

 protected:
  static constexpr char kStream[] = "BENCH";
  static constexpr char kSubject[] = "bench.js";
  static constexpr int kPubAckWaitMs = 5000;

  explicit JsPublishScenarioBase(Config config) : config_(std::move(config)) {}

  // How the client publishes, the start of description(): "js_Publish, one at a time", say.
  virtual std::string PublishDescription() const = 0;

  int64_t warm_up() const { return std::max<int64_t>(100, config_.messages / 20); }
  std::string payload() const { return std::string(config_.payload_bytes, 'j'); }

  // Set-up and final check over libnats: the stream, and then that it holds the warm-up and
  // every measured message.
  Status CreateStream(jsCtx* js) const;
  Status CheckStreamHoldsAll(jsCtx* js) const;

  // Publishes one message and checks its PubAck (PubAckProblem) against `expected_seq`; sets
  // `nanos` to the time from the publish to the PubAck. A bad PubAck is Corruption.
  using PublishOne = std::function<Status(uint64_t expected_seq, int64_t* nanos)>;
  // The synchronous run: warm-up, then the measured phase; sets the sample's metrics.
  Status MeasureSync(const ScenarioContext& context, const PublishOne& publish_one,
                     Sample* sample) const;

  // Publishes `count` messages, waits for all their PubAcks (checked into the tally given to
  // MeasureAsync) and reports the first publish and the last PubAck.
  using PublishPhase = std::function<Status(int64_t count, int64_t* start_ns, int64_t* end_ns)>;
  // The asynchronous run: warm-up, then the measured phase; sets the sample's metrics.
  Status MeasureAsync(const ScenarioContext& context, const PubAckTally& tally,
                      const PublishPhase& publish_phase, Sample* sample) const;

  const Config config_;

 private:
  std::optional<Durability> SideDurability(int side) const;
};

}  // namespace spate::bench
