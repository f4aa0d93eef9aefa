#include "jetstream/api_types.h"

#include "jetstream/go_text.h"

namespace spate::jetstream {
namespace {

nlohmann::ordered_json EncodeSequenceInfo(const SequenceInfo& info) {
  nlohmann::ordered_json out;
  out["consumer_seq"] = info.consumer_seq.value;
  out["stream_seq"] = info.stream_seq.value;
  if (info.last_active) out["last_active"] = FormatTime(info.last_active);
  return out;
}

nlohmann::ordered_json EncodeSourceInfo(const StreamSourceInfo& info) {
  nlohmann::ordered_json out;
  out["name"] = info.name;
  if (info.external) {
    out["external"] = {{"api", info.external->api_prefix},
                       {"deliver", info.external->deliver_prefix}};
  }
  out["lag"] = info.lag;
  out["active"] = info.active.count();
  if (info.error) out["error"] = ToJson(*info.error);
  if (!info.filter_subject.empty()) out["filter_subject"] = info.filter_subject;
  if (!info.subject_transforms.empty()) {
    nlohmann::ordered_json transforms = nlohmann::ordered_json::array();
    for (const SubjectTransformConfig& t : info.subject_transforms) {
      nlohmann::ordered_json item;
      item["src"] = t.source;
      item["dest"] = t.destination;
      transforms.push_back(std::move(item));
    }
    out["subject_transforms"] = std::move(transforms);
  }
  return out;
}

nlohmann::ordered_json EncodeLimits(const AccountLimits& limits) {
  nlohmann::ordered_json out;
  out["max_memory"] = limits.max_memory;
  out["max_storage"] = limits.max_storage;
  out["max_streams"] = limits.max_streams;
  out["max_consumers"] = limits.max_consumers;
  out["max_ack_pending"] = limits.max_ack_pending;
  out["memory_max_stream_bytes"] = limits.memory_max_stream_bytes;
  out["storage_max_stream_bytes"] = limits.storage_max_stream_bytes;
  out["max_bytes_required"] = limits.max_bytes_required;
  return out;
}

void EncodeTierInto(const AccountTier& tier, nlohmann::ordered_json* out) {
  (*out)["memory"] = tier.memory;
  (*out)["storage"] = tier.storage;
  (*out)["reserved_memory"] = tier.reserved_memory;
  (*out)["reserved_storage"] = tier.reserved_storage;
  (*out)["streams"] = tier.streams;
  (*out)["consumers"] = tier.consumers;
  (*out)["limits"] = EncodeLimits(tier.limits);
}

}  // namespace

nlohmann::ordered_json EncodeStreamState(const StreamState& state) {
  nlohmann::ordered_json out;
  out["messages"] = state.messages;
  out["bytes"] = state.bytes;
  out["first_seq"] = state.first_seq.value;
  out["first_ts"] = FormatTime(state.first_time);
  out["last_seq"] = state.last_seq.value;
  out["last_ts"] = FormatTime(state.last_time);
  if (state.num_subjects != 0) out["num_subjects"] = state.num_subjects;
  if (!state.subjects.empty()) out["subjects"] = state.subjects;
  if (state.num_deleted != 0) out["num_deleted"] = state.num_deleted;
  if (!state.deleted.empty()) {
    nlohmann::ordered_json deleted = nlohmann::ordered_json::array();
    for (StreamSeq seq : state.deleted) deleted.push_back(seq.value);
    out["deleted"] = std::move(deleted);
  }
  out["consumer_count"] = state.consumer_count;
  return out;
}

nlohmann::ordered_json EncodeClusterInfo(const ClusterInfo& cluster) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (!cluster.name.empty()) out["name"] = cluster.name;
  if (!cluster.raft_group.empty()) out["raft_group"] = cluster.raft_group;
  if (!cluster.leader.empty()) out["leader"] = cluster.leader;
  if (!cluster.replicas.empty()) {
    nlohmann::ordered_json replicas = nlohmann::ordered_json::array();
    for (const PeerInfo& peer : cluster.replicas) {
      nlohmann::ordered_json item;
      item["name"] = peer.name;
      item["current"] = peer.current;
      if (peer.offline) item["offline"] = true;
      item["active"] = peer.active.count();
      if (peer.lag != 0) item["lag"] = peer.lag;
      item["peer"] = peer.peer;
      replicas.push_back(std::move(item));
    }
    out["replicas"] = std::move(replicas);
  }
  return out;
}

