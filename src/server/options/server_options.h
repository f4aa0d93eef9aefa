#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/logging.h"

namespace spate::server {

inline constexpr int kRandomPort = -1;  // as nats-server: -1 picks any free port

// One direction of a permission: subjects (for subscribe optionally "subject queue") allowed and
// denied. Without an allow list everything not denied is allowed; an empty allow list that was
// given allows nothing (nats-server's `publish: {allow: []}`, and what allow_responses implies).
struct SubjectPermission {
  bool has_allow = false;
  std::vector<std::string> allow;
  std::vector<std::string> deny;
  bool operator==(const SubjectPermission&) const = default;
};

// allow_responses: publishing to the reply subject of a received request, `max_msgs` times
// within `expires` (0: no time limit).
struct ResponsePermission {
  int64_t max_msgs = 1;
  std::chrono::milliseconds expires{0};
  bool operator==(const ResponsePermission&) const = default;
};

struct Permissions {
  std::optional<SubjectPermission> publish;
  std::optional<SubjectPermission> subscribe;
  std::optional<ResponsePermission> response;
  bool operator==(const Permissions&) const = default;
};

struct UserEntry {
  std::string user;
  std::string password;  // plain, or a bcrypt hash starting with "$2"
  std::string account;   // empty: the global account
  std::string nkey;      // a user public key instead of user/password
  std::optional<Permissions> permissions;
  bool operator==(const UserEntry&) const = default;
};

// An account's JetStream limits; -1 is "no limit" (nats-server's dynamic limits).
struct AccountJetStreamLimits {
  int64_t max_memory = -1;
  int64_t max_store = -1;
  int64_t max_streams = -1;
  int64_t max_consumers = -1;
  int64_t max_ack_pending = -1;
  int64_t memory_max_stream_bytes = -1;
  int64_t store_max_stream_bytes = -1;
  bool max_bytes_required = false;
  bool operator==(const AccountJetStreamLimits&) const = default;
};

// One entry of an account's `exports` or `imports`.
struct AccountExport {
  bool service = false;  // else a stream
  std::string subject;
  std::vector<std::string> accounts;  // empty: public
  bool operator==(const AccountExport&) const = default;
};
struct AccountImport {
  bool service = false;
  std::string account;  // the exporting account
  std::string subject;  // the subject in the exporting account
  // The local subject (empty: the same). Streams have it only from an account JWT's literal
  // local_subject.
  std::string to;
  std::string prefix;  // streams: prepended to the subject locally
  bool operator==(const AccountImport&) const = default;
};

// An entry of the `accounts { NAME { ... } }` block; its users are in AuthOptions::users.
struct AccountConfig {
  std::string name;
  std::optional<AccountJetStreamLimits> jetstream;  // set: JetStream enabled for it
  std::vector<AccountExport> exports;
  std::vector<AccountImport> imports;
  bool operator==(const AccountConfig&) const = default;
};

struct AuthOptions {
  std::string user, password, token;  // single-user forms (flags --user/--pass/--auth or config)
  std::vector<UserEntry> users;
  std::string no_auth_user;
  std::chrono::milliseconds timeout{2000};  // nats-server: 2s (config: `timeout` in seconds)
  bool timeout_set = false;                 // unset with TLS: the TLS timeout + 1s, as nats-server
  std::optional<Permissions> default_permissions;  // for users without their own
  std::vector<AccountConfig> accounts;
  std::string system_account;
  // Operator (decentralized JWT) mode: the operator JWTs (read from files or given inline),
  // extra trusted operator keys, the account resolver ("MEMORY") and its preloaded account
  // JWTs by account public key.
  std::vector<std::string> operator_jwts;
  std::vector<std::string> trusted_keys;
  std::string resolver;
  std::vector<std::pair<std::string, std::string>> resolver_preload;
  bool operator_mode() const { return !operator_jwts.empty() || !trusted_keys.empty(); }
  bool required() const {
    return !user.empty() || !token.empty() || !users.empty() || operator_mode();
  }
};

struct JetStreamOptions {
  bool enabled = false;
  std::string store_dir;    // empty: <tmp>/nats/jetstream as nats-server
  int64_t max_memory = -1;  // -1: dynamic
  int64_t max_store = -1;
  std::string domain;
  std::chrono::milliseconds sync_interval{0};  // 0: sync always (our default)
  bool sync_always = true;
  bool operator==(const JetStreamOptions&) const = default;
};

// The client `tls { ... }` block (and --tls* flags).
struct TlsOptions {
  bool enabled = false;
  std::string cert_file, key_file, ca_file;
  bool verify = false;                      // require and verify client certificates
  bool verify_and_map = false;              // verify, and map the certificate to a user
  bool handshake_first = false;             // TLS before INFO
  std::chrono::milliseconds timeout{2000};  // handshake timeout (nats-server: 2s)
  // OpenSSL's names (the config's Go names are translated); empty: Go's defaults.
  std::vector<std::string> cipher_suites;
  std::vector<std::string> curve_preferences;
  std::string min_version;  // "1.2" (default) or "1.3"
  bool operator==(const TlsOptions&) const = default;
};

// nats-server refuses a shorter lame_duck_duration.
inline constexpr std::chrono::seconds kMinLameDuckDuration{30};

// Everything the server reads from flags and the config file. Plain data with nats-server's
// defaults; validated once by LoadOptions and passed down, never global.
struct ServerOptions {
  std::string config_file;
  std::string host = "0.0.0.0";
  int port = 4222;
  std::string server_name;  // empty: the server id
  std::string client_advertise;
  int http_port = 0;   // 0: off
  int https_port = 0;  // the monitor over TLS (the `tls` block's certificate); 0: off
  std::string http_host;

  int threads = 0;  // event loops; 0: hardware concurrency

  int64_t max_payload = 1 << 20;  // nats-server: 1 MB
  int64_t max_control_line = 4096;
  int64_t max_pending = 64LL << 20;  // slow consumer threshold per connection
  int max_connections = 64 * 1024;   // nats-server: 64K
  int max_subscriptions = 0;         // 0: unlimited
  std::chrono::milliseconds ping_interval{2 * 60 * 1000};
  int max_pings_out = 2;
  std::chrono::milliseconds write_deadline{10 * 1000};
  // Lame duck mode (SIGUSR2, --signal ldm): after the grace period, the clients are closed
  // spread over the rest of the duration. nats-server's defaults and 30 s minimum duration.
  std::chrono::milliseconds lame_duck_duration{2 * 60 * 1000};
  std::chrono::milliseconds lame_duck_grace_period{10 * 1000};
  bool no_header_support = false;
  // As nats-server: without `system_account`, the server creates `$SYS` as its system account
  // (or uses a configured account named `$SYS`) unless this is set.
  bool no_system_account = false;

  AuthOptions auth;
  TlsOptions tls;
  JetStreamOptions jetstream;

  // Logging.
  bool debug = false;
  bool trace = false;
  bool log_time = true;
  std::string log_file;
  std::string pid_file;
  std::string ports_file_dir;

  // Modes handled by main rather than the server.
  bool check_config_only = false;  // -t
  bool show_version = false;       // -v / --version
  bool show_help = false;          // -h / --help
  std::string signal;              // --signal/-sl command, e.g. "stop", "reload", "ldm=1234"
};

}  // namespace spate::server
