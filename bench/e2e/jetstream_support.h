#pragma once

#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bench/e2e/nats_client.h"
#include "bench/e2e/scenario.h"

namespace spate::bench {

// Shared pieces of the JetStream scenarios: how each server is configured, the libnats JetStream
// context, stream set-up and a checked asynchronous publisher.

enum class StorageKind { kFile, kMemory };

// When a file stream's PubAck is sent relative to the data reaching the disk.
enum class Durability {
  kSafe,  // after fsync/fdatasync: spate's default, nats-server `sync_interval: always`
  kFast,  // before it; synced every 2 min: nats-server's default, spate `sync_interval: "2m"`
};

// Which durability each side of a file-stream scenario runs in.
enum class Pairing {
  kFast,   // both periodic
  kSafe,   // both sync before PubAck
  kCross,  // A safe, B periodic: spate's default against nats-server's default
};

Durability SideDurability(Pairing pairing, int side);
std::string PairingDescription(Pairing pairing);

// `-js` plus the store directory (a fresh `work_dir/store`) and, when the durability asks for a
// non-default setting of this kind of server, a config file `work_dir/jetstream.conf` with
// `jetstream { store_dir, sync_interval }`. No durability (memory streams): the default.
Result<std::vector<std::string>> JetStreamServerArgs(const ServerSpec& server,
                                                     std::optional<Durability> durability,
                                                     const std::string& work_dir);

// Empty when the server can run in `durability`; otherwise why not. nats-server is probed once
// per binary (it has to start with `sync_interval: always`; 2.9 does not know the option).
std::string DurabilityUnsupported(const ServerSpec& server, Durability durability);

struct JetStreamDeleter {
  void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
};
using JetStreamContext = std::unique_ptr<jsCtx, JetStreamDeleter>;

Result<JetStreamContext> NewJetStream(natsConnection* nc, jsOptions* options = nullptr);

// FromNats plus the JetStream error code, when there is one.
Status FromJs(natsStatus s, jsErrCode code, const std::string& what);

// A stream with one subject, limits retention, one replica, otherwise the server's defaults.
Status AddStream(jsCtx* js, const std::string& name, const std::string& subject,
                 StorageKind storage);

// State.Msgs of a stream's info.
Result<uint64_t> StreamMessages(jsCtx* js, const std::string& stream);

// Polls consumer info (up to 5 s) until the ack floor has reached `last_seq` with no ack
// pending: proof the server processed every ack. An error says where it got stuck.
Status WaitForAckFloor(natsSubscription* sub, uint64_t last_seq);

// Polls every `poll` until `done()` holds. Fails when a connection of `events` was closed by the
// server, or when `received` has not moved for 5 s (a stall), naming `target` in the error.
Status WaitWithoutStall(const std::atomic<int64_t>& received, int64_t target,
                        const std::function<bool()>& done, const ConnectionEvents& events,
                        std::chrono::microseconds poll);

// Checks every PubAck of an AsyncPublisher. Written by the client library's delivery thread.
// It outlives the publisher (a late PubAck after a failed sample must find it), so scenarios
// keep them for their own lifetime.
struct PubAckTally {
  PubAckTally(std::string stream_name, int64_t capacity)
      : stream(std::move(stream_name)), seen(static_cast<size_t>(capacity), 0) {}
  const std::string stream;
  std::vector<uint8_t> seen;                    // [seq - 1]: that sequence was acknowledged
  std::atomic<uint64_t> lowest{1}, highest{0};  // sequences the current phase may get
  std::atomic<int64_t> acked{0};                // PubAcks (good or bad) and errors
  std::atomic<int64_t> bad{0};
  std::mutex mutex;
  std::string first_problem;  // guarded by mutex
};

// js_PublishAsync with at most `max_pending` PubAcks outstanding (libnats blocks the publisher
// for up to 5 s when the window is full). Every PubAck must name the stream, be no duplicate and
// carry a sequence of the current phase that no other PubAck had; the stream has to start empty.
// Threading: Publish() from one thread; the tally is written from the library's thread.
class AsyncPublisher {
 public:
  static Result<std::unique_ptr<AsyncPublisher>> Create(natsConnection* nc, int max_pending,
                                                        PubAckTally* tally);
  jsCtx* js() const { return js_.get(); }

  // Publishes `count` messages, then waits for all their PubAcks (errors on a stall of 5 s).
  Status Publish(const std::string& subject, const std::string& payload, int64_t count);
  // First publish and last PubAck of the latest Publish().
  int64_t start_ns() const { return start_ns_; }
  int64_t end_ns() const { return end_ns_; }

 private:
  explicit AsyncPublisher(PubAckTally* tally) : tally_(tally) {}

  PubAckTally* tally_;
  JetStreamContext js_;
  uint64_t published_ = 0;
  int64_t start_ns_ = 0;
  int64_t end_ns_ = 0;
};

}  // namespace spate::bench
