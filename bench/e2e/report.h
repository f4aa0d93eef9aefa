#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/e2e/scenario.h"

namespace spate::bench {

// One server's values of one metric across rounds (valid samples only).
struct SideSummary {
  int valid = 0;  // samples without error
  int total = 0;
  double median = 0, min = 0, max = 0;
};

// One row of the result table.
struct MetricSummary {
  std::string scenario;
  MetricSpec spec;
  SideSummary a, b;
  double ratio = 0;  // a.median / b.median; 0 when either side has no valid sample
};

std::vector<MetricSummary> Summarize(const std::vector<Scenario*>& scenarios,
                                     const std::vector<Sample>& samples, const std::string& a_name,
                                     const std::string& b_name);

// The aligned text table, with a line per failed sample underneath.
std::string FormatTable(const std::vector<MetricSummary>& rows, const std::vector<Sample>& samples,
                        const std::string& a_name, const std::string& b_name);

// Nearest-rank percentile of sorted, non-empty values; q in [0, 1].
double Percentile(const std::vector<int64_t>& sorted, double q);

// A run of `messages` from start_ns to end_ns, with the server's CPU time (us) read before and
// after: msgs_per_sec, seconds, cpu_us_per_msg.
void RecordRate(Sample* sample, int64_t messages, int64_t start_ns, int64_t end_ns,
                int64_t cpu_before_us, int64_t cpu_after_us);
// p50_us, p90_us, p99_us, p999_us and max_us of sorted, non-empty latencies in ns.
void RecordLatencies(Sample* sample, const std::vector<int64_t>& sorted_ns);

// Short human form: 1234567 -> "1.23M", 0.8123 -> "0.812".
std::string FormatValue(double value);

nlohmann::json SampleToJson(const Sample& sample);
nlohmann::json SummaryToJson(const std::vector<MetricSummary>& rows);

}  // namespace spate::bench
