#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

// Formatting that makes our JSON read like nats-server's (Go's encoding/json and time package).
namespace spate::monitor {

using Json = nlohmann::ordered_json;

// RFC 3339 with nanoseconds and trailing zeros trimmed, UTC: "2026-11-27T08:10:05.605273469Z".
std::string FormatTime(int64_t unix_ns);
// nats-server's uptime form: "1y2d3h4m5s", "5m0s", "7s".
std::string FormatUptime(int64_t ns);
// Go's time.Duration.String(): "0s", "675µs", "3.642633ms", "1m30.5s".
std::string FormatGoDuration(int64_t ns);
// nats-server's RTT value: microseconds kept below a millisecond, then FormatGoDuration.
std::string FormatRtt(int64_t ns);
// Go's net.JoinHostPort: IPv6 hosts in brackets.
std::string JoinHostPort(const std::string& host, int port);
// A float64 the way Go prints it: whole numbers without a fraction ("2", not "2.0").
Json GoFloat(double value);
// As Go's json.MarshalIndent(v, "", "  ").
std::string Dump(const Json& j);

}  // namespace spate::monitor
