#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/jetstream_config.h"
#include "client/jetstream_types.h"
#include "client/push_subscription.h"
#include "common/status.h"

namespace spate::client {

namespace detail {
struct OrderedState;
}

struct OrderedConsumerOptions {
  std::vector<std::string> filter_subjects;  // none: the whole stream; one: filter_subject
  DeliverPolicy deliver_policy = DeliverPolicy::kAll;
  uint64_t opt_start_seq = 0;
  std::optional<Timestamp> opt_start_time;
  bool headers_only = false;
  // The server sends a heartbeat after this much silence; three missed ones make the consumer
  // start again from the next stream sequence.
  Nanos idle_heartbeat = std::chrono::seconds(5);
  // The handler runs on the connection's I/O thread, as soon as a message is read, instead of
  // on the dispatcher thread: no hand-off between threads per message (about twice the
  // messages per second on a busy machine). The handler must not block, and calls that wait
  // for the server (requests, Flush, JetStream API calls) fail at once with IoThreadError();
  // Stop() from such a handler cannot delete the server's consumer (a request), which the
  // server then removes after its inactive threshold.
  bool deliver_inline = false;
};

// An ordered consumer, as nats.go has it: an ephemeral push consumer with ack none, flow control
// and heartbeats, whose messages reach the handler exactly in stream order without gaps. When a
// consumer sequence is skipped, a heartbeat reports a different last consumer sequence, or
// heartbeats stop, it deletes the consumer and creates a new one (on a new inbox) starting at the
// stream sequence after the last one delivered.
// Threads: the handler runs on the connection's dispatcher thread (I/O thread with
// deliver_inline); a monitor thread of its own
// watches the heartbeats and recreates the consumer (API requests, never on the dispatcher).
// Lifecycle: made by JetStream::SubscribeOrdered; Stop() (or the destructor) unsubscribes and
// deletes the consumer; after it returns the handler is not called again (unless Stop() runs on
// the dispatcher itself, from the handler, where the current call is the last).
class OrderedConsumer {
 public:
  ~OrderedConsumer();
  OrderedConsumer(const OrderedConsumer&) = delete;
  OrderedConsumer& operator=(const OrderedConsumer&) = delete;

  void Stop();
  // How many times the consumer was recreated.
  uint64_t Resets() const;
  // The current server-side consumer's name.
  std::string ConsumerName() const;

 private:
  friend class JetStream;
  friend class KeyValue;
  explicit OrderedConsumer(std::shared_ptr<detail::OrderedState> state)
      : state_(std::move(state)) {}
  std::shared_ptr<detail::OrderedState> state_;
};

}  // namespace spate::client
