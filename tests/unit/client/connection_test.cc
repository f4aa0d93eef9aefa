// The Connection against a scripted peer: handshake, framing, subscriptions, request/reply,
// flush, limits.
#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "unit/client/client_fixture.h"

namespace spate::client::test {
namespace {

TEST_F(ClientTest, HandshakeSendsConnectWithOptionsAndUrlCredentials) {
  Options o;
  o.servers = {"nats://bob:pw@127.0.0.1:" + std::to_string(server_.port())};
  o.name = "unit";
  o.no_echo = true;
  Connect(o);
  EXPECT_NE(connect_line_.find(R"("user":"bob")"), std::string::npos) << connect_line_;
  EXPECT_NE(connect_line_.find(R"("pass":"pw")"), std::string::npos);
  EXPECT_NE(connect_line_.find(R"("name":"unit")"), std::string::npos);
  EXPECT_NE(connect_line_.find(R"("echo":false)"), std::string::npos);
  EXPECT_NE(connect_line_.find(R"("headers":true)"), std::string::npos);
  EXPECT_NE(connect_line_.find(R"("no_responders":true)"), std::string::npos);
  EXPECT_NE(connect_line_.find(R"("verbose":false)"), std::string::npos);
  EXPECT_TRUE(conn_->IsConnected());
  EXPECT_EQ(conn_->ConnectedServer(), "127.0.0.1:" + std::to_string(server_.port()));
}

TEST_F(ClientTest, TokenFromUrl) {
  Options o;
  o.servers = {"nats://s3cr3t@127.0.0.1:" + std::to_string(server_.port())};
  Connect(o);
  EXPECT_NE(connect_line_.find(R"("auth_token":"s3cr3t")"), std::string::npos) << connect_line_;
}

TEST_F(ClientTest, RefusedConnectIsAnError) {
  Options o;
  o.servers = {server_.url()};
  auto pending = std::async(std::launch::async, [o] { return Connection::Connect(o); });
  auto peer = server_.Accept();
  ASSERT_NE(peer, nullptr);
  ASSERT_TRUE(peer->Send(std::string("INFO ") + std::string(FakePeer::kInfo) + "\r\n"));
  ASSERT_TRUE(peer->ReadLineStartingWith("PING"));
  ASSERT_TRUE(peer->Send("-ERR 'Authorization Violation'\r\n"));
  auto conn = pending.get();
  ASSERT_FALSE(conn.ok());
  EXPECT_NE(conn.status().message().find("Authorization Violation"), std::string::npos);
}

TEST(ClientConnectTest, NoServerListeningFails) {
  int port = 0;
  {
    FakeServer s;  // bind and close: the port is free and nobody listens
    port = s.port();
  }
  Options o;
  o.servers = {"nats://127.0.0.1:" + std::to_string(port)};
  o.connect_timeout = std::chrono::milliseconds(500);
  auto conn = Connection::Connect(o);
  EXPECT_FALSE(conn.ok());
  EXPECT_FALSE(Connection::Connect("tls://127.0.0.1:1").ok());
}

TEST_F(ClientTest, PublishWritesPubAndHpub) {
  Connect();
  ASSERT_TRUE(conn_->Publish("orders.new", "hello").ok());
  EXPECT_EQ(peer_->ReadLine(), "PUB orders.new 5\r\n");
  EXPECT_EQ(peer_->ReadLine(), "hello\r\n");
  Headers h;
  h.Add("K", "v");
  ASSERT_TRUE(conn_->Publish("a.b", "r.1", h, "xy").ok());
  // "NATS/1.0\r\nK: v\r\n\r\n" is 18 bytes.
  EXPECT_EQ(peer_->ReadLine(), "HPUB a.b r.1 18 20\r\n");
  EXPECT_EQ(peer_->ReadUntil("\r\n\r\n"), "NATS/1.0\r\nK: v\r\n\r\n");
  EXPECT_EQ(peer_->ReadLine(), "xy\r\n");
  EXPECT_FALSE(conn_->Publish("bad subject", "x").ok());
  EXPECT_FALSE(conn_->Publish("a.*", "x").ok());
  EXPECT_FALSE(conn_->Publish("", "x").ok());
}

TEST_F(ClientTest, PublishOverMaxPayloadIsRefused) {
  Connect({}, R"({"server_id":"F","headers":true,"max_payload":8})");
  EXPECT_EQ(conn_->MaxPayload(), 8u);
  EXPECT_TRUE(conn_->Publish("a", "12345678").ok());
  EXPECT_EQ(conn_->Publish("a", "123456789").code(), Status::Code::kInvalidArgument);
}

TEST_F(ClientTest, MessagesSplitAcrossWritesAreDelivered) {
  Connect();
  Subscription sub = Sub("orders.*");
  ASSERT_TRUE(
      peer_->SendBytewise("MSG orders.new 1 reply.to 5\r\nhello\r\n"
                          "HMSG orders.old 1 24 26\r\nNATS/1.0\r\nA: 1\r\nB: 2\r\n\r\nhi\r\n"));
  Result<Msg> m = sub.NextMsg(std::chrono::milliseconds(3000));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->subject, "orders.new");
  EXPECT_EQ(m->reply, "reply.to");
  EXPECT_EQ(m->data, "hello");
  EXPECT_FALSE(m->has_headers);
  Result<Msg> h = sub.NextMsg(std::chrono::milliseconds(3000));
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->subject, "orders.old");
  EXPECT_TRUE(h->has_headers);
  EXPECT_EQ(h->headers.Get("A"), "1");
  EXPECT_EQ(h->headers.Get("B"), "2");
  EXPECT_EQ(h->data, "hi");
  EXPECT_EQ(sub.Delivered(), 2u);
}

