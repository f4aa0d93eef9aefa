// Inline (zero-copy) subscriptions against a scripted peer: the views a handler gets, frames
// split anywhere and larger than the read buffer, and what a handler on the I/O thread may do.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "client/jetstream.h"
#include "unit/client/client_fixture.h"

namespace spate::client::test {
namespace {

using namespace std::chrono_literals;

// What a handler saw, copied out while its views were valid.
struct Seen {
  std::string subject, reply, data, raw_headers, description;
  bool has_headers = false;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  bool on_io_thread = false;
  Msg copy;  // MsgView::ToMsg()
};

class InlineTest : public ClientTest {
 protected:
  // A handler that records every message.
  MsgViewHandler Record() {
    return [this](const MsgView& m) {
      Seen s;
      s.subject = m.subject;
      s.reply = m.reply;
      s.data = m.data;
      s.has_headers = m.has_headers;
      s.raw_headers = m.headers.raw();
      s.status = m.headers.status();
      s.description = m.headers.description();
      for (auto [key, value] : m.headers) s.fields.emplace_back(key, value);
      s.on_io_thread = conn_->OnIoThread();
      s.copy = m.ToMsg();
      std::lock_guard lock(mu_);
      seen_.push_back(std::move(s));
    };
  }
  Subscription SubInline(std::string_view subject, MsgViewHandler handler) {
    auto sub = conn_->SubscribeInline(subject, std::move(handler));
    EXPECT_TRUE(sub.ok()) << sub.status().message();
    EXPECT_TRUE(peer_->ReadLineStartingWith("SUB ").has_value());
    return sub.ok() ? *sub : Subscription();
  }
  size_t Count() {
    std::lock_guard lock(mu_);
    return seen_.size();
  }
  bool WaitCount(size_t n) {
    return WaitFor([&] { return Count() >= n; }, 5000ms);
  }
  // Taken once the handlers are done with it (after WaitCount or Close).
  std::vector<Seen> Take() {
    std::lock_guard lock(mu_);
    return std::exchange(seen_, {});
  }

  std::mutex mu_;
  std::vector<Seen> seen_;
};

TEST_F(InlineTest, ViewsOfMsgAndHmsgWithStatusLines) {
  Connect();
  Subscription sub = SubInline("orders.>", Record());
  const std::string block =
      "NATS/1.0 408 Request Timeout\r\nA: 1\r\nB:  two words \r\nA: 3\r\n\r\n";
  ASSERT_TRUE(peer_->Send(
      "MSG orders.new 1 reply.to 5\r\nhello\r\n"
      "HMSG orders.old 1 " +
      std::to_string(block.size()) + " " + std::to_string(block.size() + 2) + "\r\n" + block +
      "hi\r\n" + "HMSG orders.none 1 _INBOX.x 16 16\r\nNATS/1.0 503\r\n\r\n\r\n"));
  ASSERT_TRUE(WaitCount(3));
  std::vector<Seen> seen = Take();
  ASSERT_EQ(seen.size(), 3u);

  EXPECT_EQ(seen[0].subject, "orders.new");
  EXPECT_EQ(seen[0].reply, "reply.to");
  EXPECT_EQ(seen[0].data, "hello");
  EXPECT_FALSE(seen[0].has_headers);
  EXPECT_EQ(seen[0].raw_headers, "");
  EXPECT_EQ(seen[0].status, 0);
  EXPECT_TRUE(seen[0].fields.empty());
  EXPECT_TRUE(seen[0].on_io_thread);
  EXPECT_EQ(seen[0].copy.subject, "orders.new");
  EXPECT_EQ(seen[0].copy.reply, "reply.to");
  EXPECT_EQ(seen[0].copy.data, "hello");

  EXPECT_EQ(seen[1].subject, "orders.old");
  EXPECT_EQ(seen[1].reply, "");
  EXPECT_EQ(seen[1].data, "hi");
  EXPECT_TRUE(seen[1].has_headers);
  EXPECT_EQ(seen[1].raw_headers, block);
  EXPECT_EQ(seen[1].status, 408);
  EXPECT_EQ(seen[1].description, "Request Timeout");
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"A", "1"}, {"B", "two words"}, {"A", "3"}};
  EXPECT_EQ(seen[1].fields, fields);
  EXPECT_TRUE(seen[1].copy.has_headers);
  EXPECT_EQ(seen[1].copy.headers.status, 408);
  EXPECT_EQ(seen[1].copy.headers.description, "Request Timeout");
  EXPECT_EQ(seen[1].copy.headers.fields, fields);
  EXPECT_EQ(seen[1].copy.data, "hi");

