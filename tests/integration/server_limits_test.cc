// Connection-level limits and timers from the config file: max_connections, max_subscriptions,
// authorization (user/password, token, timeout), pings and stale connections. Every test also
// runs against nats-server (SPATE_TEST_SERVER_BIN=/usr/sbin/nats-server) with the same config.

#include <gtest/gtest.h>

#include <string>

#include "integration/server_fixture.h"
#include "support/wait_for.h"
#include "support/wire_client.h"

namespace spate::test {
namespace {

// Connects a raw client and reads INFO; fails the test when either does not happen.
void Open(WireClient& wire, int port) {
  ASSERT_TRUE(wire.Connect(port)) << wire.error();
  auto info = wire.ReadLine();
  ASSERT_TRUE(info);
  ASSERT_EQ(info->rfind("INFO {", 0), 0u) << *info;
}

class ConfigServerTest : public ServerTest {
 protected:
  virtual std::string Config() const = 0;
  TestServerOptions ServerOptions() const override {
    TestServerOptions options;
    options.config = Config();
    return options;
  }
};

class MaxConnectionsTest : public ConfigServerTest {
  std::string Config() const override { return "max_connections: 2\n"; }
};

TEST_F(MaxConnectionsTest, ConnectionOverTheLimitGetsInfoThenErrorAndClose) {
  WireClient a, b, c;
  Open(a, server_->port());
  Open(b, server_->port());
  ASSERT_TRUE(a.Send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  ASSERT_EQ(a.ReadLine(), "PONG\r\n");
  ASSERT_TRUE(b.Send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  ASSERT_EQ(b.ReadLine(), "PONG\r\n");
  Open(c, server_->port());
  EXPECT_EQ(c.ReadLine(), "-ERR 'maximum connections exceeded'\r\n");
  EXPECT_TRUE(c.ExpectClosed());
  // The two admitted connections keep working.
  ASSERT_TRUE(a.Send("PING\r\n"));
  EXPECT_EQ(a.ReadLine(), "PONG\r\n");
}

TEST_F(MaxConnectionsTest, ClosedConnectionsFreeTheirSlot) {
  for (int i = 0; i < 5; ++i) {
    WireClient a;
    Open(a, server_->port());
    ASSERT_TRUE(a.Send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
    ASSERT_EQ(a.ReadLine(), "PONG\r\n") << "round " << i;
    a.Close();
    // The server notices the close asynchronously: poll until a new client is admitted.
    ASSERT_TRUE(WaitFor(
        [&] {
          WireClient p;
          if (!p.Connect(server_->port())) return false;
          if (!p.ReadLine()) return false;
          if (!p.Send("CONNECT {\"verbose\":false}\r\nPING\r\n")) return false;
          auto line = p.ReadLine();
          return line && *line == "PONG\r\n";
        },
        5s));
  }
}

class MaxSubscriptionsTest : public ConfigServerTest {
  std::string Config() const override { return "max_subscriptions: 2\n"; }
};

TEST_F(MaxSubscriptionsTest, SubscriptionOverTheLimitIsRefused) {
  WireClient wire;
  Open(wire, server_->port());
  ASSERT_TRUE(
      wire.Send("CONNECT {\"verbose\":false}\r\nSUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPING\r\n"));
  EXPECT_EQ(wire.ReadLine(), "-ERR 'maximum subscriptions exceeded'\r\n");
  // The connection stays, and the refused subscription really does not exist.
  EXPECT_EQ(wire.ReadLine(), "PONG\r\n");
  ASSERT_TRUE(wire.Send("PUB c 1\r\nx\r\nPUB b 1\r\ny\r\nPING\r\n"));
  EXPECT_EQ(wire.ReadLine(), "MSG b 2 1\r\n");
  EXPECT_EQ(wire.ReadLine(), "y\r\n");
  EXPECT_EQ(wire.ReadLine(), "PONG\r\n");
}

class UserPasswordTest : public ConfigServerTest {
  std::string Config() const override {
    return "authorization {\n  user: alice\n  password: s3cret\n  timeout: 0.5\n}\n";
  }
};

TEST_F(UserPasswordTest, InfoSaysAuthRequired) {
  WireClient wire;
  ASSERT_TRUE(wire.Connect(server_->port())) << wire.error();
  auto info = wire.ReadLine();
  ASSERT_TRUE(info);
  EXPECT_NE(info->find("\"auth_required\":true"), std::string::npos) << *info;
}

TEST_F(UserPasswordTest, RightCredentialsAreAccepted) {
  WireClient wire;
  Open(wire, server_->port());
  ASSERT_TRUE(
      wire.Send("CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"s3cret\"}\r\nPING\r\n"));
  EXPECT_EQ(wire.ReadLine(), "PONG\r\n");
}

TEST_F(UserPasswordTest, WrongPasswordIsAnAuthorizationViolation) {
  WireClient wire;
  Open(wire, server_->port());
  ASSERT_TRUE(
      wire.Send("CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"nope\"}\r\nPING\r\n"));
  EXPECT_EQ(wire.ReadLine(), "-ERR 'Authorization Violation'\r\n");
  EXPECT_TRUE(wire.ExpectClosed());
}

TEST_F(UserPasswordTest, OpBeforeConnectIsAnAuthorizationViolation) {
  WireClient wire;
  Open(wire, server_->port());
  ASSERT_TRUE(wire.Send("SUB foo 1\r\n"));
  EXPECT_EQ(wire.ReadLine(), "-ERR 'Authorization Violation'\r\n");
  EXPECT_TRUE(wire.ExpectClosed());
}

TEST_F(UserPasswordTest, SilentClientIsClosedAfterAuthTimeout) {
  WireClient wire;
  Open(wire, server_->port());
  EXPECT_EQ(wire.ReadLine(5s), "-ERR 'Authentication Timeout'\r\n");
  EXPECT_TRUE(wire.ExpectClosed());
}

TEST_F(UserPasswordTest, OfficialClientConnectsWithUrlCredentials) {
  NatsConnection conn;
  std::string url = "nats://alice:s3cret@127.0.0.1:" + std::to_string(server_->port());
  EXPECT_EQ(spate::test::Connect(url, &conn), NATS_OK);
  NatsConnection bad;
  url = "nats://alice:wrong@127.0.0.1:" + std::to_string(server_->port());
  EXPECT_NE(spate::test::Connect(url, &bad), NATS_OK);
}

class TokenTest : public ConfigServerTest {
  std::string Config() const override { return "authorization { token: \"t0ken\" }\n"; }
};

TEST_F(TokenTest, TokenMustMatch) {
  WireClient good, bad;
  Open(good, server_->port());
  ASSERT_TRUE(good.Send("CONNECT {\"verbose\":false,\"auth_token\":\"t0ken\"}\r\nPING\r\n"));
  EXPECT_EQ(good.ReadLine(), "PONG\r\n");
  Open(bad, server_->port());
  ASSERT_TRUE(bad.Send("CONNECT {\"verbose\":false,\"auth_token\":\"other\"}\r\nPING\r\n"));
  EXPECT_EQ(bad.ReadLine(), "-ERR 'Authorization Violation'\r\n");
}

class UsersListTest : public ConfigServerTest {
  std::string Config() const override {
    return "authorization {\n  users = [\n    {user: a, password: pa}\n    {user: b, password: "
           "pb}\n  ]\n}\n";
  }
};

TEST_F(UsersListTest, EachUserWithItsOwnPassword) {
  for (const auto& [user, pass, ok] :
       {std::tuple{"a", "pa", true}, std::tuple{"b", "pb", true}, std::tuple{"a", "pb", false},
        std::tuple{"c", "pc", false}}) {
    WireClient wire;
    Open(wire, server_->port());
    ASSERT_TRUE(wire.Send(std::string("CONNECT {\"verbose\":false,\"user\":\"") + user +
                          "\",\"pass\":\"" + pass + "\"}\r\nPING\r\n"));
    EXPECT_EQ(wire.ReadLine(), ok ? "PONG\r\n" : "-ERR 'Authorization Violation'\r\n")
        << user << "/" << pass;
  }
}

class StaleConnectionTest : public ConfigServerTest {
  std::string Config() const override { return "ping_interval: \"200ms\"\nping_max: 2\n"; }
};

TEST_F(StaleConnectionTest, ServerPingsAndClosesAClientThatNeverAnswers) {
  WireClient wire;
  Open(wire, server_->port());
  ASSERT_TRUE(wire.Send("CONNECT {\"verbose\":false}\r\n"));
  EXPECT_EQ(wire.ReadLine(5s), "PING\r\n");
  EXPECT_EQ(wire.ReadLine(5s), "PING\r\n");
  EXPECT_EQ(wire.ReadLine(5s), "-ERR 'Stale Connection'\r\n");
  EXPECT_TRUE(wire.ExpectClosed());
}

TEST_F(StaleConnectionTest, ClientThatAnswersPingsStays) {
  WireClient wire;
  Open(wire, server_->port());
  ASSERT_TRUE(wire.Send("CONNECT {\"verbose\":false}\r\n"));
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(wire.ReadLine(5s), "PING\r\n") << "ping " << i;
    ASSERT_TRUE(wire.Send("PONG\r\n"));
  }
  ASSERT_TRUE(wire.Send("PING\r\n"));
  auto line = wire.ReadLine(5s);
  while (line && *line == "PING\r\n") {  // a server ping may come first
    ASSERT_TRUE(wire.Send("PONG\r\n"));
    line = wire.ReadLine(5s);
  }
  EXPECT_EQ(line, "PONG\r\n");
}

}  // namespace
}  // namespace spate::test
