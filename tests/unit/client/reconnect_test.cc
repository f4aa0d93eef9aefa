// Losing the link: reconnect with resubscribe and buffered publishes, failover to a server
// learned from INFO, stale connection detection, giving up.
#include <atomic>
#include <mutex>

#include "unit/client/client_fixture.h"

namespace spate::client::test {
namespace {

Options FastReconnect() {
  Options o;
  o.reconnect_wait = std::chrono::milliseconds(10);
  o.reconnect_jitter = std::chrono::milliseconds(5);
  o.connect_timeout = std::chrono::milliseconds(300);
  return o;
}

TEST_F(ClientTest, ReconnectResubscribesAndSendsBufferedPublishes) {
  std::atomic<int> disconnected{0}, reconnected{0};
  Options o = FastReconnect();
  o.disconnected = [&](Connection&, const Status&) { disconnected++; };
  o.reconnected = [&](Connection&) { reconnected++; };
  Connect(o);
  Subscription plain = Sub("orders.*");
  auto queue = conn_->QueueSubscribe("work", "q", [](const Msg&) {});
  ASSERT_TRUE(queue.ok());
  ASSERT_TRUE(peer_->ReadLineStartingWith("SUB work q 2").has_value());
  Subscription limited = Sub("limited");
  ASSERT_TRUE(limited.AutoUnsubscribe(5).ok());
  ASSERT_TRUE(peer_->ReadLineStartingWith("UNSUB 3 5").has_value());
  ASSERT_TRUE(peer_->Send("MSG limited 3 1\r\nx\r\nMSG limited 3 1\r\ny\r\n"));
  ASSERT_TRUE(WaitFor([&] { return limited.Delivered() == 2; }, std::chrono::milliseconds(3000)));

  peer_->Close();
  ASSERT_TRUE(WaitFor([&] { return conn_->status() == ConnectionStatus::kReconnecting; },
                      std::chrono::milliseconds(3000)));
  ASSERT_TRUE(conn_->Publish("buffered.one", "1").ok());
  ASSERT_TRUE(conn_->Publish("buffered.two", "22").ok());
  EXPECT_FALSE(conn_->Flush(std::chrono::milliseconds(10)).ok());

  peer_ = server_.Accept();
  ASSERT_NE(peer_, nullptr);
  ASSERT_TRUE(peer_->Handshake().has_value());
  EXPECT_EQ(peer_->ReadLine(), "SUB orders.* 1\r\n");
  EXPECT_EQ(peer_->ReadLine(), "SUB work q 2\r\n");
  EXPECT_EQ(peer_->ReadLine(), "SUB limited 3\r\n");
  EXPECT_EQ(peer_->ReadLine(), "UNSUB 3 3\r\n");  // 5 minus the 2 received
  EXPECT_EQ(peer_->ReadLine(), "PUB buffered.one 1\r\n");
  EXPECT_EQ(peer_->ReadLine(), "1\r\n");
  EXPECT_EQ(peer_->ReadLine(), "PUB buffered.two 2\r\n");
  EXPECT_EQ(peer_->ReadLine(), "22\r\n");
  ASSERT_TRUE(WaitFor([&] { return reconnected == 1; }, std::chrono::milliseconds(3000)));
  EXPECT_EQ(disconnected, 1);
  EXPECT_EQ(conn_->Reconnects(), 1u);
  EXPECT_TRUE(conn_->IsConnected());

  // The resubscribed subscription receives again.
  ASSERT_TRUE(peer_->Send("MSG orders.new 1 2\r\nok\r\n"));
  EXPECT_EQ(plain.NextMsg(std::chrono::milliseconds(3000))->data, "ok");
}

TEST_F(ClientTest, ProtocolErrorFromServerDropsTheLinkAndReconnects) {
  std::mutex mu;
  std::string why;
  Options o = FastReconnect();
  o.disconnected = [&](Connection&, const Status& s) {
    std::lock_guard lock(mu);
    why = s.message();
  };
  Connect(o);
  Subscription sub = Sub("after");
  ASSERT_TRUE(peer_->Send("BOGUS stuff\r\n"));
  peer_ = server_.Accept();
  ASSERT_NE(peer_, nullptr);
  ASSERT_TRUE(peer_->Handshake().has_value());
  EXPECT_EQ(peer_->ReadLine(), "SUB after 1\r\n");
  {
    std::lock_guard lock(mu);
    EXPECT_NE(why.find("protocol error"), std::string::npos) << why;
  }
  ASSERT_TRUE(peer_->Send("MSG after 1 2\r\nok\r\n"));
  EXPECT_EQ(sub.NextMsg(std::chrono::milliseconds(3000))->data, "ok");
}

TEST_F(ClientTest, ReconnectBufferIsBounded) {
  Options o = FastReconnect();
  o.reconnect_buffer_size = 64;
  Connect(o);
  peer_->Close();
  ASSERT_TRUE(WaitFor([&] { return conn_->status() == ConnectionStatus::kReconnecting; },
                      std::chrono::milliseconds(3000)));
  ASSERT_TRUE(conn_->Publish("a", std::string(30, 'x')).ok());
  Status full = conn_->Publish("a", std::string(30, 'x'));
  EXPECT_EQ(full.code(), Status::Code::kUnavailable) << full.message();
  EXPECT_NE(full.message().find("reconnect buffer full"), std::string::npos);
}

TEST_F(ClientTest, FailsOverToServerLearnedFromInfo) {
  FakeServer other;
  Options o = FastReconnect();
  o.connect_timeout = std::chrono::milliseconds(100);
  Connect(o, R"({"server_id":"A","headers":true,"connect_urls":["127.0.0.1:)" +
                 std::to_string(other.port()) + R"("]})");
  peer_->Close();
  // The first server accepts TCP but never speaks: its handshake times out, then `other`.
  std::unique_ptr<FakePeer> mute = server_.Accept();
  std::unique_ptr<FakePeer> next = other.Accept();
  ASSERT_NE(next, nullptr);
  ASSERT_TRUE(next->Handshake().has_value());
  ASSERT_TRUE(WaitFor([&] { return conn_->IsConnected(); }, std::chrono::milliseconds(3000)));
  EXPECT_EQ(conn_->ConnectedServer(), "127.0.0.1:" + std::to_string(other.port()));
}

