#include "server/jwt_user_checks.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <ctime>

namespace spate::server {
namespace {

// An address as 16 bytes (IPv4 as IPv4-mapped IPv6, as Go's net.IP holds it).
bool ParseIp(std::string_view text, std::array<uint8_t, 16>* out) {
  std::string s(text);
  in_addr v4{};
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    *out = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    std::memcpy(out->data() + 12, &v4, 4);
    return true;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out->data(), &v6, 16);
    return true;
  }
  return false;
}

bool IsV4(std::string_view text) { return text.find(':') == std::string_view::npos; }

// Whether `ip` is inside `cidr` ("192.0.2.0/24", "2001:db8::/32"); false for a bad CIDR.
bool CidrContains(std::string_view cidr, const std::array<uint8_t, 16>& ip) {
  size_t slash = cidr.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view addr = cidr.substr(0, slash);
  int bits = -1;
  std::string_view len = cidr.substr(slash + 1);
  auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), bits);
  if (ec != std::errc() || end != len.data() + len.size()) return false;
  std::array<uint8_t, 16> net{};
  if (!ParseIp(addr, &net)) return false;
  const int max_bits = IsV4(addr) ? 32 : 128;
  if (bits < 0 || bits > max_bits) return false;
  if (max_bits == 32) bits += 96;  // compared within the IPv4-mapped form
  for (int i = 0; i < bits; ++i) {
    const uint8_t mask = static_cast<uint8_t>(0x80 >> (i % 8));
    if ((net[i / 8] & mask) != (ip[i / 8] & mask)) return false;
  }
  return true;
}

// "15:04:05" as seconds into the day.
bool ParseClock(std::string_view text, int* out) {
  if (text.size() != 8 || text[2] != ':' || text[5] != ':') return false;
  int parts[3];
  for (int i = 0; i < 3; ++i) {
    std::string_view p = text.substr(static_cast<size_t>(i) * 3, 2);
    auto [end, ec] = std::from_chars(p.data(), p.data() + 2, parts[i]);
    if (ec != std::errc() || end != p.data() + 2) return false;
  }
  if (parts[0] > 23 || parts[1] > 59 || parts[2] > 59) return false;
  *out = parts[0] * 3600 + parts[1] * 60 + parts[2];
  return true;
}

}  // namespace

Status CheckJwtSource(const std::vector<std::string>& src, std::string_view client_ip) {
  if (src.empty()) return Status::Ok();
  std::array<uint8_t, 16> ip{};
  if (!ParseIp(client_ip, &ip)) return Status::InvalidArgument("client address not parsable");
  for (const std::string& cidr : src) {
    if (CidrContains(cidr, ip)) return Status::Ok();
  }
  return Status::InvalidArgument("source address " + std::string(client_ip) +
                                 " not allowed by the user JWT");
}

Status CheckJwtConnectionType(const std::vector<std::string>& allowed) {
  if (allowed.empty()) return Status::Ok();
  if (std::find(allowed.begin(), allowed.end(), "STANDARD") != allowed.end()) return Status::Ok();
  return Status::InvalidArgument("connection type STANDARD not allowed by the user JWT");
}

Result<int64_t> CheckJwtTimes(const std::vector<auth::TimeRange>& times, std::string_view location,
                              int64_t now) {
  if (times.empty()) return int64_t{0};
  const bool utc = location == "UTC" || location == "Etc/UTC";
  if (!location.empty() && location != "Local" && !utc) {
    return Status::InvalidArgument("times_location \"" + std::string(location) +
                                   "\" is not supported");
  }
  const time_t t = static_cast<time_t>(now);
  tm parts{};
  if (utc) {
    ::gmtime_r(&t, &parts);
  } else {
    ::localtime_r(&t, &parts);
  }
  const int second_of_day = parts.tm_hour * 3600 + parts.tm_min * 60 + parts.tm_sec;
  int64_t best = -1;
  for (const auth::TimeRange& r : times) {
    int start = 0, end = 0;
    if (!ParseClock(r.start, &start) || !ParseClock(r.end, &end)) {
      return Status::InvalidArgument("bad time range in the user JWT");
    }
    int64_t left = -1;
    if (start < second_of_day && second_of_day < end) {
      left = end - second_of_day;
    } else if (start > end) {  // crosses midnight
      if (second_of_day < end) left = end - second_of_day;
      if (second_of_day > start) left = end + 86400 - second_of_day;
    }
    best = std::max(best, left);
  }
  if (best < 0) return Status::InvalidArgument("outside the times the user JWT allows");
  return best;
}

}  // namespace spate::server
