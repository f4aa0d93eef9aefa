#pragma once

#include <sys/uio.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "client/tls_stream.h"
#include "common/status.h"

namespace spate::client::detail {

// One connected transport of a Connection: a non-blocking TCP socket, plain or upgraded to TLS.
// The I/O loop asks which poll events to wait for and then calls Read/Write, which never block;
// the handshake uses the *Until helpers, which poll up to a deadline.
// Lifecycle: made by the dial, upgraded by StartTls at most once, closed by Close() or the
// destructor. Threading: the I/O thread only.
class Link {
 public:
  using Clock = std::chrono::steady_clock;

  Link() = default;
  explicit Link(int fd) : fd_(fd) {}
  ~Link() { Close(); }
  Link(Link&& other) noexcept { *this = std::move(other); }
  Link& operator=(Link&& other) noexcept;
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  bool secure() const { return tls_ != nullptr; }

  // The TLS client handshake on this socket, polling until done or the deadline. Afterwards
  // every Read and Write goes through TLS.
  Status StartTls(const TlsContext& ctx, const std::string& host, Clock::time_point deadline);

  // Bytes read now (> 0), 0 when none are ready; an error when the link is closed or broken.
  Result<size_t> Read(char* dst, size_t room);
  // Bytes of the iovec written now (0: the socket is full). Plain sockets take all entries in
  // one sendmsg; TLS writes from the first entry only (a blocked SSL_write must be retried with
  // the same bytes, which the first entry still is).
  Result<size_t> Write(const iovec* iov, int count);

  // Poll events that let the last blocked call go on; `have_output` when bytes wait to be sent.
  short PollEvents(bool have_output) const;
  // The last TLS read waits for the socket to be writable (then POLLOUT means: read again).
  bool read_waits_for_write() const { return read_wants_write_; }
  // TLS has decrypted bytes the socket no longer shows as readable: read before polling.
  bool HasBufferedInput() const { return tls_ && tls_->pending() > 0; }

  Status WriteAllUntil(std::string_view bytes, Clock::time_point deadline);
  // Reads at least one byte (appends, sets *n) or fails at the deadline.
  Status ReadSomeUntil(char* dst, size_t room, size_t* n, Clock::time_point deadline);

  // Sends close_notify when TLS is up (best effort), then closes the socket.
  void Close();

 private:
  Status TlsFailure(const char* what) const;
  // What a TLS read or write step means for the caller: bytes moved, 0 (wait), or an error.
  Result<size_t> TlsOutcome(TlsStream::Io io, size_t n, const char* what) const;

  int fd_ = -1;
  std::unique_ptr<TlsStream> tls_;
  bool read_wants_write_ = false;  // the last TLS read needs the socket writable first
  bool write_wants_read_ = false;  // the last TLS write needs the socket readable first
};

}  // namespace spate::client::detail
