#pragma once

#include <string_view>

#include "common/status.h"

// How the client reports its expected failures. Status has no code of its own for these, so each
// is a fixed code plus a fixed message prefix; test them with the helpers, not by text.
namespace spate::client {

inline constexpr std::string_view kTimeoutText = "timeout";
inline constexpr std::string_view kNoRespondersText = "no responders";
inline constexpr std::string_view kClosedText = "connection closed";
inline constexpr std::string_view kSubscriptionClosedText = "subscription closed";
inline constexpr std::string_view kIoThreadText = "not allowed on the I/O thread";

inline Status TimeoutError(std::string_view what) {
  return Status::Unavailable(std::string(kTimeoutText) + ": " + std::string(what));
}
inline Status NoRespondersError(std::string_view subject) {
  return Status::NotFound(std::string(kNoRespondersText) + " on " + std::string(subject));
}
inline Status ClosedError() { return Status::Unavailable(std::string(kClosedText)); }
inline Status SubscriptionClosedError() {
  return Status::NotFound(std::string(kSubscriptionClosedText));
}
// A call that waits for the I/O thread, made from an inline handler (which runs on it).
inline Status IoThreadError(std::string_view call) {
  return Status::InvalidArgument(std::string(kIoThreadText) +
                                 " (inline handler): " + std::string(call));
}

inline bool IsTimeout(const Status& s) {
  return s.code() == Status::Code::kUnavailable && s.message().starts_with(kTimeoutText);
}
inline bool IsNoResponders(const Status& s) {
  return s.code() == Status::Code::kNotFound && s.message().starts_with(kNoRespondersText);
}
inline bool IsClosed(const Status& s) {
  return s.code() == Status::Code::kUnavailable && s.message() == kClosedText;
}
inline bool IsIoThreadError(const Status& s) {
  return s.code() == Status::Code::kInvalidArgument && s.message().starts_with(kIoThreadText);
}

}  // namespace spate::client
