// The HTTP monitoring endpoints (-m): nats-server's JSON field names and types, exact counters
// with real clients, query parameters, the closed-connection ring, /healthz and /metrics. The
// compat test runs the same scenario against Debian's nats-server and compares the keys.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "integration/server_fixture.h"
#include "support/wait_for.h"
#include "support/wire_client.h"

namespace spate::test {
namespace {

using nlohmann::json;

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  json Json() const { return json::parse(body, nullptr, /*allow_exceptions=*/false); }
};

// Parses one HTTP/1.1 response from the front of `raw` (Content-Length framing; a reply to
// HEAD has none of the body it announces); erases it.
std::optional<HttpReply> ParseReply(std::string* raw, bool head = false) {
  size_t end = raw->find("\r\n\r\n");
  if (end == std::string::npos || raw->rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
  HttpReply reply;
  reply.status = std::stoi(raw->substr(9, 3));
  std::istringstream lines(raw->substr(0, end));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
  }
  if (reply.headers["transfer-encoding"] == "chunked") {  // nats-server's larger replies
    size_t at = end + 4;
    for (;;) {
      size_t eol = raw->find("\r\n", at);
      if (eol == std::string::npos) return std::nullopt;
      size_t size = std::stoul(raw->substr(at, eol - at), nullptr, 16);
      if (raw->size() < eol + 2 + size + 2) return std::nullopt;
      reply.body += raw->substr(eol + 2, size);
      at = eol + 2 + size + 2;
      if (size == 0) break;
    }
    raw->erase(0, at);
    return reply;
  }
  size_t length = head ? 0 : std::stoul(reply.headers["content-length"]);
  if (raw->size() < end + 4 + length) return std::nullopt;
  reply.body = raw->substr(end + 4, length);
  raw->erase(0, end + 4 + length);
  return reply;
}

// One request on a fresh connection ("Connection: close"), read to the end.
HttpReply HttpGet(int port, const std::string& target, const std::string& method = "GET") {
  WireClient wire;
  EXPECT_TRUE(wire.Connect(port)) << wire.error();
  EXPECT_TRUE(wire.Send(method + " " + target +
                        " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
  std::string raw;
  EXPECT_TRUE(wire.ExpectClosed(10s, &raw)) << target;
  auto reply = ParseReply(&raw, method == "HEAD");
  EXPECT_TRUE(reply) << target << ": " << raw;
  return reply.value_or(HttpReply{});
}

TestServerOptions WithArgs(std::vector<std::string> args, std::string config = "") {
  TestServerOptions options;
  options.args = std::move(args);
  options.config = std::move(config);
  return options;
}

json GetJson(int port, const std::string& target) {
  HttpReply reply = HttpGet(port, target);
  EXPECT_EQ(reply.status, 200) << target << ": " << reply.body;
  EXPECT_EQ(reply.headers["content-type"], "application/json") << target;
  json j = reply.Json();
  EXPECT_FALSE(j.is_discarded()) << target << ": " << reply.body;
  return j;
}

// The monitor port from the line both servers log: "Starting http monitor on HOST:PORT".
int MonitorPort(const TestServer& server) {
  constexpr std::string_view kLine = "Starting http monitor on ";
  int port = 0;
  WaitFor(
      [&] {
        std::string log = server.Log();
        size_t at = log.find(kLine);
        if (at == std::string::npos) return false;
        size_t eol = log.find('\n', at);
        std::string hostport = log.substr(at + kLine.size(), eol - at - kLine.size());
        port = std::stoi(hostport.substr(hostport.rfind(':') + 1));
        return true;
      },
      5s);
  return port;
}

// JSON type names with Go's number printing folded away (Go writes a float64 0 as "0").
std::string TypeOf(const json& v) {
  if (v.is_number()) return "number";
  return v.type_name();
}

// The connections, subscriptions and traffic every test counts on:
//   alpha: SUB orders.* and orders.new      beta: SUB orders.new (queue workers) and audit.>
//   gamma: SUB other; publishes 10 x 16 B to orders.new and 4 x 8 B to audit.x
// Each orders.new message reaches alpha twice and one workers member (beta): 30 deliveries;
// each audit.x reaches beta once: 4. In: 14 msgs, 192 B. Out: 34 msgs, 512 B.
struct Scenario {
  NatsConnection alpha, beta, gamma;
  std::vector<NatsSubscription> subs;
  MessageCollector alpha_msgs{false}, beta_msgs{false};

  void Run(const std::string& url) {
    alpha = Open(url, "alpha");
    beta = Open(url, "beta");
    gamma = Open(url, "gamma");
    ASSERT_TRUE(alpha && beta && gamma);
    Subscribe(alpha.get(), "orders.*", nullptr, &alpha_msgs);
    Subscribe(alpha.get(), "orders.new", nullptr, &alpha_msgs);
    Subscribe(beta.get(), "orders.new", "workers", &beta_msgs);
    Subscribe(beta.get(), "audit.>", nullptr, &beta_msgs);
    Subscribe(gamma.get(), "other", nullptr, &beta_msgs);
    for (natsConnection* c : {alpha.get(), beta.get(), gamma.get()}) {
      ASSERT_EQ(natsConnection_Flush(c), NATS_OK);
    }
    const std::string sixteen(16, 'x'), eight(8, 'y');
    for (int i = 0; i < 10; ++i) {
      ASSERT_EQ(natsConnection_Publish(gamma.get(), "orders.new", sixteen.data(), 16), NATS_OK);
    }
    for (int i = 0; i < 4; ++i) {
      ASSERT_EQ(natsConnection_Publish(gamma.get(), "audit.x", eight.data(), 8), NATS_OK);
    }
    ASSERT_EQ(natsConnection_Flush(gamma.get()), NATS_OK);
    ASSERT_TRUE(WaitFor([&] { return alpha_msgs.count() == 20 && beta_msgs.count() == 14; }, 5s))
        << alpha_msgs.count() << " " << beta_msgs.count();
  }

  static NatsConnection Open(const std::string& url, const char* name) {
    NatsConnection conn;
    natsStatus s = Connect(url, &conn, [name](natsOptions* o) { natsOptions_SetName(o, name); });
    EXPECT_EQ(s, NATS_OK) << natsStatus_GetText(s);
    return conn;
  }

  void Subscribe(natsConnection* conn, const char* subject, const char* queue,
                 MessageCollector* into) {
    natsSubscription* raw = nullptr;
    natsStatus s = queue != nullptr ? natsConnection_QueueSubscribe(&raw, conn, subject, queue,
                                                                    MessageCollector::OnMsg, into)
                                    : natsConnection_Subscribe(&raw, conn, subject,
                                                               MessageCollector::OnMsg, into);
    ASSERT_EQ(s, NATS_OK);
    subs.emplace_back(raw);
  }
};

// The system account's subscriptions, STATSZ heartbeats and events would move the exact
// counters these tests check: they run without one (TEST_F(MonitorTest, SystemAccount...)
// covers the default).
constexpr const char* kNoSystemAccount = "no_system_account: true\n";

class MonitorTest : public ServerTest {
 protected:
  TestServerOptions ServerOptions() const override {
    return WithArgs({"-m", "-1"}, kNoSystemAccount);
  }

  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    http_port_ = MonitorPort(*server_);
    ASSERT_GT(http_port_, 0) << server_->Log();
  }

  void RunScenario() { ASSERT_NO_FATAL_FAILURE(scenario_.Run(server_->url())); }

  json Connection(const json& connz, const std::string& name) {
    for (const json& c : connz["connections"]) {
      if (c.value("name", "") == name) return c;
    }
    ADD_FAILURE() << "no connection named " << name << " in " << connz.dump(2);
    return json::object();
  }

  int http_port_ = 0;
  Scenario scenario_;
};

TEST_F(MonitorTest, LogsTheMonitorLineBeforeListening) {
  std::string log = server_->Log();
  size_t monitor = log.find("Starting http monitor on 127.0.0.1:" + std::to_string(http_port_));
  ASSERT_NE(monitor, std::string::npos) << log;
  EXPECT_LT(monitor, log.find("Listening for client connections on"));
}

TEST_F(MonitorTest, IndexPageLinksTheEndpoints) {
  HttpReply reply = HttpGet(http_port_, "/");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.headers["content-type"], "text/html; charset=utf-8");
  for (const char* path : {"varz", "connz", "subsz", "routez", "accountz", "healthz", "metrics"}) {
    EXPECT_NE(reply.body.find(std::string("./") + path), std::string::npos) << path;
  }
}

TEST_F(MonitorTest, VarzCountsConnectionsSubscriptionsAndMessages) {
  RunScenario();
  json v = GetJson(http_port_, "/varz");
  EXPECT_EQ(v["server_id"].get<std::string>().size(), 56u);
  EXPECT_EQ(v["server_name"], v["server_id"]);
  EXPECT_EQ(v["version"], "2.10.0");
  EXPECT_EQ(v["proto"], 1);
  EXPECT_EQ(v["host"], "127.0.0.1");
  EXPECT_EQ(v["port"], server_->port());
  EXPECT_EQ(v["max_connections"], 65536);
  EXPECT_EQ(v["ping_interval"], 120000000000LL);
  EXPECT_EQ(v["ping_max"], 2);
  EXPECT_EQ(v["http_host"], "127.0.0.1");
  EXPECT_EQ(v["http_port"], -1);  // as configured, as nats-server reports it
  EXPECT_EQ(v["auth_timeout"], 2);
  EXPECT_EQ(v["max_control_line"], 4096);
  EXPECT_EQ(v["max_payload"], 1048576);
  EXPECT_EQ(v["max_pending"], 67108864);
  EXPECT_EQ(v["write_deadline"], 10000000000LL);
  for (const char* section : {"cluster", "gateway", "leaf", "mqtt", "websocket", "jetstream"}) {
    EXPECT_TRUE(v[section].is_object()) << section;
  }
  for (const char* time : {"start", "now", "config_load_time"}) {
    EXPECT_TRUE(v[time].is_string() && v[time].get<std::string>().back() == 'Z') << time;
  }
  EXPECT_TRUE(v["uptime"].is_string());
  EXPECT_GT(v["mem"].get<int64_t>(), 0);
  EXPECT_GE(v["cores"].get<int>(), 1);
  EXPECT_GE(v["gomaxprocs"].get<int>(), 1);
  EXPECT_TRUE(v["cpu"].is_number());
  EXPECT_EQ(v["connections"], 3);
  EXPECT_EQ(v["total_connections"], 3);
  EXPECT_EQ(v["routes"], 0);
  EXPECT_EQ(v["remotes"], 0);
  EXPECT_EQ(v["leafnodes"], 0);
  EXPECT_EQ(v["in_msgs"], 14);
  EXPECT_EQ(v["in_bytes"], 192);
  EXPECT_EQ(v["out_msgs"], 34);
  EXPECT_EQ(v["out_bytes"], 512);
  EXPECT_EQ(v["slow_consumers"], 0);
  EXPECT_EQ(v["subscriptions"], 5);
  EXPECT_EQ(v["http_req_stats"], json({{"/varz", 1}}));  // counted before it is answered
  EXPECT_EQ(v["slow_consumer_stats"]["clients"], 0);
  EXPECT_EQ(GetJson(http_port_, "/varz")["http_req_stats"]["/varz"], 2);
}

TEST_F(MonitorTest, ConnzReportsEachConnection) {
  RunScenario();
  json connz = GetJson(http_port_, "/connz");
  EXPECT_EQ(connz["server_id"].get<std::string>().size(), 56u);
  EXPECT_TRUE(connz["now"].is_string());
  EXPECT_EQ(connz["num_connections"], 3);
  EXPECT_EQ(connz["total"], 3);
  EXPECT_EQ(connz["offset"], 0);
  EXPECT_EQ(connz["limit"], 1024);
  ASSERT_EQ(connz["connections"].size(), 3u);
  std::vector<uint64_t> cids;
  for (const json& c : connz["connections"]) {
    cids.push_back(c["cid"]);
    EXPECT_EQ(c["kind"], "Client");
    EXPECT_EQ(c["type"], "nats");
    EXPECT_EQ(c["ip"], "127.0.0.1");
    EXPECT_GT(c["port"].get<int>(), 0);
    for (const char* key : {"start", "last_activity", "rtt", "uptime", "idle", "lang", "version"}) {
      EXPECT_TRUE(c[key].is_string()) << key;
    }
    EXPECT_EQ(c["lang"], "C");
    EXPECT_EQ(c["pending_bytes"], 0);
    EXPECT_FALSE(c.contains("subscriptions_list"));
    EXPECT_FALSE(c.contains("stop"));
  }
  EXPECT_TRUE(std::is_sorted(cids.begin(), cids.end()));
  json alpha = Connection(connz, "alpha"), beta = Connection(connz, "beta");
  json gamma = Connection(connz, "gamma");
  EXPECT_EQ(alpha["subscriptions"], 2);
  EXPECT_EQ(alpha["out_msgs"], 20);
  EXPECT_EQ(alpha["out_bytes"], 320);
  EXPECT_EQ(alpha["in_msgs"], 0);
  EXPECT_EQ(beta["subscriptions"], 2);
  EXPECT_EQ(beta["out_msgs"], 14);
  EXPECT_EQ(beta["out_bytes"], 192);
  EXPECT_EQ(gamma["subscriptions"], 1);
  EXPECT_EQ(gamma["in_msgs"], 14);
  EXPECT_EQ(gamma["in_bytes"], 192);
  EXPECT_EQ(gamma["out_msgs"], 0);
  EXPECT_GE(gamma["last_activity"].get<std::string>(), gamma["start"].get<std::string>());
}

TEST_F(MonitorTest, ConnzSortsPagesAndListsSubscriptions) {
  RunScenario();
  auto names = [](const json& connz) {
    std::vector<std::string> out;
    for (const json& c : connz["connections"]) out.push_back(c.value("name", ""));
    return out;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(names(GetJson(http_port_, "/connz?sort=msgs_to")), Names({"alpha", "beta", "gamma"}));
  EXPECT_EQ(names(GetJson(http_port_, "/connz?sort=bytes_from")),
            Names({"gamma", "alpha", "beta"}));
  EXPECT_EQ(names(GetJson(http_port_, "/connz?sort=subs")), Names({"alpha", "beta", "gamma"}));

  json page = GetJson(http_port_, "/connz?sort=msgs_to&limit=1&offset=1");
  EXPECT_EQ(names(page), Names({"beta"}));
  EXPECT_EQ(page["num_connections"], 1);
  EXPECT_EQ(page["total"], 3);
  EXPECT_EQ(page["offset"], 1);
  EXPECT_EQ(page["limit"], 1);

  const json alpha = Connection(GetJson(http_port_, "/connz?subs=1"), "alpha");
  std::set<std::string> alpha_subs;
  for (const json& s : alpha["subscriptions_list"]) alpha_subs.insert(s);
  EXPECT_EQ(alpha_subs, std::set<std::string>({"orders.*", "orders.new"}));

  json detail = GetJson(http_port_, "/connz?subs=detail");
  json beta = Connection(detail, "beta");
  ASSERT_EQ(beta["subscriptions_list_detail"].size(), 2u);
  for (const json& s : beta["subscriptions_list_detail"]) {
    EXPECT_EQ(s["cid"], beta["cid"]);
    if (s["subject"] == "orders.new") {
      EXPECT_EQ(s["qgroup"], "workers");
      EXPECT_EQ(s["msgs"], 10);
    } else {
      EXPECT_EQ(s["subject"], "audit.>");
      EXPECT_EQ(s["msgs"], 4);
    }
  }

  const uint64_t gamma_cid = Connection(GetJson(http_port_, "/connz"), "gamma")["cid"];
  json one = GetJson(http_port_, "/connz?cid=" + std::to_string(gamma_cid));
  EXPECT_EQ(names(one), Names({"gamma"}));
  EXPECT_EQ(one["limit"], 1);

  HttpReply bad = HttpGet(http_port_, "/connz?sort=bogus");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, "invalid sorting option: bogus");
  EXPECT_EQ(HttpGet(http_port_, "/connz?sort=stop").body,
            "sort by stop only valid on closed connections");
  EXPECT_EQ(HttpGet(http_port_, "/connz?state=x").body, "Error decoding state for x");
  EXPECT_EQ(HttpGet(http_port_, "/connz?limit=abc").status, 400);
}

TEST_F(MonitorTest, ClosedConnectionsKeepTheirReasonAndCounters) {
  RunScenario();
  natsConnection_Close(scenario_.beta.get());
  WireClient rude;
  ASSERT_TRUE(rude.Connect(server_->port()));
  ASSERT_TRUE(rude.ReadLine());
  ASSERT_TRUE(rude.Send("CONNECT {\"verbose\":false,\"name\":\"rude\"}\r\nBOGUS\r\n"));
  ASSERT_TRUE(rude.ExpectClosed());

  json closed;
  ASSERT_TRUE(WaitFor(
      [&] {
        closed = GetJson(http_port_, "/connz?state=closed&subs=1");
        return closed["num_connections"] == 2;
      },
      5s))
      << closed.dump(2);
  EXPECT_EQ(closed["total"], 2);
  json beta = Connection(closed, "beta");
  EXPECT_EQ(beta["reason"], "Client Closed");
  EXPECT_TRUE(beta["stop"].is_string());
  EXPECT_GE(beta["stop"].get<std::string>(), beta["start"].get<std::string>());
  EXPECT_EQ(beta["out_msgs"], 14);
  EXPECT_EQ(beta["subscriptions"], 2);
  std::set<std::string> subs;
  for (const json& s : beta["subscriptions_list"]) subs.insert(s);
  EXPECT_EQ(subs, std::set<std::string>({"orders.new", "audit.>"}));
  EXPECT_EQ(Connection(closed, "rude")["reason"], "Protocol Violation");

  json by_reason = GetJson(http_port_, "/connz?state=closed&sort=reason");
  ASSERT_EQ(by_reason["connections"].size(), 2u);
  EXPECT_EQ(by_reason["connections"][0]["reason"], "Client Closed");
  json all = GetJson(http_port_, "/connz?state=all");
  EXPECT_EQ(all["total"], 4);
  EXPECT_EQ(GetJson(http_port_, "/connz")["num_connections"], 2);
  json v = GetJson(http_port_, "/varz");
  EXPECT_EQ(v["connections"], 2);
  EXPECT_EQ(v["total_connections"], 4);
  EXPECT_EQ(v["subscriptions"], 3);
}

TEST_F(MonitorTest, SubszCountsAndListsSubscriptions) {
  RunScenario();
  json s = GetJson(http_port_, "/subsz");
  EXPECT_FALSE(s.contains("subscriptions_list"));
  EXPECT_EQ(s["num_subscriptions"], 5);
  EXPECT_EQ(s["num_inserts"], 5);
  EXPECT_EQ(s["num_removes"], 0);
  EXPECT_EQ(s["num_matches"], 14);  // one per publish: 2 misses, then cache hits
  EXPECT_EQ(s["num_cache"], 2);
  EXPECT_NEAR(s["cache_hit_rate"].get<double>(), 12.0 / 14.0, 1e-9);
  EXPECT_EQ(s["max_fanout"], 3);  // orders.new: two plain subscribers and one queue group
  EXPECT_EQ(s["avg_fanout"], 2);

  json list = GetJson(http_port_, "/subsz?subs=1");
  EXPECT_EQ(list["total"], 5);
  EXPECT_EQ(list["limit"], 1024);
  ASSERT_EQ(list["subscriptions_list"].size(), 5u);
  for (const json& d : list["subscriptions_list"]) {
    EXPECT_EQ(d["account"], "$G");
    EXPECT_TRUE(d["sid"].is_string());
    EXPECT_TRUE(d["cid"].is_number());
  }
  json matched = GetJson(http_port_, "/subsz?subs=1&test=orders.new");
  std::multiset<std::string> subjects;
  for (const json& d : matched["subscriptions_list"]) subjects.insert(d["subject"]);
  EXPECT_EQ(subjects, std::multiset<std::string>({"orders.*", "orders.new", "orders.new"}));
  EXPECT_EQ(GetJson(http_port_, "/subsz?subs=1&test=audit.x")["total"], 1);
  EXPECT_EQ(GetJson(http_port_, "/subsz?subs=1&limit=2&offset=4")["total"], 1);
  HttpReply bad = HttpGet(http_port_, "/subsz?test=orders.*");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, "invalid test subject, must be valid publish subject: orders.*");
}

