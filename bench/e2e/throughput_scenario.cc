#include "bench/e2e/throughput_scenario.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <thread>

#include "bench/e2e/nats_client.h"
#include "bench/e2e/proc_stats.h"

namespace spate::bench {

// Deliveries to one subscription (fan-out) or to one whole queue group. Written on the client
// library's delivery thread, read by the publisher thread.
struct DeliveryTally {
  explicit DeliveryTally(int payload) : payload_bytes(payload) {}
  const int payload_bytes;
  std::atomic<int64_t> received{0};
  std::atomic<int64_t> wrong_size{0};
  std::atomic<int64_t> target{std::numeric_limits<int64_t>::max()};
  std::atomic<int64_t> done_ns{0};  // when `received` reached `target`
};

namespace {

using Tally = DeliveryTally;

constexpr int64_t kWindowBytes = 4 << 20;
constexpr int64_t kMsgOverheadBytes = 48;  // "MSG <subject> <sid> <size>\r\n" + "\r\n", roughly
constexpr int64_t kMinWindowMsgs = 64;
constexpr int64_t kMaxWindowMsgs = 50'000;
constexpr int64_t kStallTimeoutNs = 5'000'000'000;
constexpr int kFlushTimeoutMs = 10'000;
constexpr auto kPollInterval = std::chrono::microseconds(20);

void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* tally = static_cast<Tally*>(closure);
  if (natsMsg_GetDataLength(msg) != tally->payload_bytes) {
    tally->wrong_size.fetch_add(1, std::memory_order_relaxed);
  }
  natsMsg_Destroy(msg);
  const int64_t n = tally->received.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n == tally->target.load(std::memory_order_relaxed)) {
    tally->done_ns.store(NowNanos(), std::memory_order_release);
  }
}

// Publishes `count` messages with windowed flow control and waits until every tally has seen
// them all. `start_ns`/`end_ns` span the first publish to the last delivery.
class PublishPhase {
 public:
  PublishPhase(natsConnection* pub, const std::string& subject, const std::string& payload,
               const std::vector<Tally*>& tallies, const ConnectionEvents& events)
      : pub_(pub), subject_(subject), payload_(payload), tallies_(tallies), events_(events) {}

  Status Run(int64_t count) {
    for (Tally* tally : tallies_) {
      bases_.push_back(tally->received.load());
      tally->done_ns.store(0);
      tally->target.store(bases_.back() + count);
    }
    const int64_t window =
        std::clamp(kWindowBytes / (static_cast<int64_t>(payload_.size()) + kMsgOverheadBytes),
                   kMinWindowMsgs, kMaxWindowMsgs);
    const int64_t check_every = std::max<int64_t>(1, window / 8);
    const int size = static_cast<int>(payload_.size());
    start_ns_ = NowNanos();
    for (int64_t published = 0; published < count;) {
      const int64_t batch_end = std::min(count, published + check_every);
      for (; published < batch_end; ++published) {
        const natsStatus s = natsConnection_Publish(pub_, subject_.c_str(), payload_.data(), size);
        if (s != NATS_OK) return FromNats(s, "publish");
      }
      if (published - MinDelivered() > window) {
        SPATE_RETURN_IF_ERROR(Flush());
        SPATE_RETURN_IF_ERROR(WaitForDelivered(published - window / 2));
      }
    }
    SPATE_RETURN_IF_ERROR(Flush());
    SPATE_RETURN_IF_ERROR(WaitForDelivered(count));
    // The callback counts a message before it stamps done_ns, so the stamp may lag the count by
    // a moment. Waiting for it also keeps a late stamp out of the next phase.
    end_ns_ = 0;
    for (Tally* tally : tallies_) {
      int64_t done = 0;
      while ((done = tally->done_ns.load(std::memory_order_acquire)) == 0) {
        std::this_thread::yield();
      }
      end_ns_ = std::max(end_ns_, done);
    }
    return Status::Ok();
  }

  int64_t start_ns() const { return start_ns_; }
  int64_t end_ns() const { return end_ns_; }

  // Deliveries in this phase, summed over tallies.
  int64_t TotalDelivered() const {
    int64_t total = 0;
    for (size_t i = 0; i < tallies_.size(); ++i) total += tallies_[i]->received.load() - bases_[i];
    return total;
  }

 private:
  int64_t MinDelivered() const {
    int64_t min = std::numeric_limits<int64_t>::max();
    for (size_t i = 0; i < tallies_.size(); ++i) {
      min = std::min(min, tallies_[i]->received.load(std::memory_order_relaxed) - bases_[i]);
    }
    return min;
  }

  Status Flush() { return FromNats(natsConnection_FlushTimeout(pub_, kFlushTimeoutMs), "flush"); }

  Status WaitForDelivered(int64_t goal) {
    int64_t last = MinDelivered();
    int64_t last_progress_ns = NowNanos();
    while (true) {
      const int64_t delivered = MinDelivered();
      if (delivered >= goal) return Status::Ok();
      if (events_.closed.load() > 0) {
        return Status::Unavailable("a connection was closed by the server (slow consumer?)");
      }
      const int64_t now = NowNanos();
      if (delivered != last) {
        last = delivered;
        last_progress_ns = now;
      } else if (now - last_progress_ns > kStallTimeoutNs) {
        return Status::Unavailable("no delivery for 5 s: slowest subscriber has " +
                                   std::to_string(delivered) + " of " + std::to_string(goal));
      }
      std::this_thread::sleep_for(kPollInterval);
    }
  }