  EXPECT_EQ(seen[2].subject, "orders.none");
  EXPECT_EQ(seen[2].reply, "_INBOX.x");
  EXPECT_EQ(seen[2].status, 503);
  EXPECT_EQ(seen[2].description, "");
  EXPECT_TRUE(seen[2].fields.empty());
  EXPECT_EQ(seen[2].data, "");

  EXPECT_EQ(sub.Delivered(), 3u);
  EXPECT_EQ(sub.PendingMsgs(), 0u);
}

// Each split point: a marker message plus the first k bytes in one segment, then (once the
// handler has seen the marker, so the client has read that segment) the rest.
TEST_F(InlineTest, FramesSplitAtEveryBytePosition) {
  Connect();
  const int one = 1;
  ASSERT_EQ(::setsockopt(peer_->fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
  SubInline("split.>", Record());
  const std::string wire =
      "MSG split.a 1 r.1 5\r\nhello\r\n"
      "HMSG split.b 1 24 26\r\nNATS/1.0\r\nA: 1\r\nB: 2\r\n\r\nhi\r\n";
  const std::string marker = "MSG split.mark 1 0\r\n\r\n";
  for (size_t k = 1; k < wire.size(); ++k) {
    ASSERT_TRUE(peer_->Send(marker + wire.substr(0, k)));
    ASSERT_TRUE(WaitCount(1)) << "split at " << k;
    ASSERT_TRUE(peer_->Send(wire.substr(k)));
    ASSERT_TRUE(WaitCount(3)) << "split at " << k;
    std::vector<Seen> seen = Take();
    ASSERT_EQ(seen.size(), 3u) << "split at " << k;
    EXPECT_EQ(seen[0].subject, "split.mark");
    EXPECT_EQ(seen[1].subject, "split.a") << "split at " << k;
    EXPECT_EQ(seen[1].reply, "r.1") << "split at " << k;
    EXPECT_EQ(seen[1].data, "hello") << "split at " << k;
    EXPECT_EQ(seen[2].subject, "split.b") << "split at " << k;
    EXPECT_EQ(seen[2].raw_headers, "NATS/1.0\r\nA: 1\r\nB: 2\r\n\r\n") << "split at " << k;
    EXPECT_EQ(seen[2].data, "hi") << "split at " << k;
  }
}

// 64 KiB is the initial read buffer: these frames make it compact (they start mid-buffer) and
// grow; every view must still cover the right bytes.
TEST_F(InlineTest, PayloadsLargerThanTheReadBuffer) {
  Connect();
  SubInline("big.>", Record());
  auto pattern = [](size_t n, int seed) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + seed) % 26);
    return s;
  };
  const std::string large = pattern(200 * 1024, 1);
  const std::string larger = pattern(700 * 1024, 2);
  const std::string block = "NATS/1.0\r\nSize: large\r\n\r\n";
  std::string wire = "MSG big.small 1 3\r\nabc\r\n";
  wire += "HMSG big.large 1 " + std::to_string(block.size()) + " " +
          std::to_string(block.size() + large.size()) + "\r\n" + block + large + "\r\n";
  wire += "MSG big.small 1 3\r\ndef\r\n";
  wire += "MSG big.larger 1 " + std::to_string(larger.size()) + "\r\n" + larger + "\r\n";
  wire += "MSG big.small 1 3\r\nghi\r\n";
  ASSERT_TRUE(peer_->Send(wire));
  ASSERT_TRUE(WaitCount(5));
  std::vector<Seen> seen = Take();
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].data, "abc");
  EXPECT_EQ(seen[1].subject, "big.large");
  EXPECT_EQ(seen[1].raw_headers, block);
  ASSERT_EQ(seen[1].fields.size(), 1u);
  EXPECT_EQ(seen[1].fields[0].second, "large");
  EXPECT_TRUE(seen[1].data == large) << "payload of " << seen[1].data.size() << " bytes differs";
  EXPECT_EQ(seen[2].data, "def");
  EXPECT_EQ(seen[3].subject, "big.larger");
  EXPECT_TRUE(seen[3].data == larger) << "payload of " << seen[3].data.size() << " bytes differs";
  EXPECT_EQ(seen[4].data, "ghi");
}

TEST_F(InlineTest, AutoUnsubscribeMaxCountsInlineDeliveries) {
  Connect();
  Subscription sub = SubInline("a", Record());
  ASSERT_TRUE(sub.AutoUnsubscribe(2).ok());
  EXPECT_EQ(peer_->ReadLine(), "UNSUB 1 2\r\n");
  // The PONG goes out after the handlers of everything before the PING have returned.
  ASSERT_TRUE(peer_->Send("MSG a 1 1\r\n1\r\nMSG a 1 1\r\n2\r\nMSG a 1 1\r\n3\r\nPING\r\n"));
  EXPECT_EQ(peer_->ReadLine(), "PONG\r\n");
  EXPECT_FALSE(sub.IsActive());
  std::vector<Seen> seen = Take();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].data, "1");
  EXPECT_EQ(seen[1].data, "2");
  EXPECT_EQ(sub.Delivered(), 2u);
}

