#include <algorithm>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>

#include "conf/duration.h"
#include "server/options/config_sections.h"

namespace spate::server {
namespace {

using conf::MapEntry;
using conf::Value;

// Top-level keys nats-server accepts that spate-server does not implement yet. Starting with
// one of them silently ignored would run a server other than the one configured.
constexpr std::string_view kUnsupportedTopLevel[] = {"account_resolver",
                                                     "accounts_resolver",
                                                     "allow_non_tls",
                                                     "cluster",
                                                     "connect_error_reports",
                                                     "default_js_domain",
                                                     "default_sentinel",
                                                     "disable_sublist_cache",
                                                     "feature_flags",
                                                     "gateway",
                                                     "http_base_path",
                                                     "leaf",
                                                     "leafnodes",
                                                     "log_max_num",
                                                     "log_size_limit",
                                                     "logfile_max_num",
                                                     "logfile_size_limit",
                                                     "logtime_utc",
                                                     "mappings",
                                                     "maps",
                                                     "max_closed_clients",
                                                     "max_sub_tokens",
                                                     "max_subscription_tokens",
                                                     "max_traced_msg_len",
                                                     "mqtt",
                                                     "no_fast_producer_stall",
                                                     "no_sublist_cache",
                                                     "ocsp",
                                                     "ocsp_cache",
                                                     "prof_block_rate",
                                                     "prof_port",
                                                     "proxies",
                                                     "proxy_protocol",
                                                     "reconnect_error_reports",
                                                     "remote_syslog",
                                                     "resolver_pinned_accounts",
                                                     "resolver_tls",
                                                     "root",
                                                     "roots",
                                                     "server_metadata",
                                                     "server_tags",
                                                     "syslog",
                                                     "trace_headers",
                                                     "websocket",
                                                     "write_timeout",
                                                     "ws"};

bool IsUnsupported(std::string_view key) {
  return std::find(std::begin(kUnsupportedTopLevel), std::end(kUnsupportedTopLevel), key) !=
         std::end(kUnsupportedTopLevel);
}

// A non-negative integer that fits nats-server's int32 fields; 0 keeps the default, as
// nats-server fills zero values with defaults.
void ReadLimit32(const MapEntry& e, ConfigReader* reader, int64_t fallback, int64_t* out) {
  int64_t n = 0;
  if (!reader->ReadInt(e, &n)) return;
  if (n > std::numeric_limits<int32_t>::max()) {
    reader->Error(e.value.location(), e.key + " value is too big");
    return;
  }
  if (n < 0) {
    reader->Error(e.value.location(), e.key + " value can not be negative");
    return;
  }
  *out = n == 0 ? fallback : n;
}

}  // namespace

void ApplyServerConfig(const Value& root, ConfigReader* reader, ServerOptions* opts) {
  const ServerOptions defaults;
  bool store_dir_seen = false;
  const MapEntry* no_auth_user = nullptr;
  for (const MapEntry& e : root.entries()) {
    const std::string key = LowerKey(e.key);
    if (key == "listen") {
      std::string host;
      bool has_host = false;
      if (reader->ReadHostPort(e, &host, &opts->port, &has_host) && has_host) {
        opts->host = host.empty() ? defaults.host : host;
      }
    } else if (key == "host" || key == "net") {
      reader->ReadString(e, &opts->host);
    } else if (key == "port") {
      reader->ReadPort(e, &opts->port);
    } else if (key == "server_name") {
      std::string name;
      if (!reader->ReadString(e, &name)) continue;
      if (name.find(' ') != std::string::npos) {
        reader->Error(e.value.location(), "server name cannot contain spaces");
        continue;
      }
      opts->server_name = name;
    } else if (key == "client_advertise") {
      reader->ReadString(e, &opts->client_advertise);
    } else if (key == "http") {
      std::string host;
      bool has_host = false;
      if (reader->ReadHostPort(e, &host, &opts->http_port, &has_host) && has_host) {
        opts->http_host = host;
      }
    } else if (key == "http_port" || key == "monitor_port") {
      reader->ReadPort(e, &opts->http_port);
    } else if (key == "https") {
      std::string host;
      bool has_host = false;
      if (reader->ReadHostPort(e, &host, &opts->https_port, &has_host) && has_host) {
        opts->http_host = host;
      }
    } else if (key == "https_port") {
      reader->ReadPort(e, &opts->https_port);
    } else if (key == "max_connections" || key == "max_conn") {
      int64_t n = 0;
      if (!reader->ReadIntInRange(e, std::numeric_limits<int>::min(),
                                  std::numeric_limits<int>::max(), &n)) {
        continue;
      }
      // nats-server turns an explicit 0 into -1, and any negative limit refuses every client.
      opts->max_connections = n == 0 ? -1 : static_cast<int>(n);
    } else if (key == "max_subscriptions" || key == "max_subs") {
      int64_t n = 0;
      // -1 is nats-server's "no limit" (jwt.NoLimit); 0 means the same.
      if (reader->ReadIntInRange(e, -1, std::numeric_limits<int>::max(), &n)) {
        opts->max_subscriptions = n < 0 ? 0 : static_cast<int>(n);
      }
    } else if (key == "max_payload") {
      ReadLimit32(e, reader, defaults.max_payload, &opts->max_payload);
    } else if (key == "max_control_line") {
      ReadLimit32(e, reader, defaults.max_control_line, &opts->max_control_line);
    } else if (key == "max_pending") {
      int64_t n = 0;
      if (reader->ReadIntInRange(e, 0, std::numeric_limits<int64_t>::max(), &n)) {
        opts->max_pending = n == 0 ? defaults.max_pending : n;
      }
    } else if (key == "ping_interval") {
      std::chrono::milliseconds d{0};
      if (reader->ReadDuration(e, &d))
        opts->ping_interval = d.count() == 0 ? defaults.ping_interval : d;
    } else if (key == "ping_max") {
      int64_t n = 0;
      if (reader->ReadIntInRange(e, 0, std::numeric_limits<int>::max(), &n)) {
        opts->max_pings_out = n == 0 ? defaults.max_pings_out : static_cast<int>(n);
      }
    } else if (key == "write_deadline") {
      std::chrono::milliseconds d{0};
      if (reader->ReadDuration(e, &d)) {
        opts->write_deadline = d.count() == 0 ? defaults.write_deadline : d;
      }
    } else if (key == "lame_duck_duration") {
      std::chrono::milliseconds d{0};
      if (reader->ReadDuration(e, &d)) {
        if (d < kMinLameDuckDuration) {
          reader->Error(e.value.location(), "invalid lame_duck_duration of " +
                                                conf::FormatDuration(d) +
                                                ", minimum is 30 seconds");
        } else {
          opts->lame_duck_duration = d;
        }
      }
    } else if (key == "lame_duck_grace_period") {
      std::chrono::milliseconds d{0};  // ReadDuration refuses negative ones, as nats-server
      if (reader->ReadDuration(e, &d)) {
        opts->lame_duck_grace_period = d.count() == 0 ? defaults.lame_duck_grace_period : d;
      }
    } else if (key == "no_system_account" || key == "no_system" || key == "no_sys_acc") {
      reader->ReadBool(e, &opts->no_system_account);
    } else if (key == "no_header_support") {
      reader->ReadBool(e, &opts->no_header_support);
    } else if (key == "debug") {
      reader->ReadBool(e, &opts->debug);
    } else if (key == "trace" || key == "trace_verbose") {
      reader->ReadBool(e, &opts->trace);  // we have no separate verbose trace level
    } else if (key == "logtime") {
      reader->ReadBool(e, &opts->log_time);
    } else if (key == "log_file" || key == "logfile") {
      reader->ReadString(e, &opts->log_file);
    } else if (key == "pid_file" || key == "pidfile") {
      reader->ReadString(e, &opts->pid_file);
    } else if (key == "ports_file_dir") {
      reader->ReadString(e, &opts->ports_file_dir);
    } else if (key == "authorization") {
      ApplyAuthorization(e, reader, &opts->auth);
    } else if (key == "accounts") {
      ApplyAccounts(e, reader, &opts->auth);
    } else if (key == "tls") {
      ApplyTls(e, reader, &opts->tls);
    } else if (key == "operator" || key == "operators" || key == "root_operator" ||
               key == "root_operators" || key == "trusted" || key == "trusted_keys" ||
               key == "resolver" || key == "resolver_preload") {
      ApplyOperatorKey(e, reader, &opts->auth);
    } else if (key == "system_account" || key == "system") {
      reader->ReadString(e, &opts->auth.system_account);
    } else if (key == "no_auth_user") {
      if (reader->ReadString(e, &opts->auth.no_auth_user)) no_auth_user = &e;
    } else if (key == "jetstream") {
      ApplyJetStream(e, reader, &opts->jetstream, &store_dir_seen);
    } else if (key == "store_dir" || key == "storedir") {
      if (store_dir_seen) {
        reader->Error(e.key_location, "duplicate 'store_dir' configuration");
        continue;
      }
      store_dir_seen = true;
      reader->ReadString(e, &opts->jetstream.store_dir);
    } else if (key == "threads") {  // ours: event loops, 0 = one per core
      int64_t n = 0;
      if (reader->ReadIntInRange(e, 0, 4096, &n)) opts->threads = static_cast<int>(n);
    } else if (IsUnsupported(key)) {
      reader->Unsupported(e);
    } else {
      reader->Unknown(e);
    }
  }

  // nats-server: port 0 means the default port, not "any port" (that is -1).
  if (opts->port == 0) opts->port = defaults.port;

  // As nats-server: no_auth_user must name a user of the users list.
  if (no_auth_user != nullptr && !opts->auth.no_auth_user.empty()) {
    const std::string& name = opts->auth.no_auth_user;
    const auto& users = opts->auth.users;
    if (users.empty()) {
      reader->Error(no_auth_user->key_location,
                    "no_auth_user: \"" + name + "\" present, but users are not defined");
    } else if (std::none_of(users.begin(), users.end(),
                            [&](const UserEntry& u) { return u.user == name; })) {
      reader->Error(no_auth_user->key_location,
                    "no_auth_user: \"" + name + "\" not present as user in authorization block");
    }
  }
}

}  // namespace spate::server
