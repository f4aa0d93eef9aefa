#include "client/push_subscription.h"

#include "client/jetstream_state.h"

namespace spate::client {

bool HandlePushStatus(Connection& conn, const Msg& msg) {
  if (!IsStatusMsg(msg)) return false;
  if (msg.headers.status != 100) return true;
  // Flow control: the server waits for an empty reply before sending more.
  if (!msg.reply.empty()) (void)conn.Publish(msg.reply, "");
  // A heartbeat of a consumer stalled on flow control names the subject to answer.
  if (auto stalled = msg.headers.Get("Nats-Consumer-Stalled"); stalled && !stalled->empty()) {
    (void)conn.Publish(*stalled, "");
  }
  return true;
}

Result<JsMsg> PushSubscription::NextMsg(std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  if (!js_) return Status::InvalidArgument("empty push subscription handle");
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    Result<Msg> m = sub_.NextMsg(std::max(left, std::chrono::milliseconds(0)));
    if (!m.ok()) return m.status();
    if (HandlePushStatus(*js_->conn, *m)) continue;
    return JsMsg(std::move(*m), js_->conn);
  }
}

Status PushSubscription::Unsubscribe() {
  if (!js_) return Status::InvalidArgument("empty push subscription handle");
  Status s = sub_.Unsubscribe();
  if (delete_on_unsubscribe_) {
    JetStream js(js_);
    Status d = js.DeleteConsumer(stream_, consumer_);
    if (s.ok() && !d.ok() && !IsApiError(d, kErrConsumerNotFound)) s = d;
  }
  return s;
}

}  // namespace spate::client