TEST_F(ClientTest, StaleConnectionIsDetectedByPings) {
  std::mutex mu;
  std::string why;
  Options o = FastReconnect();
  o.ping_interval = std::chrono::milliseconds(20);
  o.max_pings_outstanding = 2;
  o.disconnected = [&](Connection&, const Status& s) {
    std::lock_guard lock(mu);
    why = s.message();
  };
  Connect(o);
  EXPECT_EQ(peer_->ReadLine(), "PING\r\n");  // keepalive; the peer never answers
  ASSERT_TRUE(WaitFor(
      [&] {
        std::lock_guard lock(mu);
        return !why.empty();
      },
      std::chrono::milliseconds(3000)));
  EXPECT_NE(why.find("stale connection"), std::string::npos) << why;
}

TEST_F(ClientTest, GivesUpAfterMaxReconnectAttempts) {
  std::atomic<bool> closed{false};
  Options o = FastReconnect();
  o.connect_timeout = std::chrono::milliseconds(30);
  o.max_reconnect_attempts = 2;
  o.closed = [&](Connection&) { closed = true; };
  Connect(o);
  peer_->Close();
  ASSERT_TRUE(WaitFor([&] { return closed.load(); }, std::chrono::milliseconds(5000)));
  EXPECT_EQ(conn_->status(), ConnectionStatus::kClosed);
  EXPECT_TRUE(IsClosed(conn_->Publish("a", "b")));
}

TEST_F(ClientTest, NoReconnectWhenDisabled) {
  std::atomic<bool> closed{false};
  Options o;
  o.allow_reconnect = false;
  o.closed = [&](Connection&) { closed = true; };
  Connect(o);
  peer_->Close();
  ASSERT_TRUE(WaitFor([&] { return closed.load(); }, std::chrono::milliseconds(3000)));
}

}  // namespace
}  // namespace spate::client::test
