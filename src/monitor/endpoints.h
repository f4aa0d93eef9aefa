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

// Each endpoint's JSON comes from one builder that takes an options struct. The HTTP handlers
// fill the struct from query parameters; the system account's request service
// ($SYS.REQ.SERVER.*) fills it from a request's JSON body (system_requests.h). Neither kind of
// caller duplicates the builder.
//
// What a builder produces: the JSON body, or an error (HTTP: a text reply with `status`; over
// $SYS: {"error":{"code":500,...}}, as nats-server reports a failing endpoint).
struct EndpointResult {
  int status = 200;
  Json body;
  std::string error;  // non-empty: the endpoint failed; body is unset
  static EndpointResult Error(int status, std::string text) {
    EndpointResult r;
    r.status = status;
    r.error = std::move(text);
    return r;
  }
};

struct ConnzOptions {
  enum class State { kOpen, kClosed, kAll };
  std::string sort;  // nats-server's sort keys; empty: by cid
  bool auth = false, subs = false, subs_detail = false;
  int64_t offset = 0, limit = 0;  // limit <= 0: nats-server's default page (1024)
  uint64_t cid = 0;               // non-zero: only this connection
  State state = State::kOpen;
  std::string account, user;  // filters
};
struct SubszOptions {
  bool subs = false;  // list the subscriptions
  int64_t offset = 0, limit = 0;
  std::string test, account;  // filters
};
struct AccountzOptions {
  std::string account;  // empty: the list of accounts
};
struct HealthzOptions {
  bool js_enabled = false, js_enabled_only = false, js_server_only = false, details = false;
};
struct JszEndpointOptions {
  bool accounts = false, streams = false, consumers = false, config = false;
};

Json BuildVarz(MonitorContext& ctx);
Json BuildRoutez(MonitorContext& ctx);  // no clustering yet: these three are empty
Json BuildGatewayz(MonitorContext& ctx);
Json BuildLeafz(MonitorContext& ctx);
EndpointResult BuildConnz(MonitorContext& ctx, const ConnzOptions& o);
EndpointResult BuildSubsz(MonitorContext& ctx, const SubszOptions& o);
EndpointResult BuildAccountz(MonitorContext& ctx, const AccountzOptions& o);
EndpointResult BuildHealthz(MonitorContext& ctx, const HealthzOptions& o);
Json BuildJsz(MonitorContext& ctx, const JszEndpointOptions& o);

// Query parameters to options; an error is the 400 reply nats-server gives.
std::optional<HttpResponse> ParseConnzQuery(const HttpRequest& req, ConnzOptions* o);
std::optional<HttpResponse> ParseSubszQuery(const HttpRequest& req, SubszOptions* o);
std::optional<HttpResponse> ParseHealthzQuery(const HttpRequest& req, HealthzOptions* o);
std::optional<HttpResponse> ParseJszQuery(const HttpRequest& req, JszEndpointOptions* o);

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
// An EndpointResult as an HTTP reply (errors as text, as nats-server's).
HttpResponse ToHttp(const HttpRequest& req, const EndpointResult& r, bool indent = true);
// /varz's "jetstream" section: {} without JetStream, else {"config":..., "stats":...}.
Json JetStreamVarz(server::Server& server);

}  // namespace spate::monitor
