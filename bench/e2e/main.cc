// spate-e2e-bench: end-to-end A/B benchmark of two NATS servers (spate-server vs nats-server by
// default). See bench/README.md for what each scenario measures and how to read the table.

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>
#include <utility>

#include "bench/e2e/bench_options.h"
#include "bench/e2e/nats_client.h"
#include "bench/e2e/proc_stats.h"
#include "bench/e2e/report.h"
#include "bench/e2e/scenario.h"
#include "bench/e2e/server_process.h"

namespace spate::bench {
namespace {

// Above this much foreign CPU use (percent of one CPU) during a sample, the table gets a warning.
constexpr double kNoisyOtherCpuPct = 10.0;

// The ServerControl of one sample: its current process, plus the CPU time of the processes it
// already stopped (a scenario may restart the server). The first start logs to `<base>.log`,
// later ones to `<base>-start<N>.log`.
class SampleServer : public ServerControl {
 public:
  SampleServer(std::string binary, std::vector<std::string> args, std::string log_base)
      : binary_(std::move(binary)), args_(std::move(args)), log_base_(std::move(log_base)) {}

  const std::string& url() const override { return process_->url(); }
  pid_t pid() const override { return process_->pid(); }
  int64_t started_ns() const override { return process_->started_ns(); }
  int64_t listening_ns() const override { return process_->listening_ns(); }
  ServerProcess* process() { return process_.get(); }
  const std::vector<std::string>& log_paths() const { return log_paths_; }