TEST_F(ClientTest, ManyMessagesInOneWriteReachTheCallbackInOrder) {
  Connect();
  std::mutex mu;
  std::vector<std::string> got;
  Subscription sub = Sub("x", [&](const Msg& m) {
    std::lock_guard lock(mu);
    got.push_back(m.data);
  });
  std::string burst;
  for (int i = 0; i < 1000; ++i) {
    const std::string d = std::to_string(i);
    burst += "MSG x 1 " + std::to_string(d.size()) + "\r\n" + d + "\r\n";
  }
  ASSERT_TRUE(peer_->Send(burst));
  ASSERT_TRUE(WaitFor(
      [&] {
        std::lock_guard lock(mu);
        return got.size() == 1000;
      },
      std::chrono::milliseconds(5000)));
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(got[i], std::to_string(i));
}

// A take handler gets the message itself: moving it out keeps it whole (no copy), message after
// message, and the queue form sends its group.
TEST_F(ClientTest, TakeHandlerMayMoveTheMessageOut) {
  Connect();
  std::mutex mu;
  std::vector<Msg> kept;
  auto sub = conn_->SubscribeTake("x", [&](Msg& m) {
    std::lock_guard lock(mu);
    kept.push_back(std::move(m));
  });
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(peer_->ReadLineStartingWith("SUB "), "SUB x 1\r\n");
  ASSERT_TRUE(peer_->Send(
      "MSG x 1 r.1 5\r\nfirst\r\nHMSG x 1 18 24\r\nNATS/1.0\r\nK: v\r\n\r\nsecond\r\n"));
  ASSERT_TRUE(WaitFor(
      [&] {
        std::lock_guard lock(mu);
        return kept.size() == 2;
      },
      std::chrono::milliseconds(5000)));
  EXPECT_EQ(kept[0].subject, "x");
  EXPECT_EQ(kept[0].reply, "r.1");
  EXPECT_EQ(kept[0].data, "first");
  EXPECT_EQ(kept[1].data, "second");
  EXPECT_EQ(kept[1].headers.Get("K"), "v");
  auto queue = conn_->QueueSubscribeTake("y", "q", [](Msg&) {});
  ASSERT_TRUE(queue.ok());
  EXPECT_EQ(peer_->ReadLineStartingWith("SUB "), "SUB y q 2\r\n");
  EXPECT_FALSE(conn_->SubscribeTake("z", MsgTakeHandler{}).ok());
}

