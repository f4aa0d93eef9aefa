#pragma once

#include <nats/nats.h>

#include <atomic>
#include <memory>
#include <string>

#include "common/status.h"

namespace spate::bench {

// Thin RAII over the official NATS C client (libnats), so both servers see the same client.

struct NatsConnectionDeleter {
  void operator()(natsConnection* nc) const;
};
struct NatsSubscriptionDeleter {
  void operator()(natsSubscription* sub) const { natsSubscription_Destroy(sub); }
};
using NatsConnection = std::unique_ptr<natsConnection, NatsConnectionDeleter>;
using NatsSubscription = std::unique_ptr<natsSubscription, NatsSubscriptionDeleter>;

// Set from the C client's callback threads; read by the scenario thread to fail fast instead of
// waiting for a stall timeout when the server drops a connection (e.g. as a slow consumer).
struct ConnectionEvents {
  std::atomic<int> closed{0};
  std::atomic<int> async_errors{0};
  std::atomic<int> last_error{NATS_OK};
};

enum class SendMode {
  kBuffered,  // the client batches writes (a flusher thread); for publishers
  kAsap,      // every publish is written at once, no flusher thread; for subscribers, req/reply
};

struct ConnectOptions {
  std::string url;
  std::string name;
  SendMode send_mode = SendMode::kBuffered;
  ConnectionEvents* events = nullptr;  // optional, must outlive the connection
};

// Connects with reconnects disabled: a server that goes away fails the scenario at once.
Result<NatsConnection> Connect(const ConnectOptions& options);

// Wraps a libnats status as a Status, with `what` saying which call failed.
Status FromNats(natsStatus s, const std::string& what);

// Must run once before any other call here (nats_Open), and the matching close at exit. Message
// callbacks of all subscriptions run on one shared library thread to keep client threads few on
// small machines.
Status InitNatsLibrary();
void CloseNatsLibrary();

}  // namespace spate::bench
