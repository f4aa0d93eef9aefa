#include "bench/e2e/js_many_consumers_scenario.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include "bench/e2e/jetstream_support.h"
#include "bench/e2e/proc_stats.h"

namespace spate::bench {
namespace {

constexpr char kStream[] = "BENCH";
constexpr char kSubject[] = "bench.js";
constexpr int kApiWaitMs = 5000;

using ThreadTimes = std::map<pid_t, int64_t>;  // tid -> run time in ns

// Server CPU over an idle window, read once a second.
struct IdleCpu {
  double pct = 0;             // whole window, percent of one CPU
  double pct_ticks = 0;       // the same from /proc/<pid>/stat (10 ms ticks), as a cross-check
  double max_second_pct = 0;  // the busiest second
  double last_second_pct = 0;
  int threads = 0;         // at the end of the window
  int threads_exited = 0;  // their time since the last reading is lost: then pct = pct_ticks
};

Result<IdleCpu> MeasureIdleCpu(pid_t pid, int seconds) {
  IdleCpu idle;
  SPATE_ASSIGN_OR_RETURN(const int64_t ticks_before, ReadCpuMicros(pid));
  SPATE_ASSIGN_OR_RETURN(ThreadTimes previous, ReadThreadCpuNanos(pid));
  const int64_t start = NowNanos();
  int64_t previous_ns = start;
  int64_t busy_ns = 0;
  for (int second = 1; second <= seconds; ++second) {
    SleepUntilNanos(start + int64_t{second} * 1'000'000'000);
    SPATE_ASSIGN_OR_RETURN(ThreadTimes now, ReadThreadCpuNanos(pid));
    const int64_t now_ns = NowNanos();
    int64_t delta = 0;
    for (const auto& [tid, run_ns] : now) {
      const auto it = previous.find(tid);
      delta += run_ns - (it == previous.end() ? 0 : it->second);  // a new thread: all its time
    }
    for (const auto& [tid, run_ns] : previous) idle.threads_exited += now.contains(tid) ? 0 : 1;
    const double pct =
        100.0 * static_cast<double>(delta) / static_cast<double>(now_ns - previous_ns);
    idle.max_second_pct = std::max(idle.max_second_pct, pct);
    idle.last_second_pct = pct;
    busy_ns += delta;
    previous = std::move(now);
    previous_ns = now_ns;
  }
  SPATE_ASSIGN_OR_RETURN(const int64_t ticks_after, ReadCpuMicros(pid));
  const double wall_ns = static_cast<double>(previous_ns - start);
  idle.pct_ticks = 100.0 * static_cast<double>(ticks_after - ticks_before) * 1000.0 / wall_ns;
  idle.pct =
      idle.threads_exited > 0 ? idle.pct_ticks : 100.0 * static_cast<double>(busy_ns) / wall_ns;
  idle.threads = static_cast<int>(previous.size());
  return idle;
}

std::string ConsumerName(int index) {
  char name[16];
  std::snprintf(name, sizeof(name), "c%05d", index);
  return name;
}

}  // namespace

std::string JsManyConsumersScenario::description() const {
  return std::to_string(config_.consumers) +
         " durable pull consumers (explicit ack) created one by one on an empty file stream, "
         "then " +
         std::to_string(config_.idle_seconds) + " s idle; each server's default durability";
}

std::vector<MetricSpec> JsManyConsumersScenario::metrics() const {
  return {{"create_s", "create s", false},
          {"create_us_per_consumer", "create us/consumer", false},
          {"create_cpu_us_per_consumer", "srv cpu us/consumer", false},
          {"idle_cpu_pct", "idle srv cpu %", false},
          {"rss_mib", "srv RSS MiB", false},
          {"rss_kib_per_consumer", "RSS KiB/consumer", false}};
}

Result<std::vector<std::string>> JsManyConsumersScenario::ServerArgs(const ServerSpec& server,
                                                                     const std::string& work_dir) {
  return JetStreamServerArgs(server, std::nullopt, work_dir);
}

Status JsManyConsumersScenario::Run(const ScenarioContext& context, Sample* sample) {
  auto& events = *events_.emplace_back(std::make_unique<ConnectionEvents>());
  SPATE_ASSIGN_OR_RETURN(NatsConnection nc, Connect({.url = context.url,
                                                     .name = "e2e-js-consumers",
                                                     .send_mode = SendMode::kAsap,
                                                     .events = &events}));
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = kApiWaitMs;
  SPATE_ASSIGN_OR_RETURN(JetStreamContext js, NewJetStream(nc.get(), &options));
  SPATE_RETURN_IF_ERROR(AddStream(js.get(), kStream, kSubject, StorageKind::kFile));
  SPATE_ASSIGN_OR_RETURN(const int64_t rss_before, ReadRssKib(context.server_pid));

  const int n = config_.consumers;
  sample->expected_msgs = n;
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_before, ReadCpuMicros(context.server_pid));
  const int64_t start = NowNanos();
  for (int i = 1; i <= n; ++i) {
    const std::string name = ConsumerName(i);
    jsConsumerConfig config;
    jsConsumerConfig_Init(&config);
    config.Durable = name.c_str();
    config.AckPolicy = js_AckExplicit;
    config.DeliverPolicy = js_DeliverAll;
    jsConsumerInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus s = js_AddConsumer(&info, js.get(), kStream, &config, nullptr, &code);
    const std::string where = "consumer " + std::to_string(i) + " of " + std::to_string(n);
    if (s != NATS_OK) {
      if (info != nullptr) jsConsumerInfo_Destroy(info);
      return FromJs(s, code, "js_AddConsumer of " + where);
    }
    const bool named = info != nullptr && info->Name != nullptr && name == info->Name &&
                       info->Stream != nullptr && std::string(kStream) == info->Stream;
    const std::string got = info != nullptr && info->Name != nullptr ? info->Name : "(none)";
    if (info != nullptr) jsConsumerInfo_Destroy(info);
    if (!named) return Status::Corruption(where + ": the answer names consumer " + got);
    sample->received_msgs = i;
  }
  const int64_t end = NowNanos();
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_after, ReadCpuMicros(context.server_pid));
  SPATE_ASSIGN_OR_RETURN(const int64_t rss_after, ReadRssKib(context.server_pid));