// The limit set from inside the handler counts what was delivered so far, not what was read.
TEST_F(InlineTest, AutoUnsubscribeFromTheHandlerWithMoreAlreadyRead) {
  Connect();
  std::atomic<int> calls{0};
  Subscription sub;
  sub = SubInline("a", [&](const MsgView&) {
    if (++calls == 1) {
      EXPECT_TRUE(sub.AutoUnsubscribe(3).ok());
    }
  });
  std::string burst;
  for (int i = 0; i < 6; ++i) burst += "MSG a 1 1\r\nx\r\n";
  burst += "PING\r\n";  // answered after the six: the handler has run for all it will
  ASSERT_TRUE(peer_->Send(burst));
  EXPECT_EQ(peer_->ReadLine(), "UNSUB 1 3\r\n");
  EXPECT_EQ(peer_->ReadLine(), "PONG\r\n");
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(sub.Delivered(), 3u);
  EXPECT_FALSE(sub.IsActive());
}

TEST_F(InlineTest, NoSlowConsumerLimitsAndMixedWithOrdinarySubscriptions) {
  Options o;
  o.pending_msgs_limit = 2;
  Connect(o);
  std::atomic<int> inline_calls{0};
  Subscription fast = SubInline("s", [&](const MsgView&) { inline_calls++; });
  Subscription sync = Sub("s");  // sid 2, copied and queued as before
  std::string burst;
  for (int i = 0; i < 10; ++i) burst += "MSG s 1 1\r\nx\r\nMSG s 2 1\r\ny\r\n";
  ASSERT_TRUE(peer_->Send(burst + "PING\r\n"));
  EXPECT_EQ(peer_->ReadLine(), "PONG\r\n");
  EXPECT_EQ(inline_calls, 10);
  EXPECT_EQ(fast.Delivered(), 10u);
  EXPECT_EQ(fast.Dropped(), 0u);
  EXPECT_EQ(sync.Delivered(), 10u);
  EXPECT_EQ(sync.Dropped(), 8u);  // the ordinary one still has its limits
  EXPECT_EQ(sync.NextMsg(1000ms)->data, "y");
}

TEST_F(InlineTest, PublishFromTheHandlerReachesTheServer) {
  Connect();
  SubInline("in", [&](const MsgView& m) {
    Headers h;
    h.Add("Echo", std::string(m.headers.Get("Ask").value_or("none")));
    EXPECT_TRUE(conn_->Publish("out", "", h, m.data).ok());
  });
  ASSERT_TRUE(peer_->Send("HMSG in 1 21 24\r\nNATS/1.0\r\nAsk: 42\r\n\r\nabc\r\n"));
  // "NATS/1.0\r\nEcho: 42\r\n\r\n" is 22 bytes.
  EXPECT_EQ(peer_->ReadLine(), "HPUB out 22 25\r\n");
  EXPECT_EQ(peer_->ReadUntil("\r\n\r\n"), "NATS/1.0\r\nEcho: 42\r\n\r\n");
  EXPECT_EQ(peer_->ReadLine(), "abc\r\n");
}

// Past max_pending_out_bytes a publisher waits for the I/O thread to write; the I/O thread
// itself must not (it would wait for itself forever).
TEST_F(InlineTest, PublishFromTheHandlerDoesNotBlockOnThePendingOutputLimit) {
  Options o;
  o.max_pending_out_bytes = 64;
  Connect(o);
  std::atomic<int> published{0};
  const std::string payload(1000, 'p');
  SubInline("in", [&](const MsgView&) {
    for (int i = 0; i < 100; ++i) {
      if (conn_->Publish("out", payload).ok()) published++;
    }
  });
  ASSERT_TRUE(peer_->Send("MSG in 1 0\r\n\r\n"));
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(peer_->ReadLine(), "PUB out 1000\r\n") << i;
    ASSERT_EQ(peer_->ReadLine(), payload + "\r\n") << i;
  }
  EXPECT_EQ(published, 100);
}

