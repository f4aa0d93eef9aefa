#include "server/options/reload_diff.h"

#include <algorithm>

#include "conf/duration.h"

namespace spate::server {
namespace {

std::string Text(const std::string& v) { return v; }
std::string Text(bool v) { return v ? "true" : "false"; }
std::string Text(int v) { return std::to_string(v); }
std::string Text(int64_t v) { return std::to_string(v); }
std::string Text(std::chrono::milliseconds v) { return conf::FormatDuration(v); }

// Go's %v of a float64 number of seconds, as the auth timeout is logged ("2", "0.5").
std::string Seconds(std::chrono::milliseconds v) {
  std::string s = std::to_string(v.count() / 1000);
  if (int64_t ms = v.count() % 1000; ms != 0) {
    std::string frac = std::to_string(ms);
    frac.insert(0, 3 - frac.size(), '0');
    while (frac.back() == '0') frac.pop_back();
    s += "." + frac;
  }
  return s;
}

class Differ {
 public:
  // An option that cannot change while the server runs.
  template <class T>
  void Fixed(const char* field, const T& old_value, const T& new_value) {
    if (!error_.ok() || old_value == new_value) return;
    error_ = Status::InvalidArgument(std::string("config reload not supported for ") + field +
                                     ": old=" + Text(old_value) + ", new=" + Text(new_value));
  }
  // The same, for values without a useful text form.
  template <class T>
  void FixedOpaque(const char* field, const T& old_value, const T& new_value) {
    if (!error_.ok() || old_value == new_value) return;
    error_ = Status::InvalidArgument(std::string("config reload not supported for ") + field);
  }
  // A reloadable option: "Reloaded: <name> = <new>".
  template <class T>
  bool Value(const char* name, const T& old_value, const T& new_value) {
    if (old_value == new_value) return false;
    changes_.descriptions.push_back(std::string("Reloaded: ") + name + " = " + Text(new_value));
    return true;
  }
  void Note(std::string text) { changes_.descriptions.push_back(std::move(text)); }
  ReloadChanges& changes() { return changes_; }
  const Status& error() const { return error_; }

