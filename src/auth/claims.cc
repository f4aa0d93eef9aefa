#include "auth/claims.h"

namespace spate::auth {

bool IsExpired(const ClaimsData& claims, int64_t now) {
  return claims.expires > 0 && now > claims.expires;
}

bool IsNotYetValid(const ClaimsData& claims, int64_t now) {
  return claims.not_before > 0 && claims.not_before > now;
}

bool IsRevoked(const std::map<std::string, int64_t>& revocations, std::string_view public_key,
               int64_t issued_at) {
  for (std::string_view key : {std::string_view("*"), public_key}) {
    auto it = revocations.find(std::string(key));
    if (it != revocations.end() && it->second >= issued_at) return true;
  }
  return false;
}

}  // namespace spate::auth