TEST_F(ClientTest, QueueSubscribeSendsGroup) {
  Connect();
  auto sub = conn_->QueueSubscribe("work.>", "workers", [](const Msg&) {});
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(peer_->ReadLineStartingWith("SUB "), "SUB work.> workers 1\r\n");
  EXPECT_FALSE(conn_->QueueSubscribe("work", "", [](const Msg&) {}).ok());
  EXPECT_FALSE(conn_->Subscribe("a..b", [](const Msg&) {}).ok());
}

TEST_F(ClientTest, UnsubscribeAndAutoUnsubscribe) {
  Connect();
  Subscription sub = Sub("a");
  ASSERT_TRUE(sub.AutoUnsubscribe(2).ok());
  EXPECT_EQ(peer_->ReadLine(), "UNSUB 1 2\r\n");
  ASSERT_TRUE(peer_->Send("MSG a 1 1\r\n1\r\nMSG a 1 1\r\n2\r\nMSG a 1 1\r\n3\r\n"));
  EXPECT_EQ(sub.NextMsg(std::chrono::milliseconds(2000))->data, "1");
  EXPECT_EQ(sub.NextMsg(std::chrono::milliseconds(2000))->data, "2");
  Result<Msg> third = sub.NextMsg(std::chrono::milliseconds(200));
  EXPECT_FALSE(third.ok());
  EXPECT_EQ(third.status().message(), kSubscriptionClosedText);
  EXPECT_FALSE(sub.IsActive());

  Subscription other = Sub("b");
  ASSERT_TRUE(other.Unsubscribe().ok());
  EXPECT_EQ(peer_->ReadLine(), "UNSUB 2\r\n");
  EXPECT_FALSE(other.Unsubscribe().ok());
}

TEST_F(ClientTest, NextMsgTimesOut) {
  Connect();
  Subscription sub = Sub("quiet");
  Result<Msg> m = sub.NextMsg(std::chrono::milliseconds(50));
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(IsTimeout(m.status())) << m.status().message();
}

TEST_F(ClientTest, FlushWaitsForPongAndTimesOut) {
  Connect();
  ASSERT_TRUE(conn_->Publish("a", "1").ok());
  auto flushed = std::async(std::launch::async, [&] { return conn_->Flush(); });
  auto before = peer_->AnswerPing();
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(*before, "PUB a 1\r\n1\r\n");
  EXPECT_TRUE(flushed.get().ok());
  Status late = conn_->Flush(std::chrono::milliseconds(50));  // the peer stays silent
  EXPECT_TRUE(IsTimeout(late)) << late.message();
}

TEST_F(ClientTest, AnswersServerPing) {
  Connect();
  ASSERT_TRUE(peer_->Send("PING\r\n"));
  EXPECT_EQ(peer_->ReadLine(), "PONG\r\n");
}

TEST_F(ClientTest, RequestUsesSharedInboxAndGetsReply) {
  Connect();
  auto reply = std::async(std::launch::async, [&] {
    return conn_->Request("svc.echo", "ping", std::chrono::milliseconds(3000));
  });
  auto sub = peer_->ReadLineStartingWith("SUB ");
  ASSERT_TRUE(sub.has_value());
  ASSERT_TRUE(sub->starts_with("SUB _INBOX.")) << *sub;
  EXPECT_NE(sub->find(".* 1\r\n"), std::string::npos) << *sub;
  auto pub = peer_->ReadLineStartingWith("PUB svc.echo ");
  ASSERT_TRUE(pub.has_value());
  const std::string inbox = pub->substr(13, pub->find(' ', 13) - 13);
  EXPECT_EQ(peer_->ReadLine(), "ping\r\n");
  EXPECT_TRUE(inbox.starts_with(sub->substr(4, sub->size() - 4 - 6))) << inbox;
  ASSERT_TRUE(peer_->Send("MSG " + inbox + " 1 4\r\npong\r\n"));
  Result<Msg> m = reply.get();
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->data, "pong");

  // A second request reuses the inbox subscription: no new SUB.
  auto second = std::async(std::launch::async, [&] {
    return conn_->Request("svc.echo", "again", std::chrono::milliseconds(3000));
  });
  auto pub2 = peer_->ReadLine();
  ASSERT_TRUE(pub2.has_value());
  ASSERT_TRUE(pub2->starts_with("PUB svc.echo _INBOX.")) << *pub2;
  const std::string inbox2 = pub2->substr(13, pub2->find(' ', 13) - 13);
  EXPECT_NE(inbox, inbox2);
  ASSERT_TRUE(peer_->Send("MSG " + inbox2 + " 1 2\r\nok\r\n"));
  EXPECT_EQ(second.get()->data, "ok");
}