nlohmann::ordered_json EncodeStreamInfo(const StreamInfo& info) {
  nlohmann::ordered_json out;
  out["config"] = EncodeStreamConfig(info.config);
  out["created"] = FormatTime(info.created);
  out["state"] = EncodeStreamState(info.state);
  if (!info.domain.empty()) out["domain"] = info.domain;
  if (info.cluster) out["cluster"] = EncodeClusterInfo(*info.cluster);
  if (info.mirror) out["mirror"] = EncodeSourceInfo(*info.mirror);
  if (!info.sources.empty()) {
    nlohmann::ordered_json sources = nlohmann::ordered_json::array();
    for (const StreamSourceInfo& source : info.sources) sources.push_back(EncodeSourceInfo(source));
    out["sources"] = std::move(sources);
  }
  out["ts"] = FormatTime(info.timestamp);
  return out;
}

nlohmann::ordered_json EncodeConsumerInfo(const ConsumerInfo& info) {
  nlohmann::ordered_json out;
  out["stream_name"] = info.stream_name;
  out["name"] = info.name;
  out["created"] = FormatTime(info.created);
  if (info.config) out["config"] = EncodeConsumerConfig(*info.config);
  out["delivered"] = EncodeSequenceInfo(info.delivered);
  out["ack_floor"] = EncodeSequenceInfo(info.ack_floor);
  out["num_ack_pending"] = info.num_ack_pending;
  out["num_redelivered"] = info.num_redelivered;
  out["num_waiting"] = info.num_waiting;
  out["num_pending"] = info.num_pending;
  if (info.cluster) out["cluster"] = EncodeClusterInfo(*info.cluster);
  if (info.push_bound) out["push_bound"] = true;
  out["ts"] = FormatTime(info.timestamp);
  return out;
}

nlohmann::ordered_json EncodeAccountInfo(const AccountInfo& info) {
  nlohmann::ordered_json out;
  EncodeTierInto(info.totals, &out);
  if (!info.domain.empty()) out["domain"] = info.domain;
  nlohmann::ordered_json api;
  if (info.api_level) api["level"] = *info.api_level;
  api["total"] = info.api_total;
  api["errors"] = info.api_errors;
  out["api"] = std::move(api);
  if (!info.tiers.empty()) {
    nlohmann::ordered_json tiers;
    for (const auto& [name, tier] : info.tiers) {
      nlohmann::ordered_json item;
      EncodeTierInto(tier, &item);
      tiers[name] = std::move(item);
    }
    out["tiers"] = std::move(tiers);
  }
  return out;
}

std::string EncodePubAck(const PubAck& ack) {
  std::string out = "{\"stream\":" + QuoteGo(ack.stream) + ", ";
  if (!ack.domain.empty()) out += "\"domain\":" + QuoteGo(ack.domain) + ", ";
  out += "\"seq\":" + std::to_string(ack.seq.value);
  if (ack.duplicate) out += ",\"duplicate\": true";
  out += '}';
  return out;
}

std::string EncodePubAckError(std::string_view stream, const ApiError& error) {
  nlohmann::ordered_json out;
  out["error"] = ToJson(error);
  out["stream"] = stream;
  out["seq"] = 0;
  return DumpGoJson(out);
}

nlohmann::ordered_json MakeApiResponse(std::string_view type, nlohmann::ordered_json body) {
  nlohmann::ordered_json out;
  out["type"] = type;
  if (body.is_object()) {
    for (auto it = body.begin(); it != body.end(); ++it) out[it.key()] = std::move(it.value());
  }
  return out;
}

nlohmann::ordered_json MakeApiErrorResponse(std::string_view type, const ApiError& error) {
  nlohmann::ordered_json out;
  out["type"] = type;
  out["error"] = ToJson(error);
  return out;
}

nlohmann::ordered_json MakeStreamCreateResponse(const StreamInfo& info, bool did_create) {
  nlohmann::ordered_json out =
      MakeApiResponse(response_type::kStreamCreate, EncodeStreamInfo(info));
  if (did_create) out["did_create"] = true;
  return out;
}

nlohmann::ordered_json MakeStreamInfoResponse(const StreamInfo& info, int total, int offset,
                                              int limit) {
  nlohmann::ordered_json out;
  out["type"] = response_type::kStreamInfo;
  out["total"] = total;
  out["offset"] = offset;
  out["limit"] = limit;
  nlohmann::ordered_json body = EncodeStreamInfo(info);
  for (auto it = body.begin(); it != body.end(); ++it) out[it.key()] = std::move(it.value());
  return out;
}

nlohmann::ordered_json MakeStreamInfoErrorResponse(const ApiError& error) {
  nlohmann::ordered_json out = MakeApiErrorResponse(response_type::kStreamInfo, error);
  out["total"] = 0;
  out["offset"] = 0;
  out["limit"] = 0;
  return out;
}

}  // namespace spate::jetstream
