#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "integration/nats_client.h"
#include "support/test_server.h"

namespace spate::test {

using namespace std::chrono_literals;

// Starts the server under test (SPATE_TEST_SERVER_BIN, default build/bin/spate-server) on a random
// port with a fresh dir for each test. Override ServerOptions() to pass flags or a config file.
class ServerTest : public ::testing::Test {
 protected:
  virtual TestServerOptions ServerOptions() const { return {}; }

  void SetUp() override {
    server_ = TestServer::Spate(ServerOptions());
    ASSERT_TRUE(server_->Start()) << server_->error();
  }

  // A libnats connection to the server; fails the test when it cannot connect.
  NatsConnection Connect(const std::function<void(natsOptions*)>& configure = {}) {
    NatsConnection conn;
    const natsStatus s = spate::test::Connect(server_->url(), &conn, configure);
    EXPECT_EQ(s, NATS_OK) << natsStatus_GetText(s) << "\n" << server_->Log();
    return conn;
  }

  std::unique_ptr<TestServer> server_;
};

}  // namespace spate::test
