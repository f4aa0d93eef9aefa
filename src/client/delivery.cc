// Delivery of parsed MSG/HMSG frames on the I/O thread: ordinary subscriptions get an owning Msg
// queued under mu_ (for the dispatcher, NextMsg or a waiting Request); inline subscriptions get
// a MsgView into the read buffer, handed to their handler right here with no lock held.
#include <charconv>

#include "client/connection_core.h"

namespace spate::client::detail {

void ConnectionCore::DeliverMsg(const protocol::MsgOp& m) {
  uint64_t sid = 0;
  std::from_chars(m.sid.data(), m.sid.data() + m.sid.size(), sid);
  // Steady state for an inline subscription: found here, no lock taken.
  if (auto it = inline_subs_.find(sid); it != inline_subs_.end()) {
    if (it->second->active) {
      DeliverInline(*it->second, m);
      return;
    }
    inline_subs_.erase(it);  // unsubscribed; the sid is not reused
  }
  std::shared_ptr<SubState> inline_sub;
  {
    std::lock_guard lock(mu_);
    inline_sub = DeliverLocked(sid, m);
  }
  if (inline_sub) {
    DeliverInline(*inline_sub, m);
    inline_subs_.emplace(sid, std::move(inline_sub));
  }
}

void ConnectionCore::DeliverInline(SubState& sub, const protocol::MsgOp& m) {
  // Only this thread writes `delivered`. Store, then load `max`: see SubState.
  const uint64_t delivered = sub.delivered.load(std::memory_order_relaxed) + 1;
  sub.delivered.store(delivered);
  if (const uint64_t max = sub.max.load(); max > 0 && delivered >= max) {
    {
      std::lock_guard lock(mu_);
      if (sub.active) RemoveSubLocked(sub);
    }
    if (delivered > max) {  // AutoUnsubscribe lowered the limit below what had arrived
      sub.delivered.store(delivered - 1);
      return;
    }
  }
  MsgView view;
  view.subject = m.subject;
  view.reply = m.reply;
  view.data = m.payload;
  if (m.has_headers) {
    view.has_headers = true;
    view.headers = HeadersView(m.headers);
  }
  sub.view_handler(view);
}

std::shared_ptr<SubState> ConnectionCore::DeliverLocked(uint64_t sid, const protocol::MsgOp& m) {
  auto it = subs_.find(sid);
  if (it == subs_.end()) return nullptr;  // unsubscribed meanwhile
  std::shared_ptr<SubState> sub = it->second;
  if (sub->view_handler) return sub;
  const uint64_t delivered = ++sub->delivered;
  if (sub->max > 0 && delivered >= sub->max) RemoveSubLocked(*sub);

  Msg msg;
  msg.subject = m.subject;
  msg.reply = m.reply;
  msg.data = m.payload;
  if (m.has_headers) {
    msg.has_headers = true;
    Result<Headers> h = Headers::Parse(m.headers);
    if (h.ok()) {
      msg.headers = std::move(*h);
    } else {
      ReportErrorLocked(
          Status::Corruption("bad headers on '" + msg.subject + "': " + h.status().message()));
    }
  }

  if (sub->request_mux) {
    auto req = requests_.find(msg.subject.substr(resp_prefix_.size()));
    if (req == requests_.end()) return nullptr;  // timed out already
    req->second->done = true;
    req->second->msg = std::move(msg);
    requests_.erase(req);
    cv_.notify_all();
    return nullptr;
  }
  const size_t bytes = msg.data.size();  // payload bytes, as NextMsg and the dispatcher count
  if (sub->pending_msgs + 1 > options_.pending_msgs_limit ||
      sub->pending_bytes + bytes > options_.pending_bytes_limit) {
    sub->dropped++;
    if (!sub->slow_reported) {
      sub->slow_reported = true;
      ReportErrorLocked(Status::Unavailable("slow consumer: messages dropped on '" + sub->subject +
                                            "' (sid " + std::to_string(sid) + ")"));
    }
    return nullptr;
  }
  sub->pending_msgs++;
  sub->pending_bytes += bytes;
  if (sub->sync) {
    sub->msgs.push_back(std::move(msg));
    wake_sync_ = true;
  } else {
    DispatchTask task;
    task.sub = sub;
    task.msg = std::move(msg);
    task.bytes = bytes;
    tasks_.push_back(std::move(task));
    wake_dispatcher_ = true;
  }
  return nullptr;
}

void ConnectionCore::WakeReceivers() {
  // Without mu_: the queues were filled under it, and a waiter checks them under it before it
  // sleeps, so a notify after the unlock is never lost.
  if (wake_sync_) cv_.notify_all();
  if (wake_dispatcher_) tasks_cv_.notify_one();
  wake_sync_ = wake_dispatcher_ = false;
}

}  // namespace spate::client::detail
