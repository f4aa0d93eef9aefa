#include "js_bench.h"

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_context.h"
#include "format.h"
#include "js_support.h"
#include "latency_histogram.h"
#include "parse_units.h"

namespace spate::cli {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct JsBenchArgs {
  std::string stream = "BENCH";
  std::string subject;
  uint64_t msgs = 100000;
  std::string size = "128";
  std::string storage = "file";
  size_t window = 256;  // js-pub: acks outstanding; 1 = one at a time
  size_t batch = 100;   // js-consume: messages per fetch
  bool keep = false;    // js-consume: leave the bench consumer on the server
};

int64_t NanosSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

// Finds the stream or creates it on `subject` (with `storage`).
Status EnsureStream(client::JetStream& js, const JsBenchArgs& args) {
  auto info = js.GetStreamInfo(args.stream);
  if (info.ok()) return Status::Ok();
  if (!client::IsApiError(info.status(), 10059)) return info.status();
  client::StreamConfig config;
  config.name = args.stream;
  config.subjects = {args.subject.empty() ? args.stream + ".>" : args.subject};
  config.storage =
      args.storage == "memory" ? client::StorageType::kMemory : client::StorageType::kFile;
  auto created = js.AddStream(config);
  return created.ok() ? Status::Ok() : created.status();
}

void Report(const CliContext& ctx, const char* kind, const JsBenchArgs& args, uint64_t msgs,
            size_t size, int64_t elapsed_ns, const LatencyHistogram& latency) {
  const double rate = elapsed_ns > 0 ? msgs * 1e9 / elapsed_ns : 0;
  if (ctx.json()) {
    json j = {{"kind", kind},
              {"stream", args.stream},
              {"msgs", msgs},
              {"size", size},
              {"elapsed_ns", elapsed_ns},
              {"msgs_per_sec", rate},
              {"bytes_per_sec", rate * static_cast<double>(size)}};
    if (latency.count() > 0) {
      j["latency"] = {{"count", latency.count()},
                      {"p50_ns", latency.Percentile(0.5)},
                      {"p90_ns", latency.Percentile(0.9)},
                      {"p99_ns", latency.Percentile(0.99)},
                      {"max_ns", latency.max()}};
    }
    CliContext::PrintJson(j);
    return;
  }
  std::cout << kind << ": " << HumanCount(static_cast<uint64_t>(rate)) << " msgs/s ~ "
            << HumanBytes(rate * static_cast<double>(size)) << "/s (" << HumanCount(msgs)
            << " msgs of " << HumanBytes(static_cast<double>(size)) << " in "
            << HumanDuration(std::chrono::nanoseconds(elapsed_ns)) << ")\n";
  if (latency.count() > 0) {
    auto d = [](int64_t ns) { return HumanDuration(std::chrono::nanoseconds(ns)); };
    std::cout << "PubAck round trip: p50 " << d(latency.Percentile(0.5)) << "  p90 "
              << d(latency.Percentile(0.9)) << "  p99 " << d(latency.Percentile(0.99)) << "  max "
              << d(latency.max()) << "\n";
  }
  std::cout << std::flush;
}

int RunJsPub(const CliContext& ctx, const JsBenchArgs& args) {
  constexpr std::string_view kVerb = "bench js-pub";
  auto size = ParseSize(args.size);
  if (!size.ok() || *size < 0) {
    return ctx.Fail(kVerb,
                    size.ok() ? Status::InvalidArgument("size must be >= 0") : size.status());
  }
  auto session = OpenJetStream(ctx, kVerb);
  if (!session.ok()) return FailJs(ctx, kVerb, session.status());
  client::JetStream& js = session->js;
  if (Status s = EnsureStream(js, args); !s.ok()) return FailJs(ctx, kVerb, s);
  const std::string subject = args.subject.empty() ? args.stream + ".bench" : args.subject;
  const std::string payload(static_cast<size_t>(*size), 'x');
  CliContext::InstallInterruptHandler();
  LatencyHistogram latency;
  uint64_t sent = 0;
  const auto start = Clock::now();
  if (args.window <= 1) {
    for (; sent < args.msgs && !CliContext::Interrupted(); ++sent) {
      const auto t = Clock::now();
      auto ack = js.Publish(subject, payload);
      if (!ack.ok()) return FailJs(ctx, kVerb, ack.status());
      latency.Record(NanosSince(t));
    }
  } else {
    // The window is the context's: JsOptions::max_async_pending bounds what is in flight.
    client::JsOptions options;
    options.timeout = ctx.timeout();
    options.max_async_pending = args.window;
    auto windowed = client::JetStream::Create(*session->conn, options);
    if (!windowed.ok()) return FailJs(ctx, kVerb, windowed.status());
    auto failure = std::make_shared<std::atomic<bool>>(false);
    for (; sent < args.msgs && !CliContext::Interrupted(); ++sent) {
      Status s = windowed->PublishAsync(subject, payload, {}, [failure](Result<client::PubAck> a) {
        if (!a.ok()) failure->store(true);
      });
      if (!s.ok()) return FailJs(ctx, kVerb, s);
    }
    if (Status s = windowed->PublishAsyncComplete(ctx.timeout() * 10); !s.ok()) {
      return FailJs(ctx, kVerb, s);
    }
    if (failure->load()) {
      return ctx.Fail(kVerb, "some publishes were not acknowledged (see the server log)");
    }
  }
  Report(ctx, "js-pub", args, sent, static_cast<size_t>(*size), NanosSince(start), latency);
  return kExitOk;
}

int RunJsConsume(const CliContext& ctx, const JsBenchArgs& args) {
  constexpr std::string_view kVerb = "bench js-consume";
  auto session = OpenJetStream(ctx, kVerb);
  if (!session.ok()) return FailJs(ctx, kVerb, session.status());
  client::JetStream& js = session->js;
  auto info = js.GetStreamInfo(args.stream);
  if (!info.ok()) return FailJs(ctx, kVerb, info.status());
  const std::string consumer = "spate-bench-consume";
  (void)js.DeleteConsumer(args.stream, consumer);  // a fresh one from the first message
  client::ConsumerConfig config;
  config.ack_policy = client::AckPolicy::kExplicit;
  config.max_ack_pending = static_cast<int64_t>(args.batch) * 2;
  auto sub = js.PullSubscribe(args.stream, consumer, config);
  if (!sub.ok()) return FailJs(ctx, kVerb, sub.status());
  CliContext::InstallInterruptHandler();
  uint64_t received = 0;
  uint64_t bytes = 0;
  const auto start = Clock::now();
  while (received < args.msgs && !CliContext::Interrupted()) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(args.batch, args.msgs - received));
    auto msgs = sub->Fetch(want, ctx.timeout());
    if (!msgs.ok()) return FailJs(ctx, kVerb, msgs.status());
    if (msgs->empty()) {
      return ctx.Fail(kVerb, "the stream ran out after " + std::to_string(received) +
                                 " messages (publish more, or lower --msgs)");
    }
    for (client::JsMsg& m : *msgs) {
      if (Status s = m.Ack(); !s.ok()) return FailJs(ctx, kVerb, s);
      bytes += m.data().size();
    }
    received += msgs->size();
  }
  // Every ack has reached the server before the clock stops.
  if (Status s = session->conn->Flush(ctx.timeout()); !s.ok()) return FailJs(ctx, kVerb, s);
  const int64_t elapsed = NanosSince(start);
  if (!args.keep) (void)js.DeleteConsumer(args.stream, consumer);
  Report(ctx, "js-consume", args, received, received > 0 ? bytes / received : 0, elapsed, {});
  return kExitOk;
}

}  // namespace

