#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/api_error.h"
#include "client/connection.h"
#include "client/jetstream_config.h"
#include "client/jetstream_types.h"
#include "client/js_msg.h"
#include "client/key_value.h"
#include "client/ordered_consumer.h"
#include "client/pull_subscription.h"
#include "client/push_subscription.h"
#include "common/status.h"

namespace spate::client {

namespace detail {
struct JetStreamState;
struct OrderedState;
}  // namespace detail

struct JsOptions {
  // The API subject prefix. Empty: "$JS.API", or "$JS.<domain>.API" when `domain` is set.
  std::string api_prefix;
  std::string domain;
  // Default wait for API replies and for synchronous publish acks.
  std::chrono::milliseconds timeout{5000};
  // PublishAsync: at most this many publishes awaiting their ack. When the window is full,
  // PublishAsync waits up to `async_stall_wait` for room when `async_block_when_full`, else fails
  // at once; either way a full window ends in an error, never in an unbounded backlog.
  size_t max_async_pending = 4000;
  bool async_block_when_full = true;
  std::chrono::milliseconds async_stall_wait{5000};
  // An async publish without its ack after this long completes with a timeout error.
  std::chrono::milliseconds async_ack_timeout{5000};
};

// The JetStream context of one Connection, in the spirit of nats.go's JetStreamContext: stream,
// consumer and account management over the $JS.API request subjects.
// Lifecycle: a cheap handle (copies share state); the Connection must outlive it and everything
// made from it.
// Threading: every method may be called from any thread, and from the connection's callbacks
// (each API call is a request whose reply the I/O thread hands over, so it does not need the
// dispatcher thread).
// Errors: Result/Status; an API error from the server is readable with GetApiError()
// (api_error.h); transport failures are the connection's (IsTimeout, IsNoResponders - which also
// means JetStream is not enabled - IsClosed).
class JetStream {
 public:
  static Result<JetStream> Create(Connection& conn, JsOptions options = {});

  // ---- streams ----
  // STREAM.CREATE. Creating a stream that exists with the same config succeeds (as the server
  // answers); a different config is an API error (10058).
  Result<StreamInfo> AddStream(const StreamConfig& config);
  Result<StreamInfo> UpdateStream(const StreamConfig& config);
  Result<StreamInfo> GetStreamInfo(std::string_view stream);
  Status DeleteStream(std::string_view stream);
  // Returns the number of messages purged.
  Result<uint64_t> PurgeStream(std::string_view stream, const PurgeOptions& options = {});
  // Names / infos of all streams (optionally only those holding `subject_filter`); follows the
  // server's paging (offset/total) to the end.
  Result<std::vector<std::string>> StreamNames(std::string_view subject_filter = {});
  Result<std::vector<StreamInfo>> ListStreams(std::string_view subject_filter = {});

  // ---- stored messages ----
  // STREAM.MSG.GET by sequence / last on a subject. Not found: API error 10037.
  Result<StoredMsg> GetMsg(std::string_view stream, uint64_t seq);
  Result<StoredMsg> GetLastMsg(std::string_view stream, std::string_view subject);
  // DIRECT.GET (streams with allow_direct): served by any replica, no JSON envelope. Not found:
  // an ApiError {404, 10037}, like GetMsg's.
  Result<StoredMsg> DirectGetMsg(std::string_view stream, uint64_t seq);
  Result<StoredMsg> DirectGetLastMsg(std::string_view stream, std::string_view subject);
  // STREAM.MSG.DELETE; `erase` overwrites the message on disk (slower).
  Status DeleteMsg(std::string_view stream, uint64_t seq, bool erase = false);

  // ---- consumers ----
  // CONSUMER.CREATE.<stream>.<name> when the config has a name or durable_name (with the filter
  // subject appended when there is exactly one), else the ephemeral CONSUMER.CREATE.<stream>.
  Result<ConsumerInfo> AddConsumer(std::string_view stream, const ConsumerConfig& config,
                                   ConsumerAction action = ConsumerAction::kCreateOrUpdate);
  // AddConsumer with action "update": fails when the consumer does not exist (2.10; nats-server
  // 2.9 ignores the action and creates it).
  Result<ConsumerInfo> UpdateConsumer(std::string_view stream, const ConsumerConfig& config);
  Result<ConsumerInfo> GetConsumerInfo(std::string_view stream, std::string_view consumer);
  Status DeleteConsumer(std::string_view stream, std::string_view consumer);
  Result<std::vector<std::string>> ConsumerNames(std::string_view stream);
  Result<std::vector<ConsumerInfo>> ListConsumers(std::string_view stream);

