#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/file_system.h"
#include "store/read_ahead_cache.h"

namespace spate::store {

// One block file of a FileStore (msgs/<index>.blk): records appended at the end, read at any
// offset, and the accounting that decides when the block is worth compacting.
// Lifecycle: created by FileStore when the active block rolls, or found by recovery; replaced
// (same index, new file) by compaction; deleted when nothing in it is needed any more.
// Threading: owned by the FileStore's owner. The File is shared with the sync thread.
class MsgBlock {
 public:
  MsgBlock(uint32_t index, std::string path, std::shared_ptr<File> file, uint64_t size)
      : index_(index), path_(std::move(path)), file_(std::move(file)), size_(size) {}

  uint32_t index() const { return index_; }
  const std::string& path() const { return path_; }
  const std::shared_ptr<File>& file() const { return file_; }
  uint64_t size() const { return size_; }

  // Appends encoded records and returns the offset of the first. On failure the file is cut
  // back to its previous size, so a failed append leaves no partial record behind; if even that
  // fails, the Status says so and the caller must stop writing.
  Result<uint64_t> Append(std::string_view records, bool* truncate_failed);
  // Through the shared ReadAheadCache: reading records in order costs one pread per window.
  Status Read(uint64_t offset, size_t length, std::string* out) const;
  Status Overwrite(uint64_t offset, std::string_view record);
  // Reads the file from `offset` to its end.
  Result<std::string> ReadAll(uint64_t offset = 0) const;
  // Points the block at a rewritten file.
  void Replace(std::shared_ptr<File> file, uint64_t size) {
    file_ = std::move(file);
    size_ = size;
    BytesChanged();
  }
  // Bytes already written changed or were cut off (read-ahead windows of them are stale).
  void BytesChanged() { read_version_ = ReadAheadCache::NewVersion(); }
  void set_size(uint64_t size) { size_ = size; }

  // Accounting, kept by FileStore.
  uint64_t live_msgs = 0;
  uint64_t live_bytes = 0;                  // record bytes of live messages
  uint64_t first_record_seq = 0;            // lowest message record physically present (0: none)
  std::vector<uint64_t> tombstone_targets;  // tombstones this block holds
  uint64_t floor = 0;                       // highest floor record this block holds (0: none)
  // Highest sequence this block proves was assigned (a message, a tombstone's target, or a
  // floor minus one), so that compaction never loses the stream's last sequence.
  uint64_t max_witness = 0;

 private:
  uint32_t index_;
  std::string path_;
  std::shared_ptr<File> file_;
  uint64_t size_;
  uint64_t read_version_ = ReadAheadCache::NewVersion();
};

}  // namespace spate::store
