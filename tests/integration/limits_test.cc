// Payload limits and slow consumers: the server protects itself and healthy clients.

#include <gtest/gtest.h>

#include <string>

#include "integration/nats_client.h"
#include "integration/server_fixture.h"
#include "support/wait_for.h"
#include "support/wire_client.h"

namespace spate::test {
namespace {

constexpr int kMaxPayload = 1024 * 1024;  // nats-server's default max_payload

class PayloadLimitTest : public ServerTest {};

TEST_F(PayloadLimitTest, PayloadsUpToMaxPayloadRoundTrip) {
  NatsConnection conn = Connect();
  ASSERT_TRUE(conn);
  EXPECT_EQ(natsConnection_GetMaxPayload(conn.get()), kMaxPayload);
  natsSubscription* raw = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&raw, conn.get(), "big"), NATS_OK);
  NatsSubscription sub(raw);

  for (int size : {0, 1, 4095, 4096, 65536, 512 * 1024 + 3, kMaxPayload}) {
    std::string body(static_cast<size_t>(size), '\0');
    for (int i = 0; i < size; ++i) body[static_cast<size_t>(i)] = static_cast<char>('a' + i % 26);
    ASSERT_EQ(natsConnection_Publish(conn.get(), "big", body.data(), size), NATS_OK) << size;
    natsMsg* in_raw = nullptr;
    ASSERT_EQ(natsSubscription_NextMsg(&in_raw, sub.get(), 5000), NATS_OK) << size;
    NatsMsg in(in_raw);
    ASSERT_EQ(natsMsg_GetDataLength(in.get()), size);
    EXPECT_TRUE(Payload(in.get()) == body) << "payload of " << size << " bytes differs";
  }
}

TEST_F(PayloadLimitTest, ClientRefusesPayloadOverAdvertisedMax) {
  NatsConnection conn = Connect();
  ASSERT_TRUE(conn);
  std::string body(kMaxPayload + 1, 'x');
  EXPECT_EQ(natsConnection_Publish(conn.get(), "big", body.data(), kMaxPayload + 1),
            NATS_MAX_PAYLOAD);
}

TEST_F(PayloadLimitTest, ServerRejectsPayloadOverMaxAndCloses) {
  WireClient wire;
  ASSERT_TRUE(wire.Connect(server_->port())) << wire.error();
  ASSERT_TRUE(wire.ReadLine());  // INFO
  ASSERT_TRUE(wire.Send("CONNECT {\"verbose\":false}\r\nPUB big 1048577\r\n"));
  EXPECT_EQ(wire.ReadLine(), "-ERR 'Maximum Payload Violation'\r\n");
  EXPECT_TRUE(wire.ExpectClosed());
}

TEST_F(PayloadLimitTest, ExactlyMaxPayloadOnTheWireIsAccepted) {
  WireClient wire;
  ASSERT_TRUE(wire.Connect(server_->port())) << wire.error();
  ASSERT_TRUE(wire.ReadLine());  // INFO
  const std::string body(kMaxPayload, 'z');
  ASSERT_TRUE(wire.Send("CONNECT {\"verbose\":false}\r\nSUB big 7\r\nPUB big 1048576\r\n" + body +
                        "\r\nPING\r\n"));
  EXPECT_EQ(wire.ReadLine(), "MSG big 7 1048576\r\n");
  const auto payload = wire.ReadExactly(kMaxPayload + 2);
  ASSERT_TRUE(payload);
  EXPECT_TRUE(*payload == body + "\r\n");
  EXPECT_EQ(wire.ReadLine(), "PONG\r\n");
}

class ConfiguredMaxPayloadTest : public ServerTest {
 protected:
  TestServerOptions ServerOptions() const override {
    TestServerOptions options;
    options.config = "max_payload: 1024\n";
    return options;
  }
};

TEST_F(ConfiguredMaxPayloadTest, LimitFromConfigFileIsAdvertisedAndEnforced) {
  NatsConnection conn = Connect();
  ASSERT_TRUE(conn);
  EXPECT_EQ(natsConnection_GetMaxPayload(conn.get()), 1024);
  std::string body(1025, 'x');
  EXPECT_EQ(natsConnection_Publish(conn.get(), "big", body.data(), 1025), NATS_MAX_PAYLOAD);

  WireClient wire;
  ASSERT_TRUE(wire.Connect(server_->port())) << wire.error();
  const auto info = wire.ReadLine();
  ASSERT_TRUE(info);
  EXPECT_NE(info->find("\"max_payload\":1024"), std::string::npos) << *info;
  ASSERT_TRUE(wire.Send("CONNECT {\"verbose\":false}\r\nPUB ok 1024\r\n" + std::string(1024, 'a') +
                        "\r\nPING\r\n"));
  EXPECT_EQ(wire.ReadLine(), "PONG\r\n");
  ASSERT_TRUE(wire.Send("PUB big 1025\r\n"));
  EXPECT_EQ(wire.ReadLine(), "-ERR 'Maximum Payload Violation'\r\n");
  EXPECT_TRUE(wire.ExpectClosed());
}

