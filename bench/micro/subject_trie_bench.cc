// Subject trie matching: cache hits, cache misses and a wildcard-heavy trie of 10k subscriptions.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "routing/subject_trie.h"

namespace spate::routing {
namespace {

// Joins strings and numbers: Cat("s", 3) is "s3". (Spelled out because g++ 12 at -O3 warns
// falsely, -Wrestrict, on `"literal" + std::to_string(n)`: GCC bug 105651.)
template <class... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  auto append = [&out](const auto& part) {
    if constexpr (std::is_arithmetic_v<std::decay_t<decltype(part)>>) {
      out += std::to_string(part);
    } else {
      out += part;
    }
  };
  (append(parts), ...);
  return out;
}

SubscriptionRef MakeSub(std::string subject, std::string queue = "") {
  auto sub = std::make_shared<Subscription>();
  sub->subject = std::move(subject);
  sub->queue = std::move(queue);
  return sub;
}

// 1,000 literal subscriptions "orders.<region>.<n>" plus a few wildcards: a typical service mix.
void FillTypical(SubjectTrie& trie) {
  for (int region = 0; region < 10; ++region) {
    for (int n = 0; n < 100; ++n) {
      trie.Insert(MakeSub(Cat("orders.r", region, ".", n)));
    }
  }
  trie.Insert(MakeSub("orders.>"));
  trie.Insert(MakeSub("orders.*.7", "workers"));
  trie.Insert(MakeSub("orders.*.7", "workers"));
}

// 10,000 subscriptions, most of them with wildcards at various depths, and queue groups.
void FillWildcardHeavy(SubjectTrie& trie) {
  std::mt19937 rng(42);
  for (int i = 0; i < 10000; ++i) {
    const std::string a = Cat("a", rng() % 20);
    const std::string b = Cat("b", rng() % 50);
    const std::string c = Cat("c", rng() % 100);
    std::string subject;
    switch (i % 8) {
      case 0:
        subject = "svc." + a + "." + b + "." + c;
        break;
      case 1:
        subject = "svc." + a + ".*." + c;
        break;
      case 2:
        subject = "svc.*." + b + ".*";
        break;
      case 3:
        subject = "svc." + a + ".>";
        break;
      case 4:
        subject = "*." + a + "." + b + ".>";
        break;
      case 5:
        subject = "svc.*.*." + c;
        break;
      case 6:
        subject = "*.*." + b + "." + c;
        break;
      case 7:
        subject = "svc." + a + "." + b + ".*";
        break;
    }
    trie.Insert(MakeSub(subject, i % 5 == 0 ? Cat("q", i % 7) : ""));
  }
}

std::vector<std::string> TypicalSubjects(size_t count) {
  std::vector<std::string> subjects;
  for (size_t i = 0; i < count; ++i) {
    subjects.push_back(Cat("orders.r", i % 10, ".", i % 100));
  }
  return subjects;
}

std::vector<std::string> WildcardHeavySubjects(size_t count) {
  std::mt19937 rng(7);
  std::vector<std::string> subjects;
  for (size_t i = 0; i < count; ++i) {
    subjects.push_back(Cat("svc.a", rng() % 20, ".b", rng() % 50, ".c", rng() % 100));
  }
  return subjects;
}

SubjectTrie& TypicalTrie() {
  static SubjectTrie* trie = [] {
    auto* t = new SubjectTrie;
    FillTypical(*t);
    return t;
  }();
  return *trie;
}

// Hit path: 100 distinct subjects, all in the cache.
void BM_MatchCacheHit(benchmark::State& state) {
  SubjectTrie& trie = TypicalTrie();
  const std::vector<std::string> subjects = TypicalSubjects(100);
  MatchCache cache;
  for (const std::string& s : subjects) benchmark::DoNotOptimize(trie.Match(s, &cache));
  size_t i = 0;
  for (auto _ : state) {
    MatchResultRef result = trie.Match(subjects[i], &cache);
    benchmark::DoNotOptimize(result.get());
    if (++i == subjects.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MatchCacheHit)->ThreadRange(1, 2);

// Hit path returning the shared empty result (a subject nobody subscribes to).
void BM_MatchCacheHitEmpty(benchmark::State& state) {
  SubjectTrie& trie = TypicalTrie();
  MatchCache cache;
  benchmark::DoNotOptimize(trie.Match("nobody.listens.here", &cache));
  for (auto _ : state) {
    MatchResultRef result = trie.Match("nobody.listens.here", &cache);
    benchmark::DoNotOptimize(result.get());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MatchCacheHitEmpty);

// Miss path without a cache: tokenise, read lock, walk, build the result.
void BM_MatchNoCache(benchmark::State& state) {
  SubjectTrie& trie = TypicalTrie();
  const std::vector<std::string> subjects = TypicalSubjects(100);
  size_t i = 0;
  for (auto _ : state) {
    MatchResultRef result = trie.Match(subjects[i]);
    benchmark::DoNotOptimize(result.get());
    if (++i == subjects.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MatchNoCache);

// Miss path with a cache: more distinct subjects than the cache holds, so nearly every lookup
// misses, then stores (and the cache clears itself every 1,024 stores).
void BM_MatchCacheMiss(benchmark::State& state) {
  SubjectTrie& trie = TypicalTrie();
  std::vector<std::string> subjects;
  for (int i = 0; i < 5000; ++i) subjects.push_back(Cat("orders.r1.x", i));
  MatchCache cache;
  size_t i = 0;
  for (auto _ : state) {
    MatchResultRef result = trie.Match(subjects[i], &cache);
    benchmark::DoNotOptimize(result.get());
    if (++i == subjects.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MatchCacheMiss);

// 10k mostly-wildcard subscriptions, matched without a cache. Reports the average result size.
void BM_MatchWildcardHeavy10k(benchmark::State& state) {
  static SubjectTrie* trie = [] {
    auto* t = new SubjectTrie;
    FillWildcardHeavy(*t);
    return t;
  }();
  const std::vector<std::string> subjects = WildcardHeavySubjects(1000);
  const bool use_cache = state.range(0) != 0;
  MatchCache cache(2048);
  size_t i = 0;
  size_t matched = 0;
  for (auto _ : state) {
    MatchResultRef result = trie->Match(subjects[i], use_cache ? &cache : nullptr);
    matched += result->plain.size() + result->queues.size();
    benchmark::DoNotOptimize(result.get());
    if (++i == subjects.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["entries_per_match"] =
      benchmark::Counter(static_cast<double>(matched) / state.iterations());
}
BENCHMARK(BM_MatchWildcardHeavy10k)->ArgName("cache")->Arg(0)->Arg(1);

// Insert then remove one subscription in a trie of 1,000: the write path and pruning.
void BM_InsertRemove(benchmark::State& state) {
  SubjectTrie trie;
  FillTypical(trie);
  const SubscriptionRef sub = MakeSub("orders.r3.new.path");
  for (auto _ : state) {
    trie.Insert(sub);
    benchmark::DoNotOptimize(trie.Remove(sub.get()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InsertRemove);

}  // namespace
}  // namespace spate::routing