TEST_F(MonitorTest, ClusterEndpointsAreEmpty) {
  json routez = GetJson(http_port_, "/routez");
  EXPECT_EQ(routez["num_routes"], 0);
  EXPECT_EQ(routez["routes"], json::array());
  json gatewayz = GetJson(http_port_, "/gatewayz");
  EXPECT_EQ(gatewayz["outbound_gateways"], json::object());
  EXPECT_EQ(gatewayz["inbound_gateways"], json::object());
  json leafz = GetJson(http_port_, "/leafz");
  EXPECT_EQ(leafz["leafnodes"], 0);
  EXPECT_EQ(leafz["leafs"], json::array());
}

TEST_F(MonitorTest, AccountzListsAndDescribesAccounts) {
  RunScenario();
  EXPECT_EQ(GetJson(http_port_, "/accountz")["accounts"], json::array({"$G"}));
  json detail = GetJson(http_port_, "/accountz?acc=%24G")["account_detail"];
  EXPECT_EQ(detail["account_name"], "$G");
  EXPECT_EQ(detail["client_connections"], 3);
  EXPECT_EQ(detail["subscriptions"], 5);
  EXPECT_EQ(detail["sublist_stats"]["num_subscriptions"], 5);
  HttpReply missing = HttpGet(http_port_, "/accountz?acc=NOPE");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body, "Account NOPE does not exist");
}

