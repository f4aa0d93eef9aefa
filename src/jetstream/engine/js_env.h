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

// What streams and consumers need from around them: the server (to publish), the account they
// live in, the server's JetStream settings. Owned by JetStream; outlives every stream.
struct JsEnv {
  server::Server& server;
  std::shared_ptr<server::Account> account;
  JetStreamServerLimits limits;
  AccountStreamLimits account_limits;
  store::SyncMode sync = store::SyncMode::kAlways;
  std::chrono::nanoseconds sync_interval{std::chrono::minutes(2)};
  std::string domain;
  // Server-wide storage limits (jetstream { max_memory_store, max_file_store }); -1: none.
  int64_t max_memory = -1;
  int64_t max_store = -1;
  // Bytes held by memory and file streams, kept only while a limit is set.
  std::atomic<int64_t> used_memory{0};
  std::atomic<int64_t> used_store{0};
  std::vector<std::unique_ptr<AckOutbox>> outboxes;  // one per loop

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
