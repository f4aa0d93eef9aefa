#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "server/authenticator.h"
#include "server/options/server_options.h"
#include "server/tls.h"

namespace spate::server {

// The configuration a client connection works with, as one immutable snapshot: the limits and
// the authorization that a reload (SIGHUP) may change, and the INFO built from them.
// Threading: never modified once built. The server publishes a new snapshot on reload; each
// loop holds the current one (LoopContext::config), swapped by a task posted to it, so a
// connection reads its limits without a lock. A login being checked on an auth worker keeps the
// snapshot it started with alive.
class RuntimeConfig {
 public:
  // Builds the authenticator (decoding the operator and preloaded accounts) over `options`,
  // and with TLS the context (reading the certificate files again, so a reload picks up
  // rotated ones). The caller sets the INFO prefix, then shares it as const.
  static Result<std::shared_ptr<RuntimeConfig>> Create(ServerOptions options, bool verify_and_map);
  RuntimeConfig(const RuntimeConfig&) = delete;
  RuntimeConfig& operator=(const RuntimeConfig&) = delete;

  const ServerOptions& options() const { return options_; }
  const Authenticator& authenticator() const { return *authenticator_; }
  bool auth_required() const { return options_.auth.required(); }
  // Some user authenticates with an nkey or a JWT: clients get a nonce to sign.
  bool nonce_required() const { return authenticator_->nonce_required(); }
  // The TLS context for new connections (null without TLS); a connection keeps the one it was
  // accepted with.
  const std::shared_ptr<const TlsContext>& tls() const { return tls_; }
  // The certificate, key and CA files' contents, to tell a rotated certificate on reload.
  const std::string& tls_files() const { return tls_files_; }

  // The INFO JSON up to its per-client fields (Server::ClientInfo appends them).
  const std::string& info_prefix() const { return info_prefix_; }
  void set_info_prefix(std::string prefix) { info_prefix_ = std::move(prefix); }

 private:
  explicit RuntimeConfig(ServerOptions options) : options_(std::move(options)) {}

  const ServerOptions options_;
  std::optional<Authenticator> authenticator_;  // refers to options_.auth
  std::shared_ptr<const TlsContext> tls_;
  std::string tls_files_;
  std::string info_prefix_;
};

}  // namespace spate::server