// By default the server has a system account, $SYS, listed by /accountz and named by /varz
// (as nats-server); with no_system_account (the fixture) it has none.
TEST(MonitorSystemAccountTest, DefaultSystemAccountIsListed) {
  for (bool nats : {false, true}) {
    TestServerOptions options = WithArgs({"-m", "-1"});
    auto server = nats ? TestServer::NatsServer(options) : TestServer::Spate(options);
    ASSERT_TRUE(server->Start()) << server->error();
    int port = MonitorPort(*server);
    json accountz = GetJson(port, "/accountz");
    EXPECT_EQ(accountz["system_account"], "$SYS") << nats;
    std::set<std::string> names(accountz["accounts"].begin(), accountz["accounts"].end());
    EXPECT_EQ(names, std::set<std::string>({"$G", "$SYS"})) << nats;
    EXPECT_EQ(GetJson(port, "/accountz?acc=%24SYS")["account_detail"]["is_system"], true) << nats;
    EXPECT_EQ(GetJson(port, "/varz")["system_account"], "$SYS") << nats;
  }
}

TEST_F(MonitorTest, NoSystemAccountOption) {
  EXPECT_EQ(GetJson(http_port_, "/accountz")["accounts"], json::array({"$G"}));
  EXPECT_FALSE(GetJson(http_port_, "/accountz").contains("system_account"));
  EXPECT_FALSE(GetJson(http_port_, "/varz").contains("system_account"));
}

