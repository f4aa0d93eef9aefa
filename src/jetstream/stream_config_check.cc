// nats-server 2.10's stream configuration rules: defaults (checkStreamCfg), the create and update
// request checks, and subject overlap between streams. Error texts are nats-server's.

#include <set>

#include "jetstream/go_text.h"
#include "jetstream/stream_config.h"
#include "jetstream/subject_mapping.h"
#include "routing/subject.h"

namespace spate::jetstream {
namespace {

using routing::SubjectIsLiteral;
using routing::SubjectMatchesFilter;
using routing::SubjectsCollide;

constexpr Duration kMinWindow = std::chrono::milliseconds(100);
constexpr std::string_view kApiPrefix = "$JS.API";

ApiError InvalidConfig(std::string text) {
  return MakeApiError(ApiErrorId::kStreamInvalidConfig, {{"err", std::move(text)}});
}

// nats-server's IsValidSubject for subjects inside JSON (whitespace rejected).
bool ValidSubject(std::string_view subject) { return routing::IsValidSubject(subject, true); }
// nats-server's IsValidPublishSubject: valid and without wildcards.
bool ValidLiteralSubject(std::string_view subject) {
  return ValidSubject(subject) && SubjectIsLiteral(subject);
}

const StreamConfig* FindStream(std::span<const StreamConfig> streams, std::string_view name) {
  for (const StreamConfig& stream : streams) {
    if (stream.name == name) return &stream;
  }
  return nullptr;
}

// The index name nats-server uses to detect duplicate sources (composeIName).
std::string SourceIndexName(const StreamSource& source) {
  std::string name = source.name;
  // nats-server appends a hash of the API prefix; the prefix itself identifies it as well.
  if (source.external) name += ":" + source.external->api_prefix;
  std::string from, to;
  if (source.subject_transforms.empty()) {
    from = source.filter_subject.empty() ? ">" : source.filter_subject;
    to = ">";
  } else {
    for (size_t i = 0; i < source.subject_transforms.size(); ++i) {
      const SubjectTransformConfig& t = source.subject_transforms[i];
      if (i > 0) {
        from += '\f';
        to += '\f';
      }
      from += t.source.empty() ? ">" : t.source;
      to += t.destination.empty() ? ">" : t.destination;
    }
  }
  return name + " " + from + " " + to;
}

ApiStatus CheckMirror(StreamConfig& config, std::span<const StreamConfig> streams,
                      std::vector<std::string>* stream_subjects,
                      std::vector<std::string>* deliver_prefixes,
                      std::vector<std::string>* api_prefixes) {
  const StreamSource& mirror = *config.mirror;
  if (config.first_seq > 0) return MakeApiError(ApiErrorId::kMirrorWithFirstSeq);
  if (!config.subjects.empty()) return MakeApiError(ApiErrorId::kMirrorWithSubjects);
  if (!config.sources.empty()) return MakeApiError(ApiErrorId::kMirrorWithSources);
  if (!mirror.filter_subject.empty() && !mirror.subject_transforms.empty()) {
    return MakeApiError(ApiErrorId::kMirrorMultipleFiltersNotAllowed);
  }
  const auto& transforms = mirror.subject_transforms;
  for (size_t outer = 0; outer < transforms.size(); ++outer) {
    if (!ValidSubject(transforms[outer].source)) {
      return MakeApiError(ApiErrorId::kMirrorInvalidSubjectFilter);
    }
    for (size_t inner = 0; inner < transforms.size(); ++inner) {
      if (inner != outer && SubjectsCollide(transforms[outer].source, transforms[inner].source)) {
        return MakeApiError(ApiErrorId::kMirrorOverlappingSubjectFilters);
      }
    }
  }
  if (!mirror.external) {
    if (!IsValidName(mirror.name)) return MakeApiError(ApiErrorId::kMirrorInvalidStreamName);
    // The mirrored stream need not exist; if it does, check sizes and inherit direct gets.
    if (const StreamConfig* origin = FindStream(streams, mirror.name)) {
      stream_subjects->insert(stream_subjects->end(), origin->subjects.begin(),
                              origin->subjects.end());
      if (config.max_msg_size > 0 && origin->max_msg_size > 0 &&
          config.max_msg_size < origin->max_msg_size) {
        return MakeApiError(ApiErrorId::kMirrorMaxMessageSizeTooBig);
      }
      config.mirror_direct = origin->allow_direct;
    }
  } else {
    if (!mirror.external->deliver_prefix.empty()) {
      deliver_prefixes->push_back(mirror.external->deliver_prefix);
    }
    if (!mirror.external->api_prefix.empty()) api_prefixes->push_back(mirror.external->api_prefix);
  }
  return {};
}

ApiStatus CheckSources(const StreamConfig& config, std::span<const StreamConfig> streams,
                       std::vector<std::string>* stream_subjects,
                       std::vector<std::string>* deliver_prefixes,
                       std::vector<std::string>* api_prefixes) {
  std::set<std::string> index_names;
  for (const StreamSource& source : config.sources) {
    if (!IsValidName(source.name)) return MakeApiError(ApiErrorId::kSourceInvalidStreamName);
    if (!index_names.insert(SourceIndexName(source)).second) {
      return MakeApiError(ApiErrorId::kSourceDuplicateDetected);
    }
    if (source.external) {
      if (!source.external->deliver_prefix.empty()) {
        deliver_prefixes->push_back(source.external->deliver_prefix);
      }
      if (!source.external->api_prefix.empty()) {
        api_prefixes->push_back(source.external->api_prefix);
      }
      continue;
    }
    if (const StreamConfig* origin = FindStream(streams, source.name)) {
      stream_subjects->insert(stream_subjects->end(), origin->subjects.begin(),
                              origin->subjects.end());
      if (config.max_msg_size > 0 && origin->max_msg_size > 0 &&
          config.max_msg_size < origin->max_msg_size) {
        return MakeApiError(ApiErrorId::kSourceMaxMessageSizeTooBig);
      }
    }
    if (!source.filter_subject.empty() && !source.subject_transforms.empty()) {
      return MakeApiError(ApiErrorId::kSourceMultipleFiltersNotAllowed);
    }
    const auto& transforms = source.subject_transforms;
    for (const SubjectTransformConfig& t : transforms) {
      if (!IsValidMappingDestination(t.destination)) {
        return MakeApiError(ApiErrorId::kSourceInvalidTransformDestination);
      }
    }
    for (size_t outer = 0; outer < transforms.size(); ++outer) {
      if (!ValidSubject(transforms[outer].source)) {
        return MakeApiError(ApiErrorId::kSourceInvalidSubjectFilter);
      }
      for (size_t inner = 0; inner < transforms.size(); ++inner) {
        if (inner != outer &&
            SubjectMatchesFilter(transforms[outer].source, transforms[inner].source)) {
          return MakeApiError(ApiErrorId::kSourceOverlappingSubjectFilters);
        }
      }
    }
  }
  return {};
}

ApiStatus CheckExternalPrefixes(const std::vector<std::string>& stream_subjects,
                                const std::vector<std::string>& deliver_prefixes,
                                const std::vector<std::string>& api_prefixes) {
  for (const std::string& prefix : deliver_prefixes) {
    if (!ValidLiteralSubject(prefix)) {
      return MakeApiError(ApiErrorId::kStreamInvalidExternalDeliverySubj, {{"prefix", prefix}});
    }
    for (const std::string& subject : stream_subjects) {
      if (SubjectsCollide(subject, prefix + "." + subject)) {
        return MakeApiError(ApiErrorId::kStreamExternalDelPrefixOverlaps,
                            {{"prefix", prefix}, {"subject", subject}});
      }
    }
  }
  for (const std::string& prefix : api_prefixes) {
    if (!ValidLiteralSubject(prefix)) {
      return InvalidConfig("stream external api prefix " + QuoteGo(prefix) +
                           " must be a valid subject without wildcards");
    }
    if (SubjectsCollide(prefix, kApiPrefix)) {
      return MakeApiError(ApiErrorId::kStreamExternalApiOverlap,
                          {{"prefix", prefix}, {"subject", std::string(kApiPrefix)}});
    }
  }
  return {};
}

// Follows sources and mirrors through the known streams, as nats-server does, and fails when a
// stream is reached twice over subjects that can actually flow around the loop.
ApiStatus CheckCycles(const StreamConfig& config, std::span<const StreamConfig> streams) {
  std::vector<const StreamConfig*> to_visit = {&config};
  std::set<std::string> visited;
  auto overlaps = [](const std::vector<std::string>& subjects, const std::string& filter) {
    if (filter.empty()) return true;
    for (const std::string& subject : subjects) {
      if (SubjectsCollide(subject, filter)) return true;
    }
    return false;
  };
  for (size_t next = 0; next < to_visit.size(); ++next) {
    const StreamConfig& current = *to_visit[next];
    visited.insert(current.name);
    for (const StreamSource& source : current.sources) {
      if (source.external) continue;
      if (visited.contains(source.name)) {
        if (overlaps(current.subjects, source.filter_subject)) {
          return InvalidConfig("detected cycle");
        }
      } else if (const StreamConfig* origin = FindStream(streams, source.name)) {
        to_visit.push_back(origin);
      }
    }
    if (current.mirror && !current.mirror->external) {
      if (visited.contains(current.mirror->name)) return InvalidConfig("detected cycle");
      if (const StreamConfig* origin = FindStream(streams, current.mirror->name)) {
        to_visit.push_back(origin);
      }
    }
  }
  return {};
}

ApiStatus CheckOwnSubjects(const StreamConfig& config) {
  std::set<std::string_view> seen;
  for (const std::string& subject : config.subjects) {
    if (!ValidSubject(subject)) return InvalidConfig("invalid subject");
    if (!seen.insert(subject).second) return InvalidConfig("duplicate subjects detected");
    if (subject == ">") {
      if (!config.no_ack) return InvalidConfig("capturing all subjects requires no-ack to be true");
      if (config.num_replicas != 1) {
        return InvalidConfig("capturing all subjects requires replicas of 1");
      }
    }
    if (!config.no_ack) {
      for (std::string_view space : {"$JS.>", "$JSC.>", "$NRG.>"}) {
        // Streams on $JS.EVENT.> were allowed in the past and still are.
        if (SubjectsCollide(subject, space) && !SubjectMatchesFilter(subject, "$JS.EVENT.>")) {
          return InvalidConfig(
              "subjects that overlap with jetstream api require no-ack to be true");
        }
      }
      if (SubjectsCollide(subject, "$SYS.>") && !SubjectMatchesFilter(subject, "$SYS.ACCOUNT.>")) {
        return InvalidConfig("subjects that overlap with system api require no-ack to be true");
      }
    }
  }
  return {};
}

}  // namespace

bool IsValidName(std::string_view name) {
  return !name.empty() && name.find_first_of(" \t\r\n\f.*>") == std::string_view::npos;
}

ApiResult<StreamConfig> NormalizeStreamConfig(const StreamConfig& request,
                                              const JetStreamServerLimits& limits,
                                              const AccountStreamLimits& account,
                                              std::span<const StreamConfig> streams) {
  if (!IsValidName(request.name)) {
    return InvalidConfig("stream name is required and can not contain '.', '*', '>'");
  }
  if (request.name.size() > kMaxNameLength) {
    return InvalidConfig("stream name is too long, maximum allowed is " +
                         std::to_string(kMaxNameLength));
  }
  if (request.description.size() > kMaxDescriptionLength) {
    return InvalidConfig("stream description is too long, maximum allowed is " +
                         std::to_string(kMaxDescriptionLength));
  }
  size_t metadata_length = 0;
  for (const auto& [key, value] : request.metadata) metadata_length += key.size() + value.size();
  if (metadata_length > kMaxMetadataLength) {
    return InvalidConfig("stream metadata exceeds maximum size of " +
                         std::to_string(kMaxMetadataLength) + " bytes");
  }

  StreamConfig config = request;
  if (config.num_replicas == 0) config.num_replicas = 1;
  if (config.num_replicas > kMaxReplicas) {
    return InvalidConfig("maximum replicas is " + std::to_string(kMaxReplicas));
  }
  if (config.num_replicas < 0) return MakeApiError(ApiErrorId::kReplicasCountCannotBeNegative);
  if (config.max_msgs == 0) config.max_msgs = -1;
  if (config.max_msgs_per_subject == 0) config.max_msgs_per_subject = -1;
  if (config.max_bytes == 0) config.max_bytes = -1;
  if (config.max_msg_size == 0) config.max_msg_size = -1;
  if (config.max_consumers == 0) config.max_consumers = -1;
  if (config.duplicate_window.count() == 0 && !config.mirror) {
    Duration window = kDefaultDuplicateWindow;
    if (limits.max_duplicate_window.count() > 0 && window > limits.max_duplicate_window) {
      window = limits.max_duplicate_window;
    }
    const bool age_is_shorter = config.max_age.count() != 0 && config.max_age < window;
    config.duplicate_window = age_is_shorter ? config.max_age : window;
  }
  if (config.max_age.count() > 0 && config.max_age < kMinWindow) {
    return InvalidConfig("max age needs to be >= 100ms");
  }
  if (config.duplicate_window.count() < 0) {
    return InvalidConfig("duplicates window can not be negative");
  }
  if (config.max_age.count() != 0 && config.duplicate_window > config.max_age) {
    return InvalidConfig("duplicates window can not be larger then max age");
  }
  if (limits.max_duplicate_window.count() > 0 &&
      config.duplicate_window > limits.max_duplicate_window) {
    return InvalidConfig("duplicates window can not be larger then server limit of " +
                         FormatGoDuration(limits.max_duplicate_window));
  }
  if (config.duplicate_window.count() > 0 && config.duplicate_window < kMinWindow) {
    return InvalidConfig("duplicates window needs to be >= 100ms");
  }
  if (config.deny_purge && config.allow_rollup_hdrs) {
    return InvalidConfig("roll-ups require the purge permission");
  }
  if (config.discard_new_per_subject) {
    if (config.discard != DiscardPolicy::kNew) {
      return InvalidConfig("discard new per subject requires discard new policy to be set");
    }
    if (config.max_msgs_per_subject <= 0) {
      return InvalidConfig("discard new per subject requires max msgs per subject > 0");
    }
  }

  std::vector<std::string> stream_subjects, deliver_prefixes, api_prefixes;
  if (config.mirror) {
    SPATE_RETURN_IF_API_ERROR(
        CheckMirror(config, streams, &stream_subjects, &deliver_prefixes, &api_prefixes));
  }
  SPATE_RETURN_IF_API_ERROR(
      CheckSources(config, streams, &stream_subjects, &deliver_prefixes, &api_prefixes));
  SPATE_RETURN_IF_API_ERROR(CheckExternalPrefixes(stream_subjects, deliver_prefixes, api_prefixes));
  SPATE_RETURN_IF_API_ERROR(CheckCycles(config, streams));

  if (config.subjects.empty()) {
    if (!config.mirror && config.sources.empty()) config.subjects.push_back(config.name);
  } else {
    if (config.mirror) return MakeApiError(ApiErrorId::kMirrorWithSubjects);
    SPATE_RETURN_IF_API_ERROR(CheckOwnSubjects(config));
  }
  if (config.subjects.empty() && config.sources.empty() && !config.mirror) {
    return InvalidConfig("stream needs at least one configured subject or be a source/mirror");
  }
  if (account.max_bytes_required && config.max_bytes <= 0) {
    return MakeApiError(ApiErrorId::kStreamMaxBytesRequired);
  }
  if (account.max_stream_bytes > 0 && config.max_bytes > account.max_stream_bytes) {
    return MakeApiError(ApiErrorId::kStreamMaxStreamBytesExceeded);
  }
  if (config.subjects.size() > 1) {
    for (const std::string& subject : config.subjects) {
      for (const std::string& other : config.subjects) {
        if (other != subject && SubjectsCollide(other, subject)) {
          return InvalidConfig("subject " + QuoteGo(subject) + " overlaps with " + QuoteGo(other));
        }
      }
    }
  }
  if (config.republish) {
    RePublish& republish = *config.republish;
    // ">" via assign(): operator= trips a GCC 12 -Wrestrict false positive here.
    if (republish.source.empty()) republish.source.assign(1, '>');
    for (const std::string& subject : config.subjects) {
      if (SubjectsCollide(republish.destination, subject)) {
        return InvalidConfig("stream configuration for republish destination forms a cycle");
      }
    }
    if (!IsValidTransform(republish.source, republish.destination)) {
      return InvalidConfig("stream configuration for republish with transform from '" +
                           republish.source + "' to '" + republish.destination + "' not valid");
    }
  }
  return config;
}

ApiResult<StreamConfig> CheckStreamCreate(std::string_view subject_stream_name,
                                          const StreamConfig& request,
                                          const JetStreamServerLimits& limits,
                                          const AccountStreamLimits& account,
                                          std::span<const StreamConfig> streams) {
  if (subject_stream_name != request.name) return MakeApiError(ApiErrorId::kStreamMismatch);
  if (subject_stream_name.find_first_of("\\/") != std::string_view::npos) {
    return MakeApiError(ApiErrorId::kStreamNameContainsPathSeparators);
  }
  if (request.sealed) return InvalidConfig("stream configuration for create can not be sealed");
  if (request.mirror_direct && !request.mirror) {
    return InvalidConfig("stream has no mirror but does have mirror direct");
  }
  return NormalizeStreamConfig(request, limits, account, streams);
}

ApiResult<StreamConfig> CheckStreamUpdate(std::string_view subject_stream_name,
                                          const StreamConfig& current, const StreamConfig& request,
                                          const JetStreamServerLimits& limits,
                                          const AccountStreamLimits& account,
                                          std::span<const StreamConfig> streams) {
  ApiResult<StreamConfig> normalized = NormalizeStreamConfig(request, limits, account, streams);
  if (!normalized.ok()) return normalized;
  StreamConfig& config = *normalized;
  if (subject_stream_name != config.name) return MakeApiError(ApiErrorId::kStreamMismatch);

  if (config.name != current.name) {
    return InvalidConfig("stream configuration name must match original");
  }
  if (config.max_consumers != current.max_consumers) {
    return InvalidConfig("stream configuration update can not change MaxConsumers");
  }
  if (config.storage != current.storage) {
    return InvalidConfig("stream configuration update can not change storage type");
  }
  if (config.retention != current.retention && (current.retention == RetentionPolicy::kWorkQueue ||
                                                config.retention == RetentionPolicy::kWorkQueue)) {
    return InvalidConfig(
        "stream configuration update can not change retention policy to/from workqueue");
  }
  if (!current.template_owner.empty()) {
    return InvalidConfig("stream configuration update not allowed on template owned stream");
  }
  if (!config.template_owner.empty()) {
    return InvalidConfig("stream configuration update can not be owned by a template");
  }
  if (!config.sealed && current.sealed) {
    return InvalidConfig("stream configuration update can not unseal a sealed stream");
  }
  if (!config.deny_delete && current.deny_delete) {
    return InvalidConfig("stream configuration update can not cancel deny message deletes");
  }
  if (!config.deny_purge && current.deny_purge) {
    return InvalidConfig("stream configuration update can not cancel deny purge");
  }
  if (config.mirror != current.mirror) return MakeApiError(ApiErrorId::kStreamMirrorNotUpdatable);
  if (config.sealed) {
    config.max_age = Duration{0};
    config.discard = DiscardPolicy::kNew;
    config.deny_delete = true;
    config.deny_purge = true;
    config.allow_rollup_hdrs = false;
  }
  return normalized;
}

ApiStatus CheckSubjectsOverlap(std::span<const std::string> subjects,
                               std::span<const std::vector<std::string>> others) {
  for (const std::vector<std::string>& other_subjects : others) {
    for (const std::string& mine : subjects) {
      for (const std::string& theirs : other_subjects) {
        if (SubjectsCollide(mine, theirs)) return MakeApiError(ApiErrorId::kStreamSubjectOverlap);
      }
    }
  }
  return {};
}

}  // namespace spate::jetstream
