#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace spate::store {

// An open file (or directory, for Sync only). Shared between the store's owner, which writes,
// and its sync thread, which calls Sync; a file stays open while either holds it.
// Threading: PWrite/PRead/Truncate from the owner; Sync from any thread concurrently with them
// (as fdatasync allows).
class File {
 public:
  virtual ~File() = default;
  // Writes all of `data` at `offset`, or fails; after a failure an unknown prefix may be written.
  virtual Status PWrite(uint64_t offset, std::string_view data) = 0;
  // Reads up to `size` bytes at `offset` into `out`; fewer only at end of file.
  virtual Result<size_t> PRead(uint64_t offset, size_t size, char* out) = 0;
  virtual Status Sync() = 0;  // fdatasync (fsync for a directory)
  virtual Status Truncate(uint64_t size) = 0;
  virtual Result<uint64_t> Size() = 0;
  // A private read-only mapping of [offset, offset + size) (offset page-aligned, the range inside
  // the file) placed at `at`, a page-aligned address in a range the caller mapped (MAP_FIXED
  // replaces those pages). The caller may mprotect parts writable (writes then stay in memory,
  // copied page by page) and unmaps it (munmap, whole pages). The default reads the bytes into
  // anonymous memory; PosixFile maps the file itself: no copy, no zeroing, and pages come in from
  // the page cache as they are touched (on this project's VMs first touches of fresh memory cost
  // ~2 ms per MiB, page-cache reads ~0.6).
  virtual Status MapPrivate(uint64_t offset, size_t size, void* at);
  // Gives back the disk space of [offset, offset + size) (whole blocks inside it) without changing
  // the file's size; the range then reads as zeros, or as before where space was not freed. A hint:
  // the default does nothing.
  virtual Status PunchHole(uint64_t offset, uint64_t size);
};

// Empties a file that has bytes (a leftover of an interrupted attempt). A file that is already
// empty is left alone: on ext4 a truncate to zero marks the file to be written back when it is
// closed (auto_da_alloc), which made closing the blocks at a stop write out everything the
// stream had buffered (1.7 s for a freshly written million-message stream).
Status TruncateIfNotEmpty(File& file);

// File I/O for the stores, so that tests can inject faults (STYLE item 12).
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Opens `path` for reading and writing, creating it if `create`.
  virtual Result<std::shared_ptr<File>> OpenFile(const std::string& path, bool create) = 0;
  // Opens a directory so that its entries (creates, renames, removals) can be made durable.
  virtual Result<std::shared_ptr<File>> OpenDir(const std::string& path) = 0;
  virtual Status CreateDirs(const std::string& path) = 0;
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;  // names only
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;  // Ok if already absent
  virtual bool Exists(const std::string& path) = 0;

  // The real one.
  static FileSystem* Posix();
};

}  // namespace spate::store
