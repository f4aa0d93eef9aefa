#include "bench_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "bench_runner.h"
#include "cli_context.h"
#include "format.h"
#include "js_bench.h"
#include "parse_units.h"
#include "table.h"

namespace spate::cli {
namespace {

using nlohmann::json;

struct BenchArgs {
  std::string subject;
  uint64_t msgs = 100000;
  std::string size = "128";
  int pubs = 1, subs = 1, responders = 1;
  bool no_responder = false;
  bool no_progress = false;
  bool inline_subs = false;
};

constexpr double kMiB = 1024.0 * 1024.0;

json SideJson(const SideStats& side) {
  json clients = json::array();
  for (const ClientStats& c : side.clients) {
    const double rate = c.elapsed_ns > 0 ? c.msgs * 1e9 / c.elapsed_ns : 0;
    clients.push_back({{"msgs", c.msgs},
                       {"bytes", c.bytes},
                       {"elapsed_ns", c.elapsed_ns},
                       {"msgs_per_sec", rate}});
  }
  return {{"msgs", side.msgs},
          {"bytes", side.bytes},
          {"elapsed_ns", side.elapsed_ns},
          {"msgs_per_sec", side.MsgsPerSec()},
          {"bytes_per_sec", side.BytesPerSec()},
          {"mib_per_sec", side.BytesPerSec() / kMiB},
          {"clients", clients}};
}

json LatencyJson(const LatencyHistogram& h) {
  return {{"count", h.count()},
          {"min_ns", h.min()},
          {"mean_ns", h.mean()},
          {"p50_ns", h.Percentile(0.50)},
          {"p90_ns", h.Percentile(0.90)},
          {"p99_ns", h.Percentile(0.99)},
          {"max_ns", h.max()}};
}

std::string RateLine(const char* label, const SideStats& side, size_t size) {
  return std::string(label) + ": " + HumanCount(static_cast<uint64_t>(side.MsgsPerSec())) +
         " msgs/s ~ " + HumanBytes(side.BytesPerSec()) + "/s (" + HumanCount(side.msgs) +
         " msgs of " + HumanBytes(static_cast<double>(size)) + " in " +
         HumanDuration(std::chrono::nanoseconds(side.elapsed_ns)) + ")\n";
}

std::string ClientTable(const SideStats& side, const char* role) {
  if (side.clients.size() < 2) return "";
  Table t({role, "msgs", "msgs/s", "elapsed"});
  for (size_t i = 0; i < side.clients.size(); ++i) {
    const ClientStats& c = side.clients[i];
    const double rate = c.elapsed_ns > 0 ? c.msgs * 1e9 / c.elapsed_ns : 0;
    t.AddRow({"#" + std::to_string(i + 1), HumanCount(c.msgs),
              HumanCount(static_cast<uint64_t>(rate)),
              c.elapsed_ns > 0 ? HumanDuration(std::chrono::nanoseconds(c.elapsed_ns)) : "-"});
  }
  return t.Render();
}

void PrintReport(const CliContext& ctx, const BenchConfig& config, const BenchResult& r,
                 const char* kind) {
  const bool has_latency = r.latency.count() > 0;
  if (ctx.json()) {
    json j = {{"kind", kind},
              {"subject", config.subject},
              {"msgs", config.msgs},
              {"size", config.size},
              {"pubs", config.pubs}};
    if (config.kind == BenchKind::kPubSub) {
      j["subs"] = config.subs;
      j["inline"] = config.inline_subs;
    }
    if (config.kind == BenchKind::kReq) j["responders"] = config.responders;
    j[config.kind == BenchKind::kReq ? "request" : "publish"] = SideJson(r.pub);
    if (config.kind == BenchKind::kPubSub) {
      j["subscribe"] = SideJson(r.sub);
      j["subscribe"]["dropped"] = r.dropped;
    }
    if (has_latency) j["latency"] = LatencyJson(r.latency);
    CliContext::PrintJson(j);
    return;
  }
  std::string out;
  if (config.kind == BenchKind::kReq) {
    out += RateLine("Requests", r.pub, config.size);
    out += ClientTable(r.pub, "requester");
  } else {
    out += RateLine("Pub", r.pub, config.size);
    out += ClientTable(r.pub, "publisher");
  }
  if (config.kind == BenchKind::kPubSub) {
    out += RateLine(config.inline_subs ? "Sub (inline)" : "Sub", r.sub, config.size);
    out += ClientTable(r.sub, "subscriber");
    if (r.dropped > 0) out += "Dropped by slow-consumer limits: " + HumanCount(r.dropped) + "\n";
  }
  if (has_latency) {
    auto d = [](int64_t ns) { return HumanDuration(std::chrono::nanoseconds(ns)); };
    out += std::string(config.kind == BenchKind::kReq ? "Round trip" : "Latency") + ": p50 " +
           d(r.latency.Percentile(0.5)) + "  p90 " + d(r.latency.Percentile(0.9)) + "  p99 " +
           d(r.latency.Percentile(0.99)) + "  min " + d(r.latency.min()) + "  max " +
           d(r.latency.max()) + "\n";
  }
  std::cout << out << std::flush;
}

int RunBench(const CliContext& ctx, const BenchArgs& args, BenchKind kind, const char* name) {
  const std::string verb = std::string("bench ") + name;
  auto size = ParseSize(args.size);
  if (!size.ok() || *size < 0) {
    return ctx.Fail(verb, size.ok() ? Status::InvalidArgument("size must be >= 0") : size.status());
  }
  CliContext::InstallInterruptHandler();
  BenchConfig config;
  config.kind = kind;
  config.subject = args.subject;
  config.msgs = args.msgs;
  config.size = static_cast<size_t>(*size);
  config.pubs = args.pubs;
  config.subs = args.subs;
  config.inline_subs = args.inline_subs;
  config.responders = args.no_responder ? 0 : args.responders;
  config.timeout = ctx.timeout();
  config.progress = !args.no_progress && !ctx.json() && ::isatty(STDOUT_FILENO);
  BenchRunner runner(config, ctx.ConnectOptions(verb),
                     [&ctx](client::Options o) { return ctx.Connect(std::move(o)); });
  auto result = runner.Run();
  if (!result.ok()) return ctx.Fail(verb, result.status());
  PrintReport(ctx, config, *result, name);
  return kExitOk;
}

// Flags every bench verb shares.
void AddCommonFlags(CLI::App* verb, BenchArgs* args, CliContext& ctx) {
  verb->add_option("subject", args->subject, "Subject to use")->required();
  verb->add_option("--msgs", args->msgs, "Messages in total, split across the clients")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  verb->add_option("--size", args->size, "Payload size (e.g. 128, 1KB, 16KiB)")
      ->capture_default_str();
  verb->add_flag("--no-progress", args->no_progress, "Never draw the progress bar");
  ctx.AddConnectionOptions(verb);
}

}  // namespace

void AddBenchCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* bench =
      app.add_subcommand("bench", "Benchmark a server: publish, pub+sub, request, JetStream");
  bench->require_subcommand(1);
  bench->footer(
      "The progress bar is drawn only when stdout is a terminal; --json prints one object with\n"
      "msgs_per_sec, bytes_per_sec and latency percentiles in nanoseconds.");
  {
    auto args = std::make_shared<BenchArgs>();
    CLI::App* pub = bench->add_subcommand("pub", "Publishers only: how fast the server ingests");
    AddCommonFlags(pub, args.get(), ctx);
    pub->add_option("--pubs", args->pubs, "Publisher connections")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    pub->footer("Example:\n  spate bench pub bench.x --msgs 1000000 --size 128 --pubs 2 --json");
    pub->callback(
        [&ctx, args] { ctx.set_exit_code(RunBench(ctx, *args, BenchKind::kPub, "pub")); });
  }
  {
    auto args = std::make_shared<BenchArgs>();
    CLI::App* sub = bench->add_subcommand(
        "sub", "Publishers and subscribers together: throughput and publish-to-receive latency");
    AddCommonFlags(sub, args.get(), ctx);
    sub->add_option("--pubs", args->pubs, "Publisher connections")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    sub->add_option("--subs", args->subs, "Subscriber connections (each gets every message)")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    sub->add_flag("--inline", args->inline_subs,
                  "Subscribers read zero-copy on the I/O thread (SubscribeInline) instead of "
                  "copying each message to the dispatcher thread");
    sub->footer(
        "Example:\n  spate bench sub bench.x --msgs 500000 --size 64 --subs 4\n"
        "  spate bench sub bench.x --msgs 1000000 --size 128 --inline");
    sub->callback(
        [&ctx, args] { ctx.set_exit_code(RunBench(ctx, *args, BenchKind::kPubSub, "sub")); });
  }
  {
    auto args = std::make_shared<BenchArgs>();
    args->msgs = 10000;
    CLI::App* req = bench->add_subcommand(
        "req", "Request/reply round trips against a built-in (or external) responder");
    AddCommonFlags(req, args.get(), ctx);
    req->add_option("--pubs,--clients", args->pubs, "Requester connections, each one at a time")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    req->add_option("--responders", args->responders, "Built-in responder connections")
        ->check(CLI::Range(1, 1024))
        ->capture_default_str();
    req->add_flag("--no-responder", args->no_responder,
                  "Do not start a responder: one is already serving the subject");
    req->footer("Example:\n  spate bench req bench.echo --msgs 20000 --clients 4");
    req->callback(
        [&ctx, args] { ctx.set_exit_code(RunBench(ctx, *args, BenchKind::kReq, "req")); });
  }
  AddJsBenchCommands(bench, ctx);
}

}  // namespace spate::cli