  Status Start() override {
    if (process_ != nullptr) {
      if (process_->Running()) return Status::Internal("Start: the server is still running");
      if (auto cpu = process_->CpuMicros(); cpu.ok()) retired_cpu_us_ += *cpu;
      process_.reset();
    }
    const std::string log_path =
        log_paths_.empty() ? log_base_ + ".log"
                           : log_base_ + "-start" + std::to_string(log_paths_.size() + 1) + ".log";
    log_paths_.push_back(log_path);
    SPATE_ASSIGN_OR_RETURN(process_, ServerProcess::Start(binary_, args_, log_path));
    return Status::Ok();
  }
  Status Stop() override {
    return process_ != nullptr ? process_->Stop() : Status::Internal("Stop: never started");
  }
  // Every process of this sample, the current one included.
  Result<int64_t> TotalCpuMicros() const {
    if (process_ == nullptr) return retired_cpu_us_;
    SPATE_ASSIGN_OR_RETURN(const int64_t current, process_->CpuMicros());
    return retired_cpu_us_ + current;
  }

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::string log_base_;
  std::vector<std::string> log_paths_;
  std::unique_ptr<ServerProcess> process_;
  int64_t retired_cpu_us_ = 0;
};

// True when `name` is `pattern`, or starts with it when the pattern ends with '*'.
bool NameMatches(const std::string& pattern, const std::string& name) {
  if (!pattern.empty() && pattern.back() == '*') {
    return name.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  }
  return name == pattern;
}

double LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double one_minute = 0;
  in >> one_minute;
  return one_minute;
}

std::string FormatMetrics(const Scenario& scenario, const Sample& sample) {
  std::string text;
  for (const MetricSpec& spec : scenario.metrics()) {
    auto it = sample.metrics.find(spec.name);
    if (it == sample.metrics.end()) continue;
    text += (text.empty() ? "" : ", ") + FormatValue(it->second) + " " + spec.unit;
  }
  return text;
}

// One sample: a fresh server process, one scenario, then the server is stopped.
Sample RunOnce(Scenario& scenario, const ServerSpec& server, int round,
               const std::string& log_dir) {
  Sample sample;
  sample.scenario = scenario.name();
  sample.server = server.name;
  sample.round = round;
  const int64_t wall_before = NowNanos();
  const Result<int64_t> busy_before = ReadSystemBusyMicros();
  const Result<int64_t> self_before = ReadCpuMicros(getpid());
  const std::string base =
      log_dir + "/round" + std::to_string(round) + "-" + scenario.name() + "-" + server.name;
  // The sample's own directory (a JetStream store, say); removed at the end, even when the
  // logs are kept, because it can be large.
  const std::string work_dir = base + ".work";
  std::error_code ec;
  std::filesystem::create_directories(work_dir, ec);
  struct RemoveDir {
    const std::string& dir;
    ~RemoveDir() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } remove_work_dir{work_dir};
  if (ec) {
    sample.error = "cannot create " + work_dir + ": " + ec.message();
    return sample;
  }
  auto args = scenario.ServerArgs(server, work_dir);
  if (!args.ok()) {
    sample.error = "server arguments: " + args.status().message();
    return sample;
  }
  SampleServer process(server.path, *args, base);
  if (const Status started = process.Start(); !started.ok()) {
    sample.error = "start: " + started.message();
    return sample;
  }
  const Status run = scenario.Run(
      {.url = process.url(), .server_pid = process.pid(), .server = &process}, &sample);
  if (!run.ok()) sample.error = run.message();
  // CPU time used by anything but this benchmark and the server: other people's builds, say.
  const Result<int64_t> busy_after = ReadSystemBusyMicros();
  const Result<int64_t> self_after = ReadCpuMicros(getpid());
  const Result<int64_t> server_cpu = process.TotalCpuMicros();
  if (busy_before.ok() && self_before.ok() && busy_after.ok() && self_after.ok() &&
      server_cpu.ok()) {
    const int64_t other = (*busy_after - *busy_before) - (*self_after - *self_before) - *server_cpu;
    const double wall_us = static_cast<double>(NowNanos() - wall_before) / 1000.0;
    sample.metrics["other_cpu_pct"] = std::max(0.0, 100.0 * static_cast<double>(other) / wall_us);
  }
  if (process.process() == nullptr || !process.process()->Running()) {
    sample.error += std::string(sample.error.empty() ? "" : "; ") + "server exited during the run";
  }
  for (const std::string& log_path : process.log_paths()) {
    if (const int slow = ServerProcess::CountLogLinesIn(log_path, "Slow Consumer"); slow > 0) {
      sample.notes.push_back(std::to_string(slow) + " slow-consumer line(s) in " + log_path);
    }
  }
  if (process.process() != nullptr) {
    if (const Status stopped = process.process()->Stop(); !stopped.ok()) {
      sample.notes.push_back(stopped.message());
    }
  }
  return sample;
}

// RunOnce, repeated (see --max-other-cpu) while other processes took too much CPU.
Sample RunWithRetries(Scenario& scenario, const ServerSpec& server, int round,
                      const BenchOptions& options, const std::string& log_dir) {
  Sample sample = RunOnce(scenario, server, round, log_dir);
  for (int attempt = 2;
       attempt <= options.max_attempts && options.max_other_cpu > 0 && scenario.cpu_sensitive() &&
       sample.metrics["other_cpu_pct"] > options.max_other_cpu;
       ++attempt) {
    std::fprintf(stderr, "[round %d/%d] %-28s %-8s other cpu %.0f%%: running it again\n", round,
                 options.rounds, scenario.name().c_str(), server.name.c_str(),
                 sample.metrics["other_cpu_pct"]);
    sample = RunOnce(scenario, server, round, log_dir);
    sample.metrics["attempt"] = attempt;
  }
  return sample;
}

// Every raw sample plus the summary, for later analysis.
void WriteJson(const BenchOptions& options, const std::vector<Scenario*>& scenarios,
               const std::vector<Sample>& samples, const std::vector<MetricSummary>& rows,
               std::pair<double, double> load_average) {
  nlohmann::json doc = {
      {"tool", "spate-e2e-bench"},
      {"a", {{"name", options.a_name}, {"path", options.a_path}}},
      {"b", {{"name", options.b_name}, {"path", options.b_path}}},
      {"rounds", options.rounds},
      {"quick", options.quick},
      {"self", options.self},
      {"max_other_cpu", options.max_other_cpu},
      {"cpus", std::thread::hardware_concurrency()},
      {"load_avg_start", load_average.first},
      {"load_avg_end", load_average.second},
      {"scenarios", nlohmann::json::array()},
      {"samples", nlohmann::json::array()},
      {"summary", SummaryToJson(rows)},
  };
  for (const Scenario* scenario : scenarios) {
    doc["scenarios"].push_back(
        {{"name", scenario->name()}, {"description", scenario->description()}});
  }
  for (const Sample& sample : samples) doc["samples"].push_back(SampleToJson(sample));
  std::ofstream out(options.json_path);
  out << doc.dump(2) << "\n";
  if (!out) std::cerr << "cannot write " << options.json_path << "\n";
}

int Main(int argc, char** argv) {
  auto parsed = ParseBenchOptions(argc, argv);
  if (!parsed.ok()) {
    std::cerr << parsed.status().message();
    return 2;
  }
  const BenchOptions& options = *parsed;
  if (options.help) {
    std::cout << BenchUsage();
    return 0;
  }

  ScenarioScale scale;
  if (options.quick) {
    scale = {.msg_factor = 0.1,
             .requests = 1000,
             .idle_connections = 200,
             .restart_messages = 100'000,
             .many_consumers = 1000,
             .consumers_idle_seconds = 2};
  }
  std::vector<std::unique_ptr<Scenario>> all = MakeScenarios(scale);
  if (options.list) {
    for (const auto& scenario : all) {
      std::cout << scenario->name() << ": " << scenario->description() << "\n";
    }
    return 0;
  }
  std::vector<Scenario*> selected;
  for (const auto& scenario : all) {
    const auto& wanted = options.scenarios;
    if (wanted.empty() || std::any_of(wanted.begin(), wanted.end(), [&](const std::string& p) {
          return NameMatches(p, scenario->name());
        })) {
      selected.push_back(scenario.get());
    }
  }
  for (const std::string& name : options.scenarios) {
    if (std::none_of(all.begin(), all.end(),
                     [&](const auto& s) { return NameMatches(name, s->name()); })) {
      std::cerr << "unknown scenario " << name << " (see --list)\n";
      return 2;
    }
  }
  std::vector<ServerSpec> servers = {{options.a_name, options.a_path, ServerKind::kNats, 0},
                                     {options.b_name, options.b_path, ServerKind::kNats, 1}};
  for (ServerSpec& server : servers) {
    auto version = ServerVersion(server.path);
    if (!version.ok()) {
      std::cerr << version.status().message() << "\n";
      return 1;
    }
    if (version->find("spate") != std::string::npos) server.kind = ServerKind::kSpate;
    std::cerr << server.name << ": " << *version << "\n";
  }
  // Scenarios a server cannot run (a configuration option it lacks) are left out for both.
  std::vector<std::string> skipped;
  std::erase_if(selected, [&](Scenario* scenario) {
    for (const ServerSpec& server : servers) {
      if (std::string reason = scenario->Unsupported(server); !reason.empty()) {
        skipped.push_back("skipped " + scenario->name() + ": " + reason);
        std::cerr << skipped.back() << "\n";
        return true;
      }
    }
    return false;
  });

  const int64_t file_limit = RaiseFileLimit();
  if (file_limit < scale.idle_connections + 200) {
    std::cerr << "warning: RLIMIT_NOFILE is " << file_limit << "; idle-conns may fail\n";
  }
  signal(SIGPIPE, SIG_IGN);
  if (const Status s = InitNatsLibrary(); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 1;
  }
  char log_template[] = "/tmp/spate-e2e-XXXXXX";
  const char* log_dir = mkdtemp(log_template);
  if (log_dir == nullptr) {
    std::cerr << "cannot create a log directory in /tmp\n";
    return 1;
  }

  std::cerr << "A = " << options.a_name << " (" << options.a_path << ")\nB = " << options.b_name
            << " (" << options.b_path << ")\n"
            << options.rounds << " round(s) of " << selected.size()
            << " scenario(s), A then B, fresh server per sample; "
            << std::thread::hardware_concurrency() << " CPUs, load average " << LoadAverage()
            << "\nserver logs: " << log_dir << "\n";
  // "other cpu" below is CPU time used during the sample by processes other than the benchmark
  // and the server, in percent of one CPU.
  const double load_at_start = LoadAverage();

  std::vector<Sample> samples;
  double max_other_cpu = 0;
  for (int round = 1; round <= options.rounds; ++round) {
    for (Scenario* scenario : selected) {
      for (const ServerSpec& server : servers) {
        Sample sample = RunWithRetries(*scenario, server, round, options, log_dir);
        std::string other_cpu;
        if (auto it = sample.metrics.find("other_cpu_pct"); it != sample.metrics.end()) {
          if (scenario->cpu_sensitive()) max_other_cpu = std::max(max_other_cpu, it->second);
          other_cpu = " (other cpu " + std::to_string(std::lround(it->second)) + "%)";
        }
        std::fprintf(stderr, "[round %d/%d] %-28s %-8s %s%s\n", round, options.rounds,
                     scenario->name().c_str(), server.name.c_str(),
                     sample.error.empty() ? FormatMetrics(*scenario, sample).c_str()
                                          : ("FAILED: " + sample.error).c_str(),
                     other_cpu.c_str());
        samples.push_back(std::move(sample));
      }
    }
  }

  const std::vector<MetricSummary> rows =
      Summarize(selected, samples, options.a_name, options.b_name);
  std::cout << "\n"
            << FormatTable(rows, samples, options.a_name, options.b_name)
            << "\nmedian over rounds; min..max across rounds; ok = valid samples of A and B.\n"
               "msgs/s counts deliveries at the subscribers (js-pub: PubAcks; js consume: "
               "messages received and acked); cpu = server utime+stime per such message "
               "(request, connection).\n";
  for (const std::string& line : skipped) std::cout << line << "\n";
  const double load_at_end = LoadAverage();
  if (max_other_cpu > kNoisyOtherCpuPct) {
    std::printf(
        "note: other processes used up to %.0f%% of a CPU during a sample (other_cpu_pct in the "
        "JSON); those numbers are noisy.\n",
        max_other_cpu);
  }

  bool any_failed = false;
  for (const Sample& sample : samples) any_failed |= !sample.error.empty() || !sample.notes.empty();
  if (!options.json_path.empty()) {
    WriteJson(options, selected, samples, rows, {load_at_start, load_at_end});
  }
  if (options.keep_logs || any_failed) {
    std::cerr << "server logs kept in " << log_dir << "\n";
  } else {
    std::error_code ignored;
    std::filesystem::remove_all(log_dir, ignored);
  }
  CloseNatsLibrary();
  return any_failed ? 1 : 0;
}

}  // namespace
}  // namespace spate::bench

int main(int argc, char** argv) { return spate::bench::Main(argc, argv); }