class SlowConsumerTest : public ServerTest {
 protected:
  TestServerOptions ServerOptions() const override {
    TestServerOptions options;
    // nats-server stalls the publisher while a subscriber is behind and cuts the subscriber off
    // when a write blocks past write_deadline (default 10s) or pending bytes pass max_pending.
    options.config = "max_pending: 1MB\nwrite_deadline: \"250ms\"\n";
    return options;
  }
};

TEST_F(SlowConsumerTest, StalledSubscriberIsClosedWhileHealthyOneGetsEverything) {
  constexpr int kBody = 4096;
  constexpr int kBatch = 32;       // 128 KiB: the healthy subscriber never lags more than this
  constexpr int kMessages = 6144;  // 24 MiB: far past the stalled reader's socket buffers
  const std::string body(kBody, 's');

  // The stalled subscriber: a raw socket with a tiny receive window that never reads.
  WireClient stalled;
  stalled.set_receive_buffer_size(4096);
  ASSERT_TRUE(stalled.Connect(server_->port())) << stalled.error();
  ASSERT_TRUE(stalled.ReadLine());  // INFO
  ASSERT_TRUE(stalled.Send("CONNECT {\"verbose\":false}\r\nSUB feed 1\r\nPING\r\n"));
  ASSERT_EQ(stalled.ReadLine(), "PONG\r\n");

  NatsConnection healthy_conn = Connect();
  MessageCollector healthy(/*keep_messages=*/false);
  natsSubscription* raw = nullptr;
  ASSERT_EQ(
      natsConnection_Subscribe(&raw, healthy_conn.get(), "feed", MessageCollector::OnMsg, &healthy),
      NATS_OK);
  NatsSubscription healthy_sub(raw);
  ASSERT_EQ(natsSubscription_SetPendingLimits(healthy_sub.get(), -1, -1), NATS_OK);
  ASSERT_EQ(natsConnection_Flush(healthy_conn.get()), NATS_OK);

  NatsConnection pub = Connect();
  ASSERT_TRUE(pub);
  for (int sent = 0; sent < kMessages;) {
    for (int i = 0; i < kBatch; ++i, ++sent) {
      ASSERT_EQ(natsConnection_Publish(pub.get(), "feed", body.data(), kBody), NATS_OK);
    }
    ASSERT_EQ(natsConnection_Flush(pub.get()), NATS_OK);
    ASSERT_TRUE(WaitFor([&] { return healthy.count() >= sent; }, 10s))
        << "healthy subscriber stuck at " << healthy.count() << " of " << sent;
  }
  EXPECT_EQ(healthy.count(), kMessages);
  EXPECT_FALSE(natsConnection_IsClosed(healthy_conn.get()));

  // The stalled one was cut off: draining its socket ends in EOF, short of the full stream.
  std::string unread;
  const auto frame = "MSG feed 1 4096\r\n" + body + "\r\n";
  ASSERT_TRUE(stalled.ExpectClosed(10s, &unread)) << "stalled subscriber was never disconnected";
  EXPECT_LT(unread.size(), frame.size() * kMessages);
  EXPECT_TRUE(server_->Running());
}

class WriteDeadlineTest : public ServerTest {
 protected:
  TestServerOptions ServerOptions() const override {
    TestServerOptions options;
    // max_pending stays at its 64 MB default, so only the write deadline can cut the reader off.
    options.config = "write_deadline: \"250ms\"\n";
    return options;
  }
};

TEST_F(WriteDeadlineTest, ReaderThatStopsReadingIsClosedAfterTheDeadline) {
  constexpr int kBody = 4096;
  constexpr int kMessages = 2048;  // 8 MiB: far more than the socket buffers, far below max_pending
  const std::string body(kBody, 'w');
  WireClient stalled;
  stalled.set_receive_buffer_size(4096);
  ASSERT_TRUE(stalled.Connect(server_->port())) << stalled.error();
  ASSERT_TRUE(stalled.ReadLine());  // INFO
  ASSERT_TRUE(stalled.Send("CONNECT {\"verbose\":false}\r\nSUB feed 1\r\nPING\r\n"));
  ASSERT_EQ(stalled.ReadLine(), "PONG\r\n");

  NatsConnection pub = Connect();
  ASSERT_TRUE(pub);
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_EQ(natsConnection_Publish(pub.get(), "feed", body.data(), kBody), NATS_OK);
  }
  ASSERT_EQ(natsConnection_Flush(pub.get()), NATS_OK);
  // The reader has not read a byte: once output has waited on it for 250ms the server cuts it
  // off. Poll the log before touching the socket, since reading would let it catch up.
  ASSERT_TRUE(WaitFor(
      [&] { return server_->Log().find("Slow Consumer Detected") != std::string::npos; }, 10s))
      << server_->Log();
  std::string unread;
  ASSERT_TRUE(stalled.ExpectClosed(10s, &unread)) << server_->Log();
  EXPECT_LT(unread.size(), static_cast<size_t>(kMessages) * kBody);
  EXPECT_FALSE(natsConnection_IsClosed(pub.get()));
}

}  // namespace
}  // namespace spate::test
