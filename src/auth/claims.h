#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spate::auth {

// Plain data decoded from NATS JWTs (nats-io/jwt v2 layout; v1 tokens are mapped onto it).
// JSON names are in the comments where they differ. Numbers absent from the token are 0, as in
// Go: the Go encoder writes -1 (kNoLimit) explicitly, so 0 in a limit means "not set" and what
// that implies is the server's decision.
inline constexpr int64_t kNoLimit = -1;

struct ClaimsData {
  std::string id;          // jti
  int64_t issued_at = 0;   // iat, unix seconds
  int64_t expires = 0;     // exp, unix seconds; 0 = never
  int64_t not_before = 0;  // nbf, unix seconds; 0 = always
  std::string issuer;      // iss: public nkey that signed the token
  std::string subject;     // sub: public nkey the token is about
  std::string audience;    // aud
  std::string name;
  std::string type;               // nats.type ("user", "account", "operator"); v1: top-level type
  int version = 0;                // nats.version; 1 for v1 tokens
  std::vector<std::string> tags;  // nats.tags
  // The account a signing key acts for (user tokens issued by an account signing key).
  std::string issuer_account;
};

// exp is set and now (unix seconds) is past it; same comparison as Go's ClaimsData.Validate.
bool IsExpired(const ClaimsData& claims, int64_t now);
// nbf is set and still ahead of now.
bool IsNotYetValid(const ClaimsData& claims, int64_t now);

struct Permission {
  std::vector<std::string> allow, deny;
};

struct ResponsePermission {
  int64_t max_msgs = 0;  // max
  int64_t ttl_ns = 0;    // ttl, a Go time.Duration
};

struct Permissions {
  Permission pub, sub;
  std::optional<ResponsePermission> resp;
};

struct NatsLimits {
  int64_t subs = 0, data = 0, payload = 0;
};

struct TimeRange {
  std::string start, end;  // "15:04:05"
};

// What a user token (or a scoped signing key's template) grants and restricts.
struct UserPermissionLimits {
  Permissions permissions;
  NatsLimits limits;
  std::vector<std::string> src;  // CIDRs; a comma-separated string in older tokens
  std::vector<TimeRange> times;
  std::string locale;  // times_location
  bool bearer_token = false;
  std::vector<std::string> allowed_connection_types;  // "STANDARD", "WEBSOCKET", ...
};

struct UserClaims : ClaimsData {
  UserPermissionLimits user;
};

enum class ExportType : uint8_t { kUnknown, kStream, kService };

struct Import {
  std::string name, subject, account, token, to, local_subject;
  ExportType type = ExportType::kUnknown;
  bool share = false;
};

struct Export {
  std::string name, subject;
  ExportType type = ExportType::kUnknown;
  bool token_req = false;
  std::map<std::string, int64_t> revocations;
  std::string response_type;          // "Singleton", "Stream", "Chunked"
  int64_t response_threshold_ns = 0;  // response_threshold
  int64_t account_token_position = 0;
  bool advertise = false;
};

struct SigningKey {
  std::string key;
  // A scoped key ("kind": "user_scope") imposes its template on every user it signs.
  bool scoped = false;
  std::string role;
  UserPermissionLimits scope_template;  // template
};

struct AccountLimits {
  int64_t imports = 0, exports = 0, conn = 0, leaf = 0;
  bool wildcards = false;        // wildcard exports allowed
  bool disallow_bearer = false;  // disallow_bearer
};

// 0 for storage means JetStream is disabled for the account.
struct JetStreamLimits {
  int64_t mem_storage = 0, disk_storage = 0, streams = 0, consumer = 0, max_ack_pending = 0;
  int64_t mem_max_stream_bytes = 0, disk_max_stream_bytes = 0;
  bool max_bytes_required = false;
};

struct OperatorLimits {
  NatsLimits nats;
  AccountLimits account;
  JetStreamLimits jetstream;
  std::map<std::string, JetStreamLimits> tiered;  // tiered_limits, by tier ("R1", "R3")
};

struct AccountClaims : ClaimsData {
  std::vector<Import> imports;
  std::vector<Export> exports;
  OperatorLimits limits;
  std::vector<SigningKey> signing_keys;
  std::map<std::string, int64_t> revocations;  // user public key (or "*") -> unix seconds
  Permissions default_permissions;
};

// A user token issued at issued_at is revoked when its key (or "*") was revoked at or after
// that time (Go's RevocationList.IsRevoked).
bool IsRevoked(const std::map<std::string, int64_t>& revocations, std::string_view public_key,
               int64_t issued_at);

struct OperatorClaims : ClaimsData {
  std::vector<std::string> signing_keys;
  std::string system_account;
  std::string account_server_url;
  std::vector<std::string> operator_service_urls;
  bool strict_signing_key_usage = false;
};

}  // namespace spate::auth
