// nats-server 2.10's consumer configuration rules: setConsumerConfigDefaults, checkConsumerCfg
// and checkNewConsumerConfig. Error texts are nats-server's.

#include <cctype>
#include <charconv>

#include "jetstream/consumer_config.h"
#include "jetstream/go_text.h"
#include "routing/subject.h"

namespace spate::jetstream {
namespace {

bool IsAcked(AckPolicy policy) {
  return policy == AckPolicy::kExplicit || policy == AckPolicy::kAll;
}

std::vector<std::string> GatherFilters(const ConsumerConfig& config) {
  if (!config.filter_subject.empty()) return {config.filter_subject};
  return config.filter_subjects;
}

// strconv.Atoi semantics on sample_freq without its "%" suffix: nullopt result with `error`
// filled when it does not parse; a parsed negative value is also rejected by the caller.
std::optional<int64_t> ParseSampleFrequency(std::string_view text, std::string* error) {
  if (text.ends_with('%')) text.remove_suffix(1);
  std::string_view digits = text;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
  bool syntax_ok = !digits.empty();
  for (char c : digits) syntax_ok = syntax_ok && std::isdigit(static_cast<unsigned char>(c));
  if (!syntax_ok) {
    *error = "strconv.Atoi: parsing " + QuoteGo(text) + ": invalid syntax";
    return std::nullopt;
  }
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) {
    *error = "strconv.Atoi: parsing " + QuoteGo(text) + ": value out of range";
    return std::nullopt;
  }
  return text[0] == '-' ? -value : value;
}

ApiError InvalidPolicy(std::string text) {
  return MakeApiError(ApiErrorId::kConsumerInvalidPolicy, {{"err", std::move(text)}});
}
ApiError BadStart(std::string_view policy, std::string_view start) {
  return InvalidPolicy("consumer delivery policy is deliver " + std::string(policy) +
                       ", but optional start " + std::string(start) + " is also set");
}
ApiError NotSet(std::string_view policy, std::string_view what) {
  return InvalidPolicy("consumer delivery policy is deliver " + std::string(policy) +
                       ", but optional " + std::string(what) + " is not set");
}

ApiStatus CheckStartPosition(const ConsumerConfig& config) {
  const bool has_seq = config.opt_start_seq > 0;
  const bool has_time = config.opt_start_time.has_value();
  switch (config.deliver_policy) {
    case DeliverPolicy::kAll:
    case DeliverPolicy::kLast:
    case DeliverPolicy::kNew:
    case DeliverPolicy::kLastPerSubject: {
      std::string_view name = config.deliver_policy == DeliverPolicy::kAll    ? "all"
                              : config.deliver_policy == DeliverPolicy::kLast ? "last"
                              : config.deliver_policy == DeliverPolicy::kNew  ? "new"
                                                                              : "last per subject";
      if (has_seq) return BadStart(name, "sequence");
      if (has_time) return BadStart(name, "time");
      if (config.deliver_policy == DeliverPolicy::kLastPerSubject &&
          config.filter_subject.empty() && config.filter_subjects.empty()) {
        return NotSet(name, "filter subject");
      }
      return {};
    }
    case DeliverPolicy::kByStartSequence:
      if (!has_seq) return NotSet("by start sequence", "start sequence");
      if (has_time) return BadStart("by start sequence", "time");
      return {};
    case DeliverPolicy::kByStartTime:
      if (!has_time) return NotSet("by start time", "start time");
      if (config.opt_start_seq != 0) return BadStart("by start time", "start sequence");
      return {};
  }
  return {};
}

ApiStatus CheckPushOrPull(const ConsumerConfig& config, const StreamConfig& stream,
                          const JetStreamServerLimits& limits) {
  if (config.IsPush()) {
    if (!routing::SubjectIsLiteral(config.deliver_subject)) {
      return MakeApiError(ApiErrorId::kConsumerDeliverToWildcards);
    }
    if (!routing::IsValidSubject(config.deliver_subject, true)) {
      return MakeApiError(ApiErrorId::kConsumerInvalidDeliverSubject);
    }
    for (const std::string& subject : stream.subjects) {
      if (routing::SubjectMatchesFilter(config.deliver_subject, subject)) {
        return MakeApiError(ApiErrorId::kConsumerDeliverCycle);
      }
    }
    if (config.max_waiting != 0) return MakeApiError(ApiErrorId::kConsumerPushMaxWaiting);
    if (config.max_ack_pending > 0 && config.ack_policy == AckPolicy::kNone) {
      return MakeApiError(ApiErrorId::kConsumerMaxPendingAckPolicyRequired);
    }
    if (config.idle_heartbeat.count() > 0 &&
        config.idle_heartbeat < std::chrono::milliseconds(100)) {
      return MakeApiError(ApiErrorId::kConsumerSmallHeartbeat);
    }
    return {};
  }
  if (config.ack_policy == AckPolicy::kNone && stream.retention == RetentionPolicy::kWorkQueue) {
    return MakeApiError(ApiErrorId::kConsumerPullRequiresAck);
  }
  if (config.rate_limit_bps > 0) return MakeApiError(ApiErrorId::kConsumerPullWithRateLimit);
  if (config.max_waiting < 0) return MakeApiError(ApiErrorId::kConsumerMaxWaitingNegative);
  if (config.idle_heartbeat.count() > 0) return MakeApiError(ApiErrorId::kConsumerHBRequiresPush);
  if (config.flow_control) return MakeApiError(ApiErrorId::kConsumerFCRequiresPush);
  if (config.max_batch < 0) return MakeApiError(ApiErrorId::kConsumerMaxRequestBatchNegative);
  if (config.max_expires.count() != 0 && config.max_expires < std::chrono::milliseconds(1)) {
    return MakeApiError(ApiErrorId::kConsumerMaxRequestExpiresToSmall);
  }
  if (limits.max_request_batch > 0 && config.max_batch > limits.max_request_batch) {
    return MakeApiError(ApiErrorId::kConsumerMaxRequestBatchExceeded,
                        {{"limit", std::to_string(limits.max_request_batch)}});
  }
  return {};
}

ApiStatus CheckFilters(const ConsumerConfig& config) {
  if (!config.filter_subject.empty() && !config.filter_subjects.empty()) {
    return MakeApiError(ApiErrorId::kConsumerDuplicateFilterSubjects);
  }
  const ApiError bad_subject =
      MakeApiError(ApiErrorId::kStreamInvalidConfig, {{"err", "invalid subject"}});
  if (!config.filter_subject.empty() && !routing::IsValidSubject(config.filter_subject, true)) {
    return bad_subject;
  }
  for (const std::string& filter : config.filter_subjects) {
    if (filter.empty()) return MakeApiError(ApiErrorId::kConsumerEmptyFilter);
  }
  const std::vector<std::string> filters = GatherFilters(config);
  for (size_t outer = 0; outer < filters.size(); ++outer) {
    if (!routing::IsValidSubject(filters[outer], true)) return bad_subject;
    for (size_t inner = 0; inner < filters.size(); ++inner) {
      if (inner != outer && routing::SubjectsCollide(filters[outer], filters[inner])) {
        return MakeApiError(ApiErrorId::kConsumerOverlappingSubjectFilters);
      }
    }
  }
  return {};
}

}  // namespace

