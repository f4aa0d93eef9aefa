#include "routing/subject_trie.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "routing/subject.h"
#include "trie_test_support.h"

namespace spate::routing {
namespace {

using test_support::Cat;
using test_support::MakeSub;
using test_support::PlainNames;
using test_support::QueueNames;
using Names = std::vector<std::string>;
using Groups = std::map<std::string, std::vector<std::string>>;

class SubjectTrieTest : public ::testing::Test {
 protected:
  // Subscribes `name` to `subject` (in `queue` if given) and keeps it for Unsub.
  void Sub(const std::string& name, const std::string& subject, const std::string& queue = "") {
    auto sub = MakeSub(name, subject, queue);
    subs_[name] = sub;
    trie_.Insert(sub);
  }
  bool Unsub(const std::string& name) { return trie_.Remove(subs_.at(name).get()); }
  Names Plain(std::string_view subject) { return PlainNames(*trie_.Match(subject)); }
  Groups Queues(std::string_view subject) { return QueueNames(*trie_.Match(subject)); }

  SubjectTrie trie_;
  std::map<std::string, SubscriptionRef> subs_;
};

TEST_F(SubjectTrieTest, EmptyTrieMatchesNothing) {
  const MatchResultRef result = trie_.Match("foo");
  ASSERT_NE(result, nullptr);
  EXPECT_TRUE(result->empty());
  EXPECT_EQ(trie_.Count(), 0u);
  EXPECT_EQ(trie_.NodeCount(), 0u);
}

TEST_F(SubjectTrieTest, LiteralSubjectsMatchExactly) {
  Sub("a", "foo");
  Sub("b", "foo.bar");
  Sub("c", "foo.bar.baz");
  EXPECT_EQ(Plain("foo"), Names({"a"}));
  EXPECT_EQ(Plain("foo.bar"), Names({"b"}));
  EXPECT_EQ(Plain("foo.bar.baz"), Names({"c"}));
  EXPECT_EQ(Plain("foo.baz"), Names({}));
  EXPECT_EQ(Plain("bar"), Names({}));
  EXPECT_EQ(Plain("foo.bar.baz.qux"), Names({}));
  EXPECT_EQ(trie_.Count(), 3u);
}

TEST_F(SubjectTrieTest, SeveralSubscribersOnOneSubject) {
  Sub("a", "foo.bar");
  Sub("b", "foo.bar");
  Sub("c", "foo.bar");
  EXPECT_EQ(Plain("foo.bar"), Names({"a", "b", "c"}));
}

TEST_F(SubjectTrieTest, SingleWildcardMatchesExactlyOneToken) {
  Sub("foo.*", "foo.*");
  Sub("*.bar", "*.bar");
  Sub("*", "*");
  Sub("foo.*.baz", "foo.*.baz");
  EXPECT_EQ(Plain("foo.bar"), Names({"*.bar", "foo.*"}));
  EXPECT_EQ(Plain("foo.qux"), Names({"foo.*"}));
  EXPECT_EQ(Plain("foo"), Names({"*"}));
  EXPECT_EQ(Plain("foo.bar.baz"), Names({"foo.*.baz"}));
  EXPECT_EQ(Plain("foo.bar.qux"), Names({}));
  EXPECT_EQ(Plain("x.y.z.w"), Names({}));
}

TEST_F(SubjectTrieTest, FullWildcardMatchesOneOrMoreTrailingTokens) {
  Sub("foo.>", "foo.>");
  Sub(">", ">");
  Sub("foo.bar.>", "foo.bar.>");
  EXPECT_EQ(Plain("foo"), Names({">"}));
  EXPECT_EQ(Plain("foo.bar"), Names({">", "foo.>"}));
  EXPECT_EQ(Plain("foo.bar.baz"), Names({">", "foo.>", "foo.bar.>"}));
  EXPECT_EQ(Plain("foo.bar.baz.a.b.c"), Names({">", "foo.>", "foo.bar.>"}));
  EXPECT_EQ(Plain("bar.baz"), Names({">"}));
}

TEST_F(SubjectTrieTest, MixedWildcards) {
  Sub("lit", "orders.eu.new");
  Sub("star1", "orders.*.new");
  Sub("star2", "*.eu.*");
  Sub("stars", "*.*.*");
  Sub("fwc", "orders.>");
  Sub("star_fwc", "*.eu.>");
  Sub("all", ">");
  Sub("other", "orders.us.new");
  Sub("short", "orders.*");
  EXPECT_EQ(Plain("orders.eu.new"),
            Names({"all", "fwc", "lit", "star1", "star2", "star_fwc", "stars"}));
  EXPECT_EQ(Plain("orders.us.new"), Names({"all", "fwc", "other", "star1", "stars"}));
  EXPECT_EQ(Plain("orders.eu"), Names({"all", "fwc", "short"}));
  EXPECT_EQ(Plain("orders.eu.new.x"), Names({"all", "fwc", "star_fwc"}));
}

TEST_F(SubjectTrieTest, WildcardCharactersInsideTokensAreLiteral) {
  Sub("foo*", "foo*");
  Sub("a>b", "a>b.c");
  EXPECT_EQ(Plain("foo*"), Names({"foo*"}));
  EXPECT_EQ(Plain("foobar"), Names({}));
  EXPECT_EQ(Plain("a>b.c"), Names({"a>b"}));
  EXPECT_EQ(Plain("a.c"), Names({}));
}

TEST_F(SubjectTrieTest, WildcardTokensInPublishedSubjectMatchLiterally) {
  // As nats-server: a non-pedantic PUB to "foo.*" reaches "foo.*" and "foo.>", not "foo.bar".
  Sub("lit", "foo.bar");
  Sub("star", "foo.*");
  Sub("fwc", "foo.>");
  EXPECT_EQ(Plain("foo.*"), Names({"fwc", "star"}));
  EXPECT_EQ(Plain("foo.>"), Names({"fwc", "star"}));
}

TEST_F(SubjectTrieTest, SubjectsWithEmptyTokensMatchNothing) {
  Sub("all", ">");
  Sub("star", "foo.*.bar");
  for (std::string_view subject : {"", ".", "foo..bar", ".foo", "foo.", "foo.bar."}) {
    EXPECT_TRUE(trie_.Match(subject)->empty()) << "'" << subject << "'";
  }
}

TEST_F(SubjectTrieTest, SubjectsLongerThanMaxTokens) {
  std::string long_subject = "t0";
  for (size_t i = 1; i < kMaxTokens + 10; ++i) long_subject += Cat(".t", i);
  std::string stars = "*";
  for (size_t i = 1; i < kMaxTokens + 10; ++i) stars += ".*";
  Sub("lit", long_subject);
  Sub("stars", stars);
  Sub("fwc", "t0.>");
  EXPECT_EQ(Plain(long_subject), Names({"fwc", "lit", "stars"}));
  EXPECT_EQ(Plain(long_subject + ".x"), Names({"fwc"}));
  EXPECT_TRUE(Unsub("lit"));
  EXPECT_EQ(Plain(long_subject), Names({"fwc", "stars"}));
}

TEST_F(SubjectTrieTest, ResultHoldsTheInsertedSubscriptions) {
  Sub("a", "foo");
  const MatchResultRef result = trie_.Match("foo");
  ASSERT_EQ(result->plain.size(), 1u);
  EXPECT_EQ(result->plain[0], subs_["a"]);
}

TEST_F(SubjectTrieTest, QueueGroupsAreSeparateFromPlainSubscribers) {
  Sub("plain", "foo");
  Sub("w1", "foo", "workers");
  Sub("w2", "foo", "workers");
  EXPECT_EQ(Plain("foo"), Names({"plain"}));
  EXPECT_EQ(Queues("foo"), Groups({{"workers", {"w1", "w2"}}}));
}

TEST_F(SubjectTrieTest, QueueGroupsAreGroupedByNameAcrossSubjects) {
  // One group "q" for foo.bar, though its members subscribed on different subjects.
  Sub("q_star", "foo.*", "q");
  Sub("q_lit", "foo.bar", "q");
  Sub("q_fwc", ">", "q");
  EXPECT_EQ(Queues("foo.bar"), Groups({{"q", {"q_fwc", "q_lit", "q_star"}}}));
  EXPECT_EQ(Queues("foo.baz"), Groups({{"q", {"q_fwc", "q_star"}}}));
  EXPECT_EQ(Queues("bar"), Groups({{"q", {"q_fwc"}}}));
}

TEST_F(SubjectTrieTest, SeveralQueueGroups) {
  Sub("a1", "foo.bar", "alpha");
  Sub("a2", "foo.*", "alpha");
  Sub("b1", "foo.bar", "beta");
  Sub("c1", "foo.>", "gamma");
  Sub("c2", "foo.>", "gamma");
  Sub("p", "foo.*");
  EXPECT_EQ(Queues("foo.bar"),
            Groups({{"alpha", {"a1", "a2"}}, {"beta", {"b1"}}, {"gamma", {"c1", "c2"}}}));
  EXPECT_EQ(Queues("foo.x"), Groups({{"alpha", {"a2"}}, {"gamma", {"c1", "c2"}}}));
  EXPECT_EQ(Plain("foo.bar"), Names({"p"}));
}

TEST_F(SubjectTrieTest, ManyQueueGroupsMergeAcrossNodes) {
  // Enough groups to leave the linear-search path of the result builder.
  Groups want;
  for (int g = 0; g < 25; ++g) {
    const std::string group = Cat("group", g);
    Sub(group + "/star", "foo.*", group);
    want[group].push_back(group + "/star");
    if (g % 2 == 0) {
      Sub(group + "/lit", "foo.bar", group);
      want[group].push_back(group + "/lit");
    }
    if (g % 3 == 0) {
      Sub(group + "/fwc", "foo.>", group);
      want[group].push_back(group + "/fwc");
    }
    std::sort(want[group].begin(), want[group].end());
  }
  Sub("solo", "foo.bar", "solo");
  want["solo"] = {"solo"};
  EXPECT_EQ(Queues("foo.bar"), want);
}

TEST_F(SubjectTrieTest, RemoveReturnsWhetherItWasThere) {
  Sub("a", "foo.bar");
  Sub("b", "foo.bar");
  EXPECT_TRUE(Unsub("a"));
  EXPECT_FALSE(Unsub("a"));
  EXPECT_EQ(Plain("foo.bar"), Names({"b"}));
  EXPECT_EQ(trie_.Count(), 1u);

  const auto stranger = MakeSub("stranger", "foo.bar");
  EXPECT_FALSE(trie_.Remove(stranger.get()));
  const auto elsewhere = MakeSub("elsewhere", "no.such.subject");
  EXPECT_FALSE(trie_.Remove(elsewhere.get()));
  EXPECT_FALSE(trie_.Remove(nullptr));
  EXPECT_EQ(trie_.Count(), 1u);
}

TEST_F(SubjectTrieTest, RemoveQueueMember) {
  Sub("w1", "foo", "workers");
  Sub("w2", "foo", "workers");
  Sub("o1", "foo", "others");
  EXPECT_TRUE(Unsub("w1"));
  EXPECT_EQ(Queues("foo"), Groups({{"others", {"o1"}}, {"workers", {"w2"}}}));
  EXPECT_TRUE(Unsub("w2"));
  EXPECT_EQ(Queues("foo"), Groups({{"others", {"o1"}}}));
  // Same subject, different queue: not this subscription.
  const auto wrong_queue = MakeSub("x", "foo", "workers");
  EXPECT_FALSE(trie_.Remove(wrong_queue.get()));
  EXPECT_TRUE(Unsub("o1"));
  EXPECT_TRUE(trie_.Match("foo")->empty());
}

TEST_F(SubjectTrieTest, RemovePrunesEmptyNodes) {
  Sub("deep", "a.b.c.d");
  EXPECT_EQ(trie_.NodeCount(), 4u);
  Sub("mid", "a.b");
  EXPECT_EQ(trie_.NodeCount(), 4u);
  Sub("wild", "a.*.>");
  EXPECT_EQ(trie_.NodeCount(), 6u);  // a, b, c, d, *, >

  EXPECT_TRUE(Unsub("deep"));
  EXPECT_EQ(trie_.NodeCount(), 4u);  // c and d pruned; b still holds "mid"
  EXPECT_TRUE(Unsub("wild"));
  EXPECT_EQ(trie_.NodeCount(), 2u);
  EXPECT_TRUE(Unsub("mid"));
  EXPECT_EQ(trie_.NodeCount(), 0u);
  EXPECT_EQ(trie_.Count(), 0u);

  // The pruned paths work again.
  Sub("deep2", "a.b.c.d");
  Sub("wild2", "a.*.>");
  EXPECT_EQ(Plain("a.b.c.d"), Names({"deep2", "wild2"}));
  EXPECT_EQ(trie_.NodeCount(), 6u);
}

TEST_F(SubjectTrieTest, NodeWithChildrenIsKeptWhenItsSubscribersLeave) {
  Sub("parent", "a");
  Sub("child", "a.b");
  EXPECT_TRUE(Unsub("parent"));
  EXPECT_EQ(trie_.NodeCount(), 2u);
  EXPECT_EQ(Plain("a.b"), Names({"child"}));
  EXPECT_EQ(Plain("a"), Names({}));
}

TEST_F(SubjectTrieTest, ManySubscribersOnOneSubjectAddAndRemove) {
  // Crosses the subscriber list's index threshold both ways.
  for (int i = 0; i < 200; ++i) Sub(Cat("s", i), "fan.out");
  EXPECT_EQ(trie_.Match("fan.out")->plain.size(), 200u);
  for (int i = 0; i < 200; i += 2) EXPECT_TRUE(Unsub(Cat("s", i)));
  const MatchResultRef half = trie_.Match("fan.out");
  EXPECT_EQ(half->plain.size(), 100u);
  for (const SubscriptionRef& sub : half->plain) {
    EXPECT_EQ(std::stoi(test_support::NameOf(sub).substr(1)) % 2, 1);
  }
  for (int i = 1; i < 200; i += 2) EXPECT_TRUE(Unsub(Cat("s", i)));
  EXPECT_TRUE(trie_.Match("fan.out")->empty());
  EXPECT_EQ(trie_.NodeCount(), 0u);
}

TEST_F(SubjectTrieTest, GenerationChangesOnEveryChange) {
  const uint64_t g0 = trie_.generation();
  Sub("a", "foo");
  const uint64_t g1 = trie_.generation();
  EXPECT_GT(g1, g0);
  const auto stranger = MakeSub("stranger", "foo");
  EXPECT_FALSE(trie_.Remove(stranger.get()));
  EXPECT_EQ(trie_.generation(), g1);  // nothing changed
  EXPECT_TRUE(Unsub("a"));
  EXPECT_GT(trie_.generation(), g1);
}

TEST_F(SubjectTrieTest, GenerationsAreUniqueAcrossTries) {
  SubjectTrie other;
  EXPECT_NE(other.generation(), trie_.generation());
}

TEST_F(SubjectTrieTest, CacheHitReturnsTheSameResult) {
  Sub("a", "foo.*");
  MatchCache cache;
  const MatchResultRef first = trie_.Match("foo.bar", &cache);
  const MatchResultRef second = trie_.Match("foo.bar", &cache);
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(PlainNames(*second), Names({"a"}));
}

TEST_F(SubjectTrieTest, CacheIsInvalidatedByInsert) {
  MatchCache cache;
  EXPECT_TRUE(trie_.Match("foo.bar", &cache)->empty());
  Sub("a", "foo.*");
  EXPECT_EQ(PlainNames(*trie_.Match("foo.bar", &cache)), Names({"a"}));
  Sub("b", "foo.bar", "q");
  EXPECT_EQ(QueueNames(*trie_.Match("foo.bar", &cache)), Groups({{"q", {"b"}}}));
}

TEST_F(SubjectTrieTest, CacheIsInvalidatedByRemove) {
  Sub("a", "foo.*");
  Sub("b", "foo.>");
  MatchCache cache;
  EXPECT_EQ(PlainNames(*trie_.Match("foo.bar", &cache)), Names({"a", "b"}));
  EXPECT_TRUE(Unsub("a"));
  EXPECT_EQ(PlainNames(*trie_.Match("foo.bar", &cache)), Names({"b"}));
  EXPECT_TRUE(Unsub("b"));
  EXPECT_TRUE(trie_.Match("foo.bar", &cache)->empty());
}

TEST_F(SubjectTrieTest, CacheUsedWithTwoTriesNeverMixesThem) {
  SubjectTrie other;
  other.Insert(MakeSub("other", "foo"));
  Sub("mine", "foo");
  MatchCache cache;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(PlainNames(*trie_.Match("foo", &cache)), Names({"mine"}));
    EXPECT_EQ(PlainNames(*other.Match("foo", &cache)), Names({"other"}));
  }
}

TEST_F(SubjectTrieTest, CachedEmptyResultsAreNotNull) {
  MatchCache cache;
  for (int i = 0; i < 3; ++i) {
    const MatchResultRef result = trie_.Match("nothing.here", &cache);
    ASSERT_NE(result, nullptr);
    EXPECT_TRUE(result->empty());
  }
}

using SubjectTrieDeathTest = SubjectTrieTest;

TEST_F(SubjectTrieDeathTest, InsertingTwiceIsABug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const auto sub = MakeSub("a", "foo");
  trie_.Insert(sub);
  EXPECT_DEATH(trie_.Insert(sub), "inserted twice");
}

TEST_F(SubjectTrieDeathTest, InsertingAnInvalidSubjectIsABug) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(trie_.Insert(MakeSub("a", "foo..bar")), "invalid subject");
}

}  // namespace
}  // namespace spate::routing