  natsConnection* pub_;
  const std::string& subject_;
  const std::string& payload_;
  const std::vector<Tally*>& tallies_;
  const ConnectionEvents& events_;
  std::vector<int64_t> bases_;
  int64_t start_ns_ = 0;
  int64_t end_ns_ = 0;
};

}  // namespace

ThroughputScenario::ThroughputScenario(Config config) : config_(std::move(config)) {}
ThroughputScenario::~ThroughputScenario() = default;

std::string ThroughputScenario::description() const {
  std::string text = "1 pub -> " + std::to_string(config_.subscribers) +
                     (config_.queue_group ? "-member queue group" : " sub");
  if (!config_.queue_group && config_.subscribers > 1) text += "s";
  return text + ", " + std::to_string(config_.payload_bytes) + " B, " +
         std::to_string(config_.messages) + " msgs";
}

std::vector<MetricSpec> ThroughputScenario::metrics() const {
  return {{"msgs_per_sec", "msgs/s", true}, {"cpu_us_per_msg", "srv cpu us/msg", false}};
}

Status ThroughputScenario::Run(const ScenarioContext& context, Sample* sample) {
  auto& events = *events_.emplace_back(std::make_unique<ConnectionEvents>());
  const std::string subject = "bench." + config_.name;
  const int tally_count = config_.queue_group ? 1 : config_.subscribers;
  std::vector<Tally*> tallies;
  for (int i = 0; i < tally_count; ++i) {
    tallies.push_back(tallies_.emplace_back(std::make_unique<Tally>(config_.payload_bytes)).get());
  }

  std::vector<NatsConnection> sub_connections;
  std::vector<NatsSubscription> subscriptions;
  for (int i = 0; i < config_.subscribers; ++i) {
    SPATE_ASSIGN_OR_RETURN(NatsConnection nc, Connect({.url = context.url,
                                                       .name = "e2e-sub-" + std::to_string(i),
                                                       .send_mode = SendMode::kAsap,
                                                       .events = &events}));
    Tally* tally = tallies[config_.queue_group ? 0 : i];
    natsSubscription* sub = nullptr;
    const natsStatus s =
        config_.queue_group
            ? natsConnection_QueueSubscribe(&sub, nc.get(), subject.c_str(), "workers", OnMessage,
                                            tally)
            : natsConnection_Subscribe(&sub, nc.get(), subject.c_str(), OnMessage, tally);
    SPATE_RETURN_IF_ERROR(FromNats(s, "subscribe"));
    subscriptions.emplace_back(sub);
    SPATE_RETURN_IF_ERROR(FromNats(natsSubscription_SetPendingLimits(sub, -1, -1), "limits"));
    // The PONG proves the server has registered the subscription before anything is published.
    SPATE_RETURN_IF_ERROR(FromNats(natsConnection_FlushTimeout(nc.get(), 5000), "sub flush"));
    sub_connections.push_back(std::move(nc));
  }
  SPATE_ASSIGN_OR_RETURN(NatsConnection pub, Connect({.url = context.url,
                                                      .name = "e2e-pub",
                                                      .send_mode = SendMode::kBuffered,
                                                      .events = &events}));
  const std::string payload(config_.payload_bytes, 'x');

  // Warm-up: lets both servers grow their buffers and pools before the timed phase.
  PublishPhase warm_up(pub.get(), subject, payload, tallies, events);
  SPATE_RETURN_IF_ERROR(warm_up.Run(std::max<int64_t>(1000, config_.messages / 20)));

  PublishPhase measured(pub.get(), subject, payload, tallies, events);
  const int64_t expected = config_.messages * tally_count;
  sample->expected_msgs = expected;
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_before, ReadCpuMicros(context.server_pid));
  const Status run = measured.Run(config_.messages);
  SPATE_ASSIGN_OR_RETURN(const int64_t cpu_after, ReadCpuMicros(context.server_pid));
  // Give late duplicates a moment to show up before counting exactly.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  sample->received_msgs = measured.TotalDelivered();
  if (!run.ok()) {
    return Status::Unavailable(run.message() + "; received " +
                               std::to_string(sample->received_msgs) + " of " +
                               std::to_string(expected));
  }
  if (sample->received_msgs != expected) {
    return Status::Corruption("received " + std::to_string(sample->received_msgs) + " of " +
                              std::to_string(expected) + " messages");
  }
  int64_t wrong_size = 0;
  for (Tally* tally : tallies) wrong_size += tally->wrong_size.load();
  if (wrong_size > 0) {
    return Status::Corruption(std::to_string(wrong_size) + " messages had the wrong payload size");
  }
  for (NatsSubscription& sub : subscriptions) {
    int64_t dropped = 0;
    if (natsSubscription_GetDropped(sub.get(), &dropped) == NATS_OK && dropped > 0) {
      return Status::Corruption("client dropped " + std::to_string(dropped) + " messages");
    }
  }
  const double seconds = static_cast<double>(measured.end_ns() - measured.start_ns()) / 1e9;
  sample->metrics["msgs_per_sec"] = static_cast<double>(expected) / seconds;
  sample->metrics["cpu_us_per_msg"] =
      static_cast<double>(cpu_after - cpu_before) / static_cast<double>(expected);
  sample->metrics["seconds"] = seconds;
  return Status::Ok();
}

}  // namespace spate::bench
