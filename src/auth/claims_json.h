#pragma once

// Internal to spate_auth: claims structs from a verified JWT payload. The JSON follows Go's
// encoding/json rules for the nats-io/jwt structs: unknown fields and nulls are ignored, a
// field of the wrong JSON type is an error naming its path.

#include <nlohmann/json.hpp>

#include "auth/claims.h"
#include "common/status.h"

namespace spate::auth::internal {

// version is 1 for tokens with a top-level "type" (v1 layout), else nats.version.
Status ReadClaimsData(const nlohmann::json& payload, int version, ClaimsData* out);
Status ReadUserClaims(const nlohmann::json& payload, int version, UserClaims* out);
Status ReadAccountClaims(const nlohmann::json& payload, int version, AccountClaims* out);
Status ReadOperatorClaims(const nlohmann::json& payload, int version, OperatorClaims* out);

}  // namespace spate::auth::internal
