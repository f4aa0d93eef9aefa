// /metrics: the /varz and /subsz numbers in the Prometheus text format (version 0.0.4).
// nats-server has no such endpoint; names are ours, prefixed "spate_".
#include "jetstream/engine/jetstream.h"
#include "monitor/endpoints.h"
#include "server/client.h"
#include "server/server.h"

namespace spate::monitor {
namespace {

class MetricsWriter {
 public:
  void Add(const std::string& name, const char* type, const char* help, const Json& value,
           const std::string& labels = "") {
    Header(name, type, help);
    Sample(name, value, labels);
  }
  void Sample(const std::string& name, const Json& value, const std::string& labels = "") {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      out_ += labels;
      out_ += '}';
    }
    out_ += ' ';
    out_ += value.dump();
    out_ += '\n';
  }
  void Header(const std::string& name, const char* type, const char* help) {
    for (const char* part :
         {"# HELP ", name.c_str(), " ", help, "\n# TYPE ", name.c_str(), " ", type, "\n"}) {
      out_ += part;
    }
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// A label value with Prometheus escapes (backslash, quote, newline).
std::string LabelValue(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return "\"" + out + "\"";
}

// A histogram in Prometheus' shape: cumulative `le` buckets, +Inf, _sum and _count.
void AddHistogram(MetricsWriter& m, const std::string& name, const char* help,
                  const store::LatencyHistogram& h) {
  m.Header(name, "histogram", help);
  uint64_t cumulative = 0;
  const auto& bounds = store::LatencyHistogram::kBoundsUs;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += h.bucket(i);
    char le[32];
    std::snprintf(le, sizeof le, "le=\"%g\"", static_cast<double>(bounds[i]) / 1e6);
    m.Sample(name + "_bucket", cumulative, le);
  }
  cumulative += h.bucket(bounds.size());
  m.Sample(name + "_bucket", cumulative, "le=\"+Inf\"");
  m.Sample(name + "_sum", static_cast<double>(h.sum_ns()) / 1e9);
  m.Sample(name + "_count", cumulative);
}

// JetStream totals, then one sample per stream and per consumer (from the /jsz report).
void AddJetStreamMetrics(server::Server& server, MetricsWriter& m) {
  auto* js = dynamic_cast<jetstream::JetStream*>(server.jetstream());
  if (js == nullptr) return;
  const Json r = js->JszJson({.accounts = true, .streams = true, .consumers = true});
  m.Add("spate_jetstream_streams", "gauge", "JetStream streams.", r["streams"]);
  m.Add("spate_jetstream_consumers", "gauge", "JetStream consumers.", r["consumers"]);
  m.Add("spate_jetstream_messages", "gauge", "Messages stored in all streams.", r["messages"]);
  m.Add("spate_jetstream_bytes", "gauge", "Bytes stored in all streams.", r["bytes"]);
  m.Add("spate_jetstream_memory_bytes", "gauge", "Bytes held by memory streams.", r["memory"]);
  m.Add("spate_jetstream_storage_bytes", "gauge", "Bytes held by file streams.", r["storage"]);
  m.Add("spate_jetstream_max_memory_bytes", "gauge", "Memory streams may hold this much.",
        r["config"]["max_memory"]);
  m.Add("spate_jetstream_max_storage_bytes", "gauge", "File streams may hold this much.",
        r["config"]["max_storage"]);
  m.Add("spate_jetstream_api_requests_total", "counter", "JetStream API requests.",
        r["api"]["total"]);
  m.Add("spate_jetstream_api_errors_total", "counter", "JetStream API requests that failed.",
        r["api"]["errors"]);
  // Streams of every account; the account is a label, as stream names repeat across accounts.
  std::vector<std::pair<std::string, const Json*>> streams;
  for (const Json& account : r["account_details"]) {
    for (const Json& s : account["stream_detail"]) {
      streams.emplace_back(
          "account=" + LabelValue(account["name"]) + ",stream=" + LabelValue(s["name"]), &s);
    }
  }
  struct Family {
    const char* name;
    const char* help;
    const char* field;
  };
  for (const Family& f :
       {Family{"spate_jetstream_stream_messages", "Messages in a stream.", "messages"},
        Family{"spate_jetstream_stream_bytes", "Bytes in a stream.", "bytes"},
        Family{"spate_jetstream_stream_last_seq", "Last sequence of a stream.", "last_seq"},
        Family{"spate_jetstream_stream_consumers", "Consumers of a stream.", "consumer_count"}}) {
    m.Header(f.name, "gauge", f.help);
    for (const auto& [labels, s] : streams) m.Sample(f.name, (*s)["state"][f.field], labels);
  }
  for (const Family& f :
       {Family{"spate_jetstream_consumer_pending", "Messages a consumer has yet to deliver.",
               "num_pending"},
        Family{"spate_jetstream_consumer_ack_pending", "Messages delivered and not acked yet.",
               "num_ack_pending"},
        Family{"spate_jetstream_consumer_redelivered", "Messages delivered more than once.",
               "num_redelivered"},
        Family{"spate_jetstream_consumer_waiting", "Pull requests waiting.", "num_waiting"}}) {
    m.Header(f.name, "gauge", f.help);
    for (const auto& [labels, s] : streams) {
      for (const Json& c : (*s)["consumer_detail"]) {
        m.Sample(f.name, c[f.field], labels + ",consumer=" + LabelValue(c["name"]));
      }
    }
  }
  AddHistogram(m, "spate_jetstream_store_fsync_seconds",
               "How long the file stores' fdatasyncs took (group commit: one per batch).",
               js->fsync_latency());
}

}  // namespace

HttpResponse HandleMetrics(MonitorContext& ctx, const HttpRequest&) {
  const Json v = BuildVarz(ctx);
  auto loops = SnapshotLoops(ctx.server, {.with_connections = false}, kSnapshotTimeout);
  if (!loops) return TextResponse(503, "timed out collecting subscription state");
  const SublistStats subs = ComputeSublistStats(ctx.server, *loops);

  MetricsWriter m;
  m.Add("spate_server_info", "gauge", "Server identity; the value is always 1.", 1,
        "server_id=" + LabelValue(v["server_id"]) + ",server_name=" + LabelValue(v["server_name"]) +
            ",version=" + LabelValue(v["version"]) +
            ",spate_version=" + LabelValue(v["spate_version"]));
  m.Add("spate_start_time_seconds", "gauge", "Server start time, seconds since the Unix epoch.",
        ctx.server.start_time_ns() / 1'000'000'000);
  m.Add("spate_mem_bytes", "gauge", "Resident memory of the server process.", v["mem"]);
  m.Add("spate_cpu_percent", "gauge", "CPU use of the server process in percent of one core.",
        v["cpu"]);
  m.Add("spate_cores", "gauge", "CPU cores available.", v["cores"]);
  m.Add("spate_event_loops", "gauge", "Event loop threads.", v["gomaxprocs"]);
  m.Add("spate_connections", "gauge", "Client connections open now.", v["connections"]);
  m.Add("spate_connections_total", "counter", "Client connections accepted since start.",
        v["total_connections"]);
  m.Header("spate_connections_closed_total", "counter",
           "Client connections closed since start, by reason.");
  const auto& by_reason = ctx.server.stats().closed_by_reason;
  for (size_t i = 0; i < by_reason.size(); ++i) {
    m.Sample("spate_connections_closed_total", by_reason[i].load(std::memory_order_relaxed),
             "reason=" + LabelValue(server::CloseReasonText(static_cast<server::CloseReason>(i))));
  }
  m.Add("spate_slow_consumers_total", "counter", "Connections closed as slow consumers.",
        v["slow_consumers"]);
  m.Add("spate_routes", "gauge", "Route connections.", v["routes"]);
  m.Add("spate_leafnodes", "gauge", "Leaf node connections.", v["leafnodes"]);
  m.Add("spate_in_msgs_total", "counter", "Messages received from clients.", v["in_msgs"]);
  m.Add("spate_out_msgs_total", "counter", "Messages delivered to clients.", v["out_msgs"]);
  m.Add("spate_in_bytes_total", "counter", "Payload bytes received from clients.", v["in_bytes"]);
  m.Add("spate_out_bytes_total", "counter", "Payload bytes delivered to clients.", v["out_bytes"]);
  m.Add("spate_subscriptions", "gauge", "Subscriptions now.", v["subscriptions"]);
  m.Add("spate_subscription_inserts_total", "counter", "Subscriptions added since start.",
        subs.num_inserts);
  m.Add("spate_subscription_removes_total", "counter", "Subscriptions removed since start.",
        subs.num_removes);
  m.Add("spate_subscription_matches_total", "counter", "Subject matches (cached or not).",
        subs.num_matches);
  m.Add("spate_subscription_cache_hits_total", "counter", "Subject matches served by a cache.",
        subs.cache_hits);
  m.Add("spate_subscription_cache_entries", "gauge", "Entries in the match caches.",
        subs.num_cache);
  m.Add("spate_subscription_max_fanout", "gauge", "Largest fan-out of a computed match.",
        subs.max_fanout);
  AddJetStreamMetrics(ctx.server, m);
  m.Header("spate_http_requests_total", "counter", "Monitoring requests, by path.");
  for (const auto& [path, count] : ctx.request_counts) {
    m.Sample("spate_http_requests_total", count, "path=" + LabelValue(path));
  }
  return {200, "text/plain; version=0.0.4; charset=utf-8", m.Take()};
}

}  // namespace spate::monitor
