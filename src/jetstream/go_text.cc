#include "jetstream/go_text.h"

#include <cstdint>
#include <cstdio>

namespace spate::jetstream {
namespace {

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

std::string FormatGoDuration(Duration duration) {
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

std::string QuoteGo(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (byte < 0x20 || byte == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", byte);
      out.append(buf);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace spate::jetstream
