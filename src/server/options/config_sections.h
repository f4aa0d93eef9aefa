#pragma once

#include "conf/value.h"
#include "server/options/config_reader.h"
#include "server/options/server_options.h"

namespace spate::server {

// Maps a parsed config file onto `opts`, key by key in file order (a later key wins). Keys are
// case-insensitive, as in nats-server. Problems go to `reader`; nothing here stops early.
void ApplyServerConfig(const conf::Value& root, ConfigReader* reader, ServerOptions* opts);

// The `authorization { ... }` block.
void ApplyAuthorization(const conf::MapEntry& entry, ConfigReader* reader, AuthOptions* auth);

// One `{user: ..., password: ..., permissions: {...}}` of a `users` list; false when unusable.
bool ReadUserEntry(const conf::Value& item, ConfigReader* reader, UserEntry* user);

// `permissions { publish, subscribe, allow_responses }` (also `default_permissions`).
bool ReadPermissions(const conf::MapEntry& entry, ConfigReader* reader, Permissions* out);

// The top-level `accounts { NAME { users, jetstream, exports, imports } }` block. Users go to
// auth->users with their account set.
void ApplyAccounts(const conf::MapEntry& entry, ConfigReader* reader, AuthOptions* auth);

// The client `tls { cert_file, key_file, ca_file, verify, verify_and_map, timeout,
// handshake_first, ... }` block.
void ApplyTls(const conf::MapEntry& entry, ConfigReader* reader, TlsOptions* tls);

// Operator mode keys: `operator` (a JWT file path or the JWT itself, or a list), `trusted_keys`,
// `resolver: MEMORY` and `resolver_preload { <account public key>: <account JWT> }`.
void ApplyOperatorKey(const conf::MapEntry& entry, ConfigReader* reader, AuthOptions* auth);

// `jetstream: true`, `jetstream: enabled` or `jetstream { ... }`. `store_dir_seen` is shared
// with the top-level `store_dir` key: nats-server refuses the directory set twice.
void ApplyJetStream(const conf::MapEntry& entry, ConfigReader* reader, JetStreamOptions* js,
                    bool* store_dir_seen);

}  // namespace spate::server
