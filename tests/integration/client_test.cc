// The C++ client library (src/client) against real servers: every scenario runs against
// spate-server (SPATE_TEST_SERVER_BIN or the build's) and against nats-server (NATS_SERVER_BIN or
// /usr/sbin/nats-server; skipped when absent).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/connection.h"
#include "support/test_server.h"
#include "support/wait_for.h"

namespace spate::client {
namespace {

using namespace std::chrono_literals;
using spate::test::TestServer;
using spate::test::TestServerOptions;
using spate::test::WaitFor;

class ClientIntegrationTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { StartServer({}); }

  void StartServer(TestServerOptions options) {
    const bool nats = GetParam() == "nats-server";
    const std::string binary = nats ? TestServer::NatsServerBinary() : TestServer::SpateBinary();
    if (::access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " not found";
    server_ = std::make_unique<TestServer>(binary, std::move(options));
    ASSERT_TRUE(server_->Start()) << server_->error();
  }

  Options Opts() const {
    Options o;
    o.servers = {server_->url()};
    o.reconnect_wait = 20ms;
    o.reconnect_jitter = 10ms;
    o.max_reconnect_wait = 200ms;
    o.connect_timeout = 1000ms;
    return o;
  }

  std::unique_ptr<Connection> Connect(Options o) {
    auto conn = Connection::Connect(std::move(o));
    EXPECT_TRUE(conn.ok()) << conn.status().message() << "\n" << server_->Log();
    return conn.ok() ? std::move(*conn) : nullptr;
  }
  std::unique_ptr<Connection> Connect() { return Connect(Opts()); }

  std::unique_ptr<TestServer> server_;
};

TEST_P(ClientIntegrationTest, PubSubWithWildcards) {
  auto sub_conn = Connect();
  auto pub_conn = Connect();
  ASSERT_TRUE(sub_conn && pub_conn);
  auto star = sub_conn->SubscribeSync("orders.*");
  auto full = sub_conn->SubscribeSync("orders.>");
  ASSERT_TRUE(star.ok() && full.ok());
  ASSERT_TRUE(sub_conn->Flush().ok());
  ASSERT_TRUE(pub_conn->Publish("orders.new", "1").ok());
  ASSERT_TRUE(pub_conn->Publish("orders.eu.new", "2").ok());
  ASSERT_TRUE(pub_conn->Publish("other", "3").ok());
  ASSERT_TRUE(pub_conn->Flush().ok());
  Result<Msg> a = star->NextMsg(2000ms);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->subject, "orders.new");
  EXPECT_EQ(a->data, "1");
  EXPECT_TRUE(IsTimeout(star->NextMsg(50ms).status()));
  EXPECT_EQ(full->NextMsg(2000ms)->data, "1");
  EXPECT_EQ(full->NextMsg(2000ms)->subject, "orders.eu.new");
  EXPECT_TRUE(IsTimeout(full->NextMsg(50ms).status()));
}

TEST_P(ClientIntegrationTest, QueueGroupSharesMessages) {
  auto conn = Connect();
  ASSERT_TRUE(conn);
  std::atomic<int> a{0}, b{0}, plain{0};
  ASSERT_TRUE(conn->QueueSubscribe("work.*", "workers", [&](const Msg&) { a++; }).ok());
  ASSERT_TRUE(conn->QueueSubscribe("work.*", "workers", [&](const Msg&) { b++; }).ok());
  ASSERT_TRUE(conn->Subscribe("work.*", [&](const Msg&) { plain++; }).ok());
  ASSERT_TRUE(conn->Flush().ok());
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(conn->Publish("work.item", "x").ok());
  ASSERT_TRUE(WaitFor([&] { return a + b == 200 && plain == 200; }, 5000ms))
      << a << " " << b << " " << plain;
  EXPECT_GT(a, 0);
  EXPECT_GT(b, 0);
}

TEST_P(ClientIntegrationTest, RequestReplyTimeoutAndNoResponders) {
  auto responder = Connect();
  auto requester = Connect();
  ASSERT_TRUE(responder && requester);
  Connection* r = responder.get();
  ASSERT_TRUE(responder
                  ->Subscribe("svc.upper",
                              [r](const Msg& m) {
                                std::string up = m.data;
                                for (char& c : up) c = static_cast<char>(std::toupper(c));
                                (void)r->Publish(m.reply, up);
                              })
                  .ok());
  ASSERT_TRUE(responder->Subscribe("svc.silent", [](const Msg&) {}).ok());
  ASSERT_TRUE(responder->Flush().ok());
  for (int i = 0; i < 20; ++i) {
    Result<Msg> reply = requester->Request("svc.upper", "hello " + std::to_string(i), 2000ms);
    ASSERT_TRUE(reply.ok()) << reply.status().message();
    EXPECT_EQ(reply->data, "HELLO " + std::to_string(i));
  }
  Result<Msg> none = requester->Request("svc.nobody", "x", 2000ms);
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(IsNoResponders(none.status())) << none.status().message();
  Result<Msg> slow = requester->Request("svc.silent", "x", 100ms);
  ASSERT_FALSE(slow.ok());
  EXPECT_TRUE(IsTimeout(slow.status())) << slow.status().message();
}

TEST_P(ClientIntegrationTest, ConcurrentRequestsShareTheInbox) {
  auto responder = Connect();
  auto requester = Connect();
  ASSERT_TRUE(responder && requester);
  Connection* r = responder.get();
  ASSERT_TRUE(
      responder->Subscribe("svc.echo", [r](const Msg& m) { (void)r->Publish(m.reply, m.data); })
          .ok());
  ASSERT_TRUE(responder->Flush().ok());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string body = std::to_string(t) + "-" + std::to_string(i);
        Result<Msg> reply = requester->Request("svc.echo", body, 5000ms);
        if (reply.ok() && reply->data == body) ok++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, 200);
}

