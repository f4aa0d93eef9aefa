#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spate::auth {

// RFC 4648 base32 (alphabet A-Z 2-7) without '=' padding, the text form of nkeys.
std::string Base32Encode(std::span<const uint8_t> data);

// Rejects characters outside the alphabet (lowercase too), '=' and lengths no encoder produces
// (1, 3 or 6 characters past a multiple of 8). Unused low bits of the last character are
// ignored, as Go's decoder does.
Result<std::vector<uint8_t>> Base32Decode(std::string_view text);

}  // namespace spate::auth
