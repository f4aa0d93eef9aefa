#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "routing/subject_trie.h"
#include "server/client.h"

namespace spate::server {
class Server;
}

namespace spate::monitor {

// What one event loop reports about the state it owns.
struct LoopSnapshot {
  std::vector<server::ConnectionInfo> connections;
  routing::MatchCacheStats cache;  // this loop's match caches, summed over accounts
  size_t cache_entries = 0;
};

struct SnapshotOptions {
  bool with_connections = true;
  bool with_subs = false;
  uint64_t cid = 0;  // non-zero: only this connection
};

// Posts a task to every loop that copies its connections and cache counters, and waits up to
// `timeout` for all of them. Loop-owned state is read only on its loop; the tasks share their
// results through a reference-counted block, so one that runs after a timeout writes nowhere
// harmful. Returns nullopt when a loop did not answer in time.
// Threading: any thread except a loop thread (it would wait for itself).
std::optional<std::vector<LoopSnapshot>> SnapshotLoops(server::Server& server,
                                                       const SnapshotOptions& options,
                                                       std::chrono::milliseconds timeout);

}  // namespace spate::monitor
