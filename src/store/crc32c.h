#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace spate::store {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as in iSCSI, ext4 and LevelDB.
// Our own implementation: no CRC32C library is among the packages we depend on (libxxhash is
// installed but is not a declared dependency). Uses the SSE4.2 crc32 instruction when the CPU
// has it (checked once at runtime) and slicing-by-8 tables otherwise; both give the same values.
uint32_t Crc32c(const void* data, size_t size, uint32_t crc = 0);
inline uint32_t Crc32c(std::string_view data, uint32_t crc = 0) {
  return Crc32c(data.data(), data.size(), crc);
}

// The portable path only, for tests that compare the two.
uint32_t Crc32cPortable(const void* data, size_t size, uint32_t crc = 0);

}  // namespace spate::store
