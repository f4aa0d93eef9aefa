#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jetstream/api_error.h"
#include "jetstream/json_codec.h"

// A stream's configuration as nats-server 2.10 defines it: the body of $JS.API.STREAM.CREATE and
// .UPDATE, and the "config" of STREAM.INFO. Plain data; the rules live in free functions:
//   DecodeStreamConfig   JSON -> struct, InvalidJSON on any type error (as Go's json.Unmarshal)
//   NormalizeStreamConfig  nats-server's checkStreamCfg: fills defaults, validates
//   CheckStreamCreate / CheckStreamUpdate  the request-level rules around it
//   EncodeStreamConfig   struct -> JSON with nats-server's field names and omitempty
namespace spate::jetstream {

enum class RetentionPolicy : uint8_t { kLimits, kInterest, kWorkQueue };
enum class DiscardPolicy : uint8_t { kOld, kNew };
enum class StorageType : uint8_t { kFile, kMemory };
enum class Compression : uint8_t { kNone, kS2 };

std::string_view ToString(RetentionPolicy policy);   // "limits" "interest" "workqueue"
std::string_view ToString(DiscardPolicy policy);     // "old" "new"
std::string_view ToString(StorageType type);         // "file" "memory"
std::string_view ToString(Compression compression);  // "none" "s2"

struct SubjectTransformConfig {
  std::string source;       // "src"
  std::string destination;  // "dest"
  bool operator==(const SubjectTransformConfig&) const = default;
};

struct RePublish {
  std::string source;  // "src"; empty means ">" after normalisation
  std::string destination;
  bool headers_only = false;
  bool operator==(const RePublish&) const = default;
};

struct ExternalStream {
  std::string api_prefix;      // "api"
  std::string deliver_prefix;  // "deliver"
  bool operator==(const ExternalStream&) const = default;
};

struct StreamSource {
  std::string name;
  uint64_t opt_start_seq = 0;
  std::optional<int64_t> opt_start_time;  // unix ns; kGoZeroTimeNanos if given as Go zero time
  std::string filter_subject;
  std::vector<SubjectTransformConfig> subject_transforms;
  std::optional<ExternalStream> external;
  bool operator==(const StreamSource&) const = default;
};

struct Placement {
  std::string cluster;
  std::vector<std::string> tags;
  bool operator==(const Placement&) const = default;
};

// Defaults applied to the stream's consumers (2.10).
struct StreamConsumerLimits {
  Duration inactive_threshold{0};
  int64_t max_ack_pending = 0;
  bool operator==(const StreamConsumerLimits&) const = default;
};

struct StreamConfig {
  std::string name;
  std::string description;
  std::vector<std::string> subjects;
  RetentionPolicy retention = RetentionPolicy::kLimits;
  int64_t max_consumers = 0;  // 0 in a request; -1 (unlimited) after normalisation
  int64_t max_msgs = 0;
  int64_t max_bytes = 0;
  Duration max_age{0};  // 0 = unlimited
  int64_t max_msgs_per_subject = 0;
  int32_t max_msg_size = 0;
  DiscardPolicy discard = DiscardPolicy::kOld;
  StorageType storage = StorageType::kFile;
  int64_t num_replicas = 0;
  bool no_ack = false;
  std::string template_owner;
  Duration duplicate_window{0};
  std::optional<Placement> placement;
  std::optional<StreamSource> mirror;
  std::vector<StreamSource> sources;
  Compression compression = Compression::kNone;
  uint64_t first_seq = 0;
  std::optional<SubjectTransformConfig> subject_transform;
  std::optional<RePublish> republish;
  bool allow_direct = false;
  bool mirror_direct = false;
  bool discard_new_per_subject = false;
  bool sealed = false;
  bool deny_delete = false;
  bool deny_purge = false;
  bool allow_rollup_hdrs = false;
  StreamConsumerLimits consumer_limits;
  std::map<std::string, std::string> metadata;

