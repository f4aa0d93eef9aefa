// Exact protocol bytes, checked with a raw socket. Transcripts in tests/compat cover more ops;
// these tests cover what needs code to check (INFO's JSON) and the framing basics.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "integration/server_fixture.h"
#include "support/wire_client.h"

namespace spate::test {
namespace {

class WireProtocolTest : public ServerTest {
 protected:
  // Connects and returns the INFO line.
  std::string Open(WireClient& wire) {
    EXPECT_TRUE(wire.Connect(server_->port())) << wire.error();
    return wire.ReadLine().value_or("<no INFO>");
  }
  void OpenAndConnect(WireClient& wire, const std::string& connect_json) {
    Open(wire);
    ASSERT_TRUE(wire.Send("CONNECT " + connect_json + "\r\nPING\r\n"));
    ASSERT_EQ(wire.ReadLine(), "PONG\r\n");
  }
};

TEST_F(WireProtocolTest, InfoComesFirstWithTheFieldsClientsNeed) {
  WireClient wire;
  const std::string line = Open(wire);
  ASSERT_EQ(line.rfind("INFO {", 0), 0u) << line;
  ASSERT_GE(line.size(), 2u);
  ASSERT_EQ(line.substr(line.size() - 2), "\r\n");
  const std::string json_text = line.substr(5, line.size() - 7);
  const nlohmann::json info = nlohmann::json::parse(json_text, nullptr, false);
  ASSERT_FALSE(info.is_discarded()) << json_text;

  for (const char* key : {"server_id", "server_name", "version", "proto", "host", "port", "headers",
                          "max_payload", "client_id", "client_ip"}) {
    EXPECT_TRUE(info.contains(key)) << "INFO lacks " << key << ": " << json_text;
  }
  EXPECT_TRUE(info.value("server_id", std::string()).starts_with("N")) << json_text;
  EXPECT_EQ(info.value("server_id", std::string()).size(), 56u) << "nkey-style server id";
  EXPECT_TRUE(info["version"].is_string());
  EXPECT_EQ(info.value("proto", -1), 1);
  EXPECT_EQ(info.value("host", std::string()), "127.0.0.1");
  EXPECT_EQ(info.value("port", 0), server_->port());
  EXPECT_EQ(info.value("headers", false), true);
  EXPECT_EQ(info.value("max_payload", 0), 1048576);
  EXPECT_TRUE(info["client_id"].is_number_unsigned());
  EXPECT_EQ(info.value("client_ip", std::string()), "127.0.0.1");
  EXPECT_FALSE(info.contains("auth_required")) << "no auth configured";
}

TEST_F(WireProtocolTest, ClientIdsDifferPerConnection) {
  WireClient a, b;
  const auto info_a = nlohmann::json::parse(Open(a).substr(5), nullptr, false);
  const auto info_b = nlohmann::json::parse(Open(b).substr(5), nullptr, false);
  ASSERT_FALSE(info_a.is_discarded() || info_b.is_discarded());
  EXPECT_NE(info_a["client_id"], info_b["client_id"]);
  EXPECT_EQ(info_a["server_id"], info_b["server_id"]);
}

TEST_F(WireProtocolTest, VerboseConnectIsAcknowledgedWithOk) {
  WireClient wire;
  Open(wire);
  ASSERT_TRUE(wire.Send("CONNECT {\"verbose\":true}\r\n"));
  EXPECT_EQ(wire.ReadLine(), "+OK\r\n");
  ASSERT_TRUE(wire.Send("SUB a 1\r\nPUB a 2\r\nhi\r\nUNSUB 1\r\nPING\r\n"));
  EXPECT_EQ(wire.ReadLine(), "+OK\r\n");  // SUB
  EXPECT_EQ(wire.ReadLine(), "+OK\r\n");  // PUB
  EXPECT_EQ(wire.ReadUntil("hi\r\n"), "MSG a 1 2\r\nhi\r\n");
  EXPECT_EQ(wire.ReadLine(), "+OK\r\n");   // UNSUB
  EXPECT_EQ(wire.ReadLine(), "PONG\r\n");  // PING gets PONG, not +OK
}

TEST_F(WireProtocolTest, PingBeforeConnectGetsPong) {
  WireClient wire;
  Open(wire);
  ASSERT_TRUE(wire.Send("PING\r\n"));
  EXPECT_EQ(wire.ReadLine(), "PONG\r\n");
}

TEST_F(WireProtocolTest, MsgFramingWithAndWithoutReply) {
  WireClient wire;
  OpenAndConnect(wire, "{\"verbose\":false}");
  ASSERT_TRUE(
      wire.Send("SUB orders.* 9\r\nPUB orders.new 5\r\nhello\r\n"
                "PUB orders.new _INBOX.abc 0\r\n\r\nPING\r\n"));
  EXPECT_EQ(wire.ReadUntil("hello\r\n"), "MSG orders.new 9 5\r\nhello\r\n");
  EXPECT_EQ(wire.ReadUntil("PONG\r\n"), "MSG orders.new 9 _INBOX.abc 0\r\n\r\nPONG\r\n");
}

TEST_F(WireProtocolTest, HmsgFramingKeepsHeaderAndTotalSizes) {
  WireClient wire;
  OpenAndConnect(wire, "{\"verbose\":false,\"headers\":true}");
  const std::string hdr = "NATS/1.0\r\nA: 1\r\n\r\n";  // 18 bytes
  ASSERT_TRUE(wire.Send("SUB h 1\r\nHPUB h reply.to 18 23\r\n" + hdr + "hello\r\nPING\r\n"));
  EXPECT_EQ(wire.ReadUntil("PONG\r\n"), "HMSG h 1 reply.to 18 23\r\n" + hdr + "hello\r\nPONG\r\n");
}

TEST_F(WireProtocolTest, UnknownOperationIsAnErrorThatClosesTheConnection) {
  WireClient wire;
  OpenAndConnect(wire, "{\"verbose\":false}");
  ASSERT_TRUE(wire.Send("FOO bar\r\n"));
  EXPECT_EQ(wire.ReadLine(), "-ERR 'Unknown Protocol Operation'\r\n");
  EXPECT_TRUE(wire.ExpectClosed());
}

TEST_F(WireProtocolTest, PedanticInvalidSubjectsAreErrorsThatKeepTheConnection) {
  WireClient wire;
  OpenAndConnect(wire, "{\"verbose\":false,\"pedantic\":true}");
  ASSERT_TRUE(wire.Send("PUB foo.* 1\r\na\r\n"));
  EXPECT_EQ(wire.ReadLine(), "-ERR 'Invalid Publish Subject'\r\n");
  ASSERT_TRUE(wire.Send("SUB foo..bar 1\r\n"));
  EXPECT_EQ(wire.ReadLine(), "-ERR 'Invalid Subject'\r\n");
  ASSERT_TRUE(wire.Send("PING\r\n"));
  EXPECT_EQ(wire.ReadLine(), "PONG\r\n");
}

TEST_F(WireProtocolTest, MalformedPubClosesWithoutAnErrorLine) {
  WireClient wire;
  OpenAndConnect(wire, "{\"verbose\":false}");
  ASSERT_TRUE(wire.Send("PUB foo\r\n"));
  std::string unread;
  EXPECT_TRUE(wire.ExpectClosed(WireClient::kDefaultDeadline, &unread));
  EXPECT_EQ(unread, "");
}

TEST_F(WireProtocolTest, PayloadLongerThanDeclaredIsAProtocolError) {
  WireClient wire;
  OpenAndConnect(wire, "{\"verbose\":false}");
  ASSERT_TRUE(wire.Send("PUB foo 3\r\nhello\r\n"));
  EXPECT_EQ(wire.ReadLine(), "-ERR 'Unknown Protocol Operation'\r\n");
  EXPECT_TRUE(wire.ExpectClosed());
}

}  // namespace
}  // namespace spate::test
