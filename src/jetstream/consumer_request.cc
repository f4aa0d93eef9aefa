#include "jetstream/consumer_request.h"

#include <vector>

namespace spate::jetstream {
namespace {

std::vector<std::string_view> Tokens(std::string_view subject) {
  std::vector<std::string_view> tokens;
  size_t start = 0;
  while (true) {
    size_t dot = subject.find('.', start);
    tokens.push_back(subject.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return tokens;
    start = dot + 1;
  }
}

}  // namespace

ApiResult<ConsumerCreateTarget> ParseConsumerCreateSubject(std::string_view subject) {
  const std::vector<std::string_view> tokens = Tokens(subject);
  if (tokens.size() < 5) return MakeApiError(ApiErrorId::kBadRequest);
  ConsumerCreateTarget target;
  if (tokens.size() == 5) {
    target.form = ConsumerCreateForm::kLegacyEphemeral;
    target.stream = tokens[4];
    return target;
  }
  if (tokens[3] == "DURABLE") {
    if (tokens.size() != 7) return MakeApiError(ApiErrorId::kConsumerDurableNameNotInSubject);
    target.form = ConsumerCreateForm::kLegacyDurable;
    target.stream = tokens[5];
    target.consumer = tokens[6];
    return target;
  }
  target.form = ConsumerCreateForm::kNamed;
  target.stream = tokens[4];
  target.consumer = tokens[5];
  if (tokens.size() > 6) {
    // Everything after the name, dots included.
    const size_t offset = static_cast<size_t>(tokens[6].data() - subject.data());
    target.filter = subject.substr(offset);
  }
  return target;
}

ApiResult<ConsumerConfig> CheckConsumerCreateRequest(const ConsumerCreateTarget& target,
                                                     const CreateConsumerRequest& request) {
  if (target.stream != request.stream_name) return MakeApiError(ApiErrorId::kStreamMismatch);
  if (target.consumer.find_first_of("\\/") != std::string::npos) {
    return MakeApiError(ApiErrorId::kConsumerNameContainsPathSeparators);
  }
  ConsumerConfig config = request.config;
  switch (target.form) {
    case ConsumerCreateForm::kLegacyDurable:
      if (config.durable_name.empty()) {
        return MakeApiError(ApiErrorId::kConsumerDurableNameNotSet);
      }
      if (target.consumer != config.durable_name) {
        return MakeApiError(ApiErrorId::kConsumerDurableNameNotMatchSubject);
      }
      break;
    case ConsumerCreateForm::kNamed:
      if (!config.durable_name.empty() && target.consumer != config.durable_name) {
        return MakeApiError(ApiErrorId::kConsumerDurableNameNotMatchSubject);
      }
      config.name = target.consumer;
      break;
    case ConsumerCreateForm::kLegacyEphemeral:
      if (!config.durable_name.empty()) {
        return MakeApiError(ApiErrorId::kConsumerEphemeralWithDurableName);
      }
      break;
  }
  if (!target.filter.empty() && !config.filter_subjects.empty()) {
    return MakeApiError(ApiErrorId::kConsumerMultipleFiltersNotAllowed);
  }
  if (!target.filter.empty() && config.filter_subject != target.filter) {
    return MakeApiError(ApiErrorId::kConsumerCreateFilterSubjectMismatch);
  }
  return config;
}

}  // namespace spate::jetstream
