#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jetstream/api_error.h"
#include "jetstream/json_codec.h"
#include "jetstream/stream_config.h"

// A consumer's configuration as nats-server 2.10 defines it: the "config" of
// $JS.API.CONSUMER.CREATE / DURABLE.CREATE requests and of CONSUMER.INFO. Plain data; the rules
// are free functions, in the order nats-server applies them:
//   DecodeConsumerConfig / DecodeCreateConsumerRequest   JSON -> struct (InvalidJSON on error)
//   ApplyConsumerDefaults   setConsumerConfigDefaults
//   CheckConsumerConfig     checkConsumerCfg (needs the stream's config)
//   CheckConsumerUpdate     the rules for changing an existing consumer
//   EncodeConsumerConfig    struct -> JSON with nats-server's names and omitempty
namespace spate::jetstream {

enum class DeliverPolicy : uint8_t {
  kAll,
  kLast,
  kNew,
  kByStartSequence,
  kByStartTime,
  kLastPerSubject
};
enum class AckPolicy : uint8_t { kNone, kAll, kExplicit };
enum class ReplayPolicy : uint8_t { kInstant, kOriginal };

// "all" "last" "new" "by_start_sequence" "by_start_time" "last_per_subject"
std::string_view ToString(DeliverPolicy policy);
std::string_view ToString(AckPolicy policy);     // "none" "all" "explicit"
std::string_view ToString(ReplayPolicy policy);  // "instant" "original"

struct ConsumerConfig {
  std::string durable_name;
  std::string name;
  std::string description;
  DeliverPolicy deliver_policy = DeliverPolicy::kAll;
  uint64_t opt_start_seq = 0;
  std::optional<int64_t> opt_start_time;    // unix ns; kGoZeroTimeNanos if given as Go zero time
  AckPolicy ack_policy = AckPolicy::kNone;  // nats-server's zero value; clients send "explicit"
  Duration ack_wait{0};
  int64_t max_deliver = 0;
  std::vector<Duration> backoff;
  std::string filter_subject;
  std::vector<std::string> filter_subjects;
  ReplayPolicy replay_policy = ReplayPolicy::kInstant;
  uint64_t rate_limit_bps = 0;
  std::string sample_freq;  // "50" or "50%"
  int64_t max_waiting = 0;
  int64_t max_ack_pending = 0;
  Duration idle_heartbeat{0};
  bool flow_control = false;
  bool headers_only = false;
  int64_t max_batch = 0;    // pull: max_batch
  Duration max_expires{0};  // pull: max_expires
  int64_t max_bytes = 0;    // pull: max_bytes
  std::string deliver_subject;
  std::string deliver_group;
  Duration inactive_threshold{0};
  int64_t num_replicas = 0;
  bool mem_storage = false;
  bool direct = false;  // internal (mirrors/sources); never set by clients
  std::map<std::string, std::string> metadata;

  bool IsDurable() const { return !durable_name.empty(); }
  bool IsPush() const { return !deliver_subject.empty(); }
  bool operator==(const ConsumerConfig&) const = default;
};

// CONSUMER.CREATE's action (2.10): "" create-or-update, "create", "update".
enum class ConsumerAction : uint8_t { kCreateOrUpdate, kUpdate, kCreate };

struct CreateConsumerRequest {
  std::string stream_name;
  ConsumerConfig config;
  ConsumerAction action = ConsumerAction::kCreateOrUpdate;
};

inline constexpr Duration kDefaultAckWait = std::chrono::seconds(30);  // JsAckWaitDefault
inline constexpr int64_t kDefaultMaxAckPending = 1000;                 // JsDefaultMaxAckPending
inline constexpr int64_t kDefaultMaxWaiting = 512;                     // JSWaitQueueDefaultMax

ApiResult<ConsumerConfig> DecodeConsumerConfig(std::string_view json_text);
ApiResult<ConsumerConfig> DecodeConsumerConfigValue(const nlohmann::json& json);
// {"stream_name":..., "config":{...}, "action":...}. An unknown action is invalid JSON.
ApiResult<CreateConsumerRequest> DecodeCreateConsumerRequest(std::string_view json_text);

nlohmann::ordered_json EncodeConsumerConfig(const ConsumerConfig& config);

// setConsumerConfigDefaults: max_waiting 512 for pull, ack_wait 30s for ack all/explicit,
// max_deliver -1, ack_wait = backoff[0] when backoff is set, max_ack_pending and
// inactive_threshold from the stream's consumer_limits, then max_ack_pending 1000 (capped by the
// server and account limits) for ack all/explicit, max_batch from the server limit for pull.
ConsumerConfig ApplyConsumerDefaults(const ConsumerConfig& config, const StreamConfig& stream,
                                     const JetStreamServerLimits& limits,
                                     const AccountStreamLimits& account);

// checkConsumerCfg on a config after ApplyConsumerDefaults. nats-server 2.10 does not require
// filter subjects to be a subset of the stream's subjects (2.9 did: ConsumerFilterNotSubset).
ApiStatus CheckConsumerConfig(const ConsumerConfig& config, const StreamConfig& stream,
                              const JetStreamServerLimits& limits,
                              const AccountStreamLimits& account);

// The name checks nats-server makes while creating a new consumer (after the limit and workqueue
// checks): a durable name over 255 bytes is ConsumerNameTooLong (10102, durables only), then
// any name that is not a valid name (empty, or holding . * > or whitespace) is
// ConsumerBadDurableName (10103). `name` is the durable name, else the given or generated name.
ApiStatus CheckConsumerName(std::string_view name, bool durable);

// Which fields of an existing consumer may change (checkNewConsumerConfig). Both configs after
// defaults. Errors come back as ConsumerCreate (500 10012) with nats-server's text, as its
// create handler wraps them. `deliver_subject_in_use`: whether the current deliver subject still
// has interest; a push consumer may only move to a new deliver subject when it has none.
ApiStatus CheckConsumerUpdate(const ConsumerConfig& current, const ConsumerConfig& requested,
                              bool deliver_subject_in_use);

}  // namespace spate::jetstream
