// The harness itself: a server can be started, restarted on the same port and stopped.

#include <gtest/gtest.h>

#include <filesystem>

#include "integration/server_fixture.h"
#include "support/wait_for.h"
#include "support/wire_client.h"

namespace spate::test {
namespace {

class TestServerTest : public ServerTest {};

TEST_F(TestServerTest, ListensOnARandomPortAndRestartsOnTheSamePort) {
  ASSERT_GT(server_->port(), 0);
  EXPECT_EQ(server_->url(), "nats://127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_TRUE(std::filesystem::is_directory(server_->dir()));
  const int port = server_->port();

  WireClient before;
  ASSERT_TRUE(before.Connect(port)) << before.error();
  ASSERT_TRUE(before.ReadLine());

  server_->Stop();
  EXPECT_FALSE(server_->Running());
  EXPECT_TRUE(before.ExpectClosed()) << "stopping the server closes its clients";

  ASSERT_TRUE(server_->Restart()) << server_->error();
  EXPECT_EQ(server_->port(), port);
  WireClient after;
  ASSERT_TRUE(after.Connect(port)) << after.error();
  const auto info = after.ReadLine();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->rfind("INFO ", 0), 0u);
}

TEST_F(TestServerTest, LibnatsReconnectsAfterRestart) {
  NatsConnection conn = Connect([](natsOptions* o) {
    natsOptions_SetAllowReconnect(o, true);
    natsOptions_SetMaxReconnect(o, -1);
    natsOptions_SetReconnectWait(o, 20);
  });
  ASSERT_TRUE(conn);
  natsSubscription* raw = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&raw, conn.get(), "after.restart"), NATS_OK);
  NatsSubscription sub(raw);

  ASSERT_TRUE(server_->Restart()) << server_->error();
  ASSERT_TRUE(WaitFor(
      [&] { return natsConnection_Status(conn.get()) == NATS_CONN_STATUS_CONNECTED; }, 10s));
  ASSERT_EQ(natsConnection_Flush(conn.get()), NATS_OK);  // subscription was replayed before this
  ASSERT_EQ(natsConnection_PublishString(conn.get(), "after.restart", "x"), NATS_OK);
  natsMsg* msg = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&msg, sub.get(), 5000), NATS_OK);
  natsMsg_Destroy(msg);
}

TEST(TestServerStandaloneTest, MissingBinaryIsAClearError) {
  TestServer server("/nonexistent/spate-server");
  EXPECT_FALSE(server.Start());
  EXPECT_NE(server.error().find("/nonexistent/spate-server"), std::string::npos);
}

}  // namespace
}  // namespace spate::test
