// JetStream::Publish / PublishAsync: the Nats-* expectation headers and PubAck decoding.
#include "client/async_publisher.h"
#include "client/jetstream.h"
#include "client/jetstream_state.h"

namespace spate::client {
namespace {

// The user's headers plus one per set expectation.
Headers WithExpectations(const Headers* base, const PubOptions& o) {
  Headers h = base ? *base : Headers{};
  if (!o.msg_id.empty()) h.Add("Nats-Msg-Id", o.msg_id);
  if (!o.expected_stream.empty()) h.Add("Nats-Expected-Stream", o.expected_stream);
  if (o.expected_last_seq)
    h.Add("Nats-Expected-Last-Sequence", std::to_string(*o.expected_last_seq));
  if (o.expected_last_subject_seq) {
    h.Add("Nats-Expected-Last-Subject-Sequence", std::to_string(*o.expected_last_subject_seq));
  }
  if (!o.expected_last_msg_id.empty()) h.Add("Nats-Expected-Last-Msg-Id", o.expected_last_msg_id);
  return h;
}

bool HasExpectations(const PubOptions& o) {
  return !o.msg_id.empty() || !o.expected_stream.empty() || o.expected_last_seq ||
         o.expected_last_subject_seq || !o.expected_last_msg_id.empty();
}

}  // namespace

Result<PubAck> JetStream::Publish(std::string_view subject, std::string_view data,
                                  const PubOptions& options) {
  return Publish(subject, Headers{}, data, options);
}

Result<PubAck> JetStream::Publish(std::string_view subject, const Headers& headers,
                                  std::string_view data, const PubOptions& options) {
  const Headers h = WithExpectations(&headers, options);
  const auto timeout = options.timeout.count() > 0 ? options.timeout : state_->options.timeout;
  Result<Msg> reply = state_->conn->Request(subject, h, data, timeout);
  if (!reply.ok()) return reply.status();
  SPATE_ASSIGN_OR_RETURN(detail::Json j, detail::ParseApiReply(reply->data));
  return detail::DecodePubAck(j);
}

Status JetStream::PublishAsync(std::string_view subject, std::string_view data,
                               const PubOptions& options, AckHandler on_ack) {
  return PublishAsync(subject, Headers{}, data, options, std::move(on_ack));
}

Status JetStream::PublishAsync(std::string_view subject, const Headers& headers,
                               std::string_view data, const PubOptions& options,
                               AckHandler on_ack) {
  std::shared_ptr<detail::AsyncPublisher> pub;
  {
    std::lock_guard lock(state_->async_mu);
    if (!state_->async) {
      SPATE_ASSIGN_OR_RETURN(state_->async, detail::AsyncPublisher::Create(*state_));
    }
    pub = state_->async;
  }
  if (!HasExpectations(options)) {
    return pub->Publish(subject, headers.empty() ? nullptr : &headers, data, std::move(on_ack));
  }
  const Headers h = WithExpectations(&headers, options);
  return pub->Publish(subject, &h, data, std::move(on_ack));
}

std::future<Result<PubAck>> JetStream::PublishAsync(std::string_view subject, std::string_view data,
                                                    const PubOptions& options) {
  auto promise = std::make_shared<std::promise<Result<PubAck>>>();
  std::future<Result<PubAck>> future = promise->get_future();
  Status s = PublishAsync(subject, data, options,
                          [promise](Result<PubAck> ack) { promise->set_value(std::move(ack)); });
  if (!s.ok()) promise->set_value(std::move(s));
  return future;
}

Status JetStream::PublishAsyncComplete(std::chrono::milliseconds timeout) {
  std::shared_ptr<detail::AsyncPublisher> pub;
  {
    std::lock_guard lock(state_->async_mu);
    pub = state_->async;
  }
  return pub ? pub->Complete(timeout) : Status::Ok();
}

size_t JetStream::PublishAsyncPending() const {
  std::lock_guard lock(state_->async_mu);
  return state_->async ? state_->async->Pending() : 0;
}

}  // namespace spate::client