void AddJsBenchCommands(CLI::App* bench, CliContext& ctx) {
  {
    auto args = std::make_shared<JsBenchArgs>();
    CLI::App* pub = bench->add_subcommand(
        "js-pub", "JetStream publish with acks: asynchronous in a window, or one at a time");
    pub->add_option("--stream", args->stream, "Stream (created on --subject when missing)")
        ->capture_default_str();
    pub->add_option("--subject", args->subject, "Subject to publish on (default <stream>.bench)");
    pub->add_option("--msgs", args->msgs, "Messages to publish")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    pub->add_option("--size", args->size, "Payload size (e.g. 128, 1KB)")->capture_default_str();
    pub->add_option("--storage", args->storage, "Storage of a stream the bench creates")
        ->check(CLI::IsMember({"file", "memory"}))
        ->capture_default_str();
    pub->add_option("--window", args->window,
                    "PubAcks outstanding at most; 1 publishes one at a time and reports the "
                    "PubAck round trip")
        ->check(CLI::Range(1, 1 << 20))
        ->capture_default_str();
    ctx.AddConnectionOptions(pub);
    pub->footer(
        "Examples:\n  spate bench js-pub --stream BENCH --msgs 200000 --window 256\n"
        "  spate bench js-pub --stream BENCH --msgs 5000 --window 1 --json");
    pub->callback([&ctx, args] { ctx.set_exit_code(RunJsPub(ctx, *args)); });
  }
  {
    auto args = std::make_shared<JsBenchArgs>();
    CLI::App* consume = bench->add_subcommand(
        "js-consume", "JetStream pull consumption with explicit acks of a stream's messages");
    consume->add_option("--stream", args->stream, "Stream to read")->capture_default_str();
    consume->add_option("--msgs", args->msgs, "Messages to consume")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    consume->add_option("--batch", args->batch, "Messages per fetch")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    consume->add_flag("--keep", args->keep, "Leave the bench consumer on the server");
    ctx.AddConnectionOptions(consume);
    consume->footer("Example:\n  spate bench js-consume --stream BENCH --msgs 200000 --batch 200");
    consume->callback([&ctx, args] { ctx.set_exit_code(RunJsConsume(ctx, *args)); });
  }
}

}  // namespace spate::cli
