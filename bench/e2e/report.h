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

// Short human form: 1234567 -> "1.23M", 0.8123 -> "0.812".
std::string FormatValue(double value);

nlohmann::json SampleToJson(const Sample& sample);
nlohmann::json SummaryToJson(const std::vector<MetricSummary>& rows);

}  // namespace spate::bench