 private:
  Status error_ = Status::Ok();
  ReloadChanges changes_;
};

bool IsNkeyUser(const UserEntry& u) { return !u.nkey.empty(); }

std::vector<UserEntry> UsersWhere(const std::vector<UserEntry>& users, bool nkey) {
  std::vector<UserEntry> out;
  std::copy_if(users.begin(), users.end(), std::back_inserter(out),
               [nkey](const UserEntry& u) { return IsNkeyUser(u) == nkey; });
  return out;
}

void DiffAuthorization(const AuthOptions& a, const AuthOptions& b, Differ& d) {
  // As nats-server: no_auth_user may only be dropped together with the user it named.
  if (a.no_auth_user != b.no_auth_user) {
    bool user_removed_too = !a.no_auth_user.empty() && b.no_auth_user.empty() &&
                            std::none_of(b.users.begin(), b.users.end(), [&](const UserEntry& u) {
                              return u.user == a.no_auth_user;
                            });
    if (!user_removed_too) d.Fixed("NoAuthUser", a.no_auth_user, b.no_auth_user);
  }
  d.Fixed("SystemAccount", a.system_account, b.system_account);
  d.FixedOpaque("TrustedOperators", a.operator_jwts, b.operator_jwts);
  d.FixedOpaque("TrustedKeys", a.trusted_keys, b.trusted_keys);
  d.Fixed("AccountResolver", a.resolver, b.resolver);
  d.FixedOpaque("resolver_preload", a.resolver_preload, b.resolver_preload);
  d.FixedOpaque("Accounts (a change to an account's JetStream, exports or imports)", a.accounts,
                b.accounts);
  bool changed = false;
  if (a.user != b.user) d.Note("Reloaded: authorization username"), changed = true;
  if (a.password != b.password) d.Note("Reloaded: authorization password"), changed = true;
  if (a.token != b.token) d.Note("Reloaded: authorization token"), changed = true;
  if (a.timeout != b.timeout) {
    d.Note("Reloaded: authorization timeout = " + Seconds(b.timeout));
    changed = true;
  }
  // Default permissions are part of every user that has none of its own.
  bool defaults = a.default_permissions != b.default_permissions;
  if (defaults || UsersWhere(a.users, false) != UsersWhere(b.users, false)) {
    d.Note("Reloaded: authorization users");
    changed = true;
  }
  if (defaults || UsersWhere(a.users, true) != UsersWhere(b.users, true)) {
    d.Note("Reloaded: authorization nkey users");
    changed = true;
  }
  if (a.no_auth_user != b.no_auth_user) changed = true;
  d.changes().authorization = changed;
}

}  // namespace

Result<ReloadChanges> DiffForReload(const ServerOptions& a, const ServerOptions& b) {
  Differ d;
  d.Fixed("Host", a.host, b.host);
  d.Fixed("Port", a.port, b.port);
  d.Fixed("ServerName", a.server_name, b.server_name);
  d.Fixed("HTTPPort", a.http_port, b.http_port);
  d.Fixed("HTTPHost", a.http_host, b.http_host);
  d.Fixed("HTTPSPort", a.https_port, b.https_port);
  d.Fixed("Threads", a.threads, b.threads);
  d.Fixed("MaxPending", a.max_pending, b.max_pending);
  d.Fixed("MaxSubs", a.max_subscriptions, b.max_subscriptions);
  d.Fixed("NoHeaderSupport", a.no_header_support, b.no_header_support);
  d.Fixed("NoSystemAccount", a.no_system_account, b.no_system_account);
  d.Fixed("PortsFileDir", a.ports_file_dir, b.ports_file_dir);
  d.Fixed("LameDuckDuration", a.lame_duck_duration, b.lame_duck_duration);
  d.Fixed("LameDuckGracePeriod", a.lame_duck_grace_period, b.lame_duck_grace_period);
  // TLS settings and certificates reload for new connections; turning TLS on or off does not
  // (nats-server allows that too).
  d.Fixed("TLSConfig (enabled)", a.tls.enabled, b.tls.enabled);
  // JetStream, with nats-server's texts for the store.
  if (a.jetstream.store_dir != b.jetstream.store_dir && d.error().ok()) {
    return Status::InvalidArgument("config reload not supported for jetstream storage dir");
  }
  if ((a.jetstream.max_memory != b.jetstream.max_memory ||
       a.jetstream.max_store != b.jetstream.max_store) &&
      d.error().ok()) {
    return Status::InvalidArgument(
        "config reload not supported for jetstream max memory and max store");
  }
  d.Fixed("JetStream", a.jetstream.enabled, b.jetstream.enabled);
  d.Fixed("JetStreamDomain", a.jetstream.domain, b.jetstream.domain);
  d.Fixed("SyncInterval", a.jetstream.sync_interval, b.jetstream.sync_interval);
  d.Fixed("SyncAlways", a.jetstream.sync_always, b.jetstream.sync_always);
  DiffAuthorization(a.auth, b.auth, d);
  if (!d.error().ok()) return d.error();

  ReloadChanges& c = d.changes();
  if (a.tls != b.tls) {
    c.tls = true;
    d.Note("Reloaded: tls = enabled");
    // verify_and_map decides who a certificate logs in as.
    c.authorization |= a.tls.verify_and_map != b.tls.verify_and_map;
  }
  c.logging |= d.Value("trace", a.trace, b.trace);
  c.logging |= d.Value("debug", a.debug, b.debug);
  c.logging |= d.Value("logtime", a.log_time, b.log_time);
  c.logging |= d.Value("log_file", a.log_file, b.log_file);
  c.pid_file = d.Value("pid_file", a.pid_file, b.pid_file);
  d.Value("max_connections", a.max_connections, b.max_connections);
  d.Value("max_control_line", a.max_control_line, b.max_control_line);
  d.Value("max_payload", a.max_payload, b.max_payload);
  d.Value("ping_interval", a.ping_interval, b.ping_interval);
  d.Value("ping_max", a.max_pings_out, b.max_pings_out);
  d.Value("write_deadline", a.write_deadline, b.write_deadline);
  d.Value("client_advertise", a.client_advertise, b.client_advertise);
  return std::move(c);
}

}  // namespace spate::server