TEST_F(MonitorTest, HealthzIsOkAndAcceptsJetStreamParams) {
  for (const char* target :
       {"/healthz", "/healthz?js-enabled-only=true", "/healthz?js-server-only=1"}) {
    HttpReply reply = HttpGet(http_port_, target);
    EXPECT_EQ(reply.status, 200) << target;
    EXPECT_EQ(reply.body, "{\"status\":\"ok\"}") << target;
  }
  EXPECT_EQ(HttpGet(http_port_, "/healthz?js-enabled-only=maybe").status, 400);
}

TEST_F(MonitorTest, HttpBasics) {
  HttpReply missing = HttpGet(http_port_, "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "404 page not found\n");
  EXPECT_EQ(HttpGet(http_port_, "/varz", "POST").status, 405);
  HttpReply head = HttpGet(http_port_, "/healthz", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());  // Content-Length of the GET body, no body
  HttpReply jsonp = HttpGet(http_port_, "/healthz?callback=cb");
  EXPECT_EQ(jsonp.headers["content-type"], "application/javascript");
  EXPECT_EQ(jsonp.body, "cb({\"status\":\"ok\"})");

  // Keep-alive: two requests on one connection, pipelined.
  WireClient wire;
  ASSERT_TRUE(wire.Connect(http_port_));
  ASSERT_TRUE(wire.Send("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGET /routez HTTP/1.1\r\n\r\n"));
  std::string raw;
  std::optional<HttpReply> first, second;
  ASSERT_TRUE(WaitFor(
      [&] {
        if (!wire.ReadSome(std::chrono::steady_clock::now() + 100ms)) return false;
        raw += wire.buffered();
        wire.Consume(wire.buffered().size());
        if (!first) first = ParseReply(&raw);
        if (first && !second) second = ParseReply(&raw);
        return second.has_value();
      },
      5s));
  EXPECT_EQ(first->body, "{\"status\":\"ok\"}");
  EXPECT_EQ(first->headers["connection"], "keep-alive");
  EXPECT_NE(second->body.find("num_routes"), std::string::npos);
}

// Minimal Prometheus text-format reader: families with their HELP/TYPE and unlabelled values.
struct Metrics {
  std::map<std::string, std::string> help, type;
  std::map<std::string, double> values;  // "name" or "name{labels}"
  std::vector<std::string> errors;

  explicit Metrics(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      std::istringstream words(line);
      std::string first, name;
      if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
        std::string hash, kind, rest;
        words >> hash >> kind >> name;
        std::getline(words, rest);
        (kind == "HELP" ? help : type)[name] = rest.empty() ? "" : rest.substr(1);
        if (kind == "TYPE" && rest != " counter" && rest != " gauge" && rest != " histogram") {
          errors.push_back("bad type: " + line);
        }
        continue;
      }
      size_t space = line.rfind(' ');
      std::string series = line.substr(0, space);
      name = series.substr(0, series.find('{'));
      // A histogram's samples are <name>_bucket{le=...}, <name>_sum and <name>_count.
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        std::string base = name.substr(0, name.size() - std::strlen(suffix));
        if (name.ends_with(suffix) && type[base] == "histogram") name = base;
      }
      if (!help.contains(name) || !type.contains(name)) errors.push_back("no HELP/TYPE: " + line);
      if (type[name] == "counter" && name.size() > 6 &&
          name.compare(name.size() - 6, 6, "_total") != 0) {
        errors.push_back("counter without _total: " + line);
      }
      values[series] = std::stod(line.substr(space + 1));
    }
  }
};

