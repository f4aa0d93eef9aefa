// How lame duck mode spaces client closes (nats-server's rule), without a server.

#include <gtest/gtest.h>

#include "server/lame_duck.h"

namespace spate::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TEST(LameDuckPlan, FewClientsAreAtMostOneSecondApart) {
  LameDuckPlan plan = PlanLameDuckCloses(minutes(2), seconds(10), 10);
  EXPECT_EQ(plan.interval, seconds(1));  // 110s / 10 would be 11s
  EXPECT_EQ(plan.batch, 1u);
}

TEST(LameDuckPlan, ManyClientsShareTheTimeLeftAfterTheGracePeriod) {
  LameDuckPlan plan = PlanLameDuckCloses(seconds(30), seconds(10), 1000);
  EXPECT_EQ(plan.interval, milliseconds(20));
  EXPECT_EQ(plan.batch, 1u);
}

TEST(LameDuckPlan, NoTimeLeftMeansOneSecond) {
  EXPECT_EQ(PlanLameDuckCloses(seconds(5), seconds(5), 4).interval, milliseconds(250));
}

TEST(LameDuckPlan, MoreClientsThanNanosecondsAreClosedInBatches) {
  LameDuckPlan plan = PlanLameDuckCloses(nanoseconds(110), nanoseconds(100), 50);
  EXPECT_EQ(plan.interval, nanoseconds(1));
  EXPECT_EQ(plan.batch, 5u);
}

}  // namespace
}  // namespace spate::server
