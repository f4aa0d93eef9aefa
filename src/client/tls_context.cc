#include "client/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "client/tls_stream.h"

namespace spate::client::detail {

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

Result<std::unique_ptr<TlsContext>> TlsContext::Create(const TlsOptions& options) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return Status::Internal("TLS: cannot create context: " + TakeTlsError());
  std::unique_ptr<TlsContext> out(new TlsContext(ctx, options));
  // nats-server (and Go's crypto/tls) accept nothing older than TLS 1.2.
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Servers close without close_notify when they drop a client; that is a disconnect, not an
  // attack on the framing (NATS frames its own data).
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  // The I/O loop retries a blocked write from its output chunk, which may have moved (closing
  // path), and takes partial writes as progress.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

  if (!options.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
      return Status::InvalidArgument("TLS: cannot load CA file " + options.ca_file + ": " +
                                     TakeTlsError());
    }
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    return Status::Internal("TLS: cannot use the system's trusted roots: " + TakeTlsError());
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return Status::InvalidArgument("TLS: a client certificate needs both cert_file and key_file");
  }
  if (!options.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
      return Status::InvalidArgument("TLS: cannot load client certificate " + options.cert_file +
                                     ": " + TakeTlsError());
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return Status::InvalidArgument("TLS: cannot load client key " + options.key_file + ": " +
                                     TakeTlsError());
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
      return Status::InvalidArgument("TLS: client key " + options.key_file +
                                     " does not match certificate " + options.cert_file);
    }
  }
  SSL_CTX_set_verify(ctx, options.insecure_skip_verify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
                     nullptr);
  ERR_clear_error();
  return out;
}

}  // namespace spate::client::detail