TEST_F(MonitorTest, MetricsAreWellFormedAndMatchVarz) {
  RunScenario();
  HttpReply reply = HttpGet(http_port_, "/metrics");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  Metrics m(reply.body);
  EXPECT_TRUE(m.errors.empty()) << ::testing::PrintToString(m.errors);
  json v = GetJson(http_port_, "/varz");
  const std::map<std::string, std::string> same = {
      {"spate_connections", "connections"},     {"spate_connections_total", "total_connections"},
      {"spate_in_msgs_total", "in_msgs"},       {"spate_out_msgs_total", "out_msgs"},
      {"spate_in_bytes_total", "in_bytes"},     {"spate_out_bytes_total", "out_bytes"},
      {"spate_subscriptions", "subscriptions"}, {"spate_slow_consumers_total", "slow_consumers"},
      {"spate_event_loops", "gomaxprocs"},      {"spate_routes", "routes"},
  };
  for (const auto& [metric, key] : same) {
    ASSERT_TRUE(m.values.contains(metric)) << metric;
    EXPECT_EQ(m.values[metric], v[key].get<double>()) << metric;
  }
  json s = GetJson(http_port_, "/subsz");
  EXPECT_EQ(m.values["spate_subscription_matches_total"], s["num_matches"].get<double>());
  EXPECT_EQ(m.values["spate_subscription_inserts_total"], 5);
  EXPECT_EQ(m.values["spate_server_info{server_id=\"" + v["server_id"].get<std::string>() +
                     "\",server_name=\"" + v["server_name"].get<std::string>() +
                     "\",version=\"2.10.0\",spate_version=\"" +
                     v["spate_version"].get<std::string>() + "\"}"],
            1);
  EXPECT_EQ(m.values["spate_connections_closed_total{reason=\"Client Closed\"}"], 0);
}

