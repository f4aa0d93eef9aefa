#include <cmath>

#include "bench/e2e/auth_flood_scenario.h"
#include "bench/e2e/idle_connections_scenario.h"
#include "bench/e2e/js_consume_cpp_scenario.h"
#include "bench/e2e/js_consume_scenario.h"
#include "bench/e2e/js_latency_scenario.h"
#include "bench/e2e/js_many_consumers_scenario.h"
#include "bench/e2e/js_publish_cpp_scenario.h"
#include "bench/e2e/js_publish_scenario.h"
#include "bench/e2e/js_restart_scenario.h"
#include "bench/e2e/request_reply_scenario.h"
#include "bench/e2e/scenario.h"
#include "bench/e2e/throughput_scenario.h"

namespace spate::bench {

// Message counts are chosen so that each measurement takes about 1-2 s against nats-server 2.9 on
// a 2-core machine (publisher, subscribers and server sharing the cores).
std::vector<std::unique_ptr<Scenario>> MakeScenarios(const ScenarioScale& scale) {
  auto messages = [&](int64_t full) {
    return std::max<int64_t>(1000, std::llround(static_cast<double>(full) * scale.msg_factor));
  };
  auto throughput = [&](std::string name, int payload, int subscribers, bool queue,
                        int64_t full_count) -> std::unique_ptr<Scenario> {
    return std::make_unique<ThroughputScenario>(ThroughputScenario::Config{
        .name = std::move(name),
        .payload_bytes = payload,
        .subscribers = subscribers,
        .queue_group = queue,
        .messages = messages(full_count),
    });
  };
  std::vector<std::unique_ptr<Scenario>> all;
  all.push_back(throughput("pubsub-16b", 16, 1, false, 1'500'000));
  all.push_back(throughput("pubsub-128b", 128, 1, false, 1'000'000));
  all.push_back(throughput("pubsub-1k", 1024, 1, false, 300'000));
  all.push_back(throughput("pubsub-16k", 16 * 1024, 1, false, 25'000));
  all.push_back(throughput("fanout-4", 128, 4, false, 300'000));
  all.push_back(throughput("queue-4", 128, 4, true, 800'000));
  all.push_back(std::make_unique<RequestReplyScenario>("reqreply", scale.requests, 128));
  all.push_back(std::make_unique<IdleConnectionsScenario>("idle-conns", scale.idle_connections));
  // Authenticated pub/sub alone, then during a flood of failed logins; the password stored as a
  // bcrypt hash of cost 11 (nsc's default), then as plain text.
  for (const bool bcrypt : {true, false}) {
    all.push_back(std::make_unique<AuthFloodScenario>(AuthFloodScenario::Config{
        .name = bcrypt ? "auth-flood" : "auth-flood-plain",
        .bcrypt = bcrypt,
        .payload_bytes = 128,
        .messages = messages(500'000),
        .flood_threads = 4,
    }));
  }

  // JetStream. File streams come in pairings of durability modes (see jetstream_support.h):
  // -fast (both sync every 2 min), -safe (both sync before the PubAck) and -cross (spate's safe
  // default against nats-server's periodic default). Memory streams have one mode.
  // `cpp`: published with the spate C++ client instead of libnats, which bounds the others.
  auto js_publish = [&](bool async, StorageKind storage, Pairing pairing, int payload,
                        int64_t full_count, bool cpp = false) -> std::unique_ptr<Scenario> {
    std::string name = std::string("js-pub-") + (async ? "async-" : "sync-") +
                       (storage == StorageKind::kFile ? "file-" : "mem-") +
                       (payload == 128 ? "128b" : "1k");
    if (storage == StorageKind::kFile) {
      name += pairing == Pairing::kFast ? "-fast" : pairing == Pairing::kSafe ? "-safe" : "-cross";
    }
    JsPublishScenario::Config config{
        .name = std::move(name),
        .async = async,
        .storage = storage,
        .pairing = pairing,
        .payload_bytes = payload,
        .messages = messages(full_count),
        .max_pending = 256,
    };
    if (!cpp) return std::make_unique<JsPublishScenario>(std::move(config));
    config.name += "-cpp";
    return std::make_unique<JsPublishCppScenario>(std::move(config));
  };
  for (const bool cpp : {false, true}) {
    for (const bool async : {false, true}) {
      // Synchronous publish is one round trip per message: far fewer messages per second.
      const int64_t small = async ? 300'000 : 20'000;
      const int64_t large = async ? 150'000 : 20'000;
      // The C++ client runs the fast pairing and memory streams only: there no sync to disk
      // bounds the rate, so the client matters most.
      for (const Pairing pairing : {Pairing::kFast, Pairing::kSafe}) {
        if (cpp && pairing != Pairing::kFast) continue;
        all.push_back(js_publish(async, StorageKind::kFile, pairing, 128, small, cpp));
        all.push_back(js_publish(async, StorageKind::kFile, pairing, 1024, large, cpp));
      }
      // spate's default fdatasyncs before each PubAck: one at a time that is ~1k msgs/s here.
      if (!cpp) {
        all.push_back(
            js_publish(async, StorageKind::kFile, Pairing::kCross, 128, async ? small : small / 4));
      }
      all.push_back(js_publish(async, StorageKind::kMemory, Pairing::kFast, 128, small, cpp));
      all.push_back(js_publish(async, StorageKind::kMemory, Pairing::kFast, 1024, large, cpp));
    }
  }
  for (const bool push : {false, true}) {
    all.push_back(std::make_unique<JsConsumeScenario>(JsConsumeScenario::Config{
        .name = push ? "js-push-consume" : "js-pull-consume",
        .push = push,
        .payload_bytes = 128,
        .messages = messages(200'000),
        .batch = 256,
        .pairing = Pairing::kFast,
    }));
  }
  // The same stream read with the spate C++ client: libnats bounds the two above.
  using CppConsumer = JsConsumeCppScenario::Consumer;
  for (const auto& [consumer, name] :
       {std::pair{CppConsumer::kPull, "js-pull-consume-cpp"},
        std::pair{CppConsumer::kPush, "js-push-consume-cpp"},
        std::pair{CppConsumer::kOrdered, "js-ordered-consume-cpp"},
        std::pair{CppConsumer::kOrderedInline, "js-ordered-consume-cpp-inline"}}) {
    all.push_back(std::make_unique<JsConsumeCppScenario>(JsConsumeCppScenario::Config{
        .name = name,
        .consumer = consumer,
        .payload_bytes = 128,
        .messages = messages(200'000),
        .batch = 256,
        .pairing = Pairing::kFast,
    }));
  }
  // Publish-to-delivery latency at a fixed rate, each server in its default durability.
  all.push_back(std::make_unique<JsLatencyScenario>(JsLatencyScenario::Config{
      .name = "js-consume-latency",
      .payload_bytes = 128,
      .messages = messages(25'000),
      .rate = 5'000,
  }));
  all.push_back(std::make_unique<JsManyConsumersScenario>(JsManyConsumersScenario::Config{
      .name = "js-many-consumers",
      .consumers = scale.many_consumers,
      .idle_seconds = scale.consumers_idle_seconds,
  }));
  all.push_back(std::make_unique<JsRestartScenario>(JsRestartScenario::Config{
      .name = "js-restart",
      .payload_bytes = 128,
      .messages = scale.restart_messages,
      .pairing = Pairing::kFast,
  }));
  return all;
}

}  // namespace spate::bench
