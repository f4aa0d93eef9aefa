#pragma once

#include <atomic>
#include <cstdint>

namespace spate::store {

// Plain counters for monitoring (STYLE item 18); readable from any thread.
struct StoreStats {
  std::atomic<uint64_t> appends{0};
  std::atomic<uint64_t> bytes_written{0};    // record bytes handed to the OS
  std::atomic<uint64_t> fsyncs{0};           // data syncs of block files by the sync thread
  std::atomic<uint64_t> corrupt_records{0};  // found by recovery and skipped
  std::atomic<uint64_t> truncated_tails{0};  // torn tails cut off by recovery
  std::atomic<uint64_t> blocks_compacted{0};
  std::atomic<uint64_t> snapshot_loads{0};  // opens that used the index snapshot
};

}  // namespace spate::store
