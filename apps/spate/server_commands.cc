#include "server_commands.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>

#include "cli_context.h"
#include "client/errors.h"
#include "client/nuid.h"
#include "format.h"
#include "http_get.h"
#include "table.h"

namespace spate::cli {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct ServerArgs {
  std::string monitor;  // http://host:8222; empty: use $SYS over the client connection
  uint64_t count = 5;   // ping
  bool sys = false;     // ping: list servers via $SYS
  uint64_t expect = 0;  // ping --sys: stop once this many servers answered
  bool js_enabled_only = false, js_server_only = false;  // check
};

// One monitoring endpoint ("varz", "healthz") as JSON, from the monitoring port when --monitor
// is given, else from $SYS.REQ.SERVER.PING.<NAME>, which needs a system account user.
// `http_status` is set for HTTP (healthz answers 503 with a JSON body).
Result<json> FetchEndpoint(const CliContext& ctx, const ServerArgs& args, std::string endpoint,
                           const json& params, int* http_status = nullptr) {
  if (!args.monitor.empty()) {
    std::string url = args.monitor;
    while (url.ends_with("/")) url.pop_back();
    url += "/" + endpoint;
    std::string query;
    for (const auto& [key, value] : params.items()) {
      query += (query.empty() ? "?" : "&") + key + "=" +
               (value.is_boolean() ? (value.get<bool>() ? "true" : "false") : value.dump());
    }
    auto r = HttpGet(url + query, ctx.timeout());
    if (!r.ok()) return r.status();
    if (http_status != nullptr) *http_status = r->status;
    json j = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      return Status::Corruption("HTTP " + std::to_string(r->status) + " from " + url +
                                " is not JSON");
    }
    return j;
  }
  auto conn = ctx.Connect("server");
  if (!conn.ok()) return conn.status();
  std::string name = endpoint;
  std::transform(name.begin(), name.end(), name.begin(), ::toupper);
  const std::string subject = "$SYS.REQ.SERVER.PING." + name;
  auto reply = (*conn)->Request(subject, params.empty() ? "" : params.dump(), ctx.timeout());
  if (!reply.ok()) {
    if (client::IsNoResponders(reply.status()) || client::IsTimeout(reply.status())) {
      return Status::Unavailable("no answer on " + subject +
                                 ": connect as a system account user (--user/--password) or "
                                 "use the monitoring port (--monitor http://host:8222)");
    }
    return reply.status();
  }
  json j = json::parse(reply->data, nullptr, false);
  if (j.is_discarded()) return Status::Corruption("the answer on " + subject + " is not JSON");
  if (j.contains("error") && j["error"].is_object()) {
    return Status::Unavailable(j["error"].value("description", std::string("error")) + " (" +
                               std::to_string(j["error"].value("code", 0)) + ")");
  }
  return j.contains("data") ? j["data"] : j;
}