TEST_F(ClientTest, RequestNoRespondersAndTimeout) {
  Connect();
  auto reply = std::async(std::launch::async, [&] {
    return conn_->Request("nobody", "x", std::chrono::milliseconds(3000));
  });
  auto pub = peer_->ReadLineStartingWith("PUB nobody ");
  ASSERT_TRUE(pub.has_value());
  const std::string inbox = pub->substr(11, pub->find(' ', 11) - 11);
  ASSERT_TRUE(peer_->Send("HMSG " + inbox + " 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n"));
  Result<Msg> m = reply.get();
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(IsNoResponders(m.status())) << m.status().message();

  Result<Msg> t = conn_->Request("slow", "x", std::chrono::milliseconds(50));
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(IsTimeout(t.status())) << t.status().message();
}

TEST_F(ClientTest, SlowConsumerDropsAndReportsOnce) {
  std::atomic<int> errors{0};
  Options o;
  o.pending_msgs_limit = 2;
  o.error = [&](Connection&, const Status& s) {
    if (s.message().starts_with("slow consumer")) errors++;
  };
  Connect(o);
  Subscription sub = Sub("s");
  std::string burst;
  for (int i = 0; i < 5; ++i) burst += "MSG s 1 1\r\nx\r\n";
  ASSERT_TRUE(peer_->Send(burst));
  ASSERT_TRUE(WaitFor([&] { return sub.Dropped() == 3; }, std::chrono::milliseconds(3000)));
  ASSERT_TRUE(WaitFor([&] { return errors == 1; }, std::chrono::milliseconds(3000)));
  EXPECT_EQ(sub.PendingMsgs(), 2u);
  EXPECT_TRUE(sub.NextMsg(std::chrono::milliseconds(1000)).ok());
  EXPECT_TRUE(sub.NextMsg(std::chrono::milliseconds(1000)).ok());
}

TEST_F(ClientTest, ServerErrorReachesErrorCallback) {
  std::mutex mu;
  std::string text;
  Options o;
  o.error = [&](Connection&, const Status& s) {
    std::lock_guard lock(mu);
    text = s.message();
  };
  Connect(o);
  ASSERT_TRUE(peer_->Send("-ERR 'Permissions Violation for Publish to \"x\"'\r\n"));
  ASSERT_TRUE(WaitFor(
      [&] {
        std::lock_guard lock(mu);
        return text.find("Permissions Violation") != std::string::npos;
      },
      std::chrono::milliseconds(3000)));
}

TEST_F(ClientTest, ConnectUrlsJoinThePool) {
  Connect({}, R"({"server_id":"F","headers":true,"connect_urls":["10.1.2.3:4222","127.0.0.1:)" +
                  std::to_string(server_.port()) + R"("]})");
  auto servers = conn_->Servers();
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[1], "10.1.2.3:4222");
  // An async INFO adds more.
  ASSERT_TRUE(peer_->Send(R"(INFO {"connect_urls":["10.9.9.9:5222"]})"
                          "\r\n"));
  ASSERT_TRUE(
      WaitFor([&] { return conn_->Servers().size() == 3; }, std::chrono::milliseconds(3000)));
}