class MonitorSlowConsumerTest : public MonitorTest {
 protected:
  TestServerOptions ServerOptions() const override {
    return WithArgs({"-m", "-1"},
                    std::string(kNoSystemAccount) + "max_payload: 32KB\nmax_pending: 64KB\n");
  }
};

TEST_F(MonitorSlowConsumerTest, SlowConsumerIsCountedAndRingedWithItsReason) {
  WireClient stalled;
  stalled.set_receive_buffer_size(4096);
  ASSERT_TRUE(stalled.Connect(server_->port()));
  ASSERT_TRUE(stalled.ReadLine());
  ASSERT_TRUE(
      stalled.Send("CONNECT {\"verbose\":false,\"name\":\"slow\"}\r\nSUB feed 1\r\nPING\r\n"));
  ASSERT_EQ(stalled.ReadLine(), "PONG\r\n");
  NatsConnection pub = Scenario::Open(server_->url(), "pub");
  const std::string body(4096, 's');
  // 16 MiB: far past the socket buffers of the reader that never reads.
  for (int i = 0; i < 4096; ++i) {
    ASSERT_EQ(natsConnection_Publish(pub.get(), "feed", body.data(), 4096), NATS_OK);
  }
  ASSERT_EQ(natsConnection_Flush(pub.get()), NATS_OK);
  ASSERT_TRUE(WaitFor([&] { return GetJson(http_port_, "/varz")["slow_consumers"] == 1; }, 10s))
      << server_->Log() << GetJson(http_port_, "/connz?state=all").dump(2);
  json closed = GetJson(http_port_, "/connz?state=closed");
  EXPECT_EQ(Connection(closed, "slow")["reason"], "Slow Consumer (Pending Bytes)");
  Metrics m(HttpGet(http_port_, "/metrics").body);
  EXPECT_EQ(m.values["spate_slow_consumers_total"], 1);
  EXPECT_EQ(m.values["spate_connections_closed_total{reason=\"Slow Consumer (Pending Bytes)\"}"],
            1);
}

