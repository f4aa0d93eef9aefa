#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace spate {

// An error as a value. Ok() carries no message; every other code carries a human text
// that is safe to log (never a wire text; those live in protocol/errors.h).
class [[nodiscard]] Status {
 public:
  enum class Code : uint8_t {
    kOk,
    kInvalidArgument,
    kNotFound,
    kAlreadyExists,
    kIoError,
    kCorruption,
    kUnavailable,
    kInternal
  };

  Status() = default;
  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status IoError(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Same shape as std::expected<T, E>, so the move to C++23 is mechanical. E is Status on the data
// path; JetStream API code uses its wire error type (jetstream::ApiResult).
template <class T, class E = Status>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(E error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  // Only valid when !ok().
  const E& error() const { return std::get<1>(v_); }
  // Ok() when ok(), else the error.
  const Status& status() const requires std::is_same_v<E, Status> {
    static const Status kOk;
    return ok() ? kOk : std::get<1>(v_);
  }

 private:
  std::variant<T, E> v_;
};

}  // namespace spate

#define SPATE_CONCAT_INNER(a, b) a##b
#define SPATE_CONCAT(a, b) SPATE_CONCAT_INNER(a, b)
#define SPATE_RETURN_IF_ERROR(expr) \
  do {                              \
    ::spate::Status _st = (expr);   \
    if (!_st.ok()) return _st;      \
  } while (0)
#define SPATE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
#define SPATE_ASSIGN_OR_RETURN(lhs, expr) \
  SPATE_ASSIGN_OR_RETURN_IMPL(SPATE_CONCAT(_res_, __LINE__), lhs, expr)
