#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "routing/subject_trie.h"
#include "trie_test_support.h"

namespace spate::routing {
namespace {

using test_support::Cat;

MatchResultRef MakeResult() { return std::make_shared<const MatchResult>(); }

TEST(MatchCacheTest, MissWhenEmpty) {
  MatchCache cache;
  EXPECT_EQ(cache.Find("foo", 1), nullptr);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.capacity(), 1024u);
}

TEST(MatchCacheTest, FindReturnsWhatWasPut) {
  MatchCache cache;
  const MatchResultRef foo = MakeResult();
  const MatchResultRef bar = MakeResult();
  cache.Put("foo", 7, foo);
  cache.Put("bar", 7, bar);
  EXPECT_EQ(cache.Find("foo", 7), foo);
  EXPECT_EQ(cache.Find("bar", 7), bar);
  EXPECT_EQ(cache.Find("baz", 7), nullptr);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(MatchCacheTest, OtherGenerationIsAMiss) {
  MatchCache cache;
  cache.Put("foo", 7, MakeResult());
  EXPECT_EQ(cache.Find("foo", 8), nullptr);
  EXPECT_EQ(cache.Find("foo", 6), nullptr);
}

TEST(MatchCacheTest, PutRefreshesAStaleEntryInPlace) {
  MatchCache cache;
  cache.Put("foo", 1, MakeResult());
  const MatchResultRef fresh = MakeResult();
  cache.Put("foo", 2, fresh);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Find("foo", 2), fresh);
  EXPECT_EQ(cache.Find("foo", 1), nullptr);
}

TEST(MatchCacheTest, LookupKeyNeedNotOutliveThePut) {
  MatchCache cache;
  const MatchResultRef result = MakeResult();
  {
    std::string key = "a.rather.long.subject.that.does.not.fit.in.sso";
    cache.Put(key, 3, result);
    key.assign(key.size(), 'x');  // the cache must hold its own copy
  }
  EXPECT_EQ(cache.Find("a.rather.long.subject.that.does.not.fit.in.sso", 3), result);
}

TEST(MatchCacheTest, StaysBoundedByClearingWhenFull) {
  MatchCache cache(4);
  for (int i = 0; i < 4; ++i) cache.Put(Cat("s", i), 1, MakeResult());
  EXPECT_EQ(cache.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_NE(cache.Find(Cat("s", i), 1), nullptr);

  const MatchResultRef fifth = MakeResult();
  cache.Put("s4", 1, fifth);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Find("s4", 1), fifth);
  EXPECT_EQ(cache.Find("s0", 1), nullptr);

  for (int i = 0; i < 1000; ++i) {
    cache.Put(Cat("t", i), 1, MakeResult());
    EXPECT_LE(cache.size(), 4u);
  }
}

TEST(MatchCacheTest, ManyKeysAllFoundBeforeFull) {
  MatchCache cache(512);
  std::vector<MatchResultRef> results;
  for (int i = 0; i < 512; ++i) {
    results.push_back(MakeResult());
    cache.Put(Cat("orders.", i), 9, results.back());
  }
  for (int i = 0; i < 512; ++i) {
    EXPECT_EQ(cache.Find(Cat("orders.", i), 9), results[i]) << i;
  }
}

TEST(MatchCacheTest, ClearReleasesResults) {
  MatchCache cache;
  const MatchResultRef result = MakeResult();
  cache.Put("foo", 1, result);
  EXPECT_EQ(result.use_count(), 2);
  cache.Clear();
  EXPECT_EQ(result.use_count(), 1);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Find("foo", 1), nullptr);
}

TEST(MatchCacheTest, ZeroCapacityStillWorks) {
  MatchCache cache(0);
  const MatchResultRef result = MakeResult();
  cache.Put("foo", 1, result);
  EXPECT_EQ(cache.Find("foo", 1), result);
  cache.Put("bar", 1, result);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(MatchCacheTest, Movable) {
  MatchCache cache;
  const MatchResultRef result = MakeResult();
  cache.Put("foo", 1, result);
  MatchCache moved(std::move(cache));
  EXPECT_EQ(moved.Find("foo", 1), result);
}

}  // namespace
}  // namespace spate::routing