std::string Str(const json& j, const char* key) {
  if (!j.contains(key)) return "";
  const json& v = j[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

uint64_t Num(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<uint64_t>() : 0;
}

int RunInfo(const CliContext& ctx, const ServerArgs& args) {
  constexpr std::string_view kVerb = "server info";
  auto varz = FetchEndpoint(ctx, args, "varz", json::object());
  if (!varz.ok()) return ctx.Fail(kVerb, varz.status());
  const json& v = *varz;
  if (ctx.json()) {
    CliContext::PrintJson(v);
    return kExitOk;
  }
  // Label/value lines rather than a table: one server, many fields.
  Fields rows;
  auto add = [&rows](std::string label, std::string value) {
    rows.emplace_back(std::move(label), std::move(value));
  };
  add("Name", Str(v, "server_name"));
  add("ID", Str(v, "server_id"));
  add("Version", Str(v, "version"));
  add("Protocol", Str(v, "proto"));
  add("Listening", Str(v, "host") + ":" + Str(v, "port"));
  add("Started", Str(v, "start"));
  add("Uptime", Str(v, "uptime"));
  add("Connections", HumanCount(Num(v, "connections")) + " (total " +
                         HumanCount(Num(v, "total_connections")) + ")");
  add("Subscriptions", HumanCount(Num(v, "subscriptions")));
  add("Messages in/out", HumanCount(Num(v, "in_msgs")) + " / " + HumanCount(Num(v, "out_msgs")));
  add("Bytes in/out", HumanBytes(static_cast<double>(Num(v, "in_bytes"))) + " / " +
                          HumanBytes(static_cast<double>(Num(v, "out_bytes"))));
  add("Slow consumers", HumanCount(Num(v, "slow_consumers")));
  add("Max payload", HumanBytes(static_cast<double>(Num(v, "max_payload"))));
  add("Memory", HumanBytes(static_cast<double>(Num(v, "mem"))));
  add("CPU", Str(v, "cpu") + "%");
  const bool js = v.contains("jetstream") && v["jetstream"].is_object() &&
                  v["jetstream"].contains("config") && !v["jetstream"]["config"].is_null();
  if (js) {
    const json& stats = v["jetstream"].value("stats", json::object());
    add("JetStream", "enabled, memory " + HumanBytes(static_cast<double>(Num(stats, "memory"))) +
                         ", storage " + HumanBytes(static_cast<double>(Num(stats, "storage"))));
  } else {
    add("JetStream", "disabled");
  }
  std::cout << FieldLines(rows);
  return kExitOk;
}

// Round trips on the client connection: PING out, PONG back.
int RunPingRtt(const CliContext& ctx, const ServerArgs& args) {
  constexpr std::string_view kVerb = "server ping";
  CliContext::InstallInterruptHandler();
  auto conn = ctx.Connect(kVerb);
  if (!conn.ok()) return ctx.Fail(kVerb, conn.status());
  const std::string server = (*conn)->ConnectedServer();
  std::vector<int64_t> rtts;
  for (uint64_t i = 0; i < args.count && !CliContext::Interrupted(); ++i) {
    const Clock::time_point start = Clock::now();
    if (Status s = (*conn)->Flush(ctx.timeout()); !s.ok()) return ctx.Fail(kVerb, s);
    const auto rtt = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
    rtts.push_back(rtt.count());
    if (!ctx.json()) {
      std::cout << "PONG from " << server << ": seq=" << i + 1 << " rtt=" << HumanDuration(rtt)
                << std::endl;
    }
  }
  if (rtts.empty()) return kExitOk;
  const int64_t min = *std::min_element(rtts.begin(), rtts.end());
  const int64_t max = *std::max_element(rtts.begin(), rtts.end());
  int64_t sum = 0;
  for (int64_t r : rtts) sum += r;
  const int64_t avg = sum / static_cast<int64_t>(rtts.size());
  if (ctx.json()) {
    CliContext::PrintJson(
        {{"server", server}, {"rtt_ns", rtts}, {"min_ns", min}, {"avg_ns", avg}, {"max_ns", max}});
  } else {
    std::cout << rtts.size()
              << " pings: rtt min/avg/max = " << HumanDuration(std::chrono::nanoseconds(min))
              << " / " << HumanDuration(std::chrono::nanoseconds(avg)) << " / "
              << HumanDuration(std::chrono::nanoseconds(max)) << std::endl;
  }
  return kExitOk;
}

// Every server of the cluster answers $SYS.REQ.SERVER.PING (STATSZ); collect answers until the
// timeout or until --expect servers answered.
int RunPingSys(const CliContext& ctx, const ServerArgs& args) {
  constexpr std::string_view kVerb = "server ping";
  auto conn = ctx.Connect(kVerb);
  if (!conn.ok()) return ctx.Fail(kVerb, conn.status());
  const std::string inbox = client::NewInbox();
  auto sub = (*conn)->SubscribeSync(inbox);
  if (!sub.ok()) return ctx.Fail(kVerb, sub.status());
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + ctx.timeout();
  if (Status s = (*conn)->Publish("$SYS.REQ.SERVER.PING", inbox, {}, ""); !s.ok()) {
    return ctx.Fail(kVerb, s);
  }
  json servers = json::array();
  Table t({"Name", "ID", "Version", "Connections", "RTT"});
  while (args.expect == 0 || servers.size() < args.expect) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    auto msg = sub->NextMsg(left);
    if (!msg.ok()) {
      if (client::IsTimeout(msg.status())) break;
      return ctx.Fail(kVerb, msg.status());
    }
    if (msg->has_headers && msg->headers.status == 503) {
      return ctx.Fail(kVerb,
                      "no responders on $SYS.REQ.SERVER.PING: connect as a system account "
                      "user (--user/--password)");
    }
    const auto rtt = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
    json j = json::parse(msg->data, nullptr, false);
    if (j.is_discarded()) continue;
    const json server = j.value("server", json::object());
    const json stats = j.value("statsz", json::object());
    servers.push_back({{"name", Str(server, "name")},
                       {"id", Str(server, "id")},
                       {"version", Str(server, "ver")},
                       {"connections", Num(stats, "connections")},
                       {"rtt_ns", rtt.count()}});
    t.AddRow({Str(server, "name"), Str(server, "id"), Str(server, "ver"),
              HumanCount(Num(stats, "connections")), HumanDuration(rtt)});
  }
  if (servers.empty()) {
    return ctx.Fail(kVerb, "no server answered on $SYS.REQ.SERVER.PING within " +
                               HumanDuration(ctx.timeout()) +
                               " (is the user in the system account?)");
  }
  if (ctx.json()) {
    CliContext::PrintJson({{"servers", servers}});
  } else {
    std::cout << t.Render() << servers.size() << " server(s) answered" << std::endl;
  }
  if (args.expect > 0 && servers.size() < args.expect) {
    return ctx.Fail(kVerb, "expected " + std::to_string(args.expect) + " servers, " +
                               std::to_string(servers.size()) + " answered");
  }
  return kExitOk;
}

// Exit 0 only when the server reports {"status":"ok"}; the reason otherwise, for monitoring.
int RunCheck(const CliContext& ctx, const ServerArgs& args) {
  constexpr std::string_view kVerb = "server check";
  json params = json::object();
  if (args.js_enabled_only) params["js-enabled-only"] = true;
  if (args.js_server_only) params["js-server-only"] = true;
  int http_status = 0;
  auto health = FetchEndpoint(ctx, args, "healthz", params, &http_status);
  if (!health.ok()) return ctx.Fail(kVerb, health.status());
  const std::string status = Str(*health, "status");
  const bool ok = status == "ok";
  if (ctx.json()) {
    json j = *health;
    if (http_status != 0) j["http_status"] = http_status;
    CliContext::PrintJson(j);
  } else if (ok) {
    std::cout << "OK: server is healthy" << std::endl;
  } else {
    std::string why = Str(*health, "error");
    if (why.empty() && health->contains("errors")) why = (*health)["errors"].dump();
    std::cout << "CRITICAL: status " << (status.empty() ? "unknown" : status)
              << (why.empty() ? "" : ": " + why) << std::endl;
  }
  return ok ? kExitOk : kExitFailure;
}

}  // namespace

void AddServerCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* server = app.add_subcommand("server", "Server information, ping and health check");
  server->require_subcommand(1);
  auto args = std::make_shared<ServerArgs>();
  auto add_monitor = [args](CLI::App* verb) {
    verb->add_option("--monitor", args->monitor,
                     "Monitoring URL (http://host:8222) instead of the system account");
  };

  CLI::App* info = server->add_subcommand("info", "Show the server's /varz summary");
  add_monitor(info);
  ctx.AddConnectionOptions(info);
  info->footer(
      "Examples:\n"
      "  spate server info --monitor http://127.0.0.1:8222\n"
      "  spate server info --user sys --password secret   # via $SYS.REQ.SERVER.PING.VARZ\n"
      "  spate server info --monitor http://127.0.0.1:8222 --json");
  info->callback([&ctx, args] { ctx.set_exit_code(RunInfo(ctx, *args)); });

  CLI::App* ping = server->add_subcommand("ping", "Measure round trips, or list servers ($SYS)");
  ping->add_option("--count", args->count, "Number of PING/PONG round trips")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  ping->add_flag("--sys", args->sys,
                 "Ask every server over $SYS.REQ.SERVER.PING (needs a system account user)");
  ping->add_option("--expect", args->expect, "With --sys: stop once this many servers answered");
  ctx.AddConnectionOptions(ping);
  ping->footer(
      "Examples:\n"
      "  spate server ping --count 3\n"
      "  spate server ping --sys --user sys --password secret --expect 3");
  ping->callback([&ctx, args] {
    ctx.set_exit_code(args->sys ? RunPingSys(ctx, *args) : RunPingRtt(ctx, *args));
  });

  CLI::App* check = server->add_subcommand(
      "check", "Health check (/healthz): exit 0 when the server reports status ok, 1 otherwise");
  add_monitor(check);
  check->add_flag("--js-enabled-only", args->js_enabled_only,
                  "Only check that JetStream is enabled");
  check->add_flag("--js-server-only", args->js_server_only,
                  "Only check the JetStream server, not its streams");
  ctx.AddConnectionOptions(check);
  check->footer(
      "Examples:\n"
      "  spate server check --monitor http://127.0.0.1:8222 && echo healthy\n"
      "  spate server check --user sys --password secret   # via $SYS.REQ.SERVER.PING.HEALTHZ");
  check->callback([&ctx, args] { ctx.set_exit_code(RunCheck(ctx, *args)); });
}

}  // namespace spate::cli
