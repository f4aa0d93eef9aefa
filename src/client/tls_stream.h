#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "client/tls_context.h"
#include "common/status.h"

struct ssl_st;

namespace spate::client::detail {

// The oldest error on this thread's OpenSSL queue (the root cause); clears the queue.
std::string TakeTlsError();

// The client end of TLS on one connected, non-blocking socket. The caller owns the fd and polls
// it; each call does what the socket allows now and says what it waits for.
// Threading: an SSL object is never used from two threads; only the I/O thread calls this.
class TlsStream {
 public:
  enum class Io : uint8_t {
    kOk,         // progress: handshake done, or bytes moved
    kWantRead,   // retry when the socket is readable
    kWantWrite,  // retry when the socket is writable
    kClosed,     // the peer closed (close_notify or EOF)
    kError,      // fatal; error() says why
  };

  // `host` is the URL's host: the name verified and sent as SNI unless options().server_name
  // is set. An IP address is matched against the certificate's IP SANs and not sent as SNI.
  static Result<std::unique_ptr<TlsStream>> Create(const TlsContext& ctx, int fd,
                                                   const std::string& host);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // One step of the client handshake: kOk once it has completed.
  Io Handshake();
  // Decrypted bytes into `dst`: the count (> 0) with kOk, or 0 with the state.
  size_t Read(char* dst, size_t room, Io* io);
  // Decrypted bytes OpenSSL holds already: the socket will not show them as readable.
  size_t pending() const;
  // Encrypts and sends up to `len` bytes (partial writes on). After kWantRead/kWantWrite the
  // next call must pass the same bytes again (the buffer may have moved).
  size_t Write(const char* data, size_t len, Io* io);
  // Queues close_notify without waiting for the peer's; never blocks.
  void Shutdown();

  // Why the last kError happened, with the certificate check's reason when that failed.
  const std::string& error() const { return error_; }

 private:
  explicit TlsStream(ssl_st* ssl) : ssl_(ssl) {}
  Io Fail(int ret);

  ssl_st* ssl_;
  bool handshake_done_ = false;
  bool failed_ = false;
  std::string error_;
};

}  // namespace spate::client::detail
