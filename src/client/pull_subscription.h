#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "client/js_msg.h"
#include "client/subscription.h"
#include "common/status.h"

namespace spate::client {

namespace detail {
struct JetStreamState;
}

// A pull consumer bound to one inbox subscription "_INBOX.<nuid>.*". Each Fetch sends
// $JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer> with its own reply subject "<inbox>.<n>", so a
// late status (408) answering an earlier Fetch cannot end a later one.
// Made by JetStream::PullSubscribe. Threading: Fetch from one thread at a time; the handle may
// be copied (copies share the inbox).
class PullSubscription {
 public:
  PullSubscription() = default;

  // Up to `batch` messages (and, when max_bytes > 0, at most about that many bytes), waiting at
  // most `timeout` for the first one; once messages came, it returns when the consumer has no
  // more to give. Returns what arrived, possibly nothing: "no messages" (404), "request
  // timeout" (408) and running out of time are not errors. Heartbeats (100) are skipped. A 409
  // (consumer deleted, exceeded max waiting / max request batch / max bytes, ...) ends the fetch;
  // with no message received it is returned as Status::Unavailable("409 <description>").
  Result<std::vector<JsMsg>> Fetch(size_t batch, std::chrono::milliseconds timeout,
                                   int64_t max_bytes = 0);
  // Unsubscribes the inbox; the consumer stays on the server.
  Status Unsubscribe();

  const std::string& stream() const { return stream_; }
  const std::string& consumer() const { return consumer_; }

 private:
  friend class JetStream;
  std::shared_ptr<detail::JetStreamState> js_;
  std::string stream_, consumer_;
  std::string inbox_prefix_;  // "_INBOX.<nuid>."
  std::shared_ptr<uint64_t> next_fetch_ = std::make_shared<uint64_t>(0);
  Subscription sub_;
};

}  // namespace spate::client
