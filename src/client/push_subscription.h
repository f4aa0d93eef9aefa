#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "client/js_msg.h"
#include "client/subscription.h"
#include "common/status.h"

namespace spate::client {

namespace detail {
struct JetStreamState;
}

// Runs on the connection's dispatcher thread, one message at a time for the whole connection
// (as MsgHandler). It may ack, publish and make requests; it must not block for long.
using JsMsgHandler = std::function<void(JsMsg&)>;

// A push consumer's deliveries on its deliver subject. The library answers flow-control
// requests and stalled-consumer heartbeats itself (for a callback subscription when the message
// reaches the dispatcher, for a sync one when NextMsg reaches it, so the server's flow control
// tracks what the application has really taken) and never hands status messages to the app.
// Made by JetStream::Subscribe / SubscribeSync. Copies share the subscription.
class PushSubscription {
 public:
  PushSubscription() = default;

  // Sync subscriptions: the next JetStream message, waiting up to `timeout` (IsTimeout).
  Result<JsMsg> NextMsg(std::chrono::milliseconds timeout);
  // Unsubscribes; an ephemeral consumer this subscription created is deleted too (a durable
  // stays, to be bound again).
  Status Unsubscribe();

  const std::string& stream() const { return stream_; }
  const std::string& consumer() const { return consumer_; }
  const Subscription& subscription() const { return sub_; }

 private:
  friend class JetStream;
  std::shared_ptr<detail::JetStreamState> js_;
  std::string stream_, consumer_;
  bool delete_on_unsubscribe_ = false;
  Subscription sub_;
};

// Replies to a flow-control request or a stalled-consumer heartbeat carried by a status
// message; returns true when `msg` was a status message (handled or ignored).
bool HandlePushStatus(Connection& conn, const Msg& msg);

}  // namespace spate::client
