#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "monitor/http_server.h"
#include "monitor/json_format.h"
#include "monitor/loop_snapshot.h"
#include "monitor/process_stats.h"

namespace spate::server {
class Server;
}

// The monitoring endpoints, one handler each, with nats-server's JSON field names, order and
// types. Handlers run on the monitor's HTTP thread and read the server only through atomics,
// locked copies (the closed-connection ring) and loop snapshots.
namespace spate::monitor {

inline constexpr std::chrono::milliseconds kSnapshotTimeout{2000};

struct MonitorContext {
  server::Server& server;
  const std::map<std::string, uint64_t>& request_counts;  // http_req_stats
  ProcessStats& process;
};

// nats-server's SublistStats, summed over accounts and loops.
struct SublistStats {
  uint64_t num_subscriptions = 0, num_cache = 0, num_inserts = 0, num_removes = 0;
  uint64_t num_matches = 0, cache_hits = 0, max_fanout = 0, fanout_total = 0, misses = 0;
  double cache_hit_rate() const {
    return num_matches == 0 ? 0.0 : static_cast<double>(cache_hits) / num_matches;
  }
  double avg_fanout() const {
    return misses == 0 ? 0.0 : static_cast<double>(fanout_total) / misses;
  }
  Json ToJson() const;
};
SublistStats ComputeSublistStats(server::Server& server, const std::vector<LoopSnapshot>& loops);

// Plain-text error replies, as nats-server's (400 with the message as body).
HttpResponse TextResponse(int status, std::string body);
// 200 with JSON, or JSONP when the request has `callback`.
HttpResponse JsonResponse(const HttpRequest& req, const Json& body, int status = 200,
                          bool indent = true);
// Parses a query parameter as Go's strconv.ParseBool / Atoi would; errors become 400 replies
// with nats-server's texts.
std::optional<HttpResponse> DecodeBool(const HttpRequest& req, const std::string& key, bool* out);
std::optional<HttpResponse> DecodeInt(const HttpRequest& req, const std::string& key, int64_t* out,
                                      bool is_unsigned = false);

Json BuildVarz(MonitorContext& ctx);
HttpResponse HandleVarz(MonitorContext& ctx, const HttpRequest& req);
HttpResponse HandleConnz(MonitorContext& ctx, const HttpRequest& req);
HttpResponse HandleSubsz(MonitorContext& ctx, const HttpRequest& req);
HttpResponse HandleRoutez(MonitorContext& ctx, const HttpRequest& req);
HttpResponse HandleGatewayz(MonitorContext& ctx, const HttpRequest& req);
HttpResponse HandleLeafz(MonitorContext& ctx, const HttpRequest& req);
HttpResponse HandleAccountz(MonitorContext& ctx, const HttpRequest& req);
HttpResponse HandleHealthz(MonitorContext& ctx, const HttpRequest& req);
HttpResponse HandleRoot(MonitorContext& ctx, const HttpRequest& req);
HttpResponse HandleMetrics(MonitorContext& ctx, const HttpRequest& req);
HttpResponse HandleJsz(MonitorContext& ctx, const HttpRequest& req);
// /varz's "jetstream" section: {} without JetStream, else {"config":..., "stats":...}.
Json JetStreamVarz(server::Server& server);

}  // namespace spate::monitor
