// JSON decoding and encoding of StreamConfig, field by field as nats-server 2.10's StreamConfig.

#include <array>

#include "jetstream/stream_config.h"

namespace spate::jetstream {
namespace {

constexpr std::array<std::string_view, 3> kRetentionNames = {"limits", "interest", "workqueue"};
constexpr std::array<std::string_view, 2> kDiscardNames = {"old", "new"};
// nats-server's StorageType: file is 0 on the wire side of our enum; "memory" is 1.
constexpr std::array<std::string_view, 2> kStorageNames = {"file", "memory"};
constexpr std::array<std::string_view, 2> kCompressionNames = {"none", "s2"};

void ReadTransforms(JsonObjectReader& reader, std::string_view key,
                    std::vector<SubjectTransformConfig>* out) {
  const nlohmann::json* value = reader.Find(key);
  if (value == nullptr) return;
  if (!value->is_array()) return reader.Fail();
  out->clear();
  for (const nlohmann::json& item : *value) {
    JsonObjectReader item_reader(item);
    SubjectTransformConfig transform;
    item_reader.Read("src", &transform.source);
    item_reader.Read("dest", &transform.destination);
    if (!item_reader.ok()) return reader.Fail();
    out->push_back(std::move(transform));
  }
}

bool DecodeSource(const nlohmann::json& json, StreamSource* out) {
  JsonObjectReader reader(json);
  reader.Read("name", &out->name);
  reader.Read("opt_start_seq", &out->opt_start_seq);
  reader.Read("opt_start_time", &out->opt_start_time);
  reader.Read("filter_subject", &out->filter_subject);
  ReadTransforms(reader, "subject_transforms", &out->subject_transforms);
  if (const nlohmann::json* external = reader.Find("external")) {
    JsonObjectReader external_reader(*external);
    ExternalStream stream;
    external_reader.Read("api", &stream.api_prefix);
    external_reader.Read("deliver", &stream.deliver_prefix);
    if (!external_reader.ok()) return false;
    out->external = std::move(stream);
  }
  return reader.ok();
}

nlohmann::ordered_json EncodeTransform(const SubjectTransformConfig& transform) {
  nlohmann::ordered_json out;
  out["src"] = transform.source;
  out["dest"] = transform.destination;
  return out;
}

nlohmann::ordered_json EncodeSource(const StreamSource& source) {
  nlohmann::ordered_json out;
  out["name"] = source.name;
  if (source.opt_start_seq != 0) out["opt_start_seq"] = source.opt_start_seq;
  if (source.opt_start_time) out["opt_start_time"] = FormatTime(source.opt_start_time);
  if (!source.filter_subject.empty()) out["filter_subject"] = source.filter_subject;
  if (!source.subject_transforms.empty()) {
    nlohmann::ordered_json transforms = nlohmann::ordered_json::array();
    for (const SubjectTransformConfig& t : source.subject_transforms) {
      transforms.push_back(EncodeTransform(t));
    }
    out["subject_transforms"] = std::move(transforms);
  }
  if (source.external) {
    out["external"] = {{"api", source.external->api_prefix},
                       {"deliver", source.external->deliver_prefix}};
  }
  return out;
}

}  // namespace

std::string_view ToString(RetentionPolicy policy) {
  return kRetentionNames[static_cast<size_t>(policy)];
}
std::string_view ToString(DiscardPolicy policy) {
  return kDiscardNames[static_cast<size_t>(policy)];
}
std::string_view ToString(StorageType type) { return kStorageNames[static_cast<size_t>(type)]; }
std::string_view ToString(Compression compression) {
  return kCompressionNames[static_cast<size_t>(compression)];
}

ApiResult<StreamConfig> DecodeStreamConfig(std::string_view json_text) {
  return DecodeStreamConfigValue(ParseJson(json_text));
}

ApiResult<StreamConfig> DecodeStreamConfigValue(const nlohmann::json& json) {
  const ApiError invalid = MakeApiError(ApiErrorId::kInvalidJSON);
  if (json.is_discarded()) return invalid;
  JsonObjectReader reader(json);
  StreamConfig config;
  reader.Read("name", &config.name);
  reader.Read("description", &config.description);
  reader.Read("subjects", &config.subjects);
  reader.ReadEnum("retention", kRetentionNames, &config.retention);
  reader.Read("max_consumers", &config.max_consumers);
  reader.Read("max_msgs", &config.max_msgs);
  reader.Read("max_bytes", &config.max_bytes);
  reader.Read("max_age", &config.max_age);
  reader.Read("max_msgs_per_subject", &config.max_msgs_per_subject);
  reader.Read("max_msg_size", &config.max_msg_size);
  reader.ReadEnum("discard", kDiscardNames, &config.discard, /*fold_case=*/true);
  reader.ReadEnum("storage", kStorageNames, &config.storage);
  reader.Read("num_replicas", &config.num_replicas);
  reader.Read("no_ack", &config.no_ack);
  reader.Read("template_owner", &config.template_owner);
  reader.Read("duplicate_window", &config.duplicate_window);
  if (const nlohmann::json* placement = reader.Find("placement")) {
    JsonObjectReader placement_reader(*placement);
    Placement value;
    placement_reader.Read("cluster", &value.cluster);
    placement_reader.Read("tags", &value.tags);
    if (!placement_reader.ok()) return invalid;
    config.placement = std::move(value);
  }
  if (const nlohmann::json* mirror = reader.Find("mirror")) {
    StreamSource source;
    if (!DecodeSource(*mirror, &source)) return invalid;
    config.mirror = std::move(source);
  }
  if (const nlohmann::json* sources = reader.Find("sources")) {
    if (!sources->is_array()) return invalid;
    for (const nlohmann::json& item : *sources) {
      if (item.is_null()) continue;  // a nil *StreamSource; nats-server would crash on it
      StreamSource source;
      if (!DecodeSource(item, &source)) return invalid;
      config.sources.push_back(std::move(source));
    }
  }
  // nats-server: "" and null are "unknown compression algorithm", so invalid JSON.
  reader.ReadEnum("compression", kCompressionNames, &config.compression);
  reader.Read("first_seq", &config.first_seq);
  if (const nlohmann::json* transform = reader.Find("subject_transform")) {
    JsonObjectReader transform_reader(*transform);
    SubjectTransformConfig value;
    transform_reader.Read("src", &value.source);
    transform_reader.Read("dest", &value.destination);
    if (!transform_reader.ok()) return invalid;
    config.subject_transform = std::move(value);
  }
  if (const nlohmann::json* republish = reader.Find("republish")) {
    JsonObjectReader republish_reader(*republish);
    RePublish value;
    republish_reader.Read("src", &value.source);
    republish_reader.Read("dest", &value.destination);
    republish_reader.Read("headers_only", &value.headers_only);
    if (!republish_reader.ok()) return invalid;
    config.republish = std::move(value);
  }
  reader.Read("allow_direct", &config.allow_direct);
  reader.Read("mirror_direct", &config.mirror_direct);
  reader.Read("discard_new_per_subject", &config.discard_new_per_subject);
  reader.Read("sealed", &config.sealed);
  reader.Read("deny_delete", &config.deny_delete);
  reader.Read("deny_purge", &config.deny_purge);
  reader.Read("allow_rollup_hdrs", &config.allow_rollup_hdrs);
  if (const nlohmann::json* limits = reader.Find("consumer_limits")) {
    JsonObjectReader limits_reader(*limits);
    limits_reader.Read("inactive_threshold", &config.consumer_limits.inactive_threshold);
    limits_reader.Read("max_ack_pending", &config.consumer_limits.max_ack_pending);
    if (!limits_reader.ok()) return invalid;
  }
  reader.Read("metadata", &config.metadata);
  if (!reader.ok()) return invalid;
  return config;
}

nlohmann::ordered_json EncodeStreamConfig(const StreamConfig& config) {
  nlohmann::ordered_json out;
  out["name"] = config.name;
  if (!config.description.empty()) out["description"] = config.description;
  if (!config.subjects.empty()) out["subjects"] = config.subjects;
  out["retention"] = ToString(config.retention);
  out["max_consumers"] = config.max_consumers;
  out["max_msgs"] = config.max_msgs;
  out["max_bytes"] = config.max_bytes;
  out["max_age"] = config.max_age.count();
  out["max_msgs_per_subject"] = config.max_msgs_per_subject;
  if (config.max_msg_size != 0) out["max_msg_size"] = config.max_msg_size;
  out["discard"] = ToString(config.discard);
  out["storage"] = ToString(config.storage);
  out["num_replicas"] = config.num_replicas;
  if (config.no_ack) out["no_ack"] = true;
  if (!config.template_owner.empty()) out["template_owner"] = config.template_owner;
  if (config.duplicate_window.count() != 0) {
    out["duplicate_window"] = config.duplicate_window.count();
  }
  if (config.placement) {
    nlohmann::ordered_json placement = nlohmann::ordered_json::object();
    if (!config.placement->cluster.empty()) placement["cluster"] = config.placement->cluster;
    if (!config.placement->tags.empty()) placement["tags"] = config.placement->tags;
    out["placement"] = std::move(placement);
  }
  if (config.mirror) out["mirror"] = EncodeSource(*config.mirror);
  if (!config.sources.empty()) {
    nlohmann::ordered_json sources = nlohmann::ordered_json::array();
    for (const StreamSource& source : config.sources) sources.push_back(EncodeSource(source));
    out["sources"] = std::move(sources);
  }
  out["compression"] = ToString(config.compression);
  if (config.first_seq != 0) out["first_seq"] = config.first_seq;
  if (config.subject_transform)
    out["subject_transform"] = EncodeTransform(*config.subject_transform);
  if (config.republish) {
    nlohmann::ordered_json republish;
    if (!config.republish->source.empty()) republish["src"] = config.republish->source;
    republish["dest"] = config.republish->destination;
    if (config.republish->headers_only) republish["headers_only"] = true;
    out["republish"] = std::move(republish);
  }
  out["allow_direct"] = config.allow_direct;
  out["mirror_direct"] = config.mirror_direct;
  if (config.discard_new_per_subject) out["discard_new_per_subject"] = true;
  out["sealed"] = config.sealed;
  out["deny_delete"] = config.deny_delete;
  out["deny_purge"] = config.deny_purge;
  out["allow_rollup_hdrs"] = config.allow_rollup_hdrs;
  nlohmann::ordered_json limits = nlohmann::ordered_json::object();
  if (config.consumer_limits.inactive_threshold.count() != 0) {
    limits["inactive_threshold"] = config.consumer_limits.inactive_threshold.count();
  }
  if (config.consumer_limits.max_ack_pending != 0) {
    limits["max_ack_pending"] = config.consumer_limits.max_ack_pending;
  }
  out["consumer_limits"] = std::move(limits);
  if (!config.metadata.empty()) out["metadata"] = config.metadata;
  return out;
}

}  // namespace spate::jetstream