TEST_P(ClientIntegrationTest, HeadersRoundTrip) {
  auto conn = Connect();
  ASSERT_TRUE(conn);
  auto sub = conn->SubscribeSync("h.test");
  ASSERT_TRUE(sub.ok());
  Headers h;
  h.Add("Nats-Msg-Id", "id-1").Add("X-Trace", "a").Add("X-Trace", "b");
  ASSERT_TRUE(conn->Publish("h.test", "", h, "body").ok());
  Result<Msg> m = sub->NextMsg(2000ms);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_TRUE(m->has_headers);
  EXPECT_EQ(m->headers.Get("Nats-Msg-Id"), "id-1");
  ASSERT_EQ(m->headers.fields.size(), 3u);
  EXPECT_EQ(m->headers.fields[2].second, "b");
  EXPECT_EQ(m->data, "body");
}

TEST_P(ClientIntegrationTest, RequestWithHeaders) {
  auto conn = Connect();
  ASSERT_TRUE(conn);
  Connection* c = conn.get();
  ASSERT_TRUE(conn->Subscribe("svc.hdr",
                              [c](const Msg& m) {
                                Headers h;
                                h.Add("Echo", std::string(m.headers.Get("Ask").value_or("none")));
                                (void)c->Publish(m.reply, "", h, "done");
                              })
                  .ok());
  Headers ask;
  ask.Add("Ask", "42");
  Result<Msg> reply = conn->Request("svc.hdr", ask, "q", 2000ms);
  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_EQ(reply->headers.Get("Echo"), "42");
  EXPECT_EQ(reply->data, "done");
}