  SPATE_ASSIGN_OR_RETURN(const IdleCpu idle,
                         MeasureIdleCpu(context.server_pid, config_.idle_seconds));
  SPATE_ASSIGN_OR_RETURN(const int64_t rss_idle, ReadRssKib(context.server_pid));
  if (events.closed.load() > 0) return Status::Unavailable("the server closed the connection");

  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  SPATE_RETURN_IF_ERROR(
      FromJs(js_GetStreamInfo(&info, js.get(), kStream, nullptr, &code), code, "stream info"));
  const int64_t listed = info->State.Consumers;
  jsStreamInfo_Destroy(info);
  if (listed != n) {
    return Status::Corruption("stream info counts " + std::to_string(listed) + " consumers, " +
                              std::to_string(n) + " were created");
  }

  const double seconds = static_cast<double>(end - start) / 1e9;
  sample->metrics["create_s"] = seconds;
  sample->metrics["create_us_per_consumer"] = seconds * 1e6 / n;
  sample->metrics["create_cpu_us_per_consumer"] = static_cast<double>(cpu_after - cpu_before) / n;
  sample->metrics["idle_cpu_pct"] = idle.pct;
  sample->metrics["idle_cpu_pct_ticks"] = idle.pct_ticks;
  sample->metrics["idle_cpu_pct_max_second"] = idle.max_second_pct;
  sample->metrics["idle_cpu_pct_last_second"] = idle.last_second_pct;
  sample->metrics["idle_threads"] = idle.threads;
  sample->metrics["idle_threads_exited"] = idle.threads_exited;
  sample->metrics["rss_mib"] = static_cast<double>(rss_after) / 1024.0;
  sample->metrics["rss_before_mib"] = static_cast<double>(rss_before) / 1024.0;
  sample->metrics["rss_idle_mib"] = static_cast<double>(rss_idle) / 1024.0;
  sample->metrics["rss_kib_per_consumer"] = static_cast<double>(rss_after - rss_before) / n;
  return Status::Ok();
}

}  // namespace spate::bench
