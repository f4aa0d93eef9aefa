#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace spate::server {

class TlsConnection;

// Bytes waiting to be written to one socket: a queue of fixed-size chunks taken from a
// thread-local free list, so a connection that is caught up holds no memory and steady-state
// appends never call malloc.
// Threading: not thread-safe; the owning Client guards it with its output mutex.
class OutboundBuffer {
 public:
  static constexpr size_t kChunkSize = 32 * 1024;

  OutboundBuffer() = default;
  ~OutboundBuffer();
  OutboundBuffer(const OutboundBuffer&) = delete;
  OutboundBuffer& operator=(const OutboundBuffer&) = delete;

  void Append(std::string_view data);
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Writes as much as the socket takes with writev. Returns bytes written, or -1 with errno set
  // on a socket error other than EAGAIN.
  ssize_t WriteTo(int fd);
  // The same through TLS, one chunk per SSL_write: stops when TLS waits for the socket (see
  // tls.write_wants_read()). Returns bytes written, or -1 on a TLS or socket error.
  ssize_t WriteTo(TlsConnection& tls);
  void Clear();

 private:
  struct Chunk {
    uint32_t begin = 0;
    uint32_t end = 0;
    char data[kChunkSize];
  };
  static Chunk* NewChunk();
  static void FreeChunk(Chunk* chunk);
  void Consume(size_t n);

  std::vector<Chunk*> chunks_;  // chunks_[head_..] hold data in order
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace spate::server
