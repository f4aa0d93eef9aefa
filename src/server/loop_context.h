#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "server/event_loop.h"
#include "server/runtime_config.h"

namespace spate::server {

class Client;

// Connections that got output during the current batch; each is flushed once at its end.
// Threading: belongs to one loop.
class FlushSet {
 public:
  void Add(const std::shared_ptr<Client>& client);
  void FlushAll();
  bool empty() const { return pending_.empty(); }

 private:
  static constexpr size_t kLinearLimit = 16;
  std::vector<std::shared_ptr<Client>> pending_;
  std::unordered_set<const Client*> seen_;  // used once pending_ reaches kLinearLimit
};

// Everything one event loop owns: the loop, its connections, its scratch read buffer.
struct LoopContext {
  static constexpr size_t kReadBufferSize = 64 * 1024;

  explicit LoopContext(int index) : loop(index), rng(static_cast<uint32_t>(index) * 7919u + 17u) {}

  EventLoop loop;
  std::thread thread;
  FlushSet flush;
  std::unordered_map<uint64_t, std::shared_ptr<Client>> clients;
  std::unique_ptr<char[]> read_buffer{new char[kReadBufferSize]};
  std::minstd_rand rng;
  int internal_depth = 0;  // > 0 while an internal subscription's handler runs
  // The configuration this loop's connections use; replaced on reload by a task on this loop.
  std::shared_ptr<const RuntimeConfig> config;
};

}  // namespace spate::server
