#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/errors.h"
#include "client/msg.h"
#include "client/msg_view.h"
#include "client/options.h"
#include "client/subscription.h"
#include "common/status.h"

namespace spate::client {

namespace detail {
class ConnectionCore;
}

enum class ConnectionStatus : uint8_t {
  kConnecting,
  kConnected,
  kReconnecting,
  kDraining,
  kClosed
};

// Runs on the dispatcher thread, one message at a time for the whole connection.
using MsgHandler = std::function<void(const Msg&)>;
// The same, but the handler gets the message itself and may move it out (keeping it costs no
// copy); the library drops whatever is left when it returns.
using MsgTakeHandler = std::function<void(Msg&)>;
// Runs on the I/O thread, straight out of the read buffer (Connection::SubscribeInline).
using MsgViewHandler = std::function<void(const MsgView&)>;

// A client connection to a NATS server (spate-server or nats-server).
// Lifecycle: Connect() returns it connected; it reconnects by itself per Options; Close() (or the
// destructor) ends it. Threads: one I/O thread (socket, parser, timers, reconnect) and one
// dispatcher thread (message callbacks and connection events); see src/client/README.md.
// Inline subscriptions run their handlers on the I/O thread instead (SubscribeInline).
// Thread-safe: every method may be called from any thread, also from callbacks, except that the
// Connection must not be destroyed from one of its own callbacks.
class Connection {
 public:
  // Connects to the first server of the pool that answers (each tried once) and completes the
  // handshake (INFO, CONNECT, PING/PONG). Fails on a bad URL, when no server answers, or when the
  // server refuses the CONNECT (-ERR, for example 'Authorization Violation').
  static Result<std::unique_ptr<Connection>> Connect(Options options);
  // Convenience: Options with a single server URL.
  static Result<std::unique_ptr<Connection>> Connect(std::string_view url);

  ~Connection();  // Close()
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Queue a message for sending. Returns once it is in the output buffer (or, while
  // reconnecting, in the bounded reconnect buffer); use Flush() to know the server has it.
  Status Publish(std::string_view subject, std::string_view data);
  Status Publish(std::string_view subject, std::string_view reply, const Headers& headers,
                 std::string_view data);

  // Callback subscription: `handler` runs on the dispatcher thread.
  Result<Subscription> Subscribe(std::string_view subject, MsgHandler handler);
  Result<Subscription> QueueSubscribe(std::string_view subject, std::string_view queue,
                                      MsgHandler handler);
  // As Subscribe/QueueSubscribe, with a handler that may take the message (MsgTakeHandler).
  Result<Subscription> SubscribeTake(std::string_view subject, MsgTakeHandler handler);
  Result<Subscription> QueueSubscribeTake(std::string_view subject, std::string_view queue,
                                          MsgTakeHandler handler);
  // Inline (zero-copy) subscription: `handler` runs on the I/O thread as each message is parsed,
  // with views into the read buffer that are valid only until it returns (MsgView::ToMsg()
  // copies). No copy, no allocation, no lock per message. Nothing is queued, so the
  // slow-consumer limits and PendingMsgs() do not apply; Delivered() and AutoUnsubscribe() work
  // as for any subscription. A message being delivered when another thread unsubscribes may
  // still reach the handler; none after that.
  // The contract, since the handler holds up all reading on this connection while it runs:
  // - it should be short (hand heavy work to another thread): other subscriptions' messages,
  //   request replies and the server's PINGs wait for it;
  // - it may Publish (never blocks: past Options::max_pending_out_bytes it appends anyway, and
  //   the I/O thread writes before it reads again), Subscribe, Unsubscribe, AutoUnsubscribe;
  // - it may Close(): that returns at once, no further message is delivered and the connection
  //   closes when the handler returns (the closed event follows on the dispatcher);
  // - calls that wait for the I/O thread fail at once with IsIoThreadError() instead of
  //   deadlocking: Request, Flush, Drain, Subscription::NextMsg and what is built on them
  //   (JetStream API calls, JetStream publish, JsMsg::AckSync, PullSubscription::Fetch);
  // - it must not destroy the Connection.
  // Ordering: in arrival order among inline subscriptions; no order relative to the callbacks of
  // ordinary subscriptions, which run on the dispatcher thread.
  Result<Subscription> SubscribeInline(std::string_view subject, MsgViewHandler handler);
  Result<Subscription> QueueSubscribeInline(std::string_view subject, std::string_view queue,
                                            MsgViewHandler handler);
  // Synchronous subscription: read with Subscription::NextMsg().
  Result<Subscription> SubscribeSync(std::string_view subject);
  Result<Subscription> QueueSubscribeSync(std::string_view subject, std::string_view queue);

  // Publishes on `subject` with a unique reply subject under the shared inbox
  // (_INBOX.<nuid>.*, subscribed once) and waits for the first reply.
  // Errors: IsTimeout(), IsNoResponders() (the server's 503 status), IsClosed().
  Result<Msg> Request(std::string_view subject, std::string_view data,
                      std::chrono::milliseconds timeout);
  Result<Msg> Request(std::string_view subject, const Headers& headers, std::string_view data,
                      std::chrono::milliseconds timeout);

  // Sends PING and waits for its PONG: everything published before has reached the server.
  Status Flush(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

  // Unsubscribes everything, delivers what was already received to the callbacks, flushes the
  // publishes and closes. Returns a timeout error (and closes anyway) when it takes longer.
  Status Drain(std::chrono::milliseconds timeout = std::chrono::milliseconds(30000));
  // Flushes what is buffered (best effort), closes the socket, fails pending requests and
  // flushes, runs the closed callback and stops both threads. Idempotent.
  void Close();

  ConnectionStatus status() const;
  bool IsConnected() const { return status() == ConnectionStatus::kConnected; }
  // "host:port" of the server currently connected (empty when none).
  std::string ConnectedServer() const;
  // The pool: the given URLs, then those learned from INFO connect_urls ("host:port").
  std::vector<std::string> Servers() const;
  uint64_t Reconnects() const;
  size_t MaxPayload() const;  // from the server's INFO
  // True on this connection's I/O thread, that is inside an inline handler.
  bool OnIoThread() const;

 private:
  explicit Connection(std::shared_ptr<detail::ConnectionCore> core) : core_(std::move(core)) {}
  std::shared_ptr<detail::ConnectionCore> core_;
};

}  // namespace spate::client
