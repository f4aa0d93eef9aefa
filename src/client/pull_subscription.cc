#include "client/pull_subscription.h"

#include "client/jetstream_state.h"
#include "client/nuid.h"

namespace spate::client {

Result<std::vector<JsMsg>> PullSubscription::Fetch(size_t batch, std::chrono::milliseconds timeout,
                                                   int64_t max_bytes) {
  using Clock = std::chrono::steady_clock;
  if (!js_) return Status::InvalidArgument("empty pull subscription handle");
  if (batch == 0) return Status::InvalidArgument("batch must be positive");
  if (timeout.count() <= 0) return Status::InvalidArgument("timeout must be positive");
  const auto deadline = Clock::now() + timeout;
  const std::string reply = inbox_prefix_ + std::to_string(++*next_fetch_);
  // The server should end the request a little before we stop waiting, so its 408 (and any
  // message in flight) reaches us instead of lingering for the next Fetch.
  const auto margin =
      std::min<std::chrono::milliseconds>(timeout / 10, std::chrono::milliseconds(100));
  // no_wait with an expiry, as nats.go asks: the server waits (up to the expiry) for a first
  // message, then ends the request at the end of what the consumer has, so a batch larger than
  // what is left returns at once instead of after `timeout`.
  detail::Json req = {{"batch", batch},
                      {"expires", std::chrono::duration_cast<Nanos>(timeout - margin).count()},
                      {"no_wait", true}};
  if (max_bytes > 0) req["max_bytes"] = max_bytes;
  Connection& conn = *js_->conn;
  SPATE_RETURN_IF_ERROR(conn.Publish(js_->prefix + "CONSUMER.MSG.NEXT." + stream_ + "." + consumer_,
                                     reply, Headers{}, req.dump()));

  std::vector<JsMsg> out;
  while (out.size() < batch) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    Result<Msg> m = sub_.NextMsg(left);
    if (!m.ok()) {
      if (IsTimeout(m.status())) break;
      return m.status();
    }
    if (!IsStatusMsg(*m)) {
      out.emplace_back(std::move(*m), &conn);
      continue;
    }
    const int code = m->headers.status;
    if (code == 100 || m->subject != reply) continue;  // heartbeat, or the end of an older fetch
    if (code == 404 || code == 408) break;
    if (code == 409 && out.empty()) {
      return Status::Unavailable("409 " + m->headers.description);
    }
    break;
  }
  return out;
}

Status PullSubscription::Unsubscribe() {
  if (!sub_.valid()) return Status::InvalidArgument("empty pull subscription handle");
  return sub_.Unsubscribe();
}

}  // namespace spate::client
