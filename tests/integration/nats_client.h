#pragma once

// Small RAII layer over the official NATS C client (libnats) for integration tests.

#include <nats/nats.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace spate::test {

struct NatsDeleter {
  void operator()(natsConnection* c) const { natsConnection_Destroy(c); }
  void operator()(natsSubscription* s) const { natsSubscription_Destroy(s); }
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
};
using NatsConnection = std::unique_ptr<natsConnection, NatsDeleter>;
using NatsSubscription = std::unique_ptr<natsSubscription, NatsDeleter>;
using NatsMsg = std::unique_ptr<natsMsg, NatsDeleter>;
using NatsOptions = std::unique_ptr<natsOptions, NatsDeleter>;

// Connects to `url` with reconnects off (a test sees a lost connection at once) and lets
// `configure` adjust the options first.
inline natsStatus Connect(const std::string& url, NatsConnection* out,
                          const std::function<void(natsOptions*)>& configure = {}) {
  natsOptions* raw = nullptr;
  natsStatus s = natsOptions_Create(&raw);
  if (s != NATS_OK) return s;
  NatsOptions opts(raw);
  natsOptions_SetURL(opts.get(), url.c_str());
  natsOptions_SetAllowReconnect(opts.get(), false);
  natsOptions_SetTimeout(opts.get(), 5000);
  if (configure) configure(opts.get());
  natsConnection* conn = nullptr;
  s = natsConnection_Connect(&conn, opts.get());
  out->reset(conn);
  return s;
}

inline std::string Payload(natsMsg* msg) {
  return std::string(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
}

// Async subscription handler that records every message; the subscription passes `this` as the
// closure. Thread-safe: libnats calls OnMsg on its delivery thread.
class MessageCollector {
 public:
  struct Received {
    std::string subject, reply, payload;
  };

  // With keep_messages false only count() is maintained (for bulk traffic).
  explicit MessageCollector(bool keep_messages = true) : keep_messages_(keep_messages) {}

  static void OnMsg(natsConnection* /*conn*/, natsSubscription* /*sub*/, natsMsg* msg,
                    void* closure) {
    auto* self = static_cast<MessageCollector*>(closure);
    if (self->keep_messages_) {
      std::lock_guard<std::mutex> lock(self->mu_);
      const char* reply = natsMsg_GetReply(msg);
      self->messages_.push_back(
          {natsMsg_GetSubject(msg), reply != nullptr ? reply : "", Payload(msg)});
    }
    self->count_.fetch_add(1, std::memory_order_release);
    natsMsg_Destroy(msg);
  }

  int count() const { return count_.load(std::memory_order_acquire); }
  std::vector<Received> messages() const {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }

 private:
  const bool keep_messages_;
  mutable std::mutex mu_;
  std::vector<Received> messages_;
  std::atomic<int> count_{0};
};

// Number of messages waiting in a subscription's client-side queue. After a Flush() on the
// connection that both subscribed and published, this is exact: the server sent every MSG before
// the PONG.
inline int PendingMsgs(natsSubscription* sub) {
  int msgs = -1, bytes = -1;
  if (natsSubscription_GetPending(sub, &msgs, &bytes) != NATS_OK) return -1;
  return msgs;
}

}  // namespace spate::test