class MonitorJetStreamTest : public MonitorTest {
 protected:
  TestServerOptions ServerOptions() const override {
    return WithArgs({"-m", "-1", "-js"}, kNoSystemAccount);
  }
};

// /jsz with a stream and a consumer: nats-server's totals, and the details on request.
TEST_F(MonitorJetStreamTest, JszReportsStreamsAndConsumers) {
  NatsConnection nc;
  ASSERT_EQ(spate::test::Connect(server_->url(), &nc), NATS_OK);
  jsCtx* js = nullptr;
  ASSERT_EQ(natsConnection_JetStream(&js, nc.get(), nullptr), NATS_OK);
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = "ORDERS";
  const char* subjects[] = {"orders.>"};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  jsStreamInfo* si = nullptr;
  ASSERT_EQ(js_AddStream(&si, js, &cfg, nullptr, nullptr), NATS_OK);
  jsStreamInfo_Destroy(si);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(js_Publish(nullptr, js, "orders.new", "x", 1, nullptr, nullptr), NATS_OK);
  }
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = "audit";
  cc.AckPolicy = js_AckExplicit;
  jsConsumerInfo* ci = nullptr;
  ASSERT_EQ(js_AddConsumer(&ci, js, "ORDERS", &cc, nullptr, nullptr), NATS_OK);
  jsConsumerInfo_Destroy(ci);
  jsCtx_Destroy(js);

  json totals = GetJson(http_port_, "/jsz");
  EXPECT_EQ(totals["streams"], 1) << totals.dump();
  EXPECT_EQ(totals["consumers"], 1);
  EXPECT_EQ(totals["messages"], 3);
  EXPECT_GT(totals["storage"].get<int64_t>(), 0);
  EXPECT_TRUE(totals["config"]["store_dir"].get<std::string>().ends_with("/jetstream"));
  EXPECT_EQ(totals["api"]["total"], 2);  // stream create, consumer create
  EXPECT_FALSE(totals.contains("account_details"));

  json detail = GetJson(http_port_, "/jsz?consumers=true&config=true");
  ASSERT_EQ(detail["account_details"].size(), 1u) << detail.dump();
  json account = detail["account_details"][0];
  EXPECT_EQ(account["name"], "$G");
  ASSERT_EQ(account["stream_detail"].size(), 1u);
  json stream = account["stream_detail"][0];
  EXPECT_EQ(stream["name"], "ORDERS");
  EXPECT_EQ(stream["config"]["subjects"][0], "orders.>");
  EXPECT_EQ(stream["state"]["messages"], 3);
  ASSERT_EQ(stream["consumer_detail"].size(), 1u);
  EXPECT_EQ(stream["consumer_detail"][0]["name"], "audit");
  EXPECT_EQ(stream["consumer_detail"][0]["num_pending"], 3);

  json varz = GetJson(http_port_, "/varz");
  EXPECT_EQ(varz["jetstream"]["config"]["store_dir"], totals["config"]["store_dir"]);
  EXPECT_TRUE(varz["jetstream"]["stats"].contains("api")) << varz["jetstream"].dump();
  EXPECT_EQ(HttpGet(http_port_, "/jsz?accounts=maybe").status, 400);

  Metrics metrics(HttpGet(http_port_, "/metrics").body);
  EXPECT_TRUE(metrics.errors.empty()) << metrics.errors.front();
  EXPECT_EQ(metrics.values["spate_jetstream_streams"], 1);
  EXPECT_EQ(metrics.values["spate_jetstream_stream_messages{account=\"$G\",stream=\"ORDERS\"}"], 3);
  EXPECT_EQ(metrics.values["spate_jetstream_consumer_pending{account=\"$G\",stream=\"ORDERS\","
                           "consumer=\"audit\"}"],
            3);
  // The fsync histogram: the publishes above were synced (sync always), buckets are cumulative
  // and +Inf is the count.
  const std::string fsync = "spate_jetstream_store_fsync_seconds";
  EXPECT_EQ(metrics.type[fsync], "histogram");
  const double count = metrics.values[fsync + "_count"];
  EXPECT_GE(count, 1);
  EXPECT_EQ(metrics.values[fsync + "_bucket{le=\"+Inf\"}"], count);
  EXPECT_GT(metrics.values[fsync + "_sum"], 0);
  double previous = 0;
  for (const char* le : {"5e-05", "0.0001", "0.001", "0.01", "0.1", "1"}) {
    const std::string key = fsync + "_bucket{le=\"" + le + "\"}";
    ASSERT_TRUE(metrics.values.contains(key)) << key;
    EXPECT_GE(metrics.values[key], previous) << key;
    previous = metrics.values[key];
  }
  EXPECT_LE(previous, count);
}

