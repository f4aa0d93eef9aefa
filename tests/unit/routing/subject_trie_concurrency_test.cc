#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "routing/subject.h"
#include "routing/subject_trie.h"
#include "trie_test_support.h"

namespace spate::routing {
namespace {

using test_support::Cat;
using test_support::MakeSub;
using test_support::NameOf;

// Checks what must hold for any result of matching `subject`, whatever the writer is doing:
// every member really matches, queue members sit in the group of their name, and the
// subscriptions that never leave the trie are there exactly once.
void CheckResult(const MatchResult& result, std::string_view subject, bool stable_subject) {
  int stable_plain = 0;
  for (const SubscriptionRef& sub : result.plain) {
    ASSERT_TRUE(sub->queue.empty());
    ASSERT_TRUE(SubjectMatchesFilter(subject, sub->subject)) << subject << " " << sub->subject;
    if (NameOf(sub) == "stable-plain") ++stable_plain;
  }
  int stable_queue = 0;
  for (const MatchResult::QueueGroup& group : result.queues) {
    ASSERT_FALSE(group.members.empty());
    for (const SubscriptionRef& sub : group.members) {
      ASSERT_EQ(sub->queue, group.name);
      ASSERT_TRUE(SubjectMatchesFilter(subject, sub->subject)) << subject << " " << sub->subject;
      if (NameOf(sub) == "stable-queue") ++stable_queue;
    }
  }
  ASSERT_EQ(stable_plain, stable_subject ? 1 : 0);
  ASSERT_EQ(stable_queue, stable_subject ? 1 : 0);
}

// Readers match through their own caches while a writer inserts and removes subscriptions
// that overlap the readers' subjects. Meant to run under ASan and TSan.
TEST(SubjectTrieConcurrencyTest, ReadersWithOwnCachesWhileWriterChangesTheTrie) {
  constexpr int kReaders = 3;
  constexpr int kWriterRounds = 2000;
  SubjectTrie trie;
  trie.Insert(MakeSub("stable-plain", "stable.>"));
  trie.Insert(MakeSub("stable-queue", "stable.*", "workers"));

  const std::vector<std::string> subjects = {"stable.a", "stable.b", "churn.x", "churn.y.z"};
  std::atomic<bool> writer_done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      MatchCache cache(/*capacity=*/2);  // tiny, so the clearing path runs too
      size_t i = r;
      auto check_once = [&] {
        const std::string& subject = subjects[i++ % subjects.size()];
        const MatchResultRef result = trie.Match(subject, &cache);
        CheckResult(*result, subject, subject.starts_with("stable."));
        if (::testing::Test::HasFailure()) failures.fetch_add(1);
      };
      while (!writer_done.load(std::memory_order_acquire) && failures.load() == 0) check_once();
      for (size_t k = 0; k < subjects.size(); ++k) check_once();
    });
  }

  std::thread writer([&] {
    const std::vector<std::string> patterns = {"stable.a", "stable.*", "stable.>", "churn.*",
                                               "churn.>",  "*.x",      ">",        "churn.y.z"};
    std::vector<SubscriptionRef> live;
    for (int round = 0; round < kWriterRounds; ++round) {
      const std::string& pattern = patterns[round % patterns.size()];
      const std::string queue = round % 3 == 0 ? "workers" : (round % 3 == 1 ? "" : "other");
      auto sub = MakeSub(Cat("churn-", round), pattern, queue);
      trie.Insert(sub);
      live.push_back(sub);
      if (live.size() > 20) {
        EXPECT_TRUE(trie.Remove(live.front().get()));
        live.erase(live.begin());
      }
    }
    for (const SubscriptionRef& sub : live) EXPECT_TRUE(trie.Remove(sub.get()));
    writer_done.store(true, std::memory_order_release);
  });

  writer.join();
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(trie.Count(), 2u);
  EXPECT_EQ(trie.NodeCount(), 3u);  // stable, stable.>, stable.*

  // After the writer is done, each subject sees exactly the stable subscriptions, even through
  // a cache filled while the trie was changing.
  MatchCache cache;
  for (const std::string& subject : subjects) (void)trie.Match(subject, &cache);
  const MatchResultRef stable = trie.Match("stable.a", &cache);
  ASSERT_EQ(stable->plain.size(), 1u);
  EXPECT_EQ(NameOf(stable->plain[0]), "stable-plain");
  ASSERT_EQ(stable->queues.size(), 1u);
  EXPECT_EQ(stable->queues[0].name, "workers");
  EXPECT_TRUE(trie.Match("churn.x", &cache)->empty());
}

}  // namespace
}  // namespace spate::routing
