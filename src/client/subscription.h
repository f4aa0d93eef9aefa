#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "client/msg.h"
#include "common/status.h"

namespace spate::client {

namespace detail {
struct SubState;
class ConnectionCore;
}  // namespace detail

// A handle to one subscription. Copyable (copies share the subscription). Dropping the handle
// does not unsubscribe (as in nats.go): call Unsubscribe(), or Close() the connection.
// Threading: every method may be called from any thread, including from callbacks.
class Subscription {
 public:
  Subscription() = default;

  // UNSUB now. Messages already queued for a callback are still delivered; NextMsg returns them,
  // then a "subscription closed" error.
  Status Unsubscribe();
  // UNSUB <sid> <max>: the subscription ends after `max` messages in total (counting those
  // already received).
  Status AutoUnsubscribe(uint64_t max);
  // Synchronous subscriptions only: the next message, waiting up to `timeout`.
  // Errors: IsTimeout(), "subscription closed", IsClosed().
  Result<Msg> NextMsg(std::chrono::milliseconds timeout);

  bool valid() const { return state_ != nullptr; }
  bool IsActive() const;  // false after unsubscribe, max reached or close
  uint64_t sid() const;
  const std::string& subject() const;
  uint64_t Delivered() const;  // messages received from the server for it
  size_t PendingMsgs() const;  // queued, not yet handed to the callback / NextMsg
  uint64_t Dropped() const;    // dropped by the slow-consumer limits (never inline ones)

 private:
  friend class detail::ConnectionCore;
  explicit Subscription(std::shared_ptr<detail::SubState> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::SubState> state_;
};

}  // namespace spate::client
