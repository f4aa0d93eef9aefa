#include "monitor/loop_snapshot.h"

#include <condition_variable>
#include <memory>
#include <mutex>

#include "server/account.h"
#include "server/loop_context.h"
#include "server/server.h"

namespace spate::monitor {
namespace {

struct Gather {
  std::mutex mu;
  std::condition_variable done;
  std::vector<LoopSnapshot> results;  // guarded by mu
  size_t remaining = 0;               // guarded by mu
};

LoopSnapshot TakeSnapshot(server::LoopContext& ctx, const SnapshotOptions& options,
                          const std::vector<std::shared_ptr<server::Account>>& accounts) {
  LoopSnapshot snap;
  for (const auto& account : accounts) {
    const routing::MatchCache* cache = account->cache(ctx.loop.index());
    const routing::MatchCacheStats& s = cache->stats();
    snap.cache.hits += s.hits;
    snap.cache.misses += s.misses;
    snap.cache.fanout_total += s.fanout_total;
    if (s.fanout_max > snap.cache.fanout_max) snap.cache.fanout_max = s.fanout_max;
    snap.cache_entries += cache->size();
  }
  if (!options.with_connections) return snap;
  snap.connections.reserve(options.cid != 0 ? 1 : ctx.clients.size());
  for (const auto& [id, client] : ctx.clients) {
    if (options.cid != 0 && id != options.cid) continue;
    if (client->closed()) continue;  // closed, dropped after the current task
    client->Snapshot(options.with_subs, &snap.connections.emplace_back());
  }
  return snap;
}

}  // namespace

std::optional<std::vector<LoopSnapshot>> SnapshotLoops(server::Server& server,
                                                       const SnapshotOptions& options,
                                                       std::chrono::milliseconds timeout) {
  if (!server.running()) return std::nullopt;
  auto gather = std::make_shared<Gather>();
  const size_t n = server.num_loops();
  gather->results.resize(n);
  gather->remaining = n;
  auto accounts = server.accounts();
  for (size_t i = 0; i < n; ++i) {
    server::LoopContext* ctx = &server.loop_context(i);
    ctx->loop.Post([gather, ctx, i, options, accounts] {
      LoopSnapshot snap = TakeSnapshot(*ctx, options, accounts);
      std::lock_guard lock(gather->mu);
      gather->results[i] = std::move(snap);
      if (--gather->remaining == 0) gather->done.notify_all();
    });
  }
  std::unique_lock lock(gather->mu);
  if (!gather->done.wait_for(lock, timeout, [&] { return gather->remaining == 0; })) {
    return std::nullopt;
  }
  return std::move(gather->results);
}

}  // namespace spate::monitor
