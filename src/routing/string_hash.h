#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace spate::routing {

// A fast, non-cryptographic hash for short strings (subjects and tokens): 8 bytes per step,
// each folded through a 64x64->128 multiply. Inline so the match cache's hit path has no call.
inline uint64_t HashString(std::string_view s) {
  constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ull;
  auto mix = [](uint64_t x, uint64_t y) {
    const unsigned __int128 product = static_cast<unsigned __int128>(x) * y;
    return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
  };
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = mix(n ^ 0x2545F4914F6CDD1Dull, kMultiplier);
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = mix(h ^ word, kMultiplier);
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t word = 0;
    std::memcpy(&word, p, n);
    h = mix(h ^ word, kMultiplier);
  }
  return mix(h, 0xBF58476D1CE4E5B9ull);
}

// Transparent hash: an unordered container keyed by std::string can be searched with a
// std::string_view (together with std::equal_to<>) without building a std::string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return HashString(s); }
  size_t operator()(const std::string& s) const noexcept { return HashString(s); }
  size_t operator()(const char* s) const noexcept { return HashString(s); }
};

}  // namespace spate::routing
