#include "client/async_publisher.h"

#include <charconv>

#include "client/jetstream_state.h"
#include "client/nuid.h"

namespace spate::client::detail {

AsyncPublisher::AsyncPublisher(const JetStreamState& js)
    : conn_(js.conn),
      max_pending_(js.options.max_async_pending),
      block_when_full_(js.options.async_block_when_full),
      stall_wait_(js.options.async_stall_wait),
      ack_timeout_(js.options.async_ack_timeout),
      prefix_(NewInbox() + ".") {}

Result<std::shared_ptr<AsyncPublisher>> AsyncPublisher::Create(const JetStreamState& js) {
  std::shared_ptr<AsyncPublisher> pub(new AsyncPublisher(js));
  // The callback holds a weak reference: the subscription must not keep the publisher alive.
  std::weak_ptr<AsyncPublisher> weak = pub;
  SPATE_ASSIGN_OR_RETURN(pub->sub_, pub->conn_->Subscribe(pub->prefix_ + "*", [weak](const Msg& m) {
    if (auto self = weak.lock()) self->OnAck(m);
  }));
  return pub;
}

AsyncPublisher::~AsyncPublisher() {
  (void)sub_.Unsubscribe();
  std::map<uint64_t, PendingAck> left;
  {
    std::lock_guard lock(mu_);
    left.swap(pending_);
  }
  for (auto& [id, p] : left) {
    if (p.handler) p.handler(Status::Unavailable("jetstream context destroyed before the ack"));
  }
}

void AsyncPublisher::TakeExpiredLocked(Clock::time_point now, std::vector<AckHandler>* expired) {
  while (!pending_.empty() && pending_.begin()->second.deadline <= now) {
    expired->push_back(std::move(pending_.begin()->second.handler));
    pending_.erase(pending_.begin());
  }
  if (!expired->empty()) room_cv_.notify_all();
}

void AsyncPublisher::RunExpired(std::vector<AckHandler>* expired) {
  for (AckHandler& h : *expired) {
    if (h) h(TimeoutError("no publish ack"));
  }
  expired->clear();
}

Status AsyncPublisher::Publish(std::string_view subject, const Headers* headers,
                               std::string_view data, AckHandler handler) {
  std::vector<AckHandler> expired;
  uint64_t id = 0;
  {
    std::unique_lock lock(mu_);
    TakeExpiredLocked(Clock::now(), &expired);
    if (pending_.size() >= max_pending_) {
      // Waiting on the dispatcher thread would block the very thread that delivers the acks;
      // on the I/O thread (an inline handler), the one that reads them.
      const bool can_block =
          block_when_full_ && std::this_thread::get_id() != dispatcher_ && !conn_->OnIoThread();
      const auto until = Clock::now() + stall_wait_;
      while (can_block && pending_.size() >= max_pending_ && Clock::now() < until) {
        // A copy: std::min returns a reference into the map node, which an ack may free.
        const Clock::time_point wake =
            pending_.empty() ? until : std::min(until, pending_.begin()->second.deadline);
        room_cv_.wait_until(lock, wake);
        TakeExpiredLocked(Clock::now(), &expired);
      }
      if (pending_.size() >= max_pending_) {
        lock.unlock();
        RunExpired(&expired);
        return Status::Unavailable("too many async publishes awaiting their ack (" +
                                   std::to_string(max_pending_) + ")");
      }
    }
    id = next_id_++;
    pending_.emplace(id, PendingAck{std::move(handler), Clock::now() + ack_timeout_});
  }
  RunExpired(&expired);
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), id).ptr;
  std::string reply;
  reply.reserve(prefix_.size() + static_cast<size_t>(end - digits));
  reply.append(prefix_).append(digits, end);
  Status s = headers ? conn_->Publish(subject, reply, *headers, data)
                     : conn_->Publish(subject, reply, Headers{}, data);
  if (!s.ok()) {
    std::lock_guard lock(mu_);
    pending_.erase(id);
    room_cv_.notify_all();
  }
  return s;
}

void AsyncPublisher::OnAck(const Msg& msg) {
  uint64_t id = 0;
  const std::string_view token = std::string_view(msg.subject).substr(prefix_.size());
  std::from_chars(token.data(), token.data() + token.size(), id);
  AckHandler handler;
  {
    std::lock_guard lock(mu_);
    dispatcher_ = std::this_thread::get_id();
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // expired already
    handler = std::move(it->second.handler);
    pending_.erase(it);
    room_cv_.notify_all();
  }
  if (!handler) return;
  if (msg.has_headers && msg.headers.status == 503) {
    handler(NoRespondersError("async publish (no stream for the subject)"));
    return;
  }
  Result<Json> reply = ParseApiReply(msg.data);
  if (!reply.ok()) {
    handler(reply.status());
    return;
  }
  handler(DecodePubAck(*reply));
}

Status AsyncPublisher::Complete(std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  std::vector<AckHandler> expired;
  std::unique_lock lock(mu_);
  while (!pending_.empty()) {
    TakeExpiredLocked(Clock::now(), &expired);
    if (!expired.empty()) {
      lock.unlock();
      RunExpired(&expired);
      lock.lock();
      continue;
    }
    if (pending_.empty()) break;
    if (Clock::now() >= until) {
      return TimeoutError(std::to_string(pending_.size()) + " async publishes still pending");
    }
    // A copy: std::min returns a reference into the map node, which an ack may free.
    const Clock::time_point wake = std::min(until, pending_.begin()->second.deadline);
    room_cv_.wait_until(lock, wake);
  }
  return Status::Ok();
}

size_t AsyncPublisher::Pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

}  // namespace spate::client::detail