TEST_F(ClientTest, DrainDeliversReceivedMessagesThenCloses) {
  std::atomic<int> got{0};
  std::atomic<bool> closed{false};
  Options o;
  o.closed = [&](Connection&) { closed = true; };
  Connect(o);
  Subscription sub = Sub("d", [&](const Msg&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a slow handler
    got++;
  });
  ASSERT_TRUE(peer_->Send("MSG d 1 1\r\na\r\nMSG d 1 1\r\nb\r\nMSG d 1 1\r\nc\r\n"));
  ASSERT_TRUE(WaitFor([&] { return sub.Delivered() == 3; }, std::chrono::milliseconds(3000)));
  auto drained = std::async(std::launch::async, [&] { return conn_->Drain(); });
  auto before = peer_->AnswerPing();
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(*before, "UNSUB 1\r\n");
  ASSERT_TRUE(peer_->AnswerPing().has_value());  // the final flush
  EXPECT_TRUE(drained.get().ok());
  EXPECT_EQ(got, 3);
  EXPECT_TRUE(closed);
  EXPECT_EQ(conn_->status(), ConnectionStatus::kClosed);
  EXPECT_TRUE(IsClosed(conn_->Publish("x", "y")));
}

TEST_F(ClientTest, CloseFailsPendingRequestAndRunsClosedLast) {
  std::atomic<bool> closed{false};
  Options o;
  o.closed = [&](Connection&) { closed = true; };
  Connect(o);
  auto reply = std::async(std::launch::async, [&] {
    return conn_->Request("svc", "x", std::chrono::milliseconds(5000));
  });
  ASSERT_TRUE(peer_->ReadLineStartingWith("PUB svc ").has_value());
  conn_->Close();
  Result<Msg> m = reply.get();
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(IsClosed(m.status())) << m.status().message();
  EXPECT_TRUE(closed);
  conn_->Close();  // idempotent
}

TEST_F(ClientTest, CallbackMayUseTheConnection) {
  Connect();
  std::atomic<bool> published{false};
  Subscription sub =
      Sub("in", [&](const Msg& m) { published = conn_->Publish("out", m.data).ok(); });
  ASSERT_TRUE(peer_->Send("MSG in 1 3\r\nabc\r\n"));
  EXPECT_EQ(peer_->ReadLine(), "PUB out 3\r\n");
  // The PUB can reach the peer before Publish() has returned to the callback.
  EXPECT_TRUE(WaitFor([&] { return published.load(); }, std::chrono::milliseconds(3000)));
}

TEST_F(ClientTest, PublishBlocksWhileTooMuchWaitsForTheSocket) {
  Options o;
  o.max_pending_out_bytes = 256 * 1024;
  Connect(o);
  const std::string payload(100 * 1024, 'x');
  constexpr int kCount = 200;  // 20 MB: far more than the socket buffers and the limit
  std::atomic<int> published{0};
  std::thread publisher([&] {
    for (int i = 0; i < kCount; ++i) {
      if (!conn_->Publish("big", payload).ok()) return;
      published++;
    }
  });
  // The peer does not read yet. Without the limit the 20 MB would all be queued in memory at
  // once and the publisher would finish; with it, the publisher stops once the socket buffers
  // and 256 KiB are full. (The pause only gives an unbounded publisher time to finish: the check
  // cannot fail when the limit holds.)
  ASSERT_TRUE(WaitFor([&] { return published > 0; }, std::chrono::milliseconds(3000)));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_LT(published.load(), kCount);
  // Reading everything releases it, and every message arrives whole.
  int received = 0;
  while (received < kCount) {
    auto line = peer_->ReadLine();
    ASSERT_TRUE(line.has_value()) << "after " << received;
    ASSERT_EQ(*line, "PUB big 102400\r\n");
    auto body = peer_->ReadLine();
    ASSERT_TRUE(body.has_value());
    ASSERT_EQ(body->size(), payload.size() + 2);
    ++received;
  }
  publisher.join();
  EXPECT_EQ(published, kCount);
}

TEST_F(ClientTest, CloseFromACallback) {
  std::atomic<bool> closed{false};
  Options o;
  o.closed = [&](Connection&) { closed = true; };
  Connect(o);
  Subscription sub = Sub("stop", [&](const Msg&) { conn_->Close(); });
  ASSERT_TRUE(peer_->Send("MSG stop 1 0\r\n\r\n"));
  ASSERT_TRUE(WaitFor([&] { return closed.load(); }, std::chrono::milliseconds(3000)));
  EXPECT_EQ(conn_->status(), ConnectionStatus::kClosed);
}

}  // namespace
}  // namespace spate::client::test
