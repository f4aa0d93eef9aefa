#include "parse_units.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace spate::cli {
namespace {

// A leading decimal number ("1", "1.5"); advances `text` past it.
bool TakeNumber(std::string_view* text, double* out) {
  size_t i = 0;
  while (i < text->size() &&
         (std::isdigit(static_cast<unsigned char>((*text)[i])) || (*text)[i] == '.')) {
    ++i;
  }
  if (i == 0) return false;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + i, *out);
  if (ec != std::errc() || ptr != text->data() + i) return false;
  text->remove_prefix(i);
  return true;
}

}  // namespace

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  const Status bad = Status::InvalidArgument("invalid duration '" + std::string(text) +
                                             "' (examples: 500ms, 5s, 1m30s, 2h, 7d)");
  std::string_view rest = text;
  if (rest.empty()) return bad;
  double total_ns = 0;
  bool first = true;
  while (!rest.empty()) {
    double value = 0;
    if (!TakeNumber(&rest, &value)) return bad;
    size_t unit_len = 0;
    while (unit_len < rest.size() && std::isalpha(static_cast<unsigned char>(rest[unit_len]))) {
      ++unit_len;
    }
    const std::string_view unit = rest.substr(0, unit_len);
    rest.remove_prefix(unit_len);
    double scale = 0;
    if (unit.empty()) {
      if (!first || !rest.empty()) return bad;  // a bare number stands alone: seconds
      scale = 1e9;
    } else if (unit == "ns") {
      scale = 1;
    } else if (unit == "us" || unit == "µs") {
      scale = 1e3;
    } else if (unit == "ms") {
      scale = 1e6;
    } else if (unit == "s") {
      scale = 1e9;
    } else if (unit == "m") {
      scale = 60e9;
    } else if (unit == "h") {
      scale = 3600e9;
    } else if (unit == "d") {
      scale = 86400e9;
    } else {
      return bad;
    }
    total_ns += value * scale;
    first = false;
  }
  if (total_ns > 9.2e18) return bad;
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(total_ns)));
}

Result<int64_t> ParseSize(std::string_view text) {
  const Status bad = Status::InvalidArgument("invalid size '" + std::string(text) +
                                             "' (examples: 1024, 64KB, 10MiB, 1G, -1)");
  if (text == "-1") return int64_t{-1};
  std::string_view rest = text;
  double value = 0;
  if (!TakeNumber(&rest, &value)) return bad;
  std::string unit;
  for (char c : rest) unit += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.ends_with("IB")) {
    unit.erase(unit.size() - 2);
  } else if (unit.size() > 1 && unit.ends_with("B")) {
    unit.pop_back();
  }
  double scale = 1;
  if (unit.empty() || unit == "B") {
    scale = 1;
  } else if (unit == "K") {
    scale = 1024.0;
  } else if (unit == "M") {
    scale = 1024.0 * 1024;
  } else if (unit == "G") {
    scale = 1024.0 * 1024 * 1024;
  } else if (unit == "T") {
    scale = 1024.0 * 1024 * 1024 * 1024;
  } else {
    return bad;
  }
  const double bytes = value * scale;
  if (bytes > 9.2e18) return bad;
  return static_cast<int64_t>(std::llround(bytes));
}

}  // namespace spate::cli
