#include "monitor/json_format.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace spate::monitor {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

// `v` / 10^prec with the fraction's trailing zeros (and a bare point) removed.
std::string FixedTrimmed(uint64_t v, int prec) {
  uint64_t scale = 1;
  for (int i = 0; i < prec; ++i) scale *= 10;
  std::string out = std::to_string(v / scale);
  uint64_t frac = v % scale;
  if (frac == 0) return out;
  char digits[32];
  std::snprintf(digits, sizeof digits, "%0*llu", prec, static_cast<unsigned long long>(frac));
  std::string f(digits);
  while (!f.empty() && f.back() == '0') f.pop_back();
  return out + "." + f;
}

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
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  if (u < static_cast<uint64_t>(kSecond)) {
    if (u < 1000) return sign + std::to_string(u) + "ns";
    if (u < 1'000'000) return sign + FixedTrimmed(u, 3) + "\u00b5s";
    return sign + FixedTrimmed(u, 6) + "ms";
  }
  uint64_t secs = u / kSecond;
  uint64_t hours = secs / 3600, mins = (secs / 60) % 60;
  std::string out = sign;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || mins > 0) out += std::to_string(mins) + "m";
  return out + FixedTrimmed((secs % 60) * kSecond + u % kSecond, 9) + "s";
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
