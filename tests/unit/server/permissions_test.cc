#include "server/permissions.h"

#include <gtest/gtest.h>

namespace spate::server {
namespace {

Permissions Make(std::optional<SubjectPermission> pub, std::optional<SubjectPermission> sub,
                 std::optional<ResponsePermission> resp = std::nullopt) {
  Permissions p;
  p.publish = std::move(pub);
  p.subscribe = std::move(sub);
  p.response = resp;
  return p;
}

SubjectPermission Allow(std::vector<std::string> allow, std::vector<std::string> deny = {}) {
  return SubjectPermission{true, std::move(allow), std::move(deny)};
}

SubjectPermission DenyOnly(std::vector<std::string> deny) {
  return SubjectPermission{false, {}, std::move(deny)};
}

TEST(ClientPermissionsTest, PublishAllowAndDeny) {
  ClientPermissions p(Make(Allow({"foo.>", "bar"}, {"foo.secret"}), std::nullopt));
  EXPECT_TRUE(p.CanPublish("foo.a", 0));
  EXPECT_TRUE(p.CanPublish("foo.a.b", 0));
  EXPECT_TRUE(p.CanPublish("bar", 0));
  EXPECT_FALSE(p.CanPublish("foo.secret", 0));
  EXPECT_FALSE(p.CanPublish("baz", 0));
  EXPECT_FALSE(p.CanPublish("foo", 0));
  // Cached answers are the same answers.
  EXPECT_FALSE(p.CanPublish("foo.secret", 0));
  EXPECT_TRUE(p.CanPublish("foo.a", 0));
  EXPECT_TRUE(p.CanSubscribe("anything", {}));  // no subscribe permissions: all allowed
}

TEST(ClientPermissionsTest, DenyOnlyAllowsTheRest) {
  ClientPermissions p(Make(DenyOnly({">"}), DenyOnly({"admin.>"})));
  EXPECT_FALSE(p.CanPublish("x", 0));
  EXPECT_TRUE(p.CanSubscribe("x.y", {}));
  EXPECT_FALSE(p.CanSubscribe("admin.x", {}));
  EXPECT_FALSE(p.CanSubscribe("admin.>", {}));
}

TEST(ClientPermissionsTest, SubscriptionMustLieWithinAnAllowEntry) {
  ClientPermissions p(Make(std::nullopt, Allow({"foo.*", "bar.>"})));
  EXPECT_TRUE(p.CanSubscribe("foo.a", {}));
  EXPECT_TRUE(p.CanSubscribe("foo.*", {}));
  EXPECT_FALSE(p.CanSubscribe("foo.>", {}));  // broader than foo.*
  EXPECT_FALSE(p.CanSubscribe(">", {}));
  EXPECT_TRUE(p.CanSubscribe("bar.x.y", {}));
  EXPECT_TRUE(p.CanSubscribe("bar.*.y", {}));
  EXPECT_FALSE(p.CanSubscribe("baz", {}));
}

TEST(ClientPermissionsTest, WildcardSubscriptionOverADeniedSubjectIsFilteredPerMessage) {
  ClientPermissions p(Make(std::nullopt, Allow({">"}, {"foo.secret"})));
  EXPECT_FALSE(p.CanSubscribe("foo.secret", {}));
  EXPECT_TRUE(p.CanSubscribe("foo.*", {}));
  EXPECT_TRUE(p.checks_deliveries());
  EXPECT_FALSE(p.AllowDelivery("foo.secret", {}, 0));
  EXPECT_TRUE(p.AllowDelivery("foo.public", {}, 0));
}

TEST(ClientPermissionsTest, QueueEntries) {
  ClientPermissions p(
      Make(std::nullopt, Allow({"jobs workers", "jobs v1.*", "plain"}, {"> *.prod"})));
  EXPECT_TRUE(p.CanSubscribe("jobs", "workers"));
  EXPECT_TRUE(p.CanSubscribe("jobs", "v1.a"));
  EXPECT_FALSE(p.CanSubscribe("jobs", "v2.a"));
  EXPECT_FALSE(p.CanSubscribe("jobs", {}));  // only queue entries cover "jobs"
  EXPECT_TRUE(p.CanSubscribe("plain", {}));
  EXPECT_TRUE(p.CanSubscribe("plain", "any"));
  EXPECT_FALSE(p.CanSubscribe("plain", "x.prod"));
}

TEST(ClientPermissionsTest, ResponsesAreAllowedOnceWithinTheirTime) {
  Permissions perms =
      Make(Allow({}), Allow({"svc"}), ResponsePermission{2, std::chrono::seconds(1)});
  ClientPermissions p(perms);
  EXPECT_FALSE(p.CanPublish("_INBOX.1", 0));  // no request delivered yet
  EXPECT_TRUE(p.AllowDelivery("svc", "_INBOX.1", 0));
  EXPECT_TRUE(p.CanPublish("_INBOX.1", 10));
  EXPECT_TRUE(p.CanPublish("_INBOX.1", 20));
  EXPECT_FALSE(p.CanPublish("_INBOX.1", 30));  // max 2 reached
  EXPECT_TRUE(p.AllowDelivery("svc", "_INBOX.2", 0));
  EXPECT_FALSE(p.CanPublish("_INBOX.2", 2'000'000'000));  // expired after 1s
  EXPECT_FALSE(p.CanPublish("other", 0));
}

}  // namespace
}  // namespace spate::server