TEST_P(ClientIntegrationTest, NoEchoSkipsOwnPublishes) {
  Options quiet = Opts();
  quiet.no_echo = true;
  auto self = Connect(quiet);
  auto other = Connect();
  ASSERT_TRUE(self && other);
  auto sub = self->SubscribeSync("echo.test");
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(self->Flush().ok());
  ASSERT_TRUE(self->Publish("echo.test", "mine").ok());
  ASSERT_TRUE(self->Flush().ok());
  ASSERT_TRUE(other->Publish("echo.test", "theirs").ok());
  Result<Msg> m = sub->NextMsg(2000ms);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->data, "theirs");
  EXPECT_TRUE(IsTimeout(sub->NextMsg(50ms).status()));
}

TEST_P(ClientIntegrationTest, AutoUnsubscribeAfterMax) {
  auto conn = Connect();
  ASSERT_TRUE(conn);
  auto sub = conn->SubscribeSync("max.test");
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(sub->AutoUnsubscribe(3).ok());
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(conn->Publish("max.test", std::to_string(i)).ok());
  ASSERT_TRUE(conn->Flush().ok());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sub->NextMsg(2000ms)->data, std::to_string(i));
  Result<Msg> after = sub->NextMsg(100ms);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().message(), kSubscriptionClosedText);
  EXPECT_EQ(sub->Delivered(), 3u);
}

TEST_P(ClientIntegrationTest, DrainDeliversEverythingReceived) {
  auto pub = Connect();
  auto conn = Connect();
  ASSERT_TRUE(pub && conn);
  std::atomic<int> handled{0};
  ASSERT_TRUE(conn->Subscribe("drain.>", [&](const Msg&) { handled++; }).ok());
  ASSERT_TRUE(conn->Flush().ok());
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(pub->Publish("drain.x", "m").ok());
  ASSERT_TRUE(pub->Flush().ok());
  ASSERT_TRUE(conn->Drain(5000ms).ok());
  EXPECT_EQ(handled, 500);
  EXPECT_EQ(conn->status(), ConnectionStatus::kClosed);
}

// Zero-copy delivery on the I/O thread: every message, in order, headers and payload intact,
// some larger than the 64 KiB read buffer.
TEST_P(ClientIntegrationTest, InlineSubscriptionReceivesEverythingInOrder) {
  auto sub_conn = Connect();
  auto pub_conn = Connect();
  ASSERT_TRUE(sub_conn && pub_conn);
  constexpr int kCount = 20000;
  auto payload = [](int i) {
    return i % 1000 == 999 ? std::string(100 * 1024, static_cast<char>('a' + i % 26))
                           : "payload-" + std::to_string(i);
  };
  // Written on the I/O thread; read once `received` says the handler is done with them.
  int next = 0;
  std::string first_problem;
  std::atomic<int> received{0};
  auto sub = sub_conn->SubscribeInline("inline.>", [&](const MsgView& m) {
    const std::string seq = std::to_string(next);
    if (first_problem.empty() &&
        (m.subject != "inline.x" || !m.has_headers || m.headers.Get("Seq") != seq ||
         m.headers.Get("Other") != "v" || m.data != payload(next))) {
      first_problem = "message " + seq + ": subject " + std::string(m.subject) + ", Seq " +
                      std::string(m.headers.Get("Seq").value_or("none")) + ", " +
                      std::to_string(m.data.size()) + " bytes";
    }
    ++next;
    received.store(next, std::memory_order_release);
  });
  ASSERT_TRUE(sub.ok()) << sub.status().message();
  ASSERT_TRUE(sub_conn->Flush().ok());
  for (int i = 0; i < kCount; ++i) {
    Headers h;
    h.Add("Seq", std::to_string(i)).Add("Other", "v");
    ASSERT_TRUE(pub_conn->Publish("inline.x", "", h, payload(i)).ok());
  }
  ASSERT_TRUE(pub_conn->Flush().ok());
  ASSERT_TRUE(WaitFor([&] { return received.load(std::memory_order_acquire) == kCount; }, 10000ms))
      << received.load();
  EXPECT_EQ(first_problem, "");
  EXPECT_EQ(sub->Delivered(), static_cast<uint64_t>(kCount));
}

