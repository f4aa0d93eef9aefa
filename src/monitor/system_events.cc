#include "monitor/system_events.h"

namespace spate::monitor {
namespace {

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr size_t kPrefixLength = 12, kSequenceLength = 10;
constexpr uint64_t kMaxSequence = 839299365868340224ULL;  // 62^10

Json DataStats(uint64_t msgs, uint64_t bytes) { return Json{{"msgs", msgs}, {"bytes", bytes}}; }

}  // namespace

Json ServerInfoJson(const ServerIdentity& server, uint64_t seq, int64_t now_ns) {
  Json j;
  j["name"] = server.name;
  j["host"] = server.host;
  j["id"] = server.id;
  j["ver"] = server.version;
  j["seq"] = seq;
  j["jetstream"] = server.jetstream;
  j["time"] = FormatTime(now_ns);
  return j;
}

Json ClientInfoJson(const server::ConnectionInfo& c) {
  const bool closed = c.stop_ns != 0;
  Json j;
  j["start"] = FormatTime(c.start_ns);
  if (!c.ip.empty()) j["host"] = c.ip;
  if (c.cid != 0) j["id"] = c.cid;
  j["acc"] = c.account;
  if (!c.authorized_user.empty()) j["user"] = c.authorized_user;
  if (!c.name.empty()) j["name"] = c.name;
  if (!c.lang.empty()) j["lang"] = c.lang;
  if (!c.version.empty()) j["ver"] = c.version;
  if (closed && c.rtt_ns > 0) j["rtt"] = c.rtt_ns;  // a Go time.Duration: nanoseconds
  if (closed) j["stop"] = FormatTime(c.stop_ns);
  j["kind"] = "Client";
  j["client_type"] = "nats";
  return j;
}

Json ConnectEventJson(std::string_view event_id, int64_t now_ns, Json server_info,
                      const server::ConnectionInfo& c) {
  Json j;
  j["type"] = kConnectEventType;
  j["id"] = event_id;
  j["timestamp"] = FormatTime(now_ns);
  j["server"] = std::move(server_info);
  j["client"] = ClientInfoJson(c);
  return j;
}

Json DisconnectEventJson(std::string_view event_id, Json server_info,
                         const server::ConnectionInfo& c) {
  Json j;
  j["type"] = kDisconnectEventType;
  j["id"] = event_id;
  j["timestamp"] = FormatTime(c.stop_ns);
  j["server"] = std::move(server_info);
  j["client"] = ClientInfoJson(c);
  j["sent"] = DataStats(c.in_msgs, c.in_bytes);
  j["received"] = DataStats(c.out_msgs, c.out_bytes);
  j["reason"] = c.reason;
  return j;
}

namespace {

// nats-server's AccountStat: "sent" is what the server delivered to the account's clients.
void AddAccountStat(const AccountConnsValues& v, Json* j) {
  (*j)["acc"] = v.account;
  (*j)["conns"] = v.connections;
  (*j)["leafnodes"] = 0;
  (*j)["total_conns"] = v.connections;
  (*j)["sent"] = DataStats(v.sent_msgs, v.sent_bytes);
  (*j)["received"] = DataStats(v.received_msgs, v.received_bytes);
  (*j)["slow_consumers"] = 0;  // not counted per account
}

}  // namespace

Json AccountConnsEventJson(std::string_view event_id, int64_t now_ns, Json server_info,
                           const AccountConnsValues& v) {
  Json j;
  j["type"] = kAccountConnsEventType;
  j["id"] = event_id;
  j["timestamp"] = FormatTime(now_ns);
  j["server"] = std::move(server_info);
  AddAccountStat(v, &j);
  return j;
}

Json AccountStatzJson(std::string_view server_id, int64_t now_ns,
                      const std::vector<AccountConnsValues>& accounts) {
  Json list = Json::array();
  for (const AccountConnsValues& v : accounts) {
    Json a;
    AddAccountStat(v, &a);
    list.push_back(std::move(a));
  }
  Json j;
  j["server_id"] = server_id;
  j["now"] = FormatTime(now_ns);
  j["account_statz"] = std::move(list);
  return j;
}

Json ServerStatsJson(Json server_info, const ServerStatsValues& v) {
  Json s;
  s["start"] = FormatTime(v.start_ns);
  s["mem"] = v.mem;
  s["cores"] = v.cores;
  s["cpu"] = GoFloat(v.cpu);
  s["connections"] = v.connections;
  s["total_connections"] = v.total_connections;
  s["active_accounts"] = v.active_accounts;
  s["subscriptions"] = v.subscriptions;
  s["sent"] = DataStats(v.sent_msgs, v.sent_bytes);
  s["received"] = DataStats(v.received_msgs, v.received_bytes);
  s["slow_consumers"] = v.slow_consumers;
  s["active_servers"] = 1;  // no cluster: this server only
  if (v.jetstream.is_object() && !v.jetstream.empty()) s["jetstream"] = v.jetstream;
  Json j;
  j["server"] = std::move(server_info);
  j["statsz"] = std::move(s);
  return j;
}

Json ApiResponseJson(Json server_info, Json data) {
  Json j;
  j["server"] = std::move(server_info);
  j["data"] = std::move(data);
  return j;
}

Json ApiErrorJson(Json server_info, int code, std::string_view description, bool null_data) {
  Json j;
  j["server"] = std::move(server_info);
  if (null_data) j["data"] = nullptr;
  j["error"] = {{"code", code}, {"description", description}};
  return j;
}

EventIds::EventIds() : rng_(std::random_device{}()) {
  for (size_t i = 0; i < kPrefixLength; ++i) prefix_.push_back(kBase62[rng_() % 62]);
  seq_ = rng_() % kMaxSequence;
  increment_ = 33 + rng_() % 300;  // as a NUID: a random step, so ids do not look sequential
}

std::string EventIds::Next() {
  std::lock_guard lock(mu_);
  seq_ += increment_;
  if (seq_ >= kMaxSequence) {
    prefix_.clear();
    for (size_t i = 0; i < kPrefixLength; ++i) prefix_.push_back(kBase62[rng_() % 62]);
    seq_ %= kMaxSequence;
  }
  std::string id = prefix_;
  id.resize(kPrefixLength + kSequenceLength);
  uint64_t n = seq_;
  for (size_t i = kPrefixLength + kSequenceLength; i > kPrefixLength; --i) {
    id[i - 1] = kBase62[n % 62];
    n /= 62;
  }
  return id;
}

}  // namespace spate::monitor
