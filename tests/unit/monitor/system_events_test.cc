// The JSON of the system account's events, field by field as nats-server 2.9 writes them.
#include "monitor/system_events.h"

#include <gtest/gtest.h>

#include <set>

namespace spate::monitor {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'795'000'000 * kSecond;  // 2026-11-18T...

std::vector<std::string> Keys(const Json& j) {
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  return keys;
}

ServerIdentity Identity() {
  return {.name = "srv", .host = "127.0.0.1", .id = "NABC", .version = "2.10.0", .jetstream = true};
}

server::ConnectionInfo AppConnection() {
  server::ConnectionInfo c;
  c.cid = 7;
  c.ip = "10.0.0.1";
  c.port = 5555;
  c.start_ns = kT0;
  c.rtt_ns = 1500;
  c.in_msgs = 3;
  c.in_bytes = 30;
  c.out_msgs = 4;
  c.out_bytes = 40;
  c.name = "app-client";
  c.lang = "go";
  c.version = "1.22.1";
  c.account = "APP";
  c.authorized_user = "app";
  return c;
}

TEST(SystemEventsTest, ServerInfoHasNatsServerFieldsInOrder) {
  Json si = ServerInfoJson(Identity(), 12, kT0);
  EXPECT_EQ(Keys(si),
            std::vector<std::string>({"name", "host", "id", "ver", "seq", "jetstream", "time"}));
  EXPECT_EQ(si["seq"], 12);
  EXPECT_EQ(si["jetstream"], true);
  EXPECT_EQ(si["time"], FormatTime(kT0));
}

TEST(SystemEventsTest, ConnectEventCarriesTheClientWithoutStopOrRtt) {
  Json ev =
      ConnectEventJson("ID1", kT0 + kSecond, ServerInfoJson(Identity(), 1, kT0), AppConnection());
  EXPECT_EQ(Keys(ev), std::vector<std::string>({"type", "id", "timestamp", "server", "client"}));
  EXPECT_EQ(ev["type"], "io.nats.server.advisory.v1.client_connect");
  EXPECT_EQ(ev["id"], "ID1");
  EXPECT_EQ(ev["timestamp"], FormatTime(kT0 + kSecond));
  EXPECT_EQ(Keys(ev["client"]),
            std::vector<std::string>({"start", "host", "id", "acc", "user", "name", "lang", "ver",
                                      "kind", "client_type"}));
  EXPECT_EQ(ev["client"]["acc"], "APP");
  EXPECT_EQ(ev["client"]["user"], "app");
  EXPECT_EQ(ev["client"]["id"], 7);
  EXPECT_EQ(ev["client"]["kind"], "Client");
  EXPECT_EQ(ev["client"]["client_type"], "nats");
}

TEST(SystemEventsTest, DisconnectEventCountsFromTheClientsSide) {
  server::ConnectionInfo c = AppConnection();
  c.stop_ns = kT0 + 2 * kSecond;
  c.reason = "Client Closed";
  Json ev = DisconnectEventJson("ID2", ServerInfoJson(Identity(), 2, kT0), c);
  EXPECT_EQ(Keys(ev), std::vector<std::string>({"type", "id", "timestamp", "server", "client",
                                                "sent", "received", "reason"}));
  EXPECT_EQ(ev["type"], "io.nats.server.advisory.v1.client_disconnect");
  EXPECT_EQ(ev["timestamp"], FormatTime(c.stop_ns));
  EXPECT_EQ(ev["client"]["stop"], FormatTime(c.stop_ns));
  EXPECT_EQ(ev["client"]["rtt"], 1500);  // a Go time.Duration: nanoseconds
  // "sent" is what the client sent (the server's in_*), "received" what it was sent.
  EXPECT_EQ(ev["sent"], Json({{"msgs", 3}, {"bytes", 30}}));
  EXPECT_EQ(ev["received"], Json({{"msgs", 4}, {"bytes", 40}}));
  EXPECT_EQ(ev["reason"], "Client Closed");
}

TEST(SystemEventsTest, ClientInfoOmitsEmptyFields) {
  server::ConnectionInfo c;
  c.cid = 1;
  c.account = "APP";
  Json ci = ClientInfoJson(c);
  EXPECT_EQ(Keys(ci), std::vector<std::string>({"start", "id", "acc", "kind", "client_type"}));
}

TEST(SystemEventsTest, StatszMessage) {
  ServerStatsValues v;
  v.start_ns = kT0;
  v.mem = 1 << 20;
  v.cores = 2;
  v.cpu = 1.5;
  v.connections = 3;
  v.total_connections = 9;
  v.active_accounts = 2;
  v.subscriptions = 40;
  v.sent_msgs = 5;
  v.received_msgs = 6;
  Json m = ServerStatsJson(ServerInfoJson(Identity(), 3, kT0), v);
  EXPECT_EQ(Keys(m), std::vector<std::string>({"server", "statsz"}));
  EXPECT_EQ(Keys(m["statsz"]),
            std::vector<std::string>({"start", "mem", "cores", "cpu", "connections",
                                      "total_connections", "active_accounts", "subscriptions",
                                      "sent", "received", "slow_consumers", "active_servers"}));
  EXPECT_EQ(m["statsz"]["sent"], Json({{"msgs", 5}, {"bytes", 0}}));
  EXPECT_EQ(m["statsz"]["received"], Json({{"msgs", 6}, {"bytes", 0}}));
  v.jetstream = Json{{"config", Json::object()}};
  EXPECT_TRUE(
      ServerStatsJson(ServerInfoJson(Identity(), 4, kT0), v)["statsz"].contains("jetstream"));
}

TEST(SystemEventsTest, AccountConnsEvent) {
  AccountConnsValues v{.account = "APP", .connections = 2, .sent_msgs = 1};
  Json ev = AccountConnsEventJson("ID3", kT0, ServerInfoJson(Identity(), 5, kT0), v);
  EXPECT_EQ(Keys(ev), std::vector<std::string>({"type", "id", "timestamp", "server", "acc", "conns",
                                                "leafnodes", "total_conns", "sent", "received",
                                                "slow_consumers"}));
  EXPECT_EQ(ev["type"], "io.nats.server.advisory.v1.account_connections");
  EXPECT_EQ(ev["conns"], 2);
  EXPECT_EQ(ev["total_conns"], 2);
}

TEST(SystemEventsTest, AccountStatz) {
  Json data = AccountStatzJson("NABC", kT0, {{.account = "APP", .connections = 1}});
  EXPECT_EQ(Keys(data), std::vector<std::string>({"server_id", "now", "account_statz"}));
  ASSERT_EQ(data["account_statz"].size(), 1u);
  EXPECT_EQ(Keys(data["account_statz"][0]),
            std::vector<std::string>({"acc", "conns", "leafnodes", "total_conns", "sent",
                                      "received", "slow_consumers"}));
}

TEST(SystemEventsTest, ApiResponses) {
  Json ok = ApiResponseJson(ServerInfoJson(Identity(), 1, kT0), Json{{"x", 1}});
  EXPECT_EQ(Keys(ok), std::vector<std::string>({"server", "data"}));
  Json bad = ApiErrorJson(ServerInfoJson(Identity(), 2, kT0), 400, "nope");
  EXPECT_EQ(Keys(bad), std::vector<std::string>({"server", "error"}));
  EXPECT_EQ(bad["error"], Json({{"code", 400}, {"description", "nope"}}));
  // An endpoint that failed: nats-server writes "data": null as well.
  Json failed = ApiErrorJson(ServerInfoJson(Identity(), 3, kT0), 500, "boom", true);
  EXPECT_EQ(Keys(failed), std::vector<std::string>({"server", "data", "error"}));
  EXPECT_TRUE(failed["data"].is_null());
}

TEST(SystemEventsTest, EventIdsLookLikeNuids) {
  EventIds ids;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = ids.Next();
    ASSERT_EQ(id.size(), 22u);
    for (char c : id) ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace spate::monitor
