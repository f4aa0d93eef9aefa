#include "conf/value.h"

#include <utility>

#include "common/assert.h"

namespace spate::conf {

Value::Value() = default;
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;
Value::~Value() = default;

Value Value::String(std::string text, Location where) {
  Value v;
  v.kind_ = Kind::kString;
  v.text_ = std::move(text);
  v.location_ = std::move(where);
  return v;
}

Value Value::Integer(int64_t number, std::string source, Location where) {
  Value v;
  v.kind_ = Kind::kInteger;
  v.int_ = number;
  v.text_ = std::move(source);
  v.location_ = std::move(where);
  return v;
}

Value Value::Float(double number, std::string source, Location where) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.float_ = number;
  v.text_ = std::move(source);
  v.location_ = std::move(where);
  return v;
}

Value Value::Bool(bool flag, std::string source, Location where) {
  Value v;
  v.kind_ = Kind::kBool;
  v.flag_ = flag;
  v.text_ = std::move(source);
  v.location_ = std::move(where);
  return v;
}

Value Value::Datetime(std::string text, int64_t unix_seconds, Location where) {
  Value v;
  v.kind_ = Kind::kDatetime;
  v.int_ = unix_seconds;
  v.text_ = std::move(text);
  v.location_ = std::move(where);
  return v;
}

Value Value::Array(Location where) {
  Value v;
  v.kind_ = Kind::kArray;
  v.location_ = std::move(where);
  return v;
}

Value Value::Map(Location where) {
  Value v;
  v.kind_ = Kind::kMap;
  v.location_ = std::move(where);
  return v;
}

const std::string& Value::AsString() const {
  SPATE_ASSERT(kind_ == Kind::kString || kind_ == Kind::kDatetime, "AsString on a %s",
               KindName(kind_).data());
  return text_;
}

int64_t Value::AsInt() const {
  SPATE_ASSERT(kind_ == Kind::kInteger || kind_ == Kind::kDatetime, "AsInt on a %s",
               KindName(kind_).data());
  return int_;
}

double Value::AsFloat() const {
  SPATE_ASSERT(kind_ == Kind::kFloat, "AsFloat on a %s", KindName(kind_).data());
  return float_;
}

bool Value::AsBool() const {
  SPATE_ASSERT(kind_ == Kind::kBool, "AsBool on a %s", KindName(kind_).data());
  return flag_;
}

const std::vector<Value>& Value::items() const {
  SPATE_ASSERT(kind_ == Kind::kArray, "items() on a %s", KindName(kind_).data());
  return items_;
}

std::vector<Value>& Value::mutable_items() {
  SPATE_ASSERT(kind_ == Kind::kArray, "mutable_items() on a %s", KindName(kind_).data());
  return items_;
}

const std::vector<MapEntry>& Value::entries() const {
  SPATE_ASSERT(kind_ == Kind::kMap, "entries() on a %s", KindName(kind_).data());
  return entries_;
}

std::vector<MapEntry>& Value::mutable_entries() {
  SPATE_ASSERT(kind_ == Kind::kMap, "mutable_entries() on a %s", KindName(kind_).data());
  return entries_;
}

const Value* Value::Find(std::string_view key) const {
  for (const MapEntry& e : entries()) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

Value* Value::FindMutable(std::string_view key) {
  for (MapEntry& e : mutable_entries()) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

void Value::Set(std::string key, Location key_location, Value value) {
  for (MapEntry& e : mutable_entries()) {
    if (e.key == key) {
      e.key_location = std::move(key_location);
      e.value = std::move(value);
      return;
    }
  }
  entries_.push_back(MapEntry{std::move(key), std::move(key_location), std::move(value)});
}

std::string_view Value::KindName(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "string";
    case Kind::kInteger:
      return "integer";
    case Kind::kFloat:
      return "float";
    case Kind::kBool:
      return "boolean";
    case Kind::kDatetime:
      return "datetime";
    case Kind::kArray:
      return "array";
    case Kind::kMap:
      return "map";
  }
  return "unknown";
}

}  // namespace spate::conf
