#pragma once

#include <memory>

#include "client/options.h"
#include "common/status.h"

struct ssl_ctx_st;

namespace spate::client::detail {

// The client side of TLS for one Connection: an OpenSSL context built from TlsOptions (trusted
// CAs, optional client certificate, TLS 1.2 or later). Immutable once built; every link of the
// connection (the first one and each reconnect) makes its TlsStream from it, so the files are
// read once. Threading: built before the I/O thread starts, then used by that thread only.
class TlsContext {
 public:
  // Loads the files; the error names the file or setting that failed.
  static Result<std::unique_ptr<TlsContext>> Create(const TlsOptions& options);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const { return ctx_; }
  const TlsOptions& options() const { return options_; }

 private:
  TlsContext(ssl_ctx_st* ctx, TlsOptions options) : ctx_(ctx), options_(std::move(options)) {}

  ssl_ctx_st* ctx_;
  const TlsOptions options_;
};

}  // namespace spate::client::detail
