#include "server/authenticator.h"

#include <openssl/evp.h>

#include <algorithm>
#include <ctime>

#include "auth/base64url.h"
#include "auth/jwt.h"
#include "auth/nkey.h"
#include "auth/password.h"
#include "common/logging.h"
#include "server/jwt_user_checks.h"

namespace spate::server {
namespace {

// nats-server's minLimit: -1 is no limit, anything else (0 included) limits.
int64_t TighterLimit(int64_t a, int64_t b) {
  if (a < 0) return b;
  return b < 0 ? a : std::min(a, b);
}

// Standard base64, padded or not; nats-server accepts it for CONNECT signatures too.
std::optional<std::vector<uint8_t>> DecodeStdBase64(std::string_view text) {
  std::string s(text);
  while (s.size() % 4 != 0) s.push_back('=');
  std::vector<uint8_t> out(s.size() / 4 * 3 + 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(s.data()),
                          static_cast<int>(s.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  for (size_t i = s.size(); i > 0 && s[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - std::min<size_t>(pad, static_cast<size_t>(n)));
  return out;
}

// -1 (no limit) for Go's NoLimit, and for 0 when `zero_unlimited`.
int64_t Limit(int64_t v) { return v < 0 ? -1 : v; }

}  // namespace

bool VerifyNonceSignature(std::string_view public_key, std::string_view nonce,
                          std::string_view sig) {
  Result<std::vector<uint8_t>> raw = auth::Base64UrlDecode(sig);
  if (raw.ok() && raw->size() == 64) return auth::Verify(public_key, nonce, *raw);
  std::optional<std::vector<uint8_t>> std64 = DecodeStdBase64(sig);
  return std64 && std64->size() == 64 && auth::Verify(public_key, nonce, *std64);
}

Permissions PermissionsFromClaims(const auth::Permissions& p) {
  Permissions out;
  auto side = [](const auth::Permission& in) -> std::optional<SubjectPermission> {
    if (in.allow.empty() && in.deny.empty()) return std::nullopt;
    return SubjectPermission{!in.allow.empty(), in.allow, in.deny};
  };
  out.publish = side(p.pub);
  out.subscribe = side(p.sub);
  if (p.resp) {
    ResponsePermission r;
    if (p.resp->max_msgs > 0) r.max_msgs = p.resp->max_msgs;
    r.expires = std::chrono::milliseconds(p.resp->ttl_ns / 1000000);
    out.response = r;
    if (!out.publish) out.publish = SubjectPermission{true, {}, {}};
  }
  return out;
}

Result<Authenticator> Authenticator::Create(const AuthOptions& options, bool verify_and_map) {
  Authenticator a(options);
  a.verify_and_map_ = verify_and_map;
  for (const UserEntry& u : options.users) {
    if (!u.nkey.empty()) a.nonce_required_ = true;
  }
  if (!options.operator_mode()) return a;
  a.nonce_required_ = true;
  for (const std::string& jwt : options.operator_jwts) {
    Result<auth::OperatorClaims> op = auth::DecodeOperatorClaims(jwt);
    if (!op.ok()) return Status::InvalidArgument("operator JWT: " + op.error().message());
    a.operator_keys_.push_back(op->subject);
    for (const std::string& k : op->signing_keys) a.operator_keys_.push_back(k);
  }
  for (const std::string& k : options.trusted_keys) {
    if (!auth::IsValidPublicKey(k, auth::KeyType::kOperator)) {
      return Status::InvalidArgument("trusted key \"" + k + "\" is not an operator public key");
    }
    a.operator_keys_.push_back(k);
  }
  if (options.resolver.empty()) {
    return Status::InvalidArgument("operator mode needs a resolver (resolver: MEMORY)");
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (const auto& [key, jwt] : options.resolver_preload) {
    Result<auth::AccountClaims> claims = auth::DecodeAccountClaims(jwt);
    if (!claims.ok()) {
      return Status::InvalidArgument("resolver_preload " + key + ": " + claims.error().message());
    }
    if (claims->subject != key) {
      return Status::InvalidArgument("resolver_preload " + key + ": the JWT is for account " +
                                     claims->subject);
    }
    // As nats-server: an account that can not be trusted is not loaded, and the server starts.
    if (std::find(a.operator_keys_.begin(), a.operator_keys_.end(), claims->issuer) ==
        a.operator_keys_.end()) {
      LOG_ERROR(
          "resolver_preload %s: the account JWT is not signed by a trusted operator; "
          "account not loaded",
          key.c_str());
      continue;
    }
    if (auth::IsExpired(*claims, now)) {
      LOG_ERROR("resolver_preload %s: the account JWT has expired; account not loaded",
                key.c_str());
      continue;
    }
    TrustedAccount t;
    const auth::JetStreamLimits& js = claims->limits.jetstream;
    if (js.mem_storage != 0 || js.disk_storage != 0) {
      AccountJetStreamLimits l;
      l.max_memory = Limit(js.mem_storage);
      l.max_store = Limit(js.disk_storage);
      l.max_streams = js.streams == 0 ? -1 : Limit(js.streams);
      l.max_consumers = js.consumer == 0 ? -1 : Limit(js.consumer);
      l.max_ack_pending = js.max_ack_pending == 0 ? -1 : Limit(js.max_ack_pending);
      l.max_bytes_required = js.max_bytes_required;
      t.jetstream = l;
    }
    t.claims = std::move(*claims);
    a.accounts_.emplace(key, std::move(t));
  }
  return a;
}

bool Authenticator::IsSlow(const ConnectCredentials& c) const {
  const AuthOptions& auth = *options_;
  if (auth.operator_mode() || verify_and_map_) return false;
  if (!auth.token.empty()) return auth::IsBcrypt(auth.token);
  if (auth.users.empty()) return auth::IsBcrypt(auth.password);
  if (!c.nkey.empty()) return false;
  for (const UserEntry& u : auth.users) {
    if (u.nkey.empty() && u.user == c.user) return auth::IsBcrypt(u.password);
  }
  return false;
}

Result<AuthenticatedUser> Authenticator::Authenticate(const ConnectCredentials& c,
                                                      std::string_view nonce) const {
  if (options_->operator_mode()) return AuthenticateJwt(c, nonce);
  return AuthenticateUsers(c, nonce);
}

Result<AuthenticatedUser> Authenticator::AuthenticateJwt(const ConnectCredentials& c,
                                                         std::string_view nonce) const {
  if (c.jwt.empty()) return Status::InvalidArgument("no user JWT");
  Result<auth::UserClaims> user = auth::DecodeUserClaims(c.jwt);
  if (!user.ok()) return Status::InvalidArgument("user JWT: " + user.error().message());
  const std::string& account_key =
      user->issuer_account.empty() ? user->issuer : user->issuer_account;
  auto it = accounts_.find(account_key);
  if (it == accounts_.end()) return Status::NotFound("unknown account " + account_key);
  const auth::AccountClaims& account = it->second.claims;
  const auth::SigningKey* signer = nullptr;
  if (user->issuer != account.subject) {
    for (const auth::SigningKey& k : account.signing_keys) {
      if (k.key == user->issuer) signer = &k;
    }
    if (signer == nullptr) {
      return Status::InvalidArgument("user JWT issuer is not a key of account " + account_key);
    }
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (auth::IsExpired(*user, now)) return Status::InvalidArgument("user JWT has expired");
  if (auth::IsNotYetValid(*user, now)) return Status::InvalidArgument("user JWT is not valid yet");
  if (auth::IsRevoked(account.revocations, user->subject, user->issued_at)) {
    return Status::InvalidArgument("user JWT has been revoked");
  }
  // A scoped signing key's template replaces what the user JWT says.
  const auth::UserPermissionLimits& granted =
      signer != nullptr && signer->scoped ? signer->scope_template : user->user;
  SPATE_RETURN_IF_ERROR(CheckJwtConnectionType(granted.allowed_connection_types));
  SPATE_RETURN_IF_ERROR(CheckJwtSource(granted.src, c.client_ip));
  SPATE_ASSIGN_OR_RETURN(int64_t times_left, CheckJwtTimes(granted.times, granted.locale, now));
  const bool bearer = user->user.bearer_token && !account.limits.account.disallow_bearer;
  if (!bearer && !VerifyNonceSignature(user->subject, nonce, c.sig)) {
    return Status::InvalidArgument("signature of the nonce does not verify");
  }
  AuthenticatedUser out;
  out.name = user->name.empty() ? user->subject : user->name;
  out.account = account_key;
  Permissions perms = PermissionsFromClaims(granted.permissions);
  if (perms.publish || perms.subscribe || perms.response) out.permissions = std::move(perms);
  const auth::NatsLimits& ul = granted.limits;
  // As nats-server: the tighter of the user's and the account's limit (-1: none) applies to
  // each connection.
  out.max_subs = TighterLimit(ul.subs, account.limits.nats.subs);
  // The tighter of the user's and the account's payload limits.
  const int64_t account_payload = account.limits.nats.payload;
  out.max_payload = ul.payload < 0        ? account_payload
                    : account_payload < 0 ? ul.payload
                                          : std::min(ul.payload, account_payload);
  out.account_max_connections = account.limits.account.conn;
  // The login ends when the JWT expires or its allowed time range does, whichever is first.
  int64_t ends = user->expires;
  if (times_left > 0 && (ends == 0 || now + times_left < ends)) ends = now + times_left;
  out.expires_ns = ends * 1000000000;
  return out;
}

Result<AuthenticatedUser> Authenticator::AuthenticateUsers(const ConnectCredentials& c,
                                                           std::string_view nonce) const {
  const AuthOptions& auth = *options_;
  auto found = [&](const UserEntry& u) {
    AuthenticatedUser out;
    out.name = u.nkey.empty() ? u.user : u.nkey;
    out.account = u.account;
    out.permissions = u.permissions ? u.permissions : auth.default_permissions;
    return out;
  };
  if (!auth.token.empty()) {
    if (auth::CheckPassword(auth.token, c.token)) return AuthenticatedUser{};
    return Status::InvalidArgument("bad token");
  }
  // With a users list the single user/password are ignored, as in nats-server.
  if (auth.users.empty()) {
    if (!auth.user.empty() && c.user == auth.user && auth::CheckPassword(auth.password, c.pass)) {
      return AuthenticatedUser{c.user, {}, std::nullopt};
    }
    return Status::InvalidArgument("bad user or password");
  }
  if (verify_and_map_) {
    // The certificate names the user, in nats-server's order (emails, DNS names, subject);
    // no password is involved.
    for (const std::string& name : c.tls_names) {
      for (const UserEntry& u : auth.users) {
        if (u.nkey.empty() && u.user == name) return found(u);
      }
    }
    return Status::NotFound("no user matches the client certificate");
  }
  if (!c.nkey.empty()) {
    for (const UserEntry& u : auth.users) {
      if (u.nkey != c.nkey) continue;
      if (!VerifyNonceSignature(u.nkey, nonce, c.sig)) {
        return Status::InvalidArgument("signature of the nonce does not verify");
      }
      return found(u);
    }
    return Status::NotFound("unknown nkey");
  }
  // No credentials at all: the no_auth_user, when there is one.
  if (c.user.empty() && c.pass.empty() && c.token.empty() && !auth.no_auth_user.empty()) {
    for (const UserEntry& u : auth.users) {
      if (u.user == auth.no_auth_user) return found(u);
    }
  }
  for (const UserEntry& u : auth.users) {
    if (u.nkey.empty() && u.user == c.user) {
      if (!auth::CheckPassword(u.password, c.pass)) {
        return Status::InvalidArgument("bad password for user \"" + c.user + "\"");
      }
      return found(u);
    }
  }
  return Status::NotFound("unknown user \"" + c.user + "\"");
}

}  // namespace spate::server