ConsumerConfig ApplyConsumerDefaults(const ConsumerConfig& request, const StreamConfig& stream,
                                     const JetStreamServerLimits& limits,
                                     const AccountStreamLimits& account) {
  ConsumerConfig config = request;
  if (!config.IsPush() && config.max_waiting == 0) config.max_waiting = kDefaultMaxWaiting;
  if (config.ack_wait.count() == 0 && IsAcked(config.ack_policy)) config.ack_wait = kDefaultAckWait;
  if (config.max_deliver == 0) config.max_deliver = -1;
  if (!config.backoff.empty()) config.ack_wait = config.backoff.front();
  if (config.max_ack_pending == 0) config.max_ack_pending = stream.consumer_limits.max_ack_pending;
  if (config.inactive_threshold.count() == 0) {
    config.inactive_threshold = stream.consumer_limits.inactive_threshold;
  }
  if (IsAcked(config.ack_policy) && config.max_ack_pending == 0) {
    int64_t pending = kDefaultMaxAckPending;
    if (limits.max_ack_pending > 0 && limits.max_ack_pending < pending) {
      pending = limits.max_ack_pending;
    }
    if (account.max_ack_pending > 0 && account.max_ack_pending < pending) {
      pending = account.max_ack_pending;
    }
    config.max_ack_pending = pending;
  }
  if (!config.IsPush() && config.max_batch == 0 && limits.max_request_batch > 0) {
    config.max_batch = limits.max_request_batch;
  }
  return config;
}

