#include "client/tls_stream.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace spate::client::detail {
namespace {

bool IsIpAddress(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::string TakeTlsError() {
  const unsigned long first = ERR_get_error();
  ERR_clear_error();
  if (first == 0) return "unknown error";
  if (const char* reason = ERR_reason_error_string(first)) return reason;
  char buf[256];
  ERR_error_string_n(first, buf, sizeof buf);
  return buf;
}

Result<std::unique_ptr<TlsStream>> TlsStream::Create(const TlsContext& ctx, int fd,
                                                     const std::string& host) {
  ERR_clear_error();
  SSL* ssl = SSL_new(ctx.native());
  if (ssl == nullptr) return Status::Internal("TLS: cannot create connection: " + TakeTlsError());
  std::unique_ptr<TlsStream> out(new TlsStream(ssl));
  if (SSL_set_fd(ssl, fd) != 1) {  // a socket BIO that leaves closing the fd to us
    return Status::Internal("TLS: cannot attach socket: " + TakeTlsError());
  }
  const TlsOptions& o = ctx.options();
  const std::string& name = o.server_name.empty() ? host : o.server_name;
  const bool ip = IsIpAddress(name);
  // RFC 6066: SNI carries host names only.
  if (!ip && !name.empty() && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    return Status::InvalidArgument("TLS: bad server name '" + name + "': " + TakeTlsError());
  }
  if (!o.insecure_skip_verify) {
    // As Go's crypto/tls: an IP is checked against IP SANs, a name against DNS SANs (the
    // subject CN is not a fallback: X509_CHECK_FLAG_NEVER_CHECK_SUBJECT).
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(
        param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
    const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                      : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
    if (ok != 1) {
      return Status::InvalidArgument("TLS: bad server name '" + name + "': " + TakeTlsError());
    }
  }
  SSL_set_connect_state(ssl);
  ERR_clear_error();
  return out;
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

TlsStream::Io TlsStream::Fail(int ret) {
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
      return Io::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return Io::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return Io::kClosed;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Io::kWantRead;
        if (ret == 0 || errno == 0) return Io::kClosed;
        error_ = std::strerror(errno);
        failed_ = true;
        return Io::kError;
      }
      [[fallthrough]];
    default: {
      const long verify = SSL_get_verify_result(ssl_);
      if (!handshake_done_ && verify != X509_V_OK) {
        // The certificate check's own reason says whether the CA or the name was wrong; the
        // error queue may only hold a low-level step ("EVP lib").
        ERR_clear_error();
        error_ = "certificate verify failed: " + std::string(X509_verify_cert_error_string(verify));
      } else {
        error_ = TakeTlsError();
      }
      failed_ = true;  // never SSL_shutdown after a fatal error
      return Io::kError;
    }
  }
}

TlsStream::Io TlsStream::Handshake() {
  ERR_clear_error();
  const int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    handshake_done_ = true;
    return Io::kOk;
  }
  return Fail(r);
}

size_t TlsStream::Read(char* dst, size_t room, Io* io) {
  ERR_clear_error();
  const int r = SSL_read(ssl_, dst, static_cast<int>(room > INT_MAX ? INT_MAX : room));
  if (r > 0) {
    *io = Io::kOk;
    return static_cast<size_t>(r);
  }
  *io = Fail(r);
  return 0;
}

size_t TlsStream::pending() const { return static_cast<size_t>(SSL_pending(ssl_)); }

size_t TlsStream::Write(const char* data, size_t len, Io* io) {
  ERR_clear_error();
  const int r = SSL_write(ssl_, data, static_cast<int>(len > INT_MAX ? INT_MAX : len));
  if (r > 0) {
    *io = Io::kOk;
    return static_cast<size_t>(r);
  }
  *io = Fail(r);
  return 0;
}

void TlsStream::Shutdown() {
  if (!handshake_done_ || failed_) return;
  failed_ = true;  // once
  ERR_clear_error();
  SSL_shutdown(ssl_);  // queues close_notify; a full socket drops it
  ERR_clear_error();
}

}  // namespace spate::client::detail
