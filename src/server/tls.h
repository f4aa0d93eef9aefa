#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/options/server_options.h"

struct ssl_ctx_st;
struct ssl_st;

namespace spate::server {

// The server side of TLS for client connections: one OpenSSL context built from TlsOptions at
// server start (certificate chain, key, client CAs, versions, ciphers). Immutable once built;
// SSL_CTX is safe to share between threads for creating connections.
class TlsContext {
 public:
  // Loads the files and applies the options; the error says which file or setting failed.
  static Result<std::unique_ptr<TlsContext>> Create(const TlsOptions& opts);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const { return ctx_; }
  bool verify() const { return verify_; }
  bool handshake_first() const { return handshake_first_; }
  std::chrono::milliseconds handshake_timeout() const { return timeout_; }

 private:
  TlsContext(ssl_ctx_st* ctx, const TlsOptions& opts);

  ssl_ctx_st* ctx_;
  const bool verify_;
  const bool handshake_first_;
  const std::chrono::milliseconds timeout_;
};

// TLS on one accepted, non-blocking socket. The caller owns the fd and polls it; each call here
// does as much as the socket allows and says what it waits for.
// Threading: an SSL object must never be used from two threads at once; the owning Client calls
// every method from its own loop thread only.
class TlsConnection {
 public:
  enum class Io : uint8_t {
    kOk,         // progress (handshake done, or bytes moved)
    kWantRead,   // retry when the socket is readable
    kWantWrite,  // retry when the socket is writable
    kClosed,     // the peer closed (close_notify or EOF)
    kError,      // fatal; error() says why
  };

  // nullptr when OpenSSL cannot allocate the connection.
  static std::unique_ptr<TlsConnection> Create(const TlsContext& ctx, int fd);
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // One step of the server handshake: kOk once it has completed.
  Io Handshake();
  bool handshake_done() const { return handshake_done_; }

  // Decrypted bytes into `dst`: returns the count (> 0) with kOk, or 0 with the state.
  size_t Read(char* dst, size_t room, Io* io);
  // Decrypted bytes OpenSSL holds that the socket no longer shows as readable: read them
  // before waiting on epoll again.
  size_t pending() const;
  // Encrypts and sends up to `len` bytes (partial writes on). After kWantWrite/kWantRead the
  // next call must pass the same bytes again (possibly from a moved buffer, possibly more).
  size_t Write(const char* data, size_t len, Io* io);
  // Whether the last Write stopped because TLS needs to read first (then EPOLLOUT won't help).
  bool write_wants_read() const { return write_wants_read_; }
  // Sends close_notify without waiting for the peer's; never blocks.
  void Shutdown();

  // What went wrong in the last kError, in OpenSSL's words.
  const std::string& error() const { return error_; }
  // "TLS version 1.3, cipher suite TLS_AES_128_GCM_SHA256" for the debug log.
  std::string Describe() const;

  // Whether the peer presented a certificate that verified against the client CAs.
  bool peer_verified() const;
  // The peer certificate's identities in the order nats-server tries them for verify_and_map:
  // email SANs, DNS SANs, URI SANs, then the subject as Go's RDNSequence.String() prints
  // pkix.Name.ToRDNSequence() (e.g. "CN=alice,OU=dev,O=Acme,C=US"), first with the DC
  // components appended (",DC=example,DC=com") when there are any, then without them.
  // Empty when there is no peer certificate.
  std::vector<std::string> PeerNames() const;

 private:
  explicit TlsConnection(ssl_st* ssl) : ssl_(ssl) {}
  Io Fail(int ret, const char* what);

  ssl_st* ssl_;
  bool handshake_done_ = false;
  bool write_wants_read_ = false;
  bool shutdown_sent_ = false;
  std::string error_;
};

}  // namespace spate::server
