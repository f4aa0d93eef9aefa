#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "jetstream/api_types.h"
#include "jetstream/stream_config.h"
#include "server/account.h"
#include "server/loop_context.h"
#include "server/server.h"
#include "store/sync_worker.h"

namespace spate::jetstream {

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
