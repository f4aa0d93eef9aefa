#include "store/read_ahead_cache.h"

#include <algorithm>
#include <utility>

namespace spate::store {

ReadAheadCache& ReadAheadCache::Shared() {
  static ReadAheadCache cache;
  return cache;
}

uint64_t ReadAheadCache::NewVersion() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

Status ReadAheadCache::Read(File& file, uint64_t version, uint64_t file_size, uint64_t offset,
                            size_t length, std::string* out) {
  if (length > kWindowBytes / 2) {
    out->resize(length);
    SPATE_ASSIGN_OR_RETURN(size_t got, file.PRead(offset, length, out->data()));
    out->resize(got);
    return Status::Ok();
  }
  std::string bytes;
  {
    std::lock_guard lock(mu_);
    Window* victim = &windows_[0];
    for (Window& w : windows_) {
      if (w.version == version && offset >= w.offset &&
          offset + length <= w.offset + w.bytes.size()) {
        w.last_use = ++clock_;
        out->assign(w.bytes, offset - w.offset, length);
        return Status::Ok();
      }
      if (w.last_use < victim->last_use) victim = &w;
    }
    // Take the least recently used window's buffer (its capacity) and read without the lock.
    victim->version = 0;
    victim->last_use = 0;
    bytes = std::move(victim->bytes);
  }
  const size_t want = std::max<uint64_t>(
      length, std::min<uint64_t>(kWindowBytes, file_size - std::min(file_size, offset)));
  bytes.resize(want);
  Result<size_t> got = file.PRead(offset, want, bytes.data());
  if (!got.ok()) return got.status();
  bytes.resize(*got);
  out->assign(bytes, 0, std::min(length, bytes.size()));
  if (*got > length) {
    std::lock_guard lock(mu_);
    Window* victim = &windows_[0];
    for (Window& w : windows_) {
      if (w.last_use < victim->last_use) victim = &w;
    }
    victim->version = version;
    victim->offset = offset;
    victim->bytes = std::move(bytes);
    victim->last_use = ++clock_;
  }
  return Status::Ok();
}

}  // namespace spate::store
