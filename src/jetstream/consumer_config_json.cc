// JSON decoding and encoding of ConsumerConfig, field by field as nats-server 2.10's.

#include <array>

#include "jetstream/consumer_config.h"

namespace spate::jetstream {
namespace {

constexpr std::array<std::string_view, 6> kDeliverNames = {
    "all", "last", "new", "by_start_sequence", "by_start_time", "last_per_subject"};
constexpr std::array<std::string_view, 3> kAckNames = {"none", "all", "explicit"};
constexpr std::array<std::string_view, 2> kReplayNames = {"instant", "original"};

}  // namespace

std::string_view ToString(DeliverPolicy policy) {
  return kDeliverNames[static_cast<size_t>(policy)];
}
std::string_view ToString(AckPolicy policy) { return kAckNames[static_cast<size_t>(policy)]; }
std::string_view ToString(ReplayPolicy policy) { return kReplayNames[static_cast<size_t>(policy)]; }

ApiResult<ConsumerConfig> DecodeConsumerConfig(std::string_view json_text) {
  return DecodeConsumerConfigValue(ParseJson(json_text));
}

ApiResult<ConsumerConfig> DecodeConsumerConfigValue(const nlohmann::json& json) {
  const ApiError invalid = MakeApiError(ApiErrorId::kInvalidJSON);
  if (json.is_discarded()) return invalid;
  JsonObjectReader reader(json);
  ConsumerConfig config;
  reader.Read("durable_name", &config.durable_name);
  reader.Read("name", &config.name);
  reader.Read("description", &config.description);
  // nats-server also accepts "undefined" for deliver_policy, meaning all.
  if (const nlohmann::json* deliver = reader.Find("deliver_policy");
      deliver != nullptr && deliver->is_string() && deliver->get<std::string>() == "undefined") {
    config.deliver_policy = DeliverPolicy::kAll;
  } else {
    reader.ReadEnum("deliver_policy", kDeliverNames, &config.deliver_policy);
  }
  reader.Read("opt_start_seq", &config.opt_start_seq);
  reader.Read("opt_start_time", &config.opt_start_time);
  reader.ReadEnum("ack_policy", kAckNames, &config.ack_policy);
  reader.Read("ack_wait", &config.ack_wait);
  reader.Read("max_deliver", &config.max_deliver);
  reader.Read("backoff", &config.backoff);
  reader.Read("filter_subject", &config.filter_subject);
  reader.Read("filter_subjects", &config.filter_subjects);
  reader.ReadEnum("replay_policy", kReplayNames, &config.replay_policy);
  reader.Read("rate_limit_bps", &config.rate_limit_bps);
  reader.Read("sample_freq", &config.sample_freq);
  reader.Read("max_waiting", &config.max_waiting);
  reader.Read("max_ack_pending", &config.max_ack_pending);
  reader.Read("idle_heartbeat", &config.idle_heartbeat);
  reader.Read("flow_control", &config.flow_control);
  reader.Read("headers_only", &config.headers_only);
  reader.Read("max_batch", &config.max_batch);
  reader.Read("max_expires", &config.max_expires);
  reader.Read("max_bytes", &config.max_bytes);
  reader.Read("deliver_subject", &config.deliver_subject);
  reader.Read("deliver_group", &config.deliver_group);
  reader.Read("inactive_threshold", &config.inactive_threshold);
  reader.Read("num_replicas", &config.num_replicas);
  reader.Read("mem_storage", &config.mem_storage);
  reader.Read("direct", &config.direct);
  reader.Read("metadata", &config.metadata);
  if (!reader.ok()) return invalid;
  return config;
}

ApiResult<CreateConsumerRequest> DecodeCreateConsumerRequest(std::string_view json_text) {
  const ApiError invalid = MakeApiError(ApiErrorId::kInvalidJSON);
  nlohmann::json json = ParseJson(json_text);
  if (json.is_discarded()) return invalid;
  JsonObjectReader reader(json);
  CreateConsumerRequest request;
  reader.Read("stream_name", &request.stream_name);
  if (const nlohmann::json* config = reader.Find("config")) {
    ApiResult<ConsumerConfig> decoded = DecodeConsumerConfigValue(*config);
    if (!decoded.ok()) return decoded.error();
    request.config = std::move(decoded).value();
  }
  if (const nlohmann::json* action = reader.Find("action")) {
    if (!action->is_string()) return invalid;
    const std::string& text = action->get_ref<const std::string&>();
    if (text.empty()) {
      request.action = ConsumerAction::kCreateOrUpdate;
    } else if (text == "create") {
      request.action = ConsumerAction::kCreate;
    } else if (text == "update") {
      request.action = ConsumerAction::kUpdate;
    } else {
      return invalid;
    }
  }
  if (!reader.ok()) return invalid;
  return request;
}

nlohmann::ordered_json EncodeConsumerConfig(const ConsumerConfig& config) {
  nlohmann::ordered_json out;
  if (!config.durable_name.empty()) out["durable_name"] = config.durable_name;
  if (!config.name.empty()) out["name"] = config.name;
  if (!config.description.empty()) out["description"] = config.description;
  out["deliver_policy"] = ToString(config.deliver_policy);
  if (config.opt_start_seq != 0) out["opt_start_seq"] = config.opt_start_seq;
  if (config.opt_start_time) out["opt_start_time"] = FormatTime(config.opt_start_time);
  out["ack_policy"] = ToString(config.ack_policy);
  if (config.ack_wait.count() != 0) out["ack_wait"] = config.ack_wait.count();
  if (config.max_deliver != 0) out["max_deliver"] = config.max_deliver;
  if (!config.backoff.empty()) {
    nlohmann::ordered_json backoff = nlohmann::ordered_json::array();
    for (Duration d : config.backoff) backoff.push_back(d.count());
    out["backoff"] = std::move(backoff);
  }
  if (!config.filter_subject.empty()) out["filter_subject"] = config.filter_subject;
  if (!config.filter_subjects.empty()) out["filter_subjects"] = config.filter_subjects;
  out["replay_policy"] = ToString(config.replay_policy);
  if (config.rate_limit_bps != 0) out["rate_limit_bps"] = config.rate_limit_bps;
  if (!config.sample_freq.empty()) out["sample_freq"] = config.sample_freq;
  if (config.max_waiting != 0) out["max_waiting"] = config.max_waiting;
  if (config.max_ack_pending != 0) out["max_ack_pending"] = config.max_ack_pending;
  if (config.idle_heartbeat.count() != 0) out["idle_heartbeat"] = config.idle_heartbeat.count();
  if (config.flow_control) out["flow_control"] = true;
  if (config.headers_only) out["headers_only"] = true;
  if (config.max_batch != 0) out["max_batch"] = config.max_batch;
  if (config.max_expires.count() != 0) out["max_expires"] = config.max_expires.count();
  if (config.max_bytes != 0) out["max_bytes"] = config.max_bytes;
  if (!config.deliver_subject.empty()) out["deliver_subject"] = config.deliver_subject;
  if (!config.deliver_group.empty()) out["deliver_group"] = config.deliver_group;
  if (config.inactive_threshold.count() != 0) {
    out["inactive_threshold"] = config.inactive_threshold.count();
  }
  out["num_replicas"] = config.num_replicas;
  if (config.mem_storage) out["mem_storage"] = true;
  if (config.direct) out["direct"] = true;
  if (!config.metadata.empty()) out["metadata"] = config.metadata;
  return out;
}

}  // namespace spate::jetstream
