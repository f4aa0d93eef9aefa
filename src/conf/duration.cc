#include "conf/duration.h"

#include <cstdint>
#include <limits>
#include <string>

namespace spate::conf {
namespace {

struct Unit {
  std::string_view name;
  uint64_t nanos;
};

// Longest names first so "ms" is not read as "m" followed by junk.
constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1000},
    {"\xC2\xB5s", 1000},  // U+00B5 micro sign
    {"\xCE\xBCs", 1000},  // U+03BC Greek mu
    {"ms", 1000 * 1000},
    {"s", 1000ULL * 1000 * 1000},
    {"m", 60ULL * 1000 * 1000 * 1000},
    {"h", 3600ULL * 1000 * 1000 * 1000},
};

Status Invalid(std::string_view text) {
  return Status::InvalidArgument("invalid duration \"" + std::string(text) + "\"");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Appends value / 10^digits with the fraction's trailing zeros trimmed ("1.5", "2").
void AppendFraction(std::string* out, uint64_t value, int digits) {
  uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  out->append(std::to_string(value / scale));
  uint64_t fraction = value % scale;
  if (fraction == 0) return;
  std::string text = std::to_string(fraction);
  text.insert(0, static_cast<size_t>(digits) - text.size(), '0');
  while (text.back() == '0') text.pop_back();
  out->push_back('.');
  out->append(text);
}

}  // namespace

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  const std::string_view original = text;
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return std::chrono::nanoseconds(0);
  if (text.empty()) return Invalid(original);

  // Accumulate in unsigned nanoseconds; the magnitude limit is 2^63 (-2^63 is representable).
  constexpr uint64_t kLimit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1;
  uint64_t total = 0;
  while (!text.empty()) {
    if (!IsDigit(text[0]) && text[0] != '.') return Invalid(original);
    uint64_t whole = 0;
    size_t i = 0;
    bool any_digits = false;
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      any_digits = true;
      if (whole > (kLimit - 9) / 10) return Invalid(original);
      whole = whole * 10 + static_cast<uint64_t>(text[i] - '0');
    }
    // The fraction is kept as digits/scale; digits past what fits in 64 bits are dropped, as Go
    // does, since they cannot change the nanosecond result.
    uint64_t fraction = 0;
    uint64_t scale = 1;
    if (i < text.size() && text[i] == '.') {
      ++i;
      for (; i < text.size() && IsDigit(text[i]); ++i) {
        any_digits = true;
        if (scale <= std::numeric_limits<uint64_t>::max() / 10 / 10) {
          fraction = fraction * 10 + static_cast<uint64_t>(text[i] - '0');
          scale *= 10;
        }
      }
    }
    if (!any_digits) return Invalid(original);
    text.remove_prefix(i);

    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(0, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) {
      return Status::InvalidArgument(
          text.empty() ? "missing unit in duration \"" + std::string(original) + "\""
                       : "unknown unit in duration \"" + std::string(original) + "\"");
    }
    text.remove_prefix(unit->name.size());
    // A unit must be followed by the next number or the end: "5mins" is not "5m" plus junk.
    if (!text.empty() && !IsDigit(text[0]) && text[0] != '.') {
      return Status::InvalidArgument("unknown unit in duration \"" + std::string(original) + "\"");
    }

    if (whole > kLimit / unit->nanos) return Invalid(original);
    uint64_t part = whole * unit->nanos;
    if (fraction > 0) {
      // fraction/scale < 1, so fraction * (nanos/scale) stays below nanos; compute in long
      // double to avoid overflowing the product.
      part += static_cast<uint64_t>(static_cast<long double>(fraction) *
                                    static_cast<long double>(unit->nanos) /
                                    static_cast<long double>(scale));
    }
    if (part > kLimit - total) return Invalid(original);
    total += part;
  }
  if (!negative && total == kLimit) return Invalid(original);
  const int64_t signed_total =
      negative ? static_cast<int64_t>(0 - total) : static_cast<int64_t>(total);
  return std::chrono::nanoseconds(signed_total);
}

std::string FormatDuration(std::chrono::nanoseconds duration) {
  int64_t ns = duration.count();
  if (ns == 0) return "0s";
  std::string out;
  // Work on the magnitude as unsigned so INT64_MIN is fine.
  uint64_t magnitude = ns < 0 ? ~static_cast<uint64_t>(ns) + 1 : static_cast<uint64_t>(ns);
  if (ns < 0) out.push_back('-');
  constexpr uint64_t kSecond = 1'000'000'000;
  if (magnitude < kSecond) {
    if (magnitude < 1'000) {
      out.append(std::to_string(magnitude)).append("ns");
    } else if (magnitude < 1'000'000) {
      AppendFraction(&out, magnitude, 3);
      out.append("\xC2\xB5s");  // U+00B5 micro sign, as Go writes it
    } else {
      AppendFraction(&out, magnitude, 6);
      out.append("ms");
    }
    return out;
  }
  uint64_t hours = magnitude / (3600 * kSecond);
  uint64_t rest = magnitude % (3600 * kSecond);
  uint64_t minutes = rest / (60 * kSecond);
  rest %= 60 * kSecond;
  if (hours > 0) out.append(std::to_string(hours)).push_back('h');
  if (hours > 0 || minutes > 0) out.append(std::to_string(minutes)).push_back('m');
  AppendFraction(&out, rest, 9);
  out.push_back('s');
  return out;
}

}  // namespace spate::conf
