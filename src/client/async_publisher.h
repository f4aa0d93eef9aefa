#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/connection.h"
#include "client/jetstream_types.h"
#include "client/subscription.h"

// Internal to the client library: JetStream::PublishAsync's in-flight window.
// One wildcard subscription "<inbox>.*" receives every ack; each publish's reply subject is
// "<inbox>.<id>" with a per-publisher counter, so a publish costs no subscription and no map of
// strings. Pending acks sit in a map ordered by id; as all share one timeout, deadlines ascend
// with ids and expiry only looks at the front.
// Threading: Publish/Complete run on callers' threads; acks arrive on the connection's
// dispatcher thread (the subscription's callback). One mutex; handlers never run under it.
namespace spate::client::detail {

struct JetStreamState;

class AsyncPublisher : public std::enable_shared_from_this<AsyncPublisher> {
 public:
  using AckHandler = std::function<void(Result<PubAck>)>;

  // Subscribes the ack inbox.
  static Result<std::shared_ptr<AsyncPublisher>> Create(const JetStreamState& js);
  ~AsyncPublisher();  // completes what is still pending with an error, unsubscribes

  // Queues the publish; `handler` gets the ack, an API error, NoResponders or a timeout.
  // Errors returned here (the handler then never runs): window full, connection closed, ...
  Status Publish(std::string_view subject, const Headers* headers, std::string_view data,
                 AckHandler handler);
  Status Complete(std::chrono::milliseconds timeout);
  size_t Pending() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct PendingAck {
    AckHandler handler;
    Clock::time_point deadline;
  };

  AsyncPublisher(const JetStreamState& js);
  void OnAck(const Msg& msg);
  // Removes expired entries (under mu_) into `expired`; the caller runs their handlers unlocked.
  void TakeExpiredLocked(Clock::time_point now, std::vector<AckHandler>* expired);
  static void RunExpired(std::vector<AckHandler>* expired);

  Connection* conn_;
  const size_t max_pending_;
  const bool block_when_full_;
  const std::chrono::milliseconds stall_wait_;
  const std::chrono::milliseconds ack_timeout_;
  std::string prefix_;  // "_INBOX.<nuid>."
  Subscription sub_;

  mutable std::mutex mu_;
  std::condition_variable room_cv_;  // Publish waiting for room, Complete waiting for empty
  uint64_t next_id_ = 1;
  std::map<uint64_t, PendingAck> pending_;
  std::thread::id dispatcher_;  // learnt from the first ack: blocking there would deadlock
};

}  // namespace spate::client::detail
