#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/claims.h"
#include "common/status.h"
#include "server/options/server_options.h"

namespace spate::server {

// The credentials a client sent in CONNECT.
struct ConnectCredentials {
  std::string user, pass, token;
  std::string nkey;  // a user public key (nkey authentication)
  std::string sig;   // the nonce signed by the user's key, base64url (or standard base64)
  std::string jwt;   // a user JWT (operator mode)
  // Not from CONNECT: the verified TLS client certificate's identities, for verify_and_map,
  // and the address the connection comes from (a user JWT's `src`).
  std::vector<std::string> tls_names;
  std::string client_ip;
};

// Who a client turned out to be: the name to log, the account to bind, the permissions to
// apply (none: everything allowed).
struct AuthenticatedUser {
  std::string name;
  std::string account;  // empty: the global account
  std::optional<Permissions> permissions;
  // JWT limits (-1: none; 0 is zero, as nats-server enforces it): subscriptions of this
  // connection, payload size, and the account's active connections.
  int64_t max_subs = -1;
  int64_t max_payload = -1;
  int64_t account_max_connections = -1;
  // Wall clock ns when the login ends (a user JWT's expiry, or the end of its allowed time
  // range); 0: never.
  int64_t expires_ns = 0;
};

// An account of operator mode, from a preloaded account JWT signed by a trusted operator.
struct TrustedAccount {
  auth::AccountClaims claims;
  std::optional<AccountJetStreamLimits> jetstream;  // set when its JWT enables JetStream
};

// Decides who may connect, as nats-server does, from the configured users (passwords, bcrypt,
// tokens, nkeys, no_auth_user) or, in operator mode, from user JWTs issued by the preloaded
// accounts of a trusted operator (signature of the INFO nonce, expiry, revocations).
// Built once at server start; Authenticate is const and thread-safe.
class Authenticator {
 public:
  // Decodes and checks the operator and the preloaded accounts of `options`.
  // `verify_and_map`: TLS client certificates name their user (tls { verify_and_map }).
  static Result<Authenticator> Create(const AuthOptions& options, bool verify_and_map = false);

  // nkeys or JWTs are in use: clients must get a nonce to sign.
  bool nonce_required() const { return nonce_required_; }
  // Operator mode's accounts, by public key.
  const std::map<std::string, TrustedAccount, std::less<>>& trusted_accounts() const {
    return accounts_;
  }

  // Whether Authenticate(c) would compare against a bcrypt hash (~100 ms of CPU): callers on an
  // event loop run it elsewhere then.
  bool IsSlow(const ConnectCredentials& c) const;

  // The user, or an error saying why not (for the log; the client only sees "Authorization
  // Violation").
  Result<AuthenticatedUser> Authenticate(const ConnectCredentials& c, std::string_view nonce) const;

 private:
  explicit Authenticator(const AuthOptions& options) : options_(&options) {}
  Result<AuthenticatedUser> AuthenticateJwt(const ConnectCredentials& c,
                                            std::string_view nonce) const;
  Result<AuthenticatedUser> AuthenticateUsers(const ConnectCredentials& c,
                                              std::string_view nonce) const;

  const AuthOptions* options_;  // the server's, which outlive this
  bool nonce_required_ = false;
  bool verify_and_map_ = false;
  std::vector<std::string> operator_keys_;  // operators and their signing keys
  std::map<std::string, TrustedAccount, std::less<>> accounts_;
};

// Checks the ed25519 signature `sig` (base64url or standard base64) of `nonce` by `public_key`.
bool VerifyNonceSignature(std::string_view public_key, std::string_view nonce,
                          std::string_view sig);

// JWT permissions in the config's terms (an empty allow list there means "all allowed").
Permissions PermissionsFromClaims(const auth::Permissions& p);

}  // namespace spate::server
