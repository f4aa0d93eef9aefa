#include "format.h"

#include <algorithm>
#include <cstdio>

namespace spate::cli {

std::string FixedDecimal(double value, int places) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", places, value);
  return buf;
}

std::string HumanBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 5) {
    bytes /= 1024;
    ++unit;
  }
  if (unit == 0) return FixedDecimal(bytes, 0) + " B";
  return FixedDecimal(bytes, bytes < 10 ? 2 : 1) + " " + kUnits[unit];
}

std::string HumanCount(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  const size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out.append(digits, 0, first);
  for (size_t i = first; i < digits.size(); i += 3) {
    out += ',';
    out.append(digits, i, 3);
  }
  return out;
}

std::string HumanDuration(std::chrono::nanoseconds d) {
  const int64_t ns = d.count();
  if (ns < 0) {
    std::string out = "-";  // (not "-" + ...: g++ 12 warns falsely, -Wrestrict)
    return out += HumanDuration(-d);
  }
  if (ns < 1'000) return std::to_string(ns) + "ns";
  if (ns < 1'000'000) return FixedDecimal(ns / 1e3, 2) + "µs";
  if (ns < 1'000'000'000) return FixedDecimal(ns / 1e6, 2) + "ms";
  if (ns < 60'000'000'000) return FixedDecimal(ns / 1e9, 2) + "s";
  int64_t s = ns / 1'000'000'000;
  const int64_t days = s / 86400;
  s %= 86400;
  const int64_t hours = s / 3600;
  s %= 3600;
  const int64_t minutes = s / 60;
  s %= 60;
  std::string out;
  if (days > 0) out += std::to_string(days) + "d";
  if (hours > 0) out += std::to_string(hours) + "h";
  if (days == 0 && minutes > 0) out += std::to_string(minutes) + "m";
  if (days == 0 && hours == 0 && s > 0) out += std::to_string(s) + "s";
  return out.empty() ? "0s" : out;
}

std::string FieldLines(const Fields& fields) {
  size_t width = 0;
  for (const auto& [label, value] : fields) width = std::max(width, label.size());
  std::string out;
  for (const auto& [label, value] : fields) {
    out += "  " + label + ":" + std::string(width - label.size() + 1, ' ') + value + "\n";
  }
  return out;
}

std::string HeaderLines(const client::Headers& headers) {
  std::string out;
  if (headers.status != 0) {
    out += "NATS/1.0 " + std::to_string(headers.status);
    if (!headers.description.empty()) out += " " + headers.description;
    out += "\n";
  }
  for (const auto& [key, value] : headers.fields) out += key + ": " + value + "\n";
  return out;
}

}  // namespace spate::cli

namespace spate::cli {

nlohmann::json HeadersToJson(const client::Headers& headers) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, value] : headers.fields) j[key].push_back(value);
  return j;
}

nlohmann::json MsgToJson(const client::Msg& msg) {
  nlohmann::json j;
  j["subject"] = msg.subject;
  if (!msg.reply.empty()) j["reply"] = msg.reply;
  if (msg.has_headers) {
    j["headers"] = HeadersToJson(msg.headers);
    if (msg.headers.status != 0) {
      j["status"] = msg.headers.status;
      if (!msg.headers.description.empty()) j["description"] = msg.headers.description;
    }
  }
  j["data"] = msg.data;
  return j;
}

}  // namespace spate::cli