  bool operator==(const StreamConfig&) const = default;
};

// nats-server's limits that the checks need. Zero means "no limit".
struct JetStreamServerLimits {
  Duration max_duplicate_window{0};  // jetstream { limits { duplicate_window } }
  int64_t max_request_batch = 0;     // max_request_batch
  int64_t max_ack_pending = 0;       // server-wide max_ack_pending
};

// The account's limits that apply to a new stream (the selected tier, for the stream's storage
// type). Zero means "no limit".
struct AccountStreamLimits {
  bool max_bytes_required = false;  // max_bytes_required: max_bytes must be set (> 0)
  int64_t max_stream_bytes = 0;     // memory_max_stream_bytes or storage_max_stream_bytes
  int64_t max_ack_pending = 0;      // for consumers
};

inline constexpr size_t kMaxNameLength = 255;              // JSMaxNameLen
inline constexpr size_t kMaxDescriptionLength = 4 * 1024;  // JSMaxDescriptionLen
inline constexpr size_t kMaxMetadataLength = 128 * 1024;   // JSMaxMetadataLen (keys + values)
inline constexpr int64_t kMaxReplicas = 5;                 // StreamMaxReplicas
inline constexpr Duration kDefaultDuplicateWindow = std::chrono::minutes(2);

// nats-server's isValidName: not empty, none of " \t\r\n\f.*>".
bool IsValidName(std::string_view name);

// JSON decoding. Any malformed JSON, wrong type, out-of-range number or unknown enum string
// gives InvalidJSON (400 10025 "invalid JSON"), as nats-server 2.10 answers.
ApiResult<StreamConfig> DecodeStreamConfig(std::string_view json_text);
ApiResult<StreamConfig> DecodeStreamConfigValue(const nlohmann::json& json);

// Field names, order and omitempty as nats-server emits them in STREAM.INFO/CREATE.
nlohmann::ordered_json EncodeStreamConfig(const StreamConfig& config);

// nats-server's checkStreamCfg: returns the config with defaults filled in (max_* -1, replicas 1,
// duplicate window 2m capped by max_age and the server limit, subjects [name] for a plain stream,
// republish src ">", mirror_direct inherited from the mirrored stream) or the error it returns.
// `streams`: the account's existing streams (normalised), for mirror/source checks and cycle
// detection, as nats-server looks them up by name.
ApiResult<StreamConfig> NormalizeStreamConfig(const StreamConfig& config,
                                              const JetStreamServerLimits& limits,
                                              const AccountStreamLimits& account,
                                              std::span<const StreamConfig> streams = {});

// The STREAM.CREATE handler's checks, in nats-server's order: name in subject vs body
// (StreamMismatch), path separators, sealed on create, mirror_direct without mirror, then
// NormalizeStreamConfig. Does not check subject overlap with other streams (below) or limits.
ApiResult<StreamConfig> CheckStreamCreate(std::string_view subject_stream_name,
                                          const StreamConfig& request,
                                          const JetStreamServerLimits& limits,
                                          const AccountStreamLimits& account,
                                          std::span<const StreamConfig> streams = {});

// STREAM.UPDATE, in nats-server's order: NormalizeStreamConfig(request), StreamMismatch if the
// name differs from the subject's, then the update rules against `current` (normalised), each
// failing with StreamInvalidConfig (500 10052) and nats-server's text, or StreamMirrorNotUpdatable.
// Returns the config to store; sealing forces max_age 0, discard new, deny_delete, deny_purge and
// no rollup. Replica changes pass (the caller decides what it supports). The caller still looks
// the stream up (StreamNotFound) between the mismatch check and these rules.
ApiResult<StreamConfig> CheckStreamUpdate(std::string_view subject_stream_name,
                                          const StreamConfig& current, const StreamConfig& request,
                                          const JetStreamServerLimits& limits,
                                          const AccountStreamLimits& account,
                                          std::span<const StreamConfig> streams = {});

// StreamSubjectOverlap (400 10065) if any of `subjects` collides with a subject of another
// stream. `others` are the other streams' subject lists (the stream itself excluded on update).
ApiStatus CheckSubjectsOverlap(std::span<const std::string> subjects,
                               std::span<const std::vector<std::string>> others);

}  // namespace spate::jetstream
