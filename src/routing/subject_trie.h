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
// Both must stay unchanged while the subscription is in a trie (Remove finds it by them).
struct Subscription {
  std::string subject;
  std::string queue;  // empty: plain subscription
  virtual ~Subscription() = default;
};
using SubscriptionRef = std::shared_ptr<Subscription>;

// Immutable once published by Match; shared by every cache entry and caller that holds it.
struct MatchResult {
  struct QueueGroup {
    std::string name;
    std::vector<SubscriptionRef> members;
  };
  std::vector<SubscriptionRef> plain;
  // One entry per distinct queue name, members non-empty. Groups are merged by name across all
  // matching nodes: "q" on "foo.*" and "q" on "foo.bar" form one group for "foo.bar", as in
  // nats-server (a queue group is a name within an account, whatever subject it used).
  std::vector<QueueGroup> queues;
  bool empty() const { return plain.empty() && queues.empty(); }
};
using MatchResultRef = std::shared_ptr<const MatchResult>;

class MatchCache;
struct TrieLevel;

// Counters of one MatchCache, kept by SubjectTrie::Match on the cache's own thread. Read them
// on that thread too (the monitor posts a task to the loop). Fan-out is the number of plain
// subscribers plus queue groups of a match computed on a miss.
struct MatchCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t fanout_total = 0;  // summed over misses
  uint32_t fanout_max = 0;
};  // the trie's internals, defined in subject_trie.cc

class SubjectTrie {
 public:
  SubjectTrie();
  ~SubjectTrie();
  SubjectTrie(const SubjectTrie&) = delete;
  SubjectTrie& operator=(const SubjectTrie&) = delete;

  // The subject must be valid (IsValidSubject; the caller validates). Inserting the same
  // pointer twice is a bug. Both are asserted.
  void Insert(SubscriptionRef sub);
  // Returns false if the subscription was not in the trie. Nodes left without subscribers or
  // children are freed.
  bool Remove(const Subscription* sub);
  // All subscriptions whose subject matches the literal `subject`. Never null. Tokens of
  // `subject` are matched literally, wildcard-looking ones included ("foo.*" reaches SUB
  // "foo.*" and "foo.>", not "foo.bar"), and a subject with an empty token matches nothing;
  // both as nats-server. With a cache: a hit costs one hash probe and no lock or allocation; a
  // miss matches under the read lock and stores the result in the cache.
  MatchResultRef Match(std::string_view subject, MatchCache* cache = nullptr) const;
  size_t Count() const { return count_.load(std::memory_order_relaxed); }
  // Changes on every Insert and successful Remove. Generations come from one process-wide
  // counter, so two tries never share a value: a cache used with the wrong trie only misses.
  uint64_t generation() const { return gen_.load(std::memory_order_acquire); }
  // Trie nodes currently allocated (each a token position of some subscribed subject). For
  // tests and monitoring; walks the trie under the read lock.
  size_t NodeCount() const;
  // Lifetime counters for monitoring (nats-server's sublist stats).
  uint64_t inserts() const { return inserts_.load(std::memory_order_relaxed); }
  uint64_t removes() const { return removes_.load(std::memory_order_relaxed); }
  uint64_t uncached_matches() const { return uncached_matches_.load(std::memory_order_relaxed); }

 private:
  MatchResultRef MatchLocked(std::string_view subject) const;

  mutable std::shared_mutex mu_;
  std::unique_ptr<TrieLevel> root_;  // guarded by mu_
  std::atomic<uint64_t> gen_{0};
  std::atomic<size_t> count_{0};
  std::atomic<uint64_t> inserts_{0};
  std::atomic<uint64_t> removes_{0};
  mutable std::atomic<uint64_t> uncached_matches_{0};
};

// Per-thread cache of recent match results of one trie. Bounded: when `capacity` entries are
// held, the next Put clears it (cheap, and nats-server also sheds cache entries in bulk).
// Entries from an older generation are misses; they stay until cleared, so a cached result
// may keep removed subscriptions alive until then (Clear() releases them). Lookups do not
// allocate; Puts reuse key buffers after the first fill.
// Threading: not thread-safe; one cache per event loop.
class MatchCache {
 public:
  explicit MatchCache(size_t capacity = 1024);
  ~MatchCache();
  MatchCache(MatchCache&&) noexcept;
  MatchCache& operator=(MatchCache&&) noexcept;

  // The cached result for `subject` if it was stored with generation `gen`, else null.
  MatchResultRef Find(std::string_view subject, uint64_t gen) const;
  void Put(std::string_view subject, uint64_t gen, MatchResultRef result);
  void Clear();
  size_t size() const;
  size_t capacity() const;
  const MatchCacheStats& stats() const { return stats_; }
  MatchCacheStats& mutable_stats() { return stats_; }  // for SubjectTrie::Match

 private:
  MatchCacheStats stats_;  // plain: one thread
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace spate::routing
