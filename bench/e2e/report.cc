#include "bench/e2e/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace spate::bench {
namespace {

SideSummary SummarizeSide(const std::vector<Sample>& samples, const std::string& scenario,
                          const std::string& server, const std::string& metric) {
  SideSummary side;
  std::vector<double> values;
  for (const Sample& sample : samples) {
    if (sample.scenario != scenario || sample.server != server) continue;
    ++side.total;
    if (!sample.error.empty()) continue;
    if (auto it = sample.metrics.find(metric); it != sample.metrics.end()) {
      values.push_back(it->second);
    }
  }
  side.valid = static_cast<int>(values.size());
  if (values.empty()) return side;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  side.median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  side.min = values.front();
  side.max = values.back();
  return side;
}

std::string FormatMedian(const SideSummary& side) {
  return side.valid == 0 ? "FAIL" : FormatValue(side.median);
}

std::string FormatSpread(const SideSummary& side) {
  if (side.valid == 0) return "-";
  return FormatValue(side.min) + ".." + FormatValue(side.max);
}

std::string FormatRatio(double ratio) {
  if (ratio <= 0) return "-";
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", ratio);
  return text;
}

std::string FormatCount(const SideSummary& side) {
  return std::to_string(side.valid) + "/" + std::to_string(side.total);
}

nlohmann::json SideToJson(const SideSummary& side) {
  return {{"valid", side.valid},
          {"total", side.total},
          {"median", side.median},
          {"min", side.min},
          {"max", side.max}};
}

}  // namespace

double Percentile(const std::vector<int64_t>& sorted, double q) {
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return static_cast<double>(sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1]);
}

void RecordRate(Sample* sample, int64_t messages, int64_t start_ns, int64_t end_ns,
                int64_t cpu_before_us, int64_t cpu_after_us) {
  const double seconds = static_cast<double>(end_ns - start_ns) / 1e9;
  sample->metrics["msgs_per_sec"] = static_cast<double>(messages) / seconds;
  sample->metrics["seconds"] = seconds;
  sample->metrics["cpu_us_per_msg"] =
      static_cast<double>(cpu_after_us - cpu_before_us) / static_cast<double>(messages);
}

void RecordLatencies(Sample* sample, const std::vector<int64_t>& sorted_ns) {
  sample->metrics["p50_us"] = Percentile(sorted_ns, 0.50) / 1000.0;
  sample->metrics["p90_us"] = Percentile(sorted_ns, 0.90) / 1000.0;
  sample->metrics["p99_us"] = Percentile(sorted_ns, 0.99) / 1000.0;
  sample->metrics["p999_us"] = Percentile(sorted_ns, 0.999) / 1000.0;
  sample->metrics["max_us"] = static_cast<double>(sorted_ns.back()) / 1000.0;
}

std::string FormatValue(double value) {
  char text[32];
  const double magnitude = value < 0 ? -value : value;
  if (magnitude >= 1e6) {
    std::snprintf(text, sizeof(text), "%.2fM", value / 1e6);
  } else if (magnitude >= 1e4) {
    std::snprintf(text, sizeof(text), "%.1fk", value / 1e3);
  } else if (magnitude >= 100) {
    std::snprintf(text, sizeof(text), "%.0f", value);
  } else if (magnitude >= 10) {
    std::snprintf(text, sizeof(text), "%.1f", value);
  } else {
    std::snprintf(text, sizeof(text), "%.3f", value);
  }
  return text;
}

std::vector<MetricSummary> Summarize(const std::vector<Scenario*>& scenarios,
                                     const std::vector<Sample>& samples, const std::string& a_name,
                                     const std::string& b_name) {
  std::vector<MetricSummary> rows;
  for (const Scenario* scenario : scenarios) {
    for (const MetricSpec& spec : scenario->metrics()) {
      MetricSummary row;
      row.scenario = scenario->name();
      row.spec = spec;
      row.a = SummarizeSide(samples, scenario->name(), a_name, spec.name);
      row.b = SummarizeSide(samples, scenario->name(), b_name, spec.name);
      if (row.a.valid > 0 && row.b.valid > 0 && row.b.median != 0) {
        row.ratio = row.a.median / row.b.median;
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::string FormatTable(const std::vector<MetricSummary>& rows, const std::vector<Sample>& samples,
                        const std::string& a_name, const std::string& b_name) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"scenario", "metric", "better", a_name, a_name + " min..max", b_name,
                   b_name + " min..max", a_name + "/" + b_name, "ok"});
  for (const MetricSummary& row : rows) {
    cells.push_back({row.scenario, row.spec.unit, row.spec.higher_is_better ? "higher" : "lower",
                     FormatMedian(row.a), FormatSpread(row.a), FormatMedian(row.b),
                     FormatSpread(row.b), FormatRatio(row.ratio),
                     FormatCount(row.a) + " " + FormatCount(row.b)});
  }
  std::vector<size_t> widths(cells.front().size(), 0);
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  }
  std::ostringstream out;
  for (size_t r = 0; r < cells.size(); ++r) {
    for (size_t i = 0; i < cells[r].size(); ++i) {
      const std::string& cell = cells[r][i];
      const bool left = i < 3;  // text columns left, numbers right
      const std::string pad(widths[i] - cell.size(), ' ');
      out << (left ? cell + pad : pad + cell) << (i + 1 < cells[r].size() ? "  " : "");
    }
    out << "\n";
    if (r == 0) {
      size_t total = 0;
      for (size_t w : widths) total += w + 2;
      out << std::string(total - 2, '-') << "\n";
    }
  }
  bool header_done = false;
  for (const Sample& sample : samples) {
    if (sample.error.empty() && sample.notes.empty()) continue;
    if (!header_done) {
      out << "\nfailures and notes (failed samples are left out of the medians):\n";
      header_done = true;
    }
    out << "  round " << sample.round << " " << sample.scenario << " " << sample.server << ": "
        << (sample.error.empty() ? "ok" : "FAILED: " + sample.error);
    for (const std::string& note : sample.notes) out << "; " << note;
    out << "\n";
  }
  return out.str();
}

nlohmann::json SampleToJson(const Sample& sample) {
  return {{"scenario", sample.scenario},
          {"server", sample.server},
          {"round", sample.round},
          {"ok", sample.error.empty()},
          {"error", sample.error},
          {"expected_msgs", sample.expected_msgs},
          {"received_msgs", sample.received_msgs},
          {"metrics", sample.metrics},
          {"notes", sample.notes}};
}

nlohmann::json SummaryToJson(const std::vector<MetricSummary>& rows) {
  nlohmann::json list = nlohmann::json::array();
  for (const MetricSummary& row : rows) {
    list.push_back({{"scenario", row.scenario},
                    {"metric", row.spec.name},
                    {"unit", row.spec.unit},
                    {"higher_is_better", row.spec.higher_is_better},
                    {"a", SideToJson(row.a)},
                    {"b", SideToJson(row.b)},
                    {"ratio_a_over_b", row.ratio}});
  }
  return list;
}

}  // namespace spate::bench
