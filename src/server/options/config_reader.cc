#include "server/options/config_reader.h"

#include <charconv>
#include <limits>

#include "conf/duration.h"
#include "server/options/server_options.h"

namespace spate::server {

using conf::MapEntry;
using conf::Value;

std::string LowerKey(std::string_view key) {
  std::string out(key);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void ConfigReader::Error(const conf::Location& where, std::string_view message) {
  errors_.push_back(where.ToString() + ": " + std::string(message));
}

void ConfigReader::Unknown(const MapEntry& entry) {
  if (entry.value.used_as_variable()) return;
  Error(entry.key_location, "unknown field \"" + entry.key + "\"");
}

void ConfigReader::Unsupported(const MapEntry& entry, std::string_view where) {
  std::string message = "\"" + entry.key + "\"";
  if (!where.empty()) message += " in " + std::string(where);
  message += " is not supported by spate-server yet";
  Error(entry.key_location, message);
}

Status ConfigReader::ToStatus() const {
  if (errors_.empty()) return Status::Ok();
  std::string joined;
  for (const std::string& e : errors_) {
    if (!joined.empty()) joined += '\n';
    joined += e;
  }
  return Status::InvalidArgument(std::move(joined));
}

bool ConfigReader::WrongType(const MapEntry& entry, std::string_view expected) {
  const Value& v = entry.value;
  std::string found(Value::KindName(v.kind()));
  if (v.is(Value::Kind::kString)) {
    found += " \"" + v.AsString() + "\"";
  } else if (!v.is(Value::Kind::kArray) && !v.is(Value::Kind::kMap)) {
    found += " " + v.source();
  }
  Error(v.location(), "invalid value for \"" + entry.key + "\": expected " + std::string(expected) +
                          ", found " + found);
  return false;
}

bool ConfigReader::ReadString(const MapEntry& entry, std::string* out) {
  if (!entry.value.is(Value::Kind::kString)) return WrongType(entry, "a string");
  *out = entry.value.AsString();
  return true;
}

bool ConfigReader::ReadBool(const MapEntry& entry, bool* out) {
  if (!entry.value.is(Value::Kind::kBool)) return WrongType(entry, "a boolean");
  *out = entry.value.AsBool();
  return true;
}

bool ConfigReader::ReadInt(const MapEntry& entry, int64_t* out) {
  if (!entry.value.is(Value::Kind::kInteger)) return WrongType(entry, "an integer");
  *out = entry.value.AsInt();
  return true;
}

bool ConfigReader::ReadIntInRange(const MapEntry& entry, int64_t min, int64_t max, int64_t* out) {
  int64_t n = 0;
  if (!ReadInt(entry, &n)) return false;
  if (n < min || n > max) {
    Error(entry.value.location(), "invalid value for \"" + entry.key + "\": " + std::to_string(n) +
                                      " is outside " + std::to_string(min) + ".." +
                                      std::to_string(max));
    return false;
  }
  *out = n;
  return true;
}

bool ConfigReader::ReadPort(const MapEntry& entry, int* out) {
  int64_t n = 0;
  if (!ReadIntInRange(entry, kRandomPort, 65535, &n)) return false;
  *out = static_cast<int>(n);
  return true;
}

bool ConfigReader::ReadDuration(const MapEntry& entry, std::chrono::milliseconds* out) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const Value& v = entry.value;
  std::chrono::nanoseconds d{0};
  if (v.is(Value::Kind::kString)) {
    Result<std::chrono::nanoseconds> parsed = conf::ParseDuration(v.AsString());
    if (!parsed.ok()) {
      Error(v.location(), "error parsing " + entry.key + ": " + parsed.status().message());
      return false;
    }
    d = *parsed;
  } else if (v.is(Value::Kind::kInteger)) {
    const std::string& src = v.source();
    const bool minutes = src.size() > 1 && src.back() == 'm' &&
                         src.find_first_not_of("-0123456789") == src.size() - 1;
    const bool plain = src.find_first_not_of("-0123456789") == std::string::npos;
    if (!plain && !minutes) {
      Error(v.location(), "invalid value for \"" + entry.key + "\": " + src +
                              " is a size, not a duration; quote a duration such as \"2m\"");
      return false;
    }
    // Whole seconds (or minutes) in int64 nanoseconds: cap far below overflow.
    const int64_t count = minutes ? v.AsInt() / 1000000 : v.AsInt();
    const int64_t unit = minutes ? 60 : 1;
    if (count > std::numeric_limits<int64_t>::max() / 1000000000 / unit) {
      Error(v.location(), "invalid value for \"" + entry.key + "\": duration is too long");
      return false;
    }
    d = std::chrono::seconds(count * unit);
  } else {
    return WrongType(entry, "a duration such as \"2m\" or a number of seconds");
  }
  if (d.count() < 0) {
    Error(v.location(), "invalid value for \"" + entry.key + "\": duration can not be negative");
    return false;
  }
  *out = duration_cast<milliseconds>(d);
  return true;
}

bool ConfigReader::ReadStorageSize(const MapEntry& entry, int64_t* out) {
  const Value& v = entry.value;
  if (v.is(Value::Kind::kInteger)) {
    *out = v.AsInt();
    return true;
  }
  if (!v.is(Value::Kind::kString)) return WrongType(entry, "a size such as 1GB or \"1G\"");
  const std::string& s = v.AsString();
  if (s.empty()) {
    *out = 0;
    return true;
  }
  int shift = 0;
  switch (s.back()) {
    case 'K':
      shift = 10;
      break;
    case 'M':
      shift = 20;
      break;
    case 'G':
      shift = 30;
      break;
    case 'T':
      shift = 40;
      break;
    default:
      Error(v.location(), "invalid value for \"" + entry.key +
                              "\": sizes defined as strings must end in K, M, G, T");
      return false;
  }
  int64_t n = 0;
  const char* end = s.data() + s.size() - 1;
  auto [ptr, ec] = std::from_chars(s.data(), end, n);
  if (ec != std::errc() || ptr != end) {
    Error(v.location(), "invalid value for \"" + entry.key + "\": \"" + s + "\" is not a size");
    return false;
  }
  if (n > (std::numeric_limits<int64_t>::max() >> shift) ||
      n < (std::numeric_limits<int64_t>::min() >> shift)) {
    Error(v.location(), "invalid value for \"" + entry.key + "\": \"" + s + "\" is too big");
    return false;
  }
  *out = n * (int64_t{1} << shift);
  return true;
}

bool ConfigReader::ReadHostPort(const MapEntry& entry, std::string* host, int* port,
                                bool* has_host) {
  const Value& v = entry.value;
  if (v.is(Value::Kind::kInteger)) {
    *has_host = false;
    return ReadPort(entry, port);
  }
  if (!v.is(Value::Kind::kString)) return WrongType(entry, "a port or \"host:port\"");
  const std::string& s = v.AsString();
  std::string h;
  std::string p;
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find(']');
    if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      Error(v.location(), "could not parse address string \"" + s + "\"");
      return false;
    }
    h = s.substr(1, close - 1);
    p = s.substr(close + 2);
  } else {
    const size_t colon = s.rfind(':');
    if (colon == std::string::npos || s.find(':') != colon) {
      Error(v.location(), "could not parse address string \"" + s + "\"");
      return false;
    }
    h = s.substr(0, colon);
    p = s.substr(colon + 1);
  }
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
  if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || n < kRandomPort ||
      n > 65535) {
    Error(v.location(), "could not parse port \"" + p + "\"");
    return false;
  }
  *host = h;
  *has_host = true;
  *port = static_cast<int>(n);
  return true;
}

}  // namespace spate::server
