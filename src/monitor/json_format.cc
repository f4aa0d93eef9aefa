#include "monitor/json_format.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "conf/duration.h"

namespace spate::monitor {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

}  // namespace

std::string FormatTime(int64_t unix_ns) {
  std::time_t secs = static_cast<std::time_t>(unix_ns / kSecond);
  int64_t frac = unix_ns % kSecond;
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (frac != 0) {
    char digits[16];
    std::snprintf(digits, sizeof digits, ".%09lld", static_cast<long long>(frac));
    std::string f(digits);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

std::string FormatUptime(int64_t ns) {
  int64_t secs = ns < 0 ? 0 : ns / kSecond;
  int64_t mins = secs / 60, hours = mins / 60, days = hours / 24, years = days / 365;
  char buf[96];
  if (years > 0) {
    std::snprintf(buf, sizeof buf, "%lldy%lldd%lldh%lldm%llds", (long long)years,
                  (long long)(days % 365), (long long)(hours % 24), (long long)(mins % 60),
                  (long long)(secs % 60));
  } else if (days > 0) {
    std::snprintf(buf, sizeof buf, "%lldd%lldh%lldm%llds", (long long)days, (long long)(hours % 24),
                  (long long)(mins % 60), (long long)(secs % 60));
  } else if (hours > 0) {
    std::snprintf(buf, sizeof buf, "%lldh%lldm%llds", (long long)hours, (long long)(mins % 60),
                  (long long)(secs % 60));
  } else if (mins > 0) {
    std::snprintf(buf, sizeof buf, "%lldm%llds", (long long)mins, (long long)(secs % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%llds", (long long)secs);
  }
  return buf;
}

std::string FormatGoDuration(int64_t ns) {
  return conf::FormatDuration(std::chrono::nanoseconds(ns));
}

std::string FormatRtt(int64_t ns) {
  if (ns > 1000 && ns < 1'000'000) ns -= ns % 1000;
  return FormatGoDuration(ns);
}

std::string JoinHostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Json GoFloat(double value) {
  double whole;
  if (std::modf(value, &whole) == 0.0 && std::fabs(value) < 9.0e15) {
    return static_cast<int64_t>(whole);
  }
  return value;
}

std::string Dump(const Json& j) {
  return j.dump(2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

}  // namespace spate::monitor
