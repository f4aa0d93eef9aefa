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
#include <string_view>
#include <vector>

#include "bench/e2e/nats_client.h"
#include "bench/e2e/scenario.h"

namespace spate::bench {

// Shared pieces of the JetStream scenarios: how each server is configured, the libnats JetStream
// context, stream set-up and fill, a checked asynchronous publisher, and the checks of PubAcks and
// of what a consumer receives (shared with the scenarios driven by the spate C++ client).

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

// What consumer info says about a consumer's acks.
struct AckState {
  uint64_t ack_floor = 0;  // stream sequence
  uint64_t ack_pending = 0;
  uint64_t redelivered = 0;
};

// Polls `read_info` (up to 5 s) until the ack floor has reached `last_seq` with no ack pending:
// proof the server processed every ack. An error says where it got stuck. Takes a function so
// that scenarios on either client (libnats or the spate client) share the check.
Status WaitForAckFloor(const std::function<Result<AckState>()>& read_info, uint64_t last_seq);
// The same for a libnats JetStream subscription's consumer.
Status WaitForAckFloor(natsSubscription* sub, uint64_t last_seq);

// Empty when a delivery is the stream's message `expected_seq`, delivered for the first time,
// with `payload_bytes` bytes of payload; otherwise what is wrong with it.
std::string DeliveryProblem(uint64_t expected_seq, int payload_bytes, size_t size,
                            uint64_t stream_seq, uint64_t num_delivered);

// What a callback consumer saw, message by message. Written by the client library's delivery
// thread (one at a time), read by the scenario's thread; it must outlive the subscription.
struct DeliveryTally {
  DeliveryTally(int payload, int64_t target_count) : payload_bytes(payload), target(target_count) {}
  // The stream sequence the next delivery should carry.
  uint64_t next_seq() const { return static_cast<uint64_t>(received.load() + 1); }
  // Counts one delivery; `problem` is empty when it was good.
  void Record(const std::string& problem);
  // Waits until `target` deliveries came (WaitWithoutStall), then fails if any was bad.
  Status Wait(const ConnectionEvents& events) const;

  const int payload_bytes;
  const int64_t target;
  std::atomic<int64_t> received{0};
  std::atomic<int64_t> done_ns{0};  // when `received` reached `target`
  std::atomic<int64_t> problems{0};
  mutable std::mutex mutex;
  std::string first_problem;  // guarded by mutex
};

// Polls every `poll` until `done()` holds. Fails when a connection of `events` was closed by the
// server, or when `received` has not moved for 5 s (a stall), naming `target` in the error.
Status WaitWithoutStall(const std::atomic<int64_t>& received, int64_t target,
                        const std::function<bool()>& done, const ConnectionEvents& events,
                        std::chrono::microseconds poll);

// Empty when a PubAck names `expected_stream`, carries `expected_seq` and is no duplicate;
// otherwise what is wrong with it. `stream` is empty when the PubAck names none.
std::string PubAckProblem(std::string_view expected_stream, uint64_t expected_seq,
                          std::string_view stream, uint64_t seq, bool duplicate);

// Checks every PubAck of an asynchronous publisher (libnats' AsyncPublisher below, or the spate
// C++ client's PublishAsync). Written by the client library's delivery thread (one at a time).
// It outlives the publisher (a late PubAck after a failed sample must find it), so scenarios
// keep them for their own lifetime.
struct PubAckTally {
  PubAckTally(std::string stream_name, int64_t capacity)
      : stream(std::move(stream_name)), seen(static_cast<size_t>(capacity), 0) {}

  // Publisher's thread: the next `count` messages are a phase; their PubAcks must carry the
  // next `count` sequences of the stream (which started empty), each once.
  Status BeginPhase(int64_t count);
  // Delivery thread: one PubAck, checked (the stream, no duplicate, a sequence of the current
  // phase not acknowledged before), or one publish that failed (`problem` says how). The last
  // use of the tally by that publish's handler.
  void Record(std::string_view stream_name, uint64_t seq, bool duplicate);
  void RecordError(const std::string& problem);
  // Publisher's thread. A client may report the phase complete just before its last handler
  // has counted: waits (up to 5 s) until `base + count` PubAcks and errors were counted.
  Status AwaitAcks(int64_t base, int64_t count) const;
  // An error when any PubAck so far was bad, naming the first.
  Status Verdict() const;
  // "<n> of <count> acked" since `base`, for errors.
  std::string AckedText(int64_t base, int64_t count) const;

  const std::string stream;
  std::vector<uint8_t> seen;                    // [seq - 1]: that sequence was acknowledged
  uint64_t published = 0;                       // publisher's thread only
  std::atomic<uint64_t> lowest{1}, highest{0};  // sequences the current phase may get
  std::atomic<int64_t> acked{0};                // PubAcks (good or bad) and errors
  std::atomic<int64_t> bad{0};
  mutable std::mutex mutex;
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
  int64_t start_ns_ = 0;
  int64_t end_ns_ = 0;
};

// The untimed set-up of the consume and restart scenarios: adds the file stream `tally->stream`
// on `subject` and publishes `count` copies of `payload` over `nc` (256 PubAcks in flight, every
// one checked). Sets the sample's fill_msgs_per_sec.
Status FillFileStream(natsConnection* nc, PubAckTally* tally, const std::string& subject,
                      const std::string& payload, int64_t count, Sample* sample);

}  // namespace spate::bench
