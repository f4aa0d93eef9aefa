#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spate::auth {

// base64url (RFC 4648 section 5) without padding, as JWT parts and nonce signatures use it
// (Go's base64.RawURLEncoding).
std::string Base64UrlEncode(std::span<const uint8_t> data);
inline std::string Base64UrlEncode(std::string_view data) {
  return Base64UrlEncode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

// Rejects '=', characters of the standard alphabet ('+', '/') and a length of 1 mod 4.
Result<std::vector<uint8_t>> Base64UrlDecode(std::string_view text);

}  // namespace spate::auth
