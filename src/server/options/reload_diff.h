#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "server/options/server_options.h"

namespace spate::server {

// What a config reload (SIGHUP) changes, decided as nats-server decides it.
struct ReloadChanges {
  // One line per change, in nats-server's words ("Reloaded: max_payload = 2048"); logged as
  // the change is applied.
  std::vector<std::string> descriptions;
  bool logging = false;        // debug, trace, logtime or log_file changed
  bool authorization = false;  // users, passwords, tokens, permissions or the auth timeout
  bool pid_file = false;
  bool tls = false;  // the tls block changed (the files' contents are compared by the server)
};

// Compares the running options with those just read from the config file. An option a running
// server cannot take gives nats-server's error, "config reload not supported for <Field>:
// old=<v>, new=<v>" (the Go field name), and nothing is applied. Reloadable: logging, pid_file,
// the connection limits (max_connections, max_payload, max_control_line, ping_interval,
// ping_max, write_deadline), client_advertise, authorization (user, password, token, users
// with their permissions, default_permissions, the auth timeout) and the tls block while TLS
// stays on. Spate also refuses changes to the accounts themselves (names, JetStream limits,
// exports and imports) and turning TLS on or off, which nats-server reloads.
Result<ReloadChanges> DiffForReload(const ServerOptions& running, const ServerOptions& next);

}  // namespace spate::server
