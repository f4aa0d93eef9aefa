// /jsz: JetStream totals, and per account, stream and consumer on request.
#include "jetstream/engine/jetstream.h"
#include "monitor/endpoints.h"
#include "server/server.h"

namespace spate::monitor {

namespace {

jetstream::JetStream* JetStreamOf(server::Server& server) {
  return dynamic_cast<jetstream::JetStream*>(server.jetstream());
}

}  // namespace

Json JetStreamVarz(server::Server& server) {
  jetstream::JetStream* js = JetStreamOf(server);
  if (js == nullptr) return Json::object();
  Json report = js->JszJson({});
  Json stats;
  for (const char* key : {"memory", "storage", "reserved_memory", "reserved_storage", "accounts",
                          "ha_assets", "api"}) {
    stats[key] = report[key];
  }
  Json out;
  out["config"] = report["config"];
  out["stats"] = std::move(stats);
  return out;
}

std::optional<HttpResponse> ParseJszQuery(const HttpRequest& req, JszEndpointOptions* o) {
  if (auto err = DecodeBool(req, "accounts", &o->accounts)) return err;
  if (auto err = DecodeBool(req, "streams", &o->streams)) return err;
  if (auto err = DecodeBool(req, "consumers", &o->consumers)) return err;
  if (auto err = DecodeBool(req, "config", &o->config)) return err;
  return std::nullopt;
}

Json BuildJsz(MonitorContext& ctx, const JszEndpointOptions& options) {
  jetstream::JszOptions o;
  o.accounts = options.accounts;
  o.streams = options.streams;
  o.consumers = options.consumers;
  o.config = options.config;
  // As nats-server: consumers imply streams, streams imply accounts.
  o.streams = o.streams || o.consumers;
  o.accounts = o.accounts || o.streams;
  Json j;
  j["server_id"] = ctx.server.server_id();
  j["now"] = FormatTime(server::WallClockNs());
  jetstream::JetStream* js = JetStreamOf(ctx.server);
  if (js == nullptr) {
    j["disabled"] = true;
    j["config"] = {{"max_memory", 0}, {"max_storage", 0}};
    for (const char* key :
         {"memory", "storage", "reserved_memory", "reserved_storage", "accounts", "ha_assets"}) {
      j[key] = 0;
    }
    j["api"] = {{"total", 0}, {"errors", 0}};
    return j;
  }
  Json report = js->JszJson(o);
  for (auto it = report.begin(); it != report.end(); ++it) j[it.key()] = std::move(it.value());
  return j;
}

HttpResponse HandleJsz(MonitorContext& ctx, const HttpRequest& req) {
  JszEndpointOptions o;
  if (auto err = ParseJszQuery(req, &o)) return *err;
  return JsonResponse(req, BuildJsz(ctx, o));
}

}  // namespace spate::monitor
