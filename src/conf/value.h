#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "conf/location.h"

namespace spate::conf {

struct MapEntry;

// One node of a parsed config: a scalar, an array or a map, and where it came from.
// Maps keep their keys in file order; a repeated key replaces the earlier value in place
// (nats-server keeps the last one). Lookups by key are exact; the options layer decides
// about case.
class Value {
 public:
  enum class Kind : uint8_t { kString, kInteger, kFloat, kBool, kDatetime, kArray, kMap };

  static Value String(std::string text, Location where);
  // `source` is the literal as written, e.g. "1KB" for 1024: the options layer needs it to
  // tell a bare "2m" (2,000,000 to nats-server) from a number of seconds.
  static Value Integer(int64_t number, std::string source, Location where);
  static Value Float(double number, std::string source, Location where);
  static Value Bool(bool flag, std::string source, Location where);
  // An ISO 8601 Zulu timestamp such as 2016-05-04T18:53:41Z, kept as text plus epoch seconds.
  static Value Datetime(std::string text, int64_t unix_seconds, Location where);
  static Value Array(Location where);
  static Value Map(Location where);

  Value();  // an empty map at an unknown location
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
  ~Value();

  Kind kind() const { return kind_; }
  bool is(Kind k) const { return kind_ == k; }
  const Location& location() const { return location_; }
  void set_location(Location where) { location_ = std::move(where); }

  // Typed access; calling the wrong one is a bug in the caller (asserted).
  const std::string& AsString() const;  // kString and kDatetime
  int64_t AsInt() const;                // kInteger, and kDatetime (epoch seconds)
  double AsFloat() const;               // kFloat
  bool AsBool() const;                  // kBool
  // The literal as written in the file for scalars (strings: their unescaped text).
  const std::string& source() const { return text_; }

  const std::vector<Value>& items() const;  // kArray
  std::vector<Value>& mutable_items();
  const std::vector<MapEntry>& entries() const;  // kMap
  std::vector<MapEntry>& mutable_entries();
  const Value* Find(std::string_view key) const;  // kMap; nullptr when absent
  Value* FindMutable(std::string_view key);
  // Inserts or replaces (keeping the first position, taking the new key location).
  void Set(std::string key, Location key_location, Value value);

  // True once a `$name` reference resolved to this value. nats-server skips such keys when it
  // looks for unknown fields, so `PASS: secret` inside a block is allowed if something uses it.
  bool used_as_variable() const { return used_as_variable_; }
  void mark_used_as_variable() { used_as_variable_ = true; }
  void set_used_as_variable(bool used) { used_as_variable_ = used; }

  static std::string_view KindName(Kind kind);

 private:
  Kind kind_ = Kind::kMap;
  bool flag_ = false;
  bool used_as_variable_ = false;
  int64_t int_ = 0;
  double float_ = 0;
  std::string text_;
  Location location_;
  std::vector<Value> items_;
  std::vector<MapEntry> entries_;
};

struct MapEntry {
  std::string key;
  Location key_location;
  Value value;
};

}  // namespace spate::conf
