// /varz, and the helpers every endpoint shares.
#include <charconv>
#include <thread>

#include "monitor/endpoints.h"
#include "server/account.h"
#include "server/client.h"
#include "server/server.h"
#include "server/version.h"

namespace spate::monitor {

HttpResponse ToHttp(const HttpRequest& req, const EndpointResult& r, bool indent) {
  if (!r.error.empty()) return TextResponse(r.status, r.error);
  return JsonResponse(req, r.body, r.status, indent);
}

HttpResponse TextResponse(int status, std::string body) {
  return {status, "text/plain; charset=utf-8", std::move(body)};
}

HttpResponse JsonResponse(const HttpRequest& req, const Json& body, int status, bool indent) {
  std::string text = indent ? Dump(body) : body.dump();
  std::string callback = req.Get("callback");
  if (!callback.empty()) return {status, "application/javascript", callback + "(" + text + ")"};
  return {status, "application/json", std::move(text)};
}

std::optional<HttpResponse> DecodeBool(const HttpRequest& req, const std::string& key, bool* out) {
  std::string v = req.Get(key);
  *out = false;
  if (v.empty()) return std::nullopt;
  // Go's strconv.ParseBool.
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") {
    *out = true;
    return std::nullopt;
  }
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") {
    return std::nullopt;
  }
  return TextResponse(400, "Error decoding boolean for '" + key + "': strconv.ParseBool: parsing " +
                               Json(v).dump() + ": invalid syntax");
}

std::optional<HttpResponse> DecodeInt(const HttpRequest& req, const std::string& key, int64_t* out,
                                      bool is_unsigned) {
  std::string v = req.Get(key);
  *out = 0;
  if (v.empty()) return std::nullopt;
  const char* begin = v.data();
  if (!is_unsigned && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, v.data() + v.size(), *out);
  if (ec == std::errc() && ptr == v.data() + v.size() && !(is_unsigned && *out < 0)) {
    return std::nullopt;
  }
  if (is_unsigned) {
    return TextResponse(400, "Error decoding uint64 for '" + key +
                                 "': strconv.ParseUint: parsing " + Json(v).dump() +
                                 ": invalid syntax");
  }
  return TextResponse(400, "Error decoding int for '" + key + "': strconv.Atoi: parsing " +
                               Json(v).dump() + ": invalid syntax");
}

Json SublistStats::ToJson() const {
  Json j;
  j["num_subscriptions"] = num_subscriptions;
  j["num_cache"] = num_cache;
  j["num_inserts"] = num_inserts;
  j["num_removes"] = num_removes;
  j["num_matches"] = num_matches;
  j["cache_hit_rate"] = GoFloat(cache_hit_rate());
  j["max_fanout"] = max_fanout;
  j["avg_fanout"] = GoFloat(avg_fanout());
  return j;
}

SublistStats ComputeSublistStats(server::Server& server, const std::vector<LoopSnapshot>& loops) {
  SublistStats s;
  for (const auto& account : server.accounts()) {
    const routing::SubjectTrie& trie = account->subs();
    s.num_subscriptions += trie.Count();
    s.num_inserts += trie.inserts();
    s.num_removes += trie.removes();
    s.num_matches += trie.uncached_matches();
  }
  for (const LoopSnapshot& loop : loops) {
    s.num_cache += loop.cache_entries;
    s.num_matches += loop.cache.hits + loop.cache.misses;
    s.cache_hits += loop.cache.hits;
    s.misses += loop.cache.misses;
    s.fanout_total += loop.cache.fanout_total;
    if (loop.cache.fanout_max > s.max_fanout) s.max_fanout = loop.cache.fanout_max;
  }
  return s;
}

