// Proves that a cache hit allocates nothing. Own binary: it replaces the global operator new.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <new>

#include "routing/subject_trie.h"

namespace {
thread_local size_t t_allocations = 0;
}  // namespace

void* operator new(size_t size) {
  ++t_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace spate::routing {
namespace {

SubscriptionRef MakeSub(std::string subject, std::string queue = "") {
  auto sub = std::make_shared<Subscription>();
  sub->subject = std::move(subject);
  sub->queue = std::move(queue);
  return sub;
}

TEST(MatchAllocationTest, CacheHitDoesNotAllocate) {
  SubjectTrie trie;
  trie.Insert(MakeSub("orders.*.created"));
  trie.Insert(MakeSub("orders.>", "workers"));
  MatchCache cache;
  // A subject longer than the small-string buffer, and one that matches nothing.
  const std::string subject = "orders.eu-west-1.created";
  const std::string nothing = "no.one.listens.to.this.long.subject";
  ASSERT_FALSE(trie.Match(subject, &cache)->empty());
  ASSERT_TRUE(trie.Match(nothing, &cache)->empty());

  const size_t before = t_allocations;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(trie.Match(subject, &cache)->plain.size(), 1u);
    EXPECT_TRUE(trie.Match(nothing, &cache)->empty());
  }
  EXPECT_EQ(t_allocations - before, 0u);
}

TEST(MatchAllocationTest, CacheRefillReusesKeyBuffers) {
  SubjectTrie trie;
  trie.Insert(MakeSub("orders.>"));
  MatchCache cache(8);
  const std::string subject = "orders.a.subject.longer.than.the.small.string.buffer";
  ASSERT_FALSE(trie.Match(subject, &cache)->empty());
  cache.Clear();
  // The miss itself allocates the result; storing the key must not allocate again.
  const size_t before = t_allocations;
  ASSERT_FALSE(trie.Match(subject, &cache)->empty());
  const size_t miss_allocations = t_allocations - before;
  cache.Clear();
  const size_t before_uncached = t_allocations;
  ASSERT_FALSE(trie.Match(subject)->empty());
  EXPECT_EQ(miss_allocations, t_allocations - before_uncached);
}

}  // namespace
}  // namespace spate::routing