TEST_F(InlineTest, CallsThatWaitForTheIoThreadFailAtOnce) {
  Connect();
  Subscription sync = Sub("q");
  std::vector<Status> results;
  SubInline("in", [&](const MsgView&) {
    results.push_back(conn_->Request("svc", "x", 10000ms).status());
    results.push_back(conn_->Flush(10000ms));
    results.push_back(sync.NextMsg(10000ms).status());
    Result<JetStream> js = JetStream::Create(*conn_);
    results.push_back(js.ok() ? js->GetAccountInfo().status() : js.status());
    results.push_back(conn_->Drain(10000ms));
  });
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(peer_->Send("MSG in 2 0\r\n\r\nPING\r\n"));  // sid 2: "q" is 1
  EXPECT_EQ(peer_->ReadLineStartingWith("PONG"), "PONG\r\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2000ms);
  ASSERT_EQ(results.size(), 5u);
  for (const Status& s : results) EXPECT_TRUE(IsIoThreadError(s)) << s.message();
  // Nothing of it reached the wire, and the connection is as it was.
  EXPECT_TRUE(conn_->IsConnected());
  auto flushed = std::async(std::launch::async, [&] { return conn_->Flush(); });
  EXPECT_EQ(peer_->AnswerPing(), "");
  EXPECT_TRUE(flushed.get().ok());
}

TEST_F(InlineTest, CloseFromTheHandler) {
  std::atomic<bool> closed{false};
  Options o;
  o.closed = [&](Connection&) { closed = true; };
  Connect(o);
  std::atomic<int> calls{0};
  SubInline("stop", [&](const MsgView&) {
    calls++;
    conn_->Close();
    EXPECT_FALSE(conn_->Publish("after", "x").ok());
  });
  ASSERT_TRUE(peer_->Send("MSG stop 1 0\r\n\r\nMSG stop 1 0\r\n\r\nMSG stop 1 0\r\n\r\n"));
  ASSERT_TRUE(WaitFor([&] { return closed.load(); }, 3000ms));
  EXPECT_EQ(conn_->status(), ConnectionStatus::kClosed);
  EXPECT_EQ(calls, 1);  // nothing after Close()
  conn_->Close();
}

TEST_F(InlineTest, UnsubscribeAndSubscribeFromTheHandler) {
  Connect();
  std::vector<std::string> got;  // the I/O thread only, until the PONG below
  Subscription b =
      SubInline("b", [&](const MsgView& m) { got.push_back("b" + std::string(m.data)); });
  Subscription a;
  a = SubInline("a", [&](const MsgView& m) {
    got.push_back("a" + std::string(m.data));
    if (m.data == "1") {
      EXPECT_TRUE(b.Unsubscribe().ok());
      EXPECT_TRUE(a.Unsubscribe().ok());
      EXPECT_TRUE(conn_
                      ->SubscribeInline(
                          "c", [&](const MsgView& c) { got.push_back("c" + std::string(c.data)); })
                      .ok());
    }
  });
  // sids: b 1, a 2, c 3.
  ASSERT_TRUE(peer_->Send(
      "MSG b 1 1\r\n0\r\nMSG a 2 1\r\n1\r\nMSG b 1 1\r\n2\r\nMSG a 2 1\r\n3\r\nPING\r\n"));
  EXPECT_EQ(peer_->ReadLine(), "UNSUB 1\r\n");
  EXPECT_EQ(peer_->ReadLine(), "UNSUB 2\r\n");
  EXPECT_EQ(peer_->ReadLine(), "SUB c 3\r\n");
  EXPECT_EQ(peer_->ReadLine(), "PONG\r\n");
  ASSERT_TRUE(peer_->Send("MSG c 3 1\r\n4\r\nPING\r\n"));
  EXPECT_EQ(peer_->ReadLine(), "PONG\r\n");
  EXPECT_EQ(got, (std::vector<std::string>{"b0", "a1", "c4"}));
  EXPECT_FALSE(a.IsActive());
  EXPECT_FALSE(b.IsActive());
  EXPECT_EQ(a.Delivered(), 1u);
}

TEST_F(InlineTest, QueueSubscribeInlineSendsGroup) {
  Connect();
  auto sub = conn_->QueueSubscribeInline("work.>", "workers", [](const MsgView&) {});
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(peer_->ReadLineStartingWith("SUB "), "SUB work.> workers 1\r\n");
  EXPECT_FALSE(conn_->QueueSubscribeInline("work", "", [](const MsgView&) {}).ok());
  EXPECT_FALSE(conn_->SubscribeInline("a..b", [](const MsgView&) {}).ok());
  EXPECT_FALSE(conn_->SubscribeInline("a", MsgViewHandler()).ok());
  EXPECT_FALSE(sub->NextMsg(10ms).ok());
  EXPECT_FALSE(conn_->OnIoThread());
}

}  // namespace
}  // namespace spate::client::test
