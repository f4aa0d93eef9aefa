#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jetstream/api_types.h"
#include "jetstream/stream_config.h"
#include "server/account.h"
#include "server/loop_context.h"
#include "server/server.h"
#include "store/sync_worker.h"

namespace spate::jetstream {

// PubAcks completed on a store's sync thread for one loop, sent by that loop in one task: one
// wake-up per group commit instead of one posted task per message.
struct AckOutbox {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> acks;  // (reply, body), under mu
  bool scheduled = false;                                 // a drain task is posted; under mu
};

// Bytes that streams may hold (-1: no limit) and hold, per kind of storage: one for the server
// (jetstream { max_memory_store, max_file_store }) and one per account (its jetstream limits).
struct StorageBudget {
  int64_t max_memory = -1;
  int64_t max_store = -1;
  std::atomic<int64_t> used_memory{0};
  std::atomic<int64_t> used_store{0};

  int64_t max(bool memory) const { return memory ? max_memory : max_store; }
  std::atomic<int64_t>& used(bool memory) { return memory ? used_memory : used_store; }
  bool Exceeded(bool memory) {
    const int64_t limit = max(memory);
    return limit >= 0 && used(memory).load(std::memory_order_relaxed) > limit;
  }
};

// What streams and consumers need from around them: the server (to publish), the account they
// live in, the JetStream settings and limits. Owned by the account's AccountJetStream; outlives
// every stream of it.
struct JsEnv {
  JsEnv(server::Server& s, std::shared_ptr<server::Account> a, StorageBudget& server_budget)
      : server(s), account(std::move(a)), server_storage(server_budget) {}

  server::Server& server;
  std::shared_ptr<server::Account> account;
  JetStreamServerLimits limits;
  AccountStreamLimits account_limits;
  store::SyncMode sync = store::SyncMode::kAlways;
  std::chrono::nanoseconds sync_interval{std::chrono::minutes(2)};
  std::string domain;
  StorageBudget& server_storage;  // shared by every account
  StorageBudget account_storage;
  int64_t max_streams = -1;  // the account's limits; -1: none
  int64_t max_consumers = -1;
  std::vector<std::unique_ptr<AckOutbox>> outboxes;  // one per loop
  store::LatencyHistogram* fsync_latency = nullptr;  // the server's, for /metrics

  // Usage is counted only while some limit applies to it.
  bool StorageLimited(bool memory) const {
    return server_storage.max(memory) >= 0 || account_storage.max(memory) >= 0;
  }
  void AddStorageUsed(bool memory, int64_t delta) {
    server_storage.used(memory).fetch_add(delta, std::memory_order_relaxed);
    account_storage.used(memory).fetch_add(delta, std::memory_order_relaxed);
  }

  // Sends `body` to `reply` from loop `ctx`: at once on that loop's thread, else batched.
  void SendAck(server::LoopContext& ctx, std::string reply, std::string body) {
    if (ctx.loop.InLoopThread()) {
      Publish(ctx, reply, {}, {}, body);
      return;
    }
    AckOutbox& box = *outboxes[static_cast<size_t>(ctx.loop.index())];
    bool post = false;
    {
      std::lock_guard lock(box.mu);
      box.acks.emplace_back(std::move(reply), std::move(body));
      post = !box.scheduled;
      box.scheduled = true;
    }
    if (post) {
      ctx.loop.Post([this, &ctx, &box] {
        std::vector<std::pair<std::string, std::string>> acks;
        {
          std::lock_guard lock(box.mu);
          acks.swap(box.acks);
          box.scheduled = false;
        }
        for (auto& [to, b] : acks) Publish(ctx, to, {}, {}, b);
      });
    }
  }

  // Publishes from loop `ctx` (on its thread) into the account.
  void Publish(server::LoopContext& ctx, std::string_view subject, std::string_view reply,
               std::string_view headers, std::string_view payload,
               std::string_view shown_subject = {}) const {
    server.PublishInternal(ctx, *account, subject, reply, headers, payload, shown_subject);
  }
  // True when someone is subscribed to `subject`.
  bool HasInterest(server::LoopContext& ctx, std::string_view subject) const {
    auto m = account->subs().Match(subject, account->cache(ctx.loop.index()));
    return !m->plain.empty() || !m->queues.empty();
  }
};

// A single server leads every stream and consumer: nats-server reports its name as leader.
inline ClusterInfo MakeLeaderInfo(const std::string& server_name) {
  ClusterInfo info;
  info.leader = server_name;
  return info;
}

}  // namespace spate::jetstream
