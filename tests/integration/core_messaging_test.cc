// Core messaging through the official C client (libnats): what every NATS application relies on.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "integration/nats_client.h"
#include "integration/server_fixture.h"
#include "support/wait_for.h"

namespace spate::test {
namespace {

class CoreMessagingTest : public ServerTest {};

NatsSubscription SubscribeSync(natsConnection* conn, const char* subject) {
  natsSubscription* sub = nullptr;
  EXPECT_EQ(natsConnection_SubscribeSync(&sub, conn, subject), NATS_OK);
  return NatsSubscription(sub);
}

std::string NextPayload(natsSubscription* sub, int64_t timeout_ms = 5000) {
  natsMsg* raw = nullptr;
  const natsStatus s = natsSubscription_NextMsg(&raw, sub, timeout_ms);
  if (s != NATS_OK) return std::string("<") + natsStatus_GetText(s) + ">";
  NatsMsg msg(raw);
  return Payload(msg.get());
}

TEST_F(CoreMessagingTest, SubscriberReceivesEveryMessageInOrder) {
  NatsConnection sub_conn = Connect();
  NatsConnection pub_conn = Connect();
  ASSERT_TRUE(sub_conn && pub_conn);
  NatsSubscription sub = SubscribeSync(sub_conn.get(), "orders.created");
  ASSERT_EQ(natsConnection_Flush(sub_conn.get()), NATS_OK);  // SUB is registered

  for (int i = 0; i < 100; ++i) {
    const std::string body = "order-" + std::to_string(i);
    ASSERT_EQ(natsConnection_PublishString(pub_conn.get(), "orders.created", body.c_str()),
              NATS_OK);
  }
  ASSERT_EQ(natsConnection_Flush(pub_conn.get()), NATS_OK);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(NextPayload(sub.get()), "order-" + std::to_string(i));
  }
  ASSERT_EQ(natsConnection_Flush(sub_conn.get()), NATS_OK);
  EXPECT_EQ(PendingMsgs(sub.get()), 0);
}

TEST_F(CoreMessagingTest, SubjectsAreMatchedExactly) {
  NatsConnection conn = Connect();
  ASSERT_TRUE(conn);
  NatsSubscription sub = SubscribeSync(conn.get(), "orders.created");
  for (const char* subject : {"orders.created", "orders.created.eu", "orders", "Orders.created",
                              "orders.createdx", "orders.created"}) {
    ASSERT_EQ(natsConnection_PublishString(conn.get(), subject, subject), NATS_OK);
  }
  ASSERT_EQ(natsConnection_Flush(conn.get()), NATS_OK);
  EXPECT_EQ(PendingMsgs(sub.get()), 2);
}

// Publishes one message per subject (payload = subject) on the subscriber's own connection and
// returns the subjects that reached `sub`, in order.
std::vector<std::string> Deliveries(natsConnection* conn, natsSubscription* sub,
                                    const std::vector<std::string>& subjects) {
  for (const std::string& subject : subjects) {
    EXPECT_EQ(natsConnection_PublishString(conn, subject.c_str(), subject.c_str()), NATS_OK);
  }
  EXPECT_EQ(natsConnection_Flush(conn), NATS_OK);
  std::vector<std::string> got;
  const int pending = PendingMsgs(sub);
  for (int i = 0; i < pending; ++i) got.push_back(NextPayload(sub));
  return got;
}

TEST_F(CoreMessagingTest, StarWildcardMatchesExactlyOneToken) {
  NatsConnection conn = Connect();
  ASSERT_TRUE(conn);
  NatsSubscription sub = SubscribeSync(conn.get(), "orders.*.eu");
  EXPECT_EQ(Deliveries(conn.get(), sub.get(),
                       {"orders.new.eu", "orders.eu", "orders.new.old.eu", "orders.paid.eu",
                        "orders.new.us", "orders.new.eu.x"}),
            (std::vector<std::string>{"orders.new.eu", "orders.paid.eu"}));
}

TEST_F(CoreMessagingTest, GreaterWildcardMatchesOneOrMoreTrailingTokens) {
  NatsConnection conn = Connect();
  ASSERT_TRUE(conn);
  NatsSubscription sub = SubscribeSync(conn.get(), "orders.>");
  EXPECT_EQ(Deliveries(conn.get(), sub.get(),
                       {"orders", "orders.new", "orders.new.eu.1", "shipping.new", "ordersx.new"}),
            (std::vector<std::string>{"orders.new", "orders.new.eu.1"}));
}

TEST_F(CoreMessagingTest, OverlappingSubscriptionsEachGetACopy) {
  NatsConnection conn = Connect();
  ASSERT_TRUE(conn);
  NatsSubscription exact = SubscribeSync(conn.get(), "a.b.c");
  NatsSubscription star = SubscribeSync(conn.get(), "a.*.c");
  NatsSubscription tail = SubscribeSync(conn.get(), "a.>");
  NatsSubscription all = SubscribeSync(conn.get(), ">");
  ASSERT_EQ(natsConnection_PublishString(conn.get(), "a.b.c", "x"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(conn.get()), NATS_OK);
  EXPECT_EQ(PendingMsgs(exact.get()), 1);
  EXPECT_EQ(PendingMsgs(star.get()), 1);
  EXPECT_EQ(PendingMsgs(tail.get()), 1);
  EXPECT_EQ(PendingMsgs(all.get()), 1);
}

TEST_F(CoreMessagingTest, QueueGroupDeliversEachMessageToExactlyOneMember) {
  constexpr int kMembers = 3;
  constexpr int kMessages = 300;
  std::vector<NatsConnection> conns;
  std::vector<NatsSubscription> subs;
  MessageCollector members[kMembers];
  for (int i = 0; i < kMembers; ++i) {
    conns.push_back(Connect());
    ASSERT_TRUE(conns.back());
    natsSubscription* sub = nullptr;
    ASSERT_EQ(natsConnection_QueueSubscribe(&sub, conns.back().get(), "jobs.*", "workers",
                                            MessageCollector::OnMsg, &members[i]),
              NATS_OK);
    subs.emplace_back(sub);
    ASSERT_EQ(natsConnection_Flush(conns.back().get()), NATS_OK);
  }
  // A plain subscriber next to the group still sees everything.
  NatsConnection observer_conn = Connect();
  MessageCollector observer;
  natsSubscription* raw_observer = nullptr;
  ASSERT_EQ(natsConnection_Subscribe(&raw_observer, observer_conn.get(), "jobs.*",
                                     MessageCollector::OnMsg, &observer),
            NATS_OK);
  NatsSubscription observer_sub(raw_observer);
  ASSERT_EQ(natsConnection_Flush(observer_conn.get()), NATS_OK);

  NatsConnection pub = Connect();
  for (int i = 0; i < kMessages; ++i) {
    const std::string body = std::to_string(i);
    ASSERT_EQ(natsConnection_PublishString(pub.get(), "jobs.resize", body.c_str()), NATS_OK);
  }
  ASSERT_EQ(natsConnection_Flush(pub.get()), NATS_OK);

  auto total = [&] {
    int sum = 0;
    for (const MessageCollector& m : members) sum += m.count();
    return sum;
  };
  ASSERT_TRUE(WaitFor([&] { return total() >= kMessages && observer.count() >= kMessages; }, 10s))
      << "group got " << total() << ", observer got " << observer.count();
  // Anything still in flight would now be in the members' queues.
  for (NatsConnection& c : conns) ASSERT_EQ(natsConnection_Flush(c.get()), NATS_OK);
  EXPECT_EQ(total(), kMessages);
  EXPECT_EQ(observer.count(), kMessages);

  std::set<std::string> seen;
  for (const MessageCollector& m : members) {
    EXPECT_GT(m.count(), 0) << "queue group should spread messages across members";
    for (const auto& msg : m.messages()) {
      EXPECT_TRUE(seen.insert(msg.payload).second) << "delivered twice: " << msg.payload;
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kMessages));
}

void Echo(natsConnection* conn, natsSubscription* /*sub*/, natsMsg* msg, void* /*closure*/) {
  const std::string answer = "re:" + Payload(msg);
  natsConnection_PublishString(conn, natsMsg_GetReply(msg), answer.c_str());
  natsMsg_Destroy(msg);
}

TEST_F(CoreMessagingTest, RequestGetsTheResponderReply) {
  NatsConnection responder = Connect();
  NatsConnection requester = Connect();
  ASSERT_TRUE(responder && requester);
  natsSubscription* raw = nullptr;
  ASSERT_EQ(natsConnection_Subscribe(&raw, responder.get(), "svc.echo", Echo, nullptr), NATS_OK);
  NatsSubscription sub(raw);
  ASSERT_EQ(natsConnection_Flush(responder.get()), NATS_OK);

  for (int i = 0; i < 20; ++i) {
    natsMsg* reply = nullptr;
    const std::string body = "ping-" + std::to_string(i);
    ASSERT_EQ(natsConnection_RequestString(&reply, requester.get(), "svc.echo", body.c_str(), 5000),
              NATS_OK);
    NatsMsg owned(reply);
    EXPECT_EQ(Payload(reply), "re:" + body);
  }
}

TEST_F(CoreMessagingTest, RequestWithoutRespondersFailsFastWithNoResponders) {
  NatsConnection conn = Connect();
  ASSERT_TRUE(conn);
  natsMsg* reply = nullptr;
  const auto start = std::chrono::steady_clock::now();
  // The timeout is long so that a missing 503 shows up as NATS_TIMEOUT, not as a slow pass.
  const natsStatus s = natsConnection_RequestString(&reply, conn.get(), "svc.nobody", "hi", 10000);
  NatsMsg owned(reply);
  EXPECT_EQ(s, NATS_NO_RESPONDERS) << natsStatus_GetText(s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(CoreMessagingTest, HeadersRoundTrip) {
  NatsConnection conn = Connect();
  ASSERT_TRUE(conn);
  NatsSubscription sub = SubscribeSync(conn.get(), "with.headers");

  natsMsg* raw = nullptr;
  ASSERT_EQ(natsMsg_Create(&raw, "with.headers", nullptr, "body", 4), NATS_OK);
  NatsMsg out(raw);
  ASSERT_EQ(natsMsgHeader_Set(out.get(), "Trace-Id", "abc-123"), NATS_OK);
  ASSERT_EQ(natsMsgHeader_Add(out.get(), "Multi", "one"), NATS_OK);
  ASSERT_EQ(natsMsgHeader_Add(out.get(), "Multi", "two"), NATS_OK);
  ASSERT_EQ(natsConnection_PublishMsg(conn.get(), out.get()), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(conn.get()), NATS_OK);

  natsMsg* in_raw = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&in_raw, sub.get(), 5000), NATS_OK);
  NatsMsg in(in_raw);
  EXPECT_EQ(Payload(in.get()), "body");
  const char* value = nullptr;
  ASSERT_EQ(natsMsgHeader_Get(in.get(), "Trace-Id", &value), NATS_OK);
  EXPECT_STREQ(value, "abc-123");
  const char** values = nullptr;
  int count = 0;
  ASSERT_EQ(natsMsgHeader_Values(in.get(), "Multi", &values, &count), NATS_OK);
  ASSERT_EQ(count, 2);
  EXPECT_STREQ(values[0], "one");
  EXPECT_STREQ(values[1], "two");
  free(values);
  EXPECT_EQ(natsMsgHeader_Get(in.get(), "Absent", &value), NATS_NOT_FOUND);
}

TEST_F(CoreMessagingTest, AutoUnsubscribeStopsAfterMaxMessages) {
  NatsConnection conn = Connect();
  ASSERT_TRUE(conn);
  NatsSubscription sub = SubscribeSync(conn.get(), "limited");
  ASSERT_EQ(natsSubscription_AutoUnsubscribe(sub.get(), 3), NATS_OK);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(natsConnection_PublishString(conn.get(), "limited", std::to_string(i).c_str()),
              NATS_OK);
  }
  ASSERT_EQ(natsConnection_Flush(conn.get()), NATS_OK);
  EXPECT_EQ(NextPayload(sub.get()), "0");
  EXPECT_EQ(NextPayload(sub.get()), "1");
  EXPECT_EQ(NextPayload(sub.get()), "2");
  EXPECT_FALSE(natsSubscription_IsValid(sub.get()));

  // The server forgot the interest too: a second subscriber is the only one that gets a message.
  NatsSubscription other = SubscribeSync(conn.get(), "limited");
  ASSERT_EQ(natsConnection_PublishString(conn.get(), "limited", "after"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(conn.get()), NATS_OK);
  EXPECT_EQ(PendingMsgs(other.get()), 1);
}

TEST_F(CoreMessagingTest, NoEchoHidesOwnMessagesButNotOthers) {
  NatsConnection quiet = Connect([](natsOptions* o) { natsOptions_SetNoEcho(o, true); });
  NatsConnection other = Connect();
  ASSERT_TRUE(quiet && other);
  NatsSubscription own = SubscribeSync(quiet.get(), "chat");
  NatsSubscription theirs = SubscribeSync(other.get(), "chat");
  ASSERT_EQ(natsConnection_Flush(other.get()), NATS_OK);

  ASSERT_EQ(natsConnection_PublishString(quiet.get(), "chat", "from-quiet"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(quiet.get()), NATS_OK);
  ASSERT_EQ(natsConnection_PublishString(other.get(), "chat", "from-other"), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(other.get()), NATS_OK);
  // other's PING went after its PUB; quiet's PING after that proves the MSG has reached quiet.
  ASSERT_EQ(natsConnection_Flush(quiet.get()), NATS_OK);

  EXPECT_EQ(NextPayload(own.get()), "from-other");
  EXPECT_EQ(PendingMsgs(own.get()), 0);
  EXPECT_EQ(NextPayload(theirs.get()), "from-quiet");
  EXPECT_EQ(NextPayload(theirs.get()), "from-other");
}

TEST_F(CoreMessagingTest, DrainDeliversQueuedMessagesThenCloses) {
  NatsConnection conn = Connect();
  ASSERT_TRUE(conn);
  MessageCollector got;
  natsSubscription* raw = nullptr;
  ASSERT_EQ(natsConnection_Subscribe(&raw, conn.get(), "drain.me", MessageCollector::OnMsg, &got),
            NATS_OK);
  NatsSubscription sub(raw);
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(natsConnection_PublishString(conn.get(), "drain.me", "x"), NATS_OK);
  }
  ASSERT_EQ(natsConnection_Flush(conn.get()), NATS_OK);
  ASSERT_EQ(natsConnection_Drain(conn.get()), NATS_OK);
  ASSERT_TRUE(WaitFor([&] { return natsConnection_IsClosed(conn.get()); }, 10s));
  EXPECT_EQ(got.count(), 50);
}

}  // namespace
}  // namespace spate::test
