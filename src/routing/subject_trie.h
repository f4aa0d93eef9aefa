#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

// The subscription index of one account: a trie over subject tokens with '*' and '>' nodes and
// queue groups, plus a per-caller match cache invalidated by a generation number.
//
// Threading: SubjectTrie is safe from any thread. Insert/Remove take the write lock and bump the
// generation; Match takes the read lock only on a cache miss. A MatchCache belongs to one thread
// (one event loop) and is not thread-safe; pass each loop's own cache.
namespace spate::routing {

// The server derives its subscription type from this; the trie only needs subject and queue.
struct Subscription {
  std::string subject;
  std::string queue;  // empty: plain subscription
  virtual ~Subscription() = default;
};
using SubscriptionRef = std::shared_ptr<Subscription>;

struct MatchResult {
  struct QueueGroup {
    std::string name;
    std::vector<SubscriptionRef> members;
  };
  std::vector<SubscriptionRef> plain;
  std::vector<QueueGroup> queues;  // one entry per distinct queue name, members non-empty
  bool empty() const { return plain.empty() && queues.empty(); }
};
using MatchResultRef = std::shared_ptr<const MatchResult>;

class MatchCache;

class SubjectTrie {
 public:
  SubjectTrie();
  ~SubjectTrie();
  SubjectTrie(const SubjectTrie&) = delete;
  SubjectTrie& operator=(const SubjectTrie&) = delete;

  // The subject must be valid (the caller validates). Inserting the same pointer twice is a bug.
  void Insert(SubscriptionRef sub);
  // Returns false if the subscription was not in the trie.
  bool Remove(const Subscription* sub);
  // All subscriptions whose subject matches the literal `subject`. Never null.
  MatchResultRef Match(std::string_view subject, MatchCache* cache = nullptr) const;
  size_t Count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t generation() const { return gen_.load(std::memory_order_acquire); }

 private:
  struct Node;
  struct Level;
  MatchResultRef MatchLocked(std::string_view subject) const;

  mutable std::shared_mutex mu_;
  std::unique_ptr<Level> root_;  // guarded by mu_
  std::atomic<uint64_t> gen_{0};
  std::atomic<size_t> count_{0};
};

// Per-thread cache of recent match results of one trie. Bounded; entries from an older
// generation are treated as misses. Lookups do not allocate.
class MatchCache {
 public:
  explicit MatchCache(size_t capacity = 1024);
  ~MatchCache();
  MatchResultRef Find(std::string_view subject, uint64_t gen) const;
  void Put(std::string_view subject, uint64_t gen, MatchResultRef result);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spate::routing
