#include "jetstream/json_codec.h"

#include <cctype>
#include <cstdio>
#include <limits>

namespace spate::jetstream {
namespace {

bool EqualsFolded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool ParseDigits(std::string_view text, size_t pos, size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

constexpr int64_t kNanosPerSecond = 1'000'000'000;

}  // namespace

std::string FormatTime(WallTime time) {
  if (!time || *time == kGoZeroTimeNanos) return std::string(kGoZeroTime);
  int64_t seconds = *time / kNanosPerSecond;
  int64_t nanos = *time % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    --seconds;
  }
  using namespace std::chrono;
  const sys_days days{floor<std::chrono::days>(sys_seconds{std::chrono::seconds{seconds}})};
  const year_month_day ymd{days};
  const int64_t second_of_day =
      seconds - duration_cast<std::chrono::seconds>(days.time_since_epoch()).count();
  char buf[64];
  int len = std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d",
                          static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                          static_cast<unsigned>(ymd.day()), static_cast<int>(second_of_day / 3600),
                          static_cast<int>(second_of_day / 60 % 60),
                          static_cast<int>(second_of_day % 60));
  std::string out(buf, static_cast<size_t>(len));
  if (nanos != 0) {
    char frac[16];
    std::snprintf(frac, sizeof(frac), ".%09d", static_cast<int>(nanos));
    std::string_view f = frac;
    while (f.back() == '0') f.remove_suffix(1);
    out.append(f);
  }
  out.push_back('Z');
  return out;
}

std::optional<WallTime> ParseTime(std::string_view text) {
  int year, month, day, hour, minute, second;
  if (!ParseDigits(text, 0, 4, &year) || text.size() < 20 || text[4] != '-' ||
      !ParseDigits(text, 5, 2, &month) || text[7] != '-' || !ParseDigits(text, 8, 2, &day) ||
      (text[10] != 'T' && text[10] != 't') || !ParseDigits(text, 11, 2, &hour) || text[13] != ':' ||
      !ParseDigits(text, 14, 2, &minute) || text[16] != ':' || !ParseDigits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  size_t pos = 19;
  int64_t nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    int64_t scale = kNanosPerSecond;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (digits < 9) {
        scale /= 10;
        nanos += (text[pos] - '0') * scale;
      }
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
  }
  int offset_seconds = 0;
  std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh, om;
    if (!ParseDigits(zone, 1, 2, &oh) || !ParseDigits(zone, 4, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_seconds = (oh * 3600 + om * 60) * (zone[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{year},
                           std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  if (year == 1 && month == 1 && day == 1 && hour == 0 && minute == 0 && second == 0 &&
      nanos == 0 && offset_seconds == 0) {
    return std::optional<WallTime>(std::in_place, std::nullopt);  // Go's zero time
  }
  const int64_t days_since_epoch = sys_days{ymd}.time_since_epoch().count();
  const int64_t seconds =
      days_since_epoch * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / kNanosPerSecond - 1;
  if (seconds > kMaxSeconds || seconds < -kMaxSeconds) return std::nullopt;
  return WallTime{seconds * kNanosPerSecond + nanos};
}

JsonObjectReader::JsonObjectReader(const nlohmann::json& value) : value_(value) {
  ok_ = value.is_object() || value.is_null();
}

const nlohmann::json* JsonObjectReader::Find(std::string_view key) const {
  if (!value_.is_object()) return nullptr;
  const nlohmann::json* found = nullptr;
  if (auto it = value_.find(std::string(key)); it != value_.end()) {
    found = &*it;
  } else {
    for (auto it2 = value_.begin(); it2 != value_.end(); ++it2) {
      if (EqualsFolded(it2.key(), key)) {
        found = &*it2;
        break;
      }
    }
  }
  if (found != nullptr && found->is_null()) return nullptr;
  return found;
}

void JsonObjectReader::Read(std::string_view key, std::string* out) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return;
  if (!v->is_string()) return Fail();
  *out = v->get<std::string>();
}

void JsonObjectReader::Read(std::string_view key, bool* out) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return;
  if (!v->is_boolean()) return Fail();
  *out = v->get<bool>();
}

bool JsonObjectReader::ReadInteger(std::string_view key, int64_t min, int64_t max, int64_t* out) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return false;
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    if (u > static_cast<uint64_t>(max)) return Fail(), false;
    *out = static_cast<int64_t>(u);
    return true;
  }
  if (!v->is_number_integer()) return Fail(), false;
  int64_t i = v->get<int64_t>();
  if (i < min || i > max) return Fail(), false;
  *out = i;
  return true;
}

