#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

#include "common/status.h"
#include "store/file_system.h"

namespace spate::store {

// Read-ahead for records read back from block files. A consumer catching up reads a stream's
// messages one after another; one pread per message made the syscall the largest cost of
// delivering them. A miss reads a window of the file from the record on, so the next records
// come from memory.
//
// One cache for the process (a bounded number of windows, least recently used replaced), so its
// memory does not grow with the number of streams. A window belongs to a file *version*
// (NewVersion): whoever changes bytes in place or cuts a file (erase, compaction, a failed append)
// takes a new version, and windows of the old one simply stop matching.
// Threading: thread-safe; the lock is not held while reading the file.
class ReadAheadCache {
 public:
  static constexpr size_t kWindowBytes = 64 * 1024;
  static constexpr size_t kWindows = 32;

  static ReadAheadCache& Shared();
  // A version number never handed out before.
  static uint64_t NewVersion();

  // Copies [offset, offset + length) of `file` (version `version`, `file_size` bytes long) into
  // `out`. Records longer than a window are read directly. Fewer bytes than asked (the end of
  // the file) is the caller's to judge: `out` then holds what there was.
  Status Read(File& file, uint64_t version, uint64_t file_size, uint64_t offset, size_t length,
              std::string* out);

 private:
  struct Window {
    uint64_t version = 0;  // 0: empty
    uint64_t offset = 0;
    std::string bytes;
    uint64_t last_use = 0;
  };

  std::mutex mu_;
  std::array<Window, kWindows> windows_;
  uint64_t clock_ = 0;
};

}  // namespace spate::store
