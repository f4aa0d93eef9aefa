#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "monitor/json_format.h"
#include "server/client.h"

// The JSON of the system account's events and replies, with nats-server's field names, order
// and omissions (its events.go: ServerInfo, ClientInfo, ConnectEventMsg, DisconnectEventMsg,
// ServerStatsMsg, ServerAPIResponse). Pure functions of their inputs, so unit tests pin them.
namespace spate::monitor {

inline constexpr std::string_view kConnectEventType = "io.nats.server.advisory.v1.client_connect";
inline constexpr std::string_view kDisconnectEventType =
    "io.nats.server.advisory.v1.client_disconnect";

// Who sends: nats-server's ServerInfo. `seq` numbers every message this server sends with it.
struct ServerIdentity {
  std::string name, host, id, version;
  bool jetstream = false;
};
Json ServerInfoJson(const ServerIdentity& server, uint64_t seq, int64_t now_ns);

// nats-server's ClientInfo of a client connection; a closed one (stop_ns set) also has
// `stop` and `rtt`.
Json ClientInfoJson(const server::ConnectionInfo& c);

// $SYS.ACCOUNT.<account>.CONNECT and .DISCONNECT. The `server` object is `server_info`.
Json ConnectEventJson(std::string_view event_id, int64_t now_ns, Json server_info,
                      const server::ConnectionInfo& c);
// `sent` is what the client sent (the server's in_*), `received` what it got (out_*), as in
// nats-server.
Json DisconnectEventJson(std::string_view event_id, Json server_info,
                         const server::ConnectionInfo& c);

// $SYS.ACCOUNT.<account>.SERVER.CONNS: an account's connection count and traffic (nats-server's
// AccountNumConns), sent when a connection of the account starts or ends, and every 30 s while
// it has some.
inline constexpr std::string_view kAccountConnsEventType =
    "io.nats.server.advisory.v1.account_connections";
struct AccountConnsValues {
  std::string account;
  int64_t connections = 0;
  uint64_t sent_msgs = 0, sent_bytes = 0, received_msgs = 0, received_bytes = 0;
};
Json AccountConnsEventJson(std::string_view event_id, int64_t now_ns, Json server_info,
                           const AccountConnsValues& v);
// The "data" of $SYS.REQ.ACCOUNT.<account>.STATZ (nats-server's AccountStatz).
Json AccountStatzJson(std::string_view server_id, int64_t now_ns,
                      const std::vector<AccountConnsValues>& accounts);

// The numbers of a STATSZ message (nats-server's ServerStats).
struct ServerStatsValues {
  int64_t start_ns = 0;
  int64_t mem = 0;
  unsigned cores = 0;
  double cpu = 0;
  int64_t connections = 0;
  uint64_t total_connections = 0;
  int64_t active_accounts = 0;
  uint64_t subscriptions = 0;
  uint64_t sent_msgs = 0, sent_bytes = 0, received_msgs = 0, received_bytes = 0;
  uint64_t slow_consumers = 0;
  Json jetstream;  // /varz's "jetstream" section; null or empty: left out
};
// {"server": ..., "statsz": {...}}: $SYS.SERVER.<id>.STATSZ and the reply to
// $SYS.REQ.SERVER.PING[.STATSZ].
Json ServerStatsJson(Json server_info, const ServerStatsValues& v);

// nats-server's ServerAPIResponse: {"server":...,"data":...} or {"server":...,"error":{...}}.
Json ApiResponseJson(Json server_info, Json data);
// `null_data`: nats-server also writes "data":null when the endpoint itself failed (code 500).
Json ApiErrorJson(Json server_info, int code, std::string_view description, bool null_data = false);

// Event ids as nats-server's (a NUID: 22 base-62 characters, a random prefix and a sequence).
// Threading: thread-safe.
class EventIds {
 public:
  EventIds();
  std::string Next();

 private:
  std::mutex mu_;
  std::string prefix_;  // 12 characters, under mu_
  uint64_t seq_ = 0;    // under mu_
  uint64_t increment_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace spate::monitor