void JsonObjectReader::Read(std::string_view key, int64_t* out) {
  ReadInteger(key, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), out);
}

void JsonObjectReader::Read(std::string_view key, int32_t* out) {
  int64_t v;
  if (ReadInteger(key, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(),
                  &v)) {
    *out = static_cast<int32_t>(v);
  }
}

void JsonObjectReader::Read(std::string_view key, uint64_t* out) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return;
  if (!v->is_number_unsigned()) return Fail();  // negative or fractional
  *out = v->get<uint64_t>();
}

void JsonObjectReader::Read(std::string_view key, Duration* out) {
  int64_t v;
  if (ReadInteger(key, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                  &v)) {
    *out = Duration{v};
  }
}

void JsonObjectReader::Read(std::string_view key, std::optional<int64_t>* time_out) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return;
  if (!v->is_string()) return Fail();
  std::optional<WallTime> parsed = ParseTime(v->get_ref<const std::string&>());
  if (!parsed) return Fail();
  // A pointer to Go's zero time is still "set"; nats-server treats it as a time, so do we.
  *time_out = parsed->value_or(kGoZeroTimeNanos);
}

void JsonObjectReader::Read(std::string_view key, std::vector<std::string>* out) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return;
  if (!v->is_array()) return Fail();
  std::vector<std::string> items;
  for (const nlohmann::json& item : *v) {
    if (item.is_null()) {
      items.emplace_back();
    } else if (item.is_string()) {
      items.push_back(item.get<std::string>());
    } else {
      return Fail();
    }
  }
  *out = std::move(items);
}

void JsonObjectReader::Read(std::string_view key, std::vector<Duration>* out) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return;
  if (!v->is_array()) return Fail();
  std::vector<Duration> items;
  for (const nlohmann::json& item : *v) {
    if (item.is_number_unsigned() &&
        item.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      items.emplace_back(static_cast<int64_t>(item.get<uint64_t>()));
    } else if (item.is_number_integer() && !item.is_number_unsigned()) {
      items.emplace_back(item.get<int64_t>());
    } else if (item.is_null()) {
      items.emplace_back(0);
    } else {
      return Fail();
    }
  }
  *out = std::move(items);
}

void JsonObjectReader::Read(std::string_view key, std::map<std::string, std::string>* out) {
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return;
  if (!v->is_object()) return Fail();
  std::map<std::string, std::string> items;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (it->is_null()) {
      items[it.key()];
    } else if (it->is_string()) {
      items[it.key()] = it->get<std::string>();
    } else {
      return Fail();
    }
  }
  *out = std::move(items);
}

bool JsonObjectReader::FindEnumIndex(std::string_view key, std::span<const std::string_view> names,
                                     bool fold_case, int* index) {
  const nlohmann::json* v = nullptr;
  if (!value_.is_object()) return false;
  v = Find(key);
  if (v == nullptr) {
    // Present but null is an error for enums (their UnmarshalJSON sees "null").
    if (value_.contains(std::string(key))) Fail();
    return false;
  }
  if (!v->is_string()) return Fail(), false;
  const std::string& text = v->get_ref<const std::string&>();
  for (size_t i = 0; i < names.size(); ++i) {
    if (fold_case ? EqualsFolded(text, names[i]) : text == names[i]) {
      *index = static_cast<int>(i);
      return true;
    }
  }
  Fail();
  return false;
}

nlohmann::json ParseJson(std::string_view text) {
  return nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

std::string DumpGoJson(const nlohmann::ordered_json& value) {
  const std::string text =
      value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size() + 16);
  // '<', '>', '&' and the two line separators can only occur inside strings, and every escape
  // nlohmann writes is two bytes long except \uXXXX, so one pass with a skip is enough.
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      const char next = text[++i];
      if (next == 'b') {
        out.append("\\u0008");
      } else if (next == 'f') {
        out.append("\\u000c");
      } else {
        out.push_back(c);
        out.push_back(next);
      }
    } else if (c == '<') {
      out.append("\\u003c");
    } else if (c == '>') {
      out.append("\\u003e");
    } else if (c == '&') {
      out.append("\\u0026");
    } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out.append(text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029");
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace spate::jetstream