// An inline responder publishes its replies from the I/O thread.
TEST_P(ClientIntegrationTest, InlineResponderAnswersRequests) {
  auto responder = Connect();
  auto requester = Connect();
  ASSERT_TRUE(responder && requester);
  Connection* r = responder.get();
  ASSERT_TRUE(responder
                  ->SubscribeInline("svc.inline",
                                    [r](const MsgView& m) {
                                      Headers h;
                                      h.Add("Echo", std::string(m.headers.Get("Ask").value_or("")));
                                      (void)r->Publish(m.reply, "", h, m.data);
                                    })
                  .ok());
  ASSERT_TRUE(responder->Flush().ok());
  for (int i = 0; i < 50; ++i) {
    Headers ask;
    ask.Add("Ask", std::to_string(i));
    Result<Msg> reply = requester->Request("svc.inline", ask, "body", 2000ms);
    ASSERT_TRUE(reply.ok()) << reply.status().message();
    EXPECT_EQ(reply->headers.Get("Echo"), std::to_string(i));
    EXPECT_EQ(reply->data, "body");
  }
}

TEST_P(ClientIntegrationTest, UserPasswordFromUrl) {
  server_.reset();
  TestServerOptions auth;
  auth.args = {"--user", "alice", "--pass", "s3cret"};
  StartServer(auth);
  Options good = Opts();
  good.servers = {"nats://alice:s3cret@127.0.0.1:" + std::to_string(server_->port())};
  auto conn = Connect(good);
  ASSERT_TRUE(conn);
  EXPECT_TRUE(conn->Flush().ok());
  Options bad = Opts();
  bad.servers = {"nats://alice:wrong@127.0.0.1:" + std::to_string(server_->port())};
  auto refused = Connection::Connect(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("Authorization Violation"), std::string::npos)
      << refused.status().message();
}

TEST_P(ClientIntegrationTest, ReconnectsWhenTheServerRestarts) {
  std::atomic<int> disconnected{0}, reconnected{0};
  Options o = Opts();
  o.disconnected = [&](Connection&, const Status&) { disconnected++; };
  o.reconnected = [&](Connection&) { reconnected++; };
  auto conn = Connect(o);
  ASSERT_TRUE(conn);
  auto sub = conn->SubscribeSync("restart.>");
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(conn->Publish("restart.before", "1").ok());
  EXPECT_EQ(sub->NextMsg(2000ms)->data, "1");

  server_->Stop();
  ASSERT_TRUE(WaitFor([&] { return conn->status() == ConnectionStatus::kReconnecting; }, 5000ms));
  ASSERT_TRUE(conn->Publish("restart.buffered", "2").ok());  // kept until the link is back
  ASSERT_TRUE(server_->Start()) << server_->error();
  ASSERT_TRUE(WaitFor([&] { return reconnected == 1; }, 5000ms));
  EXPECT_EQ(disconnected, 1);
  EXPECT_EQ(conn->Reconnects(), 1u);

  // Resubscribed before the buffered publish went out, so it comes back to us.
  Result<Msg> buffered = sub->NextMsg(2000ms);
  ASSERT_TRUE(buffered.ok()) << buffered.status().message();
  EXPECT_EQ(buffered->subject, "restart.buffered");
  ASSERT_TRUE(conn->Publish("restart.after", "3").ok());
  EXPECT_EQ(sub->NextMsg(2000ms)->data, "3");
  auto other = Connect();
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->Publish("restart.other", "4").ok());
  EXPECT_EQ(sub->NextMsg(2000ms)->data, "4");
}

INSTANTIATE_TEST_SUITE_P(Servers, ClientIntegrationTest,
                         ::testing::Values(std::string("spate"), std::string("nats-server")),
                         [](const auto& info) {
                           return info.param == "spate" ? std::string("Spate")
                                                        : std::string("NatsServer");
                         });

}  // namespace
}  // namespace spate::client
