#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

// The configuration types of the JetStream API as the client sends them: plain structs with the
// common fields of nats-server's StreamConfig and ConsumerConfig. Durations are Go durations on
// the wire (integer nanoseconds); times are RFC 3339 strings.
//
// Fields this struct does not model go through `extra_json`: a JSON object whose members are
// merged over the encoded fields (so a CLI can send any field the server knows, or override
// one). Info types keep the server's whole reply in `raw_json`.
namespace spate::client {

using Nanos = std::chrono::nanoseconds;
// Wall-clock time with nanosecond precision. Go's zero time ("0001-01-01T00:00:00Z") and absent
// times decode to the epoch (Timestamp{}).
using Timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

enum class RetentionPolicy : uint8_t { kLimits, kInterest, kWorkQueue };
enum class DiscardPolicy : uint8_t { kOld, kNew };
enum class StorageType : uint8_t { kFile, kMemory };
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

struct StreamConfig {
  std::string name;
  std::string description;
  std::vector<std::string> subjects;
  RetentionPolicy retention = RetentionPolicy::kLimits;
  int64_t max_consumers = -1;  // -1: unlimited
  int64_t max_msgs = -1;
  int64_t max_bytes = -1;
  Nanos max_age{0};  // 0: unlimited
  int64_t max_msgs_per_subject = -1;
  int32_t max_msg_size = -1;
  DiscardPolicy discard = DiscardPolicy::kOld;
  StorageType storage = StorageType::kFile;
  int num_replicas = 1;
  Nanos duplicate_window{0};  // 0: the server's default (2 minutes)
  bool allow_rollup = false;  // "allow_rollup_hdrs"
  bool deny_delete = false;
  bool deny_purge = false;
  bool allow_direct = false;
  bool discard_new_per_subject = false;
  bool sealed = false;
  std::map<std::string, std::string> metadata;  // 2.10 (nats-server 2.9 ignores it)
  std::string extra_json;                       // a JSON object merged over the encoded fields
};

struct ConsumerConfig {
  std::string durable_name;  // set: a durable consumer
  std::string name;          // 2.9+: the consumer's name (durable or not)
  std::string description;
  DeliverPolicy deliver_policy = DeliverPolicy::kAll;
  uint64_t opt_start_seq = 0;               // with kByStartSequence
  std::optional<Timestamp> opt_start_time;  // with kByStartTime
  AckPolicy ack_policy = AckPolicy::kExplicit;
  Nanos ack_wait{0};        // 0: the server's default (30 s)
  int64_t max_deliver = 0;  // 0: the server's default (unlimited)
  std::vector<Nanos> backoff;
  std::string filter_subject;
  std::vector<std::string> filter_subjects;  // 2.10
  ReplayPolicy replay_policy = ReplayPolicy::kInstant;
  int64_t max_ack_pending = 0;  // 0: the server's default (1000)
  int64_t max_waiting = 0;      // pull only; 0: the server's default (512)
  std::string deliver_subject;  // set: a push consumer
  std::string deliver_group;
  bool flow_control = false;
  Nanos idle_heartbeat{0};
  bool headers_only = false;
  Nanos inactive_threshold{0};
  int num_replicas = 0;
  bool mem_storage = false;
  std::map<std::string, std::string> metadata;  // 2.10
  std::string extra_json;                       // a JSON object merged over the encoded fields
};

// AddConsumer's intent, sent as the request's "action" (2.10; nats-server 2.9 ignores it and
// always creates or updates).
enum class ConsumerAction : uint8_t { kCreateOrUpdate, kCreate, kUpdate };

}  // namespace spate::client