  // ---- publish with ack ----
  // Publishes and waits for the stream's PubAck (options.timeout, else the context's). A message
  // no stream takes is IsNoResponders(); a broken expectation (PubOptions) or a duplicate-window
  // conflict is an ApiError (10071 wrong last sequence, 10070 wrong last msg id, 10060 stream
  // mismatch). A duplicate within the window is not an error: PubAck::duplicate is set.
  Result<PubAck> Publish(std::string_view subject, std::string_view data,
                         const PubOptions& options = {});
  Result<PubAck> Publish(std::string_view subject, const Headers& headers, std::string_view data,
                         const PubOptions& options = {});

  // Asynchronous publish inside a bounded window of unacknowledged messages (JsOptions).
  // `on_ack` runs exactly once unless this call fails: with the PubAck or the error, on the
  // connection's dispatcher thread when the reply arrives, or on the thread of a later
  // PublishAsync / PublishAsyncComplete call that finds the ack overdue (timeout error). It must
  // not block for long: acks of other publishes wait behind it. Returns an error (and never runs
  // `on_ack`) when the window stays full (see JsOptions) or the connection refuses the publish.
  // Called from a connection callback, a full window fails at once instead of blocking (the
  // dispatcher delivers the acks that would make room).
  using AckHandler = std::function<void(Result<PubAck>)>;
  Status PublishAsync(std::string_view subject, std::string_view data, const PubOptions& options,
                      AckHandler on_ack);
  Status PublishAsync(std::string_view subject, const Headers& headers, std::string_view data,
                      const PubOptions& options, AckHandler on_ack);
  // The same with a future (one shared state per message; the callback form is lighter).
  std::future<Result<PubAck>> PublishAsync(std::string_view subject, std::string_view data,
                                           const PubOptions& options = {});
  // Waits until no async publish is pending (acks received or timed out).
  Status PublishAsyncComplete(std::chrono::milliseconds timeout);
  size_t PublishAsyncPending() const;

  // ---- consume ----
  // A pull subscription on an existing consumer (looked up: it must exist and be a pull one).
  Result<PullSubscription> PullSubscribe(std::string_view stream, std::string_view consumer);
  // Creates (or updates) the pull consumer `consumer` with `config` (its name and durable_name
  // are set to `consumer`), then subscribes.
  Result<PullSubscription> PullSubscribe(std::string_view stream, std::string_view consumer,
                                         ConsumerConfig config);
  // A push consumer: subscribes the deliver subject (a new inbox when config.deliver_subject is
  // empty; config.deliver_group as queue group), then creates or updates the consumer (durable
  // when config.durable_name is set, else ephemeral). `handler` runs on the dispatcher thread.
  Result<PushSubscription> Subscribe(std::string_view stream, ConsumerConfig config,
                                     JsMsgHandler handler);
  Result<PushSubscription> SubscribeSync(std::string_view stream, ConsumerConfig config);
  // An ordered consumer (see ordered_consumer.h).
  Result<std::unique_ptr<OrderedConsumer>> SubscribeOrdered(std::string_view stream,
                                                            OrderedConsumerOptions options,
                                                            JsMsgHandler handler);

  // ---- key-value buckets (key_value.h) ----
  // Creates the bucket's stream (KV_<bucket>, "$KV.<bucket>.>", per-key history, rollup and
  // direct get allowed, deletes denied, discard new, a 2-minute duplicate window or the TTL when
  // shorter). Creating a bucket that exists with the same settings succeeds.
  Result<KeyValue> CreateKeyValue(const KvConfig& config);
  // A handle on an existing bucket; NotFound ("bucket not found") when there is none.
  Result<KeyValue> GetKeyValue(std::string_view bucket);
  Status DeleteKeyValue(std::string_view bucket);

  // ---- account ----
  Result<AccountInfo> GetAccountInfo();

  // ---- raw API ----
  // Sends `json_body` to "<api prefix>.<api_subject>" (for example "STREAM.INFO.ORDERS") and
  // returns the reply's JSON text; an {"error":...} reply comes back as the ApiError status.
  // For tools that need a verb or a field this class does not model.
  Result<std::string> ApiRequest(std::string_view api_subject, std::string_view json_body);

  const JsOptions& options() const;
  Connection& connection() const;
  // "<api prefix>." ready for appending a verb, for example "$JS.API.".
  const std::string& api_prefix() const;

 private:
  friend class PushSubscription;
  friend class KeyValue;
  friend struct detail::OrderedState;
  explicit JetStream(std::shared_ptr<detail::JetStreamState> state) : state_(std::move(state)) {}
  Result<PushSubscription> SubscribePush(std::string_view stream, ConsumerConfig config,
                                         JsMsgHandler handler, bool sync);
  // SubscribeOrdered with a hook run after each (re)creation of the consumer (KV watchers).
  Result<std::unique_ptr<OrderedConsumer>> SubscribeOrderedInternal(
      std::string_view stream, OrderedConsumerOptions options, JsMsgHandler handler,
      std::function<void(const ConsumerInfo&)> on_created);
  std::shared_ptr<detail::JetStreamState> state_;
};

}  // namespace spate::client