ApiStatus CheckConsumerConfig(const ConsumerConfig& config, const StreamConfig& stream,
                              const JetStreamServerLimits& limits,
                              const AccountStreamLimits& account) {
  if (config.num_replicas > 0 && config.num_replicas > stream.num_replicas) {
    return MakeApiError(ApiErrorId::kConsumerReplicasExceedsStream);
  }
  if (config.num_replicas < 0) return MakeApiError(ApiErrorId::kReplicasCountCannotBeNegative);
  if (stream.retention != RetentionPolicy::kLimits && config.num_replicas != 0 &&
      config.num_replicas != stream.num_replicas) {
    return MakeApiError(ApiErrorId::kConsumerReplicasShouldMatchStream);
  }
  if (!config.backoff.empty() && config.max_deliver != -1 &&
      static_cast<int64_t>(config.backoff.size()) > config.max_deliver) {
    return MakeApiError(ApiErrorId::kConsumerMaxDeliverBackoff);
  }
  if (config.description.size() > kMaxDescriptionLength) {
    return MakeApiError(ApiErrorId::kConsumerDescriptionTooLong,
                        {{"max", std::to_string(kMaxDescriptionLength)}});
  }
  SPATE_RETURN_IF_API_ERROR(CheckPushOrPull(config, stream, limits));
  for (int64_t limit :
       {limits.max_ack_pending, account.max_ack_pending, stream.consumer_limits.max_ack_pending}) {
    if (limit > 0 && config.max_ack_pending > limit) {
      return MakeApiError(ApiErrorId::kConsumerMaxPendingAckExcess,
                          {{"limit", std::to_string(limit)}});
    }
  }
  const Duration threshold_limit = stream.consumer_limits.inactive_threshold;
  if (threshold_limit.count() > 0 && config.inactive_threshold > threshold_limit) {
    return MakeApiError(ApiErrorId::kConsumerInactiveThresholdExcess,
                        {{"limit", FormatGoDuration(threshold_limit)}});
  }
  if (config.direct) {
    if (!config.IsPush()) return MakeApiError(ApiErrorId::kConsumerDirectRequiresPush);
    if (config.IsDurable()) return MakeApiError(ApiErrorId::kConsumerDirectRequiresEphemeral);
  }
  SPATE_RETURN_IF_API_ERROR(CheckFilters(config));
  SPATE_RETURN_IF_API_ERROR(CheckStartPosition(config));
  if (!config.sample_freq.empty()) {
    std::string parse_error;
    std::optional<int64_t> frequency = ParseSampleFrequency(config.sample_freq, &parse_error);
    if (!frequency) {
      return MakeApiError(ApiErrorId::kConsumerInvalidSampling, {{"err", parse_error}});
    }
    if (*frequency < 0) {
      // nats-server passes a nil error here, which its formatter prints as "<nil>".
      return MakeApiError(ApiErrorId::kConsumerInvalidSampling, {{"err", "<nil>"}});
    }
  }
  if (config.flow_control && config.idle_heartbeat.count() == 0) {
    return MakeApiError(ApiErrorId::kConsumerWithFlowControlNeedsHeartbeats);
  }
  if (!config.durable_name.empty() && !config.name.empty() && config.name != config.durable_name) {
    return MakeApiError(ApiErrorId::kConsumerCreateDurableAndNameMismatch);
  }
  size_t metadata_length = 0;
  for (const auto& [key, value] : config.metadata) metadata_length += key.size() + value.size();
  if (metadata_length > kMaxMetadataLength) {
    return MakeApiError(ApiErrorId::kConsumerMetadataLength,
                        {{"limit", std::to_string(kMaxMetadataLength / 1024) + "KB"}});
  }
  return {};
}

ApiStatus CheckConsumerName(std::string_view name, bool durable) {
  if (durable && name.size() > kMaxNameLength) {
    return MakeApiError(ApiErrorId::kConsumerNameTooLong,
                        {{"max", std::to_string(kMaxNameLength)}});
  }
  if (!IsValidName(name)) return MakeApiError(ApiErrorId::kConsumerBadDurableName);
  return {};
}

ApiStatus CheckConsumerUpdate(const ConsumerConfig& current, const ConsumerConfig& requested,
                              bool deliver_subject_in_use) {
  if (current == requested) return {};
  auto refuse = [](std::string text) {
    return MakeApiError(ApiErrorId::kConsumerCreate, {{"err", std::move(text)}});
  };
  if (current.deliver_policy != requested.deliver_policy) {
    return refuse("deliver policy can not be updated");
  }
  if (current.opt_start_seq != requested.opt_start_seq) {
    return refuse("start sequence can not be updated");
  }
  if (current.opt_start_time != requested.opt_start_time) {
    return refuse("start time can not be updated");
  }
  if (current.ack_policy != requested.ack_policy) return refuse("ack policy can not be updated");
  if (current.replay_policy != requested.replay_policy) {
    return refuse("replay policy can not be updated");
  }
  if (current.idle_heartbeat != requested.idle_heartbeat) {
    return refuse("heart beats can not be updated");
  }
  if (current.flow_control != requested.flow_control) {
    return refuse("flow control can not be updated");
  }
  if (current.deliver_subject != requested.deliver_subject) {
    if (current.deliver_subject.empty())
      return refuse("can not update pull consumer to push based");
    if (requested.deliver_subject.empty()) {
      return refuse("can not update push consumer to pull based");
    }
    if (deliver_subject_in_use) return MakeApiError(ApiErrorId::kConsumerNameExist);
  }
  if (current.max_waiting != requested.max_waiting) {
    return refuse("max waiting can not be updated");
  }
  if (!requested.backoff.empty() && requested.max_deliver != -1 &&
      static_cast<int64_t>(requested.backoff.size()) > requested.max_deliver) {
    return MakeApiError(ApiErrorId::kConsumerMaxDeliverBackoff);
  }
  return {};
}

}  // namespace spate::jetstream