Json BuildVarz(MonitorContext& ctx) {
  server::Server& srv = ctx.server;
  // The reloadable options as they are now; the rest never changes.
  const std::shared_ptr<const server::RuntimeConfig> config = srv.config();
  const server::ServerOptions& o = config->options();
  const server::ServerStats& stats = srv.stats();
  const int64_t now = server::WallClockNs();
  const auto ns = [](auto d) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  };
  uint64_t in_msgs = 0, out_msgs = 0, in_bytes = 0, out_bytes = 0, subs = 0;
  for (const auto& account : srv.accounts()) {
    in_msgs += account->msgs_in.load(std::memory_order_relaxed);
    out_msgs += account->msgs_out.load(std::memory_order_relaxed);
    in_bytes += account->bytes_in.load(std::memory_order_relaxed);
    out_bytes += account->bytes_out.load(std::memory_order_relaxed);
    subs += account->subs().Count();
  }
  Json v;
  v["server_id"] = srv.server_id();
  v["server_name"] = srv.server_name();
  v["version"] = server::kNatsCompatVersion;
  v["proto"] = 1;
  v["go"] = std::string("spate ") + server::kSpateVersion;  // no Go here: our build instead
  v["host"] = o.host;
  v["port"] = srv.port();
  if (config->auth_required()) v["auth_required"] = true;
  v["max_connections"] = o.max_connections;
  if (o.max_subscriptions > 0) v["max_subscriptions"] = o.max_subscriptions;
  v["ping_interval"] = ns(o.ping_interval);
  v["ping_max"] = o.max_pings_out;
  v["http_host"] = o.http_host.empty() ? o.host : o.http_host;
  v["http_port"] = o.http_port;  // as configured (-1 stays -1), as nats-server reports it
  v["http_base_path"] = "";
  v["https_port"] = o.https_port;
  v["auth_timeout"] = GoFloat(static_cast<double>(o.auth.timeout.count()) / 1000.0);
  v["max_control_line"] = o.max_control_line;
  v["max_payload"] = o.max_payload;
  v["max_pending"] = o.max_pending;
  for (const char* section : {"cluster", "gateway", "leaf", "mqtt", "websocket"}) {
    v[section] = Json::object();
  }
  v["jetstream"] = JetStreamVarz(srv);
  v["tls_timeout"] = 2;
  v["write_deadline"] = ns(o.write_deadline);
  v["start"] = FormatTime(srv.start_time_ns());
  v["now"] = FormatTime(now);
  v["uptime"] = FormatUptime(now - srv.start_time_ns());
  v["mem"] = ProcessStats::ResidentBytes();
  v["cores"] = std::thread::hardware_concurrency();
  v["gomaxprocs"] = srv.num_loops();  // our event loops play the part of GOMAXPROCS
  v["cpu"] = GoFloat(ctx.process.CpuPercent());
  v["connections"] = srv.num_connections();
  v["total_connections"] = stats.total_connections.load(std::memory_order_relaxed);
  v["routes"] = 0;
  v["remotes"] = 0;
  v["leafnodes"] = 0;
  v["in_msgs"] = in_msgs;
  v["out_msgs"] = out_msgs;
  v["in_bytes"] = in_bytes;
  v["out_bytes"] = out_bytes;
  v["slow_consumers"] = stats.slow_consumers.load(std::memory_order_relaxed);
  v["subscriptions"] = subs;
  Json req_stats = Json::object();
  for (const auto& [path, count] : ctx.request_counts) req_stats[path] = count;
  v["http_req_stats"] = std::move(req_stats);
  v["config_load_time"] = FormatTime(srv.config_load_time_ns());
  Json slow;
  slow["clients"] = stats.slow_consumers.load(std::memory_order_relaxed);
  slow["routes"] = 0;
  slow["gateways"] = 0;
  slow["leafs"] = 0;
  v["slow_consumer_stats"] = std::move(slow);
  if (const auto sys = srv.system_account()) v["system_account"] = sys->name();
  v["spate_version"] = server::kSpateVersion;
  return v;
}

HttpResponse HandleVarz(MonitorContext& ctx, const HttpRequest& req) {
  return JsonResponse(req, BuildVarz(ctx));
}

}  // namespace spate::monitor
