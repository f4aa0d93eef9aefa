#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "auth/claims.h"
#include "common/status.h"

namespace spate::auth {

// NATS JWTs: base64url(header) "." base64url(payload) "." base64url(signature), no padding.
// The header is {"typ":"JWT","alg":"ed25519-nkey"} ("ed25519" for v1 tokens). The signature is
// ed25519 by the key in "iss" over "header.payload" (v2) or over the payload part alone (v1,
// which Go still accepts and so do we).
//
// Each decoder verifies the header, the signature, the claim type ("user", ...), the kind of
// key that issued it (users: an account key; accounts and operators: an operator key) and the
// kind of the subject key. It does not check time (IsExpired, IsNotYetValid) nor whether the
// issuer is trusted: both are the caller's policy. Errors name the field or step that failed.
Result<UserClaims> DecodeUserClaims(std::string_view jwt);
Result<AccountClaims> DecodeAccountClaims(std::string_view jwt);
Result<OperatorClaims> DecodeOperatorClaims(std::string_view jwt);
// Verifies the header and signature only, whatever the claim type: for code that must first
// learn which kind of token it holds.
Result<ClaimsData> DecodeClaims(std::string_view jwt);

// Signs a payload in the nats-io/jwt v2 layout (a JSON object with "sub" and "nats.type") with
// issuer_seed, as Go's Claims.Encode does: sets "iss", "iat" (issued_at, or now when 0), "jti"
// (base32 of SHA-512/256 over the standard claims) and "nats.version" = 2. No check that the
// issuer may sign this type: tests need tokens the decoders must refuse.
Result<std::string> EncodeClaims(const nlohmann::json& payload, std::string_view issuer_seed,
                                 int64_t issued_at = 0);

}  // namespace spate::auth
