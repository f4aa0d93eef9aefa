// /routez /gatewayz /leafz (no clustering yet: empty), /accountz, /healthz and the index page.
#include "monitor/endpoints.h"
#include "server/account.h"
#include "server/client.h"
#include "server/server.h"
#include "server/version.h"

namespace spate::monitor {

Json BuildRoutez(MonitorContext& ctx) {
  Json j;
  j["server_id"] = ctx.server.server_id();
  j["server_name"] = ctx.server.server_name();
  j["now"] = FormatTime(server::WallClockNs());
  j["num_routes"] = 0;
  j["routes"] = Json::array();
  return j;
}

Json BuildGatewayz(MonitorContext& ctx) {
  Json j;
  j["server_id"] = ctx.server.server_id();
  j["now"] = FormatTime(server::WallClockNs());
  j["outbound_gateways"] = Json::object();
  j["inbound_gateways"] = Json::object();
  return j;
}

Json BuildLeafz(MonitorContext& ctx) {
  Json j;
  j["server_id"] = ctx.server.server_id();
  j["now"] = FormatTime(server::WallClockNs());
  j["leafnodes"] = 0;
  j["leafs"] = Json::array();
  return j;
}

HttpResponse HandleRoutez(MonitorContext& ctx, const HttpRequest& req) {
  return JsonResponse(req, BuildRoutez(ctx));
}
HttpResponse HandleGatewayz(MonitorContext& ctx, const HttpRequest& req) {
  return JsonResponse(req, BuildGatewayz(ctx));
}
HttpResponse HandleLeafz(MonitorContext& ctx, const HttpRequest& req) {
  return JsonResponse(req, BuildLeafz(ctx));
}

EndpointResult BuildAccountz(MonitorContext& ctx, const AccountzOptions& o) {
  const std::string& name = o.account;
  const auto system = ctx.server.system_account();
  Json j;
  j["server_id"] = ctx.server.server_id();
  j["now"] = FormatTime(server::WallClockNs());
  if (system != nullptr) j["system_account"] = system->name();
  EndpointResult r;
  if (name.empty()) {
    Json list = Json::array();
    for (const auto& account : ctx.server.accounts()) list.push_back(account->name());
    j["accounts"] = std::move(list);
    r.body = std::move(j);
    return r;
  }
  std::shared_ptr<server::Account> account = ctx.server.FindAccount(name);
  if (account == nullptr) return EndpointResult::Error(400, "Account " + name + " does not exist");
  auto loops = SnapshotLoops(ctx.server, {.with_connections = false}, kSnapshotTimeout);
  if (!loops) return EndpointResult::Error(503, "timed out collecting account state");
  SublistStats stats = ComputeSublistStats(ctx.server, *loops);
  Json d;
  d["account_name"] = account->name();
  d["update_time"] = FormatTime(ctx.server.start_time_ns());
  if (account == system) d["is_system"] = true;
  d["expired"] = false;
  d["complete"] = true;
  d["jetstream_enabled"] = account->jetstream_limits.has_value() && ctx.server.jetstream_enabled();
  d["leafnode_connections"] = 0;
  d["client_connections"] = account->num_connections.load(std::memory_order_relaxed);
  d["subscriptions"] = account->subs().Count();
  d["sublist_stats"] = stats.ToJson();
  j["account_detail"] = std::move(d);
  r.body = std::move(j);
  return r;
}

HttpResponse HandleAccountz(MonitorContext& ctx, const HttpRequest& req) {
  return ToHttp(req, BuildAccountz(ctx, {.account = req.Get("acc")}));
}

std::optional<HttpResponse> ParseHealthzQuery(const HttpRequest& req, HealthzOptions* o) {
  if (auto err = DecodeBool(req, "js-enabled", &o->js_enabled)) return err;
  if (auto err = DecodeBool(req, "js-enabled-only", &o->js_enabled_only)) return err;
  if (auto err = DecodeBool(req, "js-server-only", &o->js_server_only)) return err;
  if (auto err = DecodeBool(req, "details", &o->details)) return err;
  return std::nullopt;
}

// The JSON body carries the failure too, so the reply is never an EndpointResult error.
EndpointResult BuildHealthz(MonitorContext& ctx, const HealthzOptions& o) {
  // The js-* options are accepted as nats-server does; with one server they change nothing.
  Json j;
  int status = 200;
  std::string error;
  if (!ctx.server.running()) {
    status = 500;
    error = "server not ready for connections";
  } else if (!SnapshotLoops(ctx.server, {.with_connections = false}, kSnapshotTimeout)) {
    status = 503;
    error = "event loops are not responding";
  } else if (ctx.server.options().jetstream.enabled && !ctx.server.jetstream_enabled()) {
    // JetStream was asked for but this build does not run it: nats-server's answer when
    // JetStream is configured and not running.
    status = 503;
    error = "JetStream not enabled (10076)";
  }
  if (error.empty()) {
    j["status"] = "ok";
  } else if (o.details) {
    j["status"] = "error";
    j["errors"] =
        Json::array({{{"type", status == 503 ? "JETSTREAM" : "CONNECTION"}, {"error", error}}});
  } else {
    j["status"] = status == 503 && ctx.server.options().jetstream.enabled ? "unavailable" : "error";
    j["error"] = error;
  }
  EndpointResult r;
  r.status = status;
  r.body = std::move(j);
  return r;
}

HttpResponse HandleHealthz(MonitorContext& ctx, const HttpRequest& req) {
  HealthzOptions o;
  if (auto err = ParseHealthzQuery(req, &o)) return *err;
  return ToHttp(req, BuildHealthz(ctx, o), /*indent=*/false);
}

HttpResponse HandleRoot(MonitorContext&, const HttpRequest&) {
  static const char* const kLinks[][2] = {
      {"varz", "General"},      {"connz", "Connections"},
      {"accountz", "Accounts"}, {"subsz", "Subscriptions"},
      {"routez", "Routes"},     {"leafz", "Leaf Nodes"},
      {"gatewayz", "Gateways"}, {"healthz", "Health"},
      {"jsz", "JetStream"},     {"metrics", "Prometheus metrics"},
  };
  std::string body =
      "<html lang=\"en\">\n<head><title>spate-server monitoring</title></head>\n<body>\n"
      "<h1>spate-server</h1>\n<p>NATS server v" +
      std::string(server::kSpateVersion) + " (nats-server " + server::kNatsCompatVersion +
      " compatible)</p>\n";
  for (const auto& link : kLinks) {
    body += "<a href=./" + std::string(link[0]) + ">" + link[1] + "</a><br/>\n";
  }
  body += "</body>\n</html>\n";
  return {200, "text/html; charset=utf-8", std::move(body)};
}

}  // namespace spate::monitor
