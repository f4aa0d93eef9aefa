#include "server/outbound_buffer.h"

#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "server/tls.h"

namespace spate::server {
namespace {
// Chunks migrate between threads (appended on a publisher's loop, freed on whichever loop
// flushes), so each thread keeps a bounded list of its own and returns extras to malloc.
constexpr size_t kMaxFreeChunks = 256;

struct FreeList {
  std::vector<void*> chunks;
  ~FreeList() {
    for (void* c : chunks) ::operator delete(c);
  }
};
thread_local FreeList free_list;
constexpr int kMaxIov = 64;
}  // namespace

OutboundBuffer::~OutboundBuffer() { Clear(); }

OutboundBuffer::Chunk* OutboundBuffer::NewChunk() {
  void* mem;
  if (!free_list.chunks.empty()) {
    mem = free_list.chunks.back();
    free_list.chunks.pop_back();
  } else {
    mem = ::operator new(sizeof(Chunk));
  }
  return new (mem) Chunk;
}

void OutboundBuffer::FreeChunk(Chunk* chunk) {
  if (free_list.chunks.size() < kMaxFreeChunks) {
    free_list.chunks.push_back(chunk);
  } else {
    ::operator delete(chunk);
  }
}

void OutboundBuffer::Append(std::string_view data) {
  while (!data.empty()) {
    Chunk* tail = chunks_.size() > head_ ? chunks_.back() : nullptr;
    if (tail == nullptr || tail->end == kChunkSize) {
      tail = NewChunk();
      chunks_.push_back(tail);
    }
    size_t n = std::min(data.size(), kChunkSize - tail->end);
    std::memcpy(tail->data + tail->end, data.data(), n);
    tail->end += static_cast<uint32_t>(n);
    size_ += n;
    data.remove_prefix(n);
  }
}

ssize_t OutboundBuffer::WriteTo(int fd) {
  ssize_t total = 0;
  while (size_ > 0) {
    iovec iov[kMaxIov];
    int cnt = 0;
    size_t want = 0;
    for (size_t i = head_; i < chunks_.size() && cnt < kMaxIov; ++i) {
      Chunk* c = chunks_[i];
      iov[cnt].iov_base = c->data + c->begin;
      iov[cnt].iov_len = c->end - c->begin;
      want += iov[cnt].iov_len;
      ++cnt;
    }
    ssize_t n = ::writev(fd, iov, cnt);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return total;
      return -1;
    }
    Consume(static_cast<size_t>(n));
    total += n;
    if (static_cast<size_t>(n) < want) return total;  // the socket is full for now
  }
  return total;
}

ssize_t OutboundBuffer::WriteTo(TlsConnection& tls) {
  ssize_t total = 0;
  while (size_ > 0) {
    // A retry after a short write passes the same head bytes again (possibly more of them, if
    // the head is also the tail and grew), which is what OpenSSL's moving-buffer mode allows.
    Chunk* c = chunks_[head_];
    TlsConnection::Io io;
    size_t n = tls.Write(c->data + c->begin, c->end - c->begin, &io);
    if (n == 0) {
      if (io == TlsConnection::Io::kWantWrite || io == TlsConnection::Io::kWantRead) return total;
      return -1;
    }
    Consume(n);
    total += static_cast<ssize_t>(n);
  }
  return total;
}

void OutboundBuffer::Consume(size_t n) {
  size_ -= n;
  while (n > 0) {
    Chunk* c = chunks_[head_];
    size_t avail = c->end - c->begin;
    if (n < avail) {
      c->begin += static_cast<uint32_t>(n);
      return;
    }
    n -= avail;
    FreeChunk(c);
    ++head_;
  }
  if (head_ == chunks_.size()) {
    chunks_.clear();
    head_ = 0;
  } else if (head_ > 32 && head_ * 2 > chunks_.size()) {
    chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<ptrdiff_t>(head_));
    head_ = 0;
  }
}

void OutboundBuffer::Clear() {
  for (size_t i = head_; i < chunks_.size(); ++i) FreeChunk(chunks_[i]);
  chunks_.clear();
  head_ = 0;
  size_ = 0;
}

}  // namespace spate::server
