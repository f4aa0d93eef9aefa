#include "routing/subscriber_list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace spate::routing {
namespace {

std::vector<SubscriptionRef> MakeSubs(int n) {
  std::vector<SubscriptionRef> subs;
  for (int i = 0; i < n; ++i) subs.push_back(std::make_shared<Subscription>());
  return subs;
}

bool Holds(const SubscriberList& list, const SubscriptionRef& sub) {
  return std::find(list.items().begin(), list.items().end(), sub) != list.items().end();
}

TEST(SubscriberListTest, AddRejectsDuplicates) {
  const auto subs = MakeSubs(2);
  SubscriberList list;
  EXPECT_TRUE(list.Add(subs[0]));
  EXPECT_FALSE(list.Add(subs[0]));
  EXPECT_TRUE(list.Add(subs[1]));
  EXPECT_EQ(list.size(), 2u);
}

TEST(SubscriberListTest, RemoveMissingIsFalse) {
  const auto subs = MakeSubs(2);
  SubscriberList list;
  EXPECT_FALSE(list.Remove(subs[0].get()));
  ASSERT_TRUE(list.Add(subs[0]));
  EXPECT_FALSE(list.Remove(subs[1].get()));
  EXPECT_TRUE(list.Remove(subs[0].get()));
  EXPECT_TRUE(list.empty());
}

TEST(SubscriberListTest, StaysConsistentAcrossTheIndexThreshold) {
  // Grow well past the index threshold, shrink below it, grow again; check membership and
  // duplicate detection at every step.
  const auto subs = MakeSubs(100);
  SubscriberList list;
  std::vector<bool> in(subs.size(), false);
  auto check = [&] {
    size_t expected = 0;
    for (size_t i = 0; i < subs.size(); ++i) {
      ASSERT_EQ(Holds(list, subs[i]), in[i]) << i;
      expected += in[i];
    }
    ASSERT_EQ(list.size(), expected);
  };
  for (size_t i = 0; i < subs.size(); ++i) {
    ASSERT_TRUE(list.Add(subs[i]));
    in[i] = true;
    ASSERT_FALSE(list.Add(subs[i]));
    check();
  }
  for (size_t i = 0; i < subs.size(); i += 3) {
    ASSERT_TRUE(list.Remove(subs[i].get()));
    in[i] = false;
    ASSERT_FALSE(list.Remove(subs[i].get()));
    check();
  }
  for (size_t i = 0; i < subs.size(); ++i) {
    if (in[i]) {
      ASSERT_TRUE(list.Remove(subs[i].get()));
      in[i] = false;
      check();
    }
  }
  for (size_t i = 0; i < 40; ++i) {
    ASSERT_TRUE(list.Add(subs[i]));
    in[i] = true;
    check();
  }
}

}  // namespace
}  // namespace spate::routing
