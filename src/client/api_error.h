#pragma once

#include <optional>
#include <string>

#include "common/status.h"

namespace spate::client {

// A JetStream API error as the server sends it: {"error":{"code":404,"err_code":10059,
// "description":"stream not found"}}. Clients match on err_code (nats-server's errors.json
// numbers); code is HTTP-like and coarse.
struct ApiError {
  int code = 0;      // 400, 404, 500, 503 ...
  int err_code = 0;  // 10059 stream not found, 10071 wrong last sequence, ...
  std::string description;
};

// Well-known err_code values the client itself acts on (numbers from nats-server).
inline constexpr int kErrStreamNotFound = 10059;
inline constexpr int kErrConsumerNotFound = 10014;
inline constexpr int kErrNoMessageFound = 10037;
inline constexpr int kErrStreamWrongLastSequence = 10071;
inline constexpr int kErrStreamWrongLastMsgId = 10070;
inline constexpr int kErrStreamNotMatch = 10060;

// API errors travel as a Status, so every JetStream call returns the library's ordinary
// Result<T>. The Status code follows the HTTP-like code (404: kNotFound, 400: kInvalidArgument,
// 503: kUnavailable, else kInternal) and the message has a fixed, lossless form:
//   "jetstream api error <code> (err_code <err_code>): <description>"
// Read it back with GetApiError(), never by parsing the text yourself.
Status ApiErrorStatus(const ApiError& error);
// The API error carried by `status`, or nullopt when it is another kind of failure (timeout,
// no responders, closed, malformed reply ...).
std::optional<ApiError> GetApiError(const Status& status);
// True when `status` is an API error with this err_code.
bool IsApiError(const Status& status, int err_code);

}  // namespace spate::client
