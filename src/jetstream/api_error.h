#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/status.h"

// JetStream API errors as values. The numbers and texts are nats-server's (api_errors.inc) and
// are part of the wire contract: clients match on err_code.
namespace spate::jetstream {

enum class ApiErrorId : uint16_t {
#define SPATE_API_ERROR(name, code, err_code, description) k##name,
#include "jetstream/api_errors.inc"
#undef SPATE_API_ERROR
};

// One row of the table.
struct ApiErrorSpec {
  ApiErrorId id;
  std::string_view name;         // without nats-server's "JS" prefix and "Err" suffix
  int code;                      // HTTP-style status
  uint16_t err_code;             // the JetStream error code clients match on
  std::string_view description;  // may hold {placeholders}
};

std::span<const ApiErrorSpec> AllApiErrors();
const ApiErrorSpec& SpecOf(ApiErrorId id);

// An error as sent on the wire: {"code":400,"err_code":10058,"description":"..."}.
struct ApiError {
  ApiErrorId id{};
  int code = 0;
  uint16_t err_code = 0;
  std::string description;  // placeholders already filled

  bool Is(ApiErrorId other) const { return id == other; }
  bool operator==(const ApiError&) const = default;
};

// A placeholder value: key without braces ("seq"), value as text.
struct ApiErrorArg {
  std::string_view key;
  std::string value;
};

// The table entry with every "{key}" in the description replaced by its value. Placeholders
// without a value stay as they are, as nats-server leaves them.
ApiError MakeApiError(ApiErrorId id, std::initializer_list<ApiErrorArg> args = {});

// nats-server's "Unless" rule for the {err}-only wrappers (StreamCreate, StreamUpdate,
// ConsumerCreate, StreamInvalidConfig...): an error that is already an API error is passed
// through unchanged; a plain text is wrapped into `wrapper` as {err}.
ApiError WrapUnless(ApiErrorId wrapper, const std::variant<ApiError, std::string>& cause);

// Field order as nats-server emits it: code, err_code (omitted when 0), description (omitted
// when empty).
nlohmann::ordered_json ToJson(const ApiError& error);

// Result<T> with an ApiError instead of a Status, for code whose failures go on the wire.
template <class T>
using ApiResult = Result<T, ApiError>;

// For checks that yield nothing on success.
using ApiStatus = std::variant<std::monostate, ApiError>;
inline bool IsOk(const ApiStatus& s) { return s.index() == 0; }

}  // namespace spate::jetstream

// Returns the ApiError of an ApiStatus expression from a function returning ApiResult<T> or
// ApiStatus.
#define SPATE_RETURN_IF_API_ERROR(expr)                                      \
  do {                                                                       \
    ::spate::jetstream::ApiStatus _api_status = (expr);                      \
    if (!::spate::jetstream::IsOk(_api_status)) {                            \
      return std::get<::spate::jetstream::ApiError>(std::move(_api_status)); \
    }                                                                        \
  } while (0)
