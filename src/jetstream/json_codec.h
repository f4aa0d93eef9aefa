#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Decoding and encoding helpers that reproduce Go's encoding/json as nats-server uses it, so the
// config decoders accept and reject what nats-server does:
// - object keys match field names case-insensitively (an exact match wins);
// - unknown keys are ignored; null leaves a field at its zero value;
// - integers must be JSON integers in the field's range (1.5, 1e3, "5" are errors);
// - durations are integer nanoseconds; times are RFC 3339 strings, written as RFC3339Nano UTC.
// Threading: plain functions and a reader over a caller-owned json value.
namespace spate::jetstream {

using Duration = std::chrono::nanoseconds;

// Wall-clock time in nanoseconds since the Unix epoch. nullopt stands for Go's zero time, which
// nats-server writes as "0001-01-01T00:00:00Z" (e.g. first_ts of an empty stream).
using WallTime = std::optional<int64_t>;
inline constexpr std::string_view kGoZeroTime = "0001-01-01T00:00:00Z";
// An explicitly given Go zero time where presence matters (opt_start_time): FormatTime writes it
// as kGoZeroTime.
inline constexpr int64_t kGoZeroTimeNanos = INT64_MIN;

// RFC3339Nano in UTC with trailing zeros of the fraction trimmed, as Go's time.Time marshals.
std::string FormatTime(WallTime time);
// RFC 3339 with optional fraction and a "Z" or +hh:mm offset. Go's zero time parses to nullopt
// inside the optional; times outside what int64 nanoseconds cover fail.
std::optional<WallTime> ParseTime(std::string_view text);

// Reads fields of one JSON object. Every Read* leaves `out` untouched when the key is absent or
// null, and marks the reader failed on a type or range mismatch; check ok() once at the end.
class JsonObjectReader {
 public:
  // `value` must outlive the reader. A non-object value makes the reader failed.
  explicit JsonObjectReader(const nlohmann::json& value);

  bool ok() const { return ok_; }
  void Fail() { ok_ = false; }

  // The value under `key` (exact match first, then ASCII case-insensitive), or nullptr when
  // absent or null.
  const nlohmann::json* Find(std::string_view key) const;

  void Read(std::string_view key, std::string* out);
  void Read(std::string_view key, bool* out);
  void Read(std::string_view key, int64_t* out);
  void Read(std::string_view key, int32_t* out);
  void Read(std::string_view key, uint64_t* out);
  void Read(std::string_view key, Duration* out);
  void Read(std::string_view key, std::optional<int64_t>* time_out);  // a time.Time pointer
  void Read(std::string_view key, std::vector<std::string>* out);
  void Read(std::string_view key, std::vector<Duration>* out);
  void Read(std::string_view key, std::map<std::string, std::string>* out);

  // An enum spelled as one of `names` (index = enum value). Null and unknown strings fail, as
  // nats-server's UnmarshalJSON methods do. `fold_case` for the few that lower-case first.
  template <class Enum>
  void ReadEnum(std::string_view key, std::span<const std::string_view> names, Enum* out,
                bool fold_case = false) {
    int index = -1;
    if (FindEnumIndex(key, names, fold_case, &index)) *out = static_cast<Enum>(index);
  }

 private:
  bool ReadInteger(std::string_view key, int64_t min, int64_t max, int64_t* out);
  bool FindEnumIndex(std::string_view key, std::span<const std::string_view> names, bool fold_case,
                     int* index);

  const nlohmann::json& value_;
  bool ok_ = true;
};

// Parses text as JSON without exceptions; a parse error yields a discarded value.
nlohmann::json ParseJson(std::string_view text);

// Serialises the way Go's json.Marshal does, so responses match nats-server byte for byte:
// '<' '>' '&' U+2028 U+2029 as \u escapes ("orders.>" becomes "orders.\u003e"), \b and \f as
// \u0008 and \u000c, invalid UTF-8 replaced by U+FFFD (never throws). Use this, not dump().
std::string DumpGoJson(const nlohmann::ordered_json& value);

}  // namespace spate::jetstream
