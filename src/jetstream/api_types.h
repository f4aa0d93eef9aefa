#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/strong_id.h"
#include "jetstream/api_error.h"
#include "jetstream/consumer_config.h"
#include "jetstream/json_codec.h"
#include "jetstream/stream_config.h"

// Plain data the stream and consumer layers fill in for $JS.API responses, and their JSON
// encoders with nats-server 2.10's field names, order and omitempty. No logic beyond encoding.
namespace spate::jetstream {

// The "type" of each response (nats-server's JSApi*ResponseType constants).
namespace response_type {
inline constexpr std::string_view kAccountInfo = "io.nats.jetstream.api.v1.account_info_response";
inline constexpr std::string_view kStreamCreate = "io.nats.jetstream.api.v1.stream_create_response";
inline constexpr std::string_view kStreamUpdate = "io.nats.jetstream.api.v1.stream_update_response";
inline constexpr std::string_view kStreamDelete = "io.nats.jetstream.api.v1.stream_delete_response";
inline constexpr std::string_view kStreamInfo = "io.nats.jetstream.api.v1.stream_info_response";
inline constexpr std::string_view kStreamNames = "io.nats.jetstream.api.v1.stream_names_response";
inline constexpr std::string_view kStreamList = "io.nats.jetstream.api.v1.stream_list_response";
inline constexpr std::string_view kStreamPurge = "io.nats.jetstream.api.v1.stream_purge_response";
inline constexpr std::string_view kStreamMsgDelete =
    "io.nats.jetstream.api.v1.stream_msg_delete_response";
inline constexpr std::string_view kStreamMsgGet =
    "io.nats.jetstream.api.v1.stream_msg_get_response";
inline constexpr std::string_view kStreamSnapshot =
    "io.nats.jetstream.api.v1.stream_snapshot_response";
inline constexpr std::string_view kStreamRestore =
    "io.nats.jetstream.api.v1.stream_restore_response";
inline constexpr std::string_view kStreamRemovePeer =
    "io.nats.jetstream.api.v1.stream_remove_peer_response";
inline constexpr std::string_view kStreamLeaderStepDown =
    "io.nats.jetstream.api.v1.stream_leader_stepdown_response";
inline constexpr std::string_view kConsumerCreate =
    "io.nats.jetstream.api.v1.consumer_create_response";
inline constexpr std::string_view kConsumerDelete =
    "io.nats.jetstream.api.v1.consumer_delete_response";
inline constexpr std::string_view kConsumerInfo = "io.nats.jetstream.api.v1.consumer_info_response";
inline constexpr std::string_view kConsumerNames =
    "io.nats.jetstream.api.v1.consumer_names_response";
inline constexpr std::string_view kConsumerList = "io.nats.jetstream.api.v1.consumer_list_response";
inline constexpr std::string_view kConsumerLeaderStepDown =
    "io.nats.jetstream.api.v1.consumer_leader_stepdown_response";
inline constexpr std::string_view kMetaLeaderStepDown =
    "io.nats.jetstream.api.v1.meta_leader_stepdown_response";
inline constexpr std::string_view kMetaServerRemove =
    "io.nats.jetstream.api.v1.meta_server_remove_response";
inline constexpr std::string_view kAccountPurge = "io.nats.jetstream.api.v1.account_purge_response";
inline constexpr std::string_view kSystem = "io.nats.jetstream.api.v1.system_response";
}  // namespace response_type

struct StreamState {
  uint64_t messages = 0;
  uint64_t bytes = 0;
  StreamSeq first_seq;
  WallTime first_time;  // "first_ts"; nullopt (Go zero time) for an empty stream
  StreamSeq last_seq;
  WallTime last_time;                        // "last_ts"
  uint64_t num_subjects = 0;                 // omitted when 0
  std::map<std::string, uint64_t> subjects;  // omitted when empty (subjects_filter requests)
  uint64_t num_deleted = 0;                  // omitted when 0
  std::vector<StreamSeq> deleted;            // omitted when empty (deleted_details requests)
  uint64_t consumer_count = 0;
};

struct PeerInfo {
  std::string name;
  bool current = false;
  bool offline = false;  // omitted when false
  Duration active{0};
  uint64_t lag = 0;  // omitted when 0
  std::string peer;
};

struct ClusterInfo {  // every field omitted when empty
  std::string name;
  std::string raft_group;
  std::string leader;
  std::vector<PeerInfo> replicas;
};

struct StreamSourceInfo {
  std::string name;
  std::optional<ExternalStream> external;
  uint64_t lag = 0;
  Duration active{0};  // time since the last message from the source; nats-server sends -1 if none
  std::optional<ApiError> error;
  std::string filter_subject;
  std::vector<SubjectTransformConfig> subject_transforms;
};

struct StreamInfo {
  StreamConfig config;
  WallTime created;
  StreamState state;
  std::string domain;
  std::optional<ClusterInfo> cluster;
  std::optional<StreamSourceInfo> mirror;
  std::vector<StreamSourceInfo> sources;
  WallTime timestamp;  // "ts": when the info was gathered
};

struct SequenceInfo {
  ConsumerSeq consumer_seq;
  StreamSeq stream_seq;
  std::optional<int64_t> last_active;  // omitted when unset
};

struct ConsumerInfo {
  std::string stream_name;
  std::string name;
  WallTime created;
  std::optional<ConsumerConfig> config;  // omitted when unset
  SequenceInfo delivered;
  SequenceInfo ack_floor;
  uint64_t num_ack_pending = 0;
  uint64_t num_redelivered = 0;
  uint64_t num_waiting = 0;
  uint64_t num_pending = 0;
  std::optional<ClusterInfo> cluster;
  bool push_bound = false;  // omitted when false
  WallTime timestamp;       // "ts"
};

// The "limits" object of account info; -1 means unlimited, as nats-server reports.
struct AccountLimits {
  int64_t max_memory = -1;
  int64_t max_storage = -1;
  int64_t max_streams = -1;
  int64_t max_consumers = -1;
  int64_t max_ack_pending = -1;
  int64_t memory_max_stream_bytes = -1;
  int64_t storage_max_stream_bytes = -1;
  bool max_bytes_required = false;
};

struct AccountTier {
  uint64_t memory = 0;
  uint64_t storage = 0;
  uint64_t reserved_memory = 0;
  uint64_t reserved_storage = 0;
  uint64_t streams = 0;
  uint64_t consumers = 0;
  AccountLimits limits;
};

struct AccountInfo {
  AccountTier totals;  // inlined at the top level of the response
  std::string domain;  // omitted when empty
  // "api": {level?, total, errors}. level is the 2.11 JetStream API level; nats-server 2.10 does
  // not send it, so leave it unset to look like 2.10.
  std::optional<int> api_level;
  uint64_t api_total = 0;
  uint64_t api_errors = 0;
  std::map<std::string, AccountTier> tiers;  // omitted when empty
};

// The reply to a publish into a stream. nats-server (single server) writes it from a byte
// template, not json.Marshal, and clients see exactly:
//   {"stream":"ORDERS", "seq":12}                     (note the space after the comma)
//   {"stream":"ORDERS", "domain":"hub", "seq":12}     (domain before seq, when a domain is set)
//   {"stream":"ORDERS", "seq":12,"duplicate": true}   (a Nats-Msg-Id seen within the window)
// A publish the stream refuses gets EncodePubAckError.
struct PubAck {
  std::string stream;
  StreamSeq seq;
  std::string domain;
  bool duplicate = false;
};

nlohmann::ordered_json EncodeStreamState(const StreamState& state);
nlohmann::ordered_json EncodeClusterInfo(const ClusterInfo& cluster);
nlohmann::ordered_json EncodeStreamInfo(const StreamInfo& info);  // fields only, no "type"
nlohmann::ordered_json EncodeConsumerInfo(const ConsumerInfo& info);
nlohmann::ordered_json EncodeAccountInfo(const AccountInfo& info);
std::string EncodePubAck(const PubAck& ack);
// {"error":{...},"stream":"ORDERS","seq":0}: nats-server names the stream in every publish error
// it answers from a stream (sealed, wrong last sequence/msg id, too big, store failure...).
std::string EncodePubAckError(std::string_view stream, const ApiError& error);

// A whole API response: "type", then "error" if any, then `body`'s fields in order.
nlohmann::ordered_json MakeApiResponse(std::string_view type, nlohmann::ordered_json body);
nlohmann::ordered_json MakeApiErrorResponse(std::string_view type, const ApiError& error);

// Responses whose shape has extra fields in nats-server:
// STREAM.CREATE adds "did_create":true when the stream was created by this request.
nlohmann::ordered_json MakeStreamCreateResponse(const StreamInfo& info, bool did_create);
// STREAM.INFO always carries "total", "offset" and "limit" (its ApiPaged is not omitempty),
// also on errors.
nlohmann::ordered_json MakeStreamInfoResponse(const StreamInfo& info, int total = 0, int offset = 0,
                                              int limit = 0);
nlohmann::ordered_json MakeStreamInfoErrorResponse(const ApiError& error);

}  // namespace spate::jetstream