TEST_F(MonitorJetStreamTest, HealthzIsOkWithJetStreamRunning) {
  HttpReply reply = HttpGet(http_port_, "/healthz");
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json()["status"], "ok");
  HttpReply accountz = HttpGet(http_port_, "/accountz?acc=%24G");
  ASSERT_EQ(accountz.status, 200) << accountz.body;
  EXPECT_EQ(accountz.Json()["account_detail"]["jetstream_enabled"], true) << accountz.body;
}

// Every top-level key nats-server (Debian's 2.9.10) emits is in ours with the same JSON type.
TEST(MonitorCompatTest, TopLevelKeysAndTypesMatchNatsServer) {
  std::map<std::string, json> ours, theirs;
  const std::vector<std::string> targets = {"/varz",         "/connz",  "/connz?subs=1", "/subsz",
                                            "/subsz?subs=1", "/routez", "/healthz"};
  for (bool nats : {false, true}) {
    TestServerOptions options = WithArgs({"-m", "-1"});
    auto server = nats ? TestServer::NatsServer(options) : TestServer::Spate(options);
    ASSERT_TRUE(server->Start()) << server->error();
    int port = MonitorPort(*server);
    ASSERT_GT(port, 0) << server->Log();
    Scenario scenario;
    ASSERT_NO_FATAL_FAILURE(scenario.Run(server->url()));
    for (const std::string& t : targets) (nats ? theirs : ours)[t] = GetJson(port, t);
    // One connection's keys too, as a top-level object of its own.
    (nats ? theirs : ours)["/connz?subs=1 connection"] =
        (nats ? theirs : ours)["/connz?subs=1"]["connections"][0];
  }
  const std::set<std::string> known_missing = {};
  for (const auto& [target, nats_json] : theirs) {
    const json& spate_json = ours[target];
    for (auto it = nats_json.begin(); it != nats_json.end(); ++it) {
      if (known_missing.contains(it.key())) continue;
      ASSERT_TRUE(spate_json.contains(it.key())) << target << " lacks \"" << it.key() << "\"";
      EXPECT_EQ(TypeOf(spate_json[it.key()]), TypeOf(it.value()))
          << target << " \"" << it.key() << "\": ours " << spate_json[it.key()].dump()
          << ", nats-server " << it.value().dump();
    }
    std::string extra;
    for (auto it = spate_json.begin(); it != spate_json.end(); ++it) {
      if (!nats_json.contains(it.key())) extra += " " + it.key();
    }
    if (!extra.empty())
      std::cout << "[ keys nats-server 2.9 lacks ] " << target << ":" << extra << "\n";
  }
}

class MonitorAccountsTest : public MonitorTest {
 protected:
  TestServerOptions ServerOptions() const override {
    TestServerOptions o = WithArgs({"-m", "-1"});
    o.config =
        "accounts {\n  A { users = [ {user: a, password: pa} ] }\n  B { users = [ {user: b, "
        "password: pb} ] }\n}\n";
    return o;
  }
};

// Configured accounts appear in /accountz, and /connz?auth=1 says who each client is.
TEST_F(MonitorAccountsTest, AccountzAndConnzShowAccountsAndUsers) {
  NatsConnection nc;
  ASSERT_EQ(spate::test::Connect(server_->url(), &nc,
                                 [](natsOptions* o) {
                                   natsOptions_SetUserInfo(o, "a", "pa");
                                   natsOptions_SetName(o, "client-a");
                                 }),
            NATS_OK);
  json accounts = GetJson(http_port_, "/accountz")["accounts"];
  for (const char* name : {"$G", "A", "B"}) {
    EXPECT_NE(std::find(accounts.begin(), accounts.end(), name), accounts.end())
        << name << " missing from " << accounts.dump();
  }
  EXPECT_EQ(GetJson(http_port_, "/accountz?acc=A")["account_detail"]["client_connections"], 1);
  json c = Connection(GetJson(http_port_, "/connz?auth=1"), "client-a");
  EXPECT_EQ(c["authorized_user"], "a");
  EXPECT_EQ(c["account"], "A");
  // Without auth=1 neither is shown.
  json plain = Connection(GetJson(http_port_, "/connz"), "client-a");
  EXPECT_FALSE(plain.contains("authorized_user"));
}

}  // namespace
}  // namespace spate::test
