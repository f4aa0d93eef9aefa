#pragma once

#include <string>
#include <string_view>

#include "jetstream/api_error.h"
#include "jetstream/consumer_config.h"

// The request-level checks of $JS.API.CONSUMER.CREATE and .DURABLE.CREATE, which tie the API
// subject to the request body before any consumer rule runs. nats-server 2.10's three forms:
//   $JS.API.CONSUMER.CREATE.<stream>                       legacy ephemeral
//   $JS.API.CONSUMER.DURABLE.CREATE.<stream>.<durable>     legacy durable
//   $JS.API.CONSUMER.CREATE.<stream>.<name>[.<filter>]     2.10 (name, optional filter subject)
namespace spate::jetstream {

enum class ConsumerCreateForm : uint8_t { kLegacyEphemeral, kLegacyDurable, kNamed };

struct ConsumerCreateTarget {
  ConsumerCreateForm form = ConsumerCreateForm::kLegacyEphemeral;
  std::string stream;
  std::string consumer;  // empty for the legacy ephemeral form
  std::string filter;    // the named form's optional filter subject (tokens 7+)
};

// Parses an API subject (domain prefix already removed). Fewer than five tokens: BadRequest
// (nats-server logs and drops such requests without replying). A DURABLE form without exactly
// seven tokens: ConsumerDurableNameNotInSubject.
ApiResult<ConsumerCreateTarget> ParseConsumerCreateSubject(std::string_view subject);

// nats-server's checks in its order: StreamMismatch, ConsumerNameContainsPathSeparators,
// durable rules (DurableNameNotSet, DurableNameNotMatchSubject, EphemeralWithDurableName),
// MultipleFiltersNotAllowed, CreateFilterSubjectMismatch. Returns the config to go on with: in
// the named form its name becomes the subject's name, as nats-server overrides it.
ApiResult<ConsumerConfig> CheckConsumerCreateRequest(const ConsumerCreateTarget& target,
                                                     const CreateConsumerRequest& request);

}  // namespace spate::jetstream
