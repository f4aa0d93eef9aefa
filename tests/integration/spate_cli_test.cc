// The `spate` CLI as a user runs it: the real binary against a real server (spate-server, and
// nats-server where the verb is not spate-specific), checking exit codes, stdout and --json.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "auth/nkey.h"
#include "integration/cli_process.h"
#include "support/temp_dir.h"
#include "support/test_certs.h"
#include "support/test_server.h"
#include "support/wait_for.h"

namespace spate::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto kReady = 10s;  // a sub/reply process confirming its subscription

json ParseJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << text;
  return j;
}

std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(ParseJson(line));
  }
  return out;
}

// The monitoring port from the line both servers log.
int MonitorPort(const TestServer& server) {
  constexpr std::string_view kLine = "Starting http monitor on ";
  int port = 0;
  WaitFor(
      [&] {
        const std::string log = server.Log();
        const size_t at = log.find(kLine);
        if (at == std::string::npos) return false;
        const size_t eol = log.find('\n', at);
        const std::string hostport = log.substr(at + kLine.size(), eol - at - kLine.size());
        port = std::stoi(hostport.substr(hostport.rfind(':') + 1));
        return true;
      },
      5s);
  return port;
}

enum class Kind { kSpate, kNats };

// One server with JetStream per test; Run() points the CLI at it.
class CliTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    TestServerOptions options;
    options.args = {"-js"};
    server_ =
        GetParam() == Kind::kSpate ? TestServer::Spate(options) : TestServer::NatsServer(options);
    ASSERT_TRUE(server_->Start()) << server_->error();
  }

  std::vector<std::string> WithServer(std::vector<std::string> args) {
    args.push_back("-s");
    args.push_back(server_->url());
    return args;
  }
  std::unique_ptr<CliProcess> Run(std::vector<std::string> args, std::string in = "") {
    return RunCli(WithServer(std::move(args)), std::move(in));
  }
  std::unique_ptr<CliProcess> Start(std::vector<std::string> args) {
    return std::make_unique<CliProcess>(WithServer(std::move(args)));
  }
  // Runs and expects exit 0; returns stdout.
  std::string Ok(std::vector<std::string> args, std::string in = "") {
    auto p = Run(args, std::move(in));
    EXPECT_EQ(p->exit_code(), 0) << "spate " << testing::PrintToString(args) << "\n" << p->err();
    return p->out();
  }

  std::unique_ptr<TestServer> server_;
};

TEST_P(CliTest, PubReachesSubWithHeadersAndSubExitsAfterCount) {
  auto sub = Start({"sub", "orders.*", "--count", "2", "--json"});
  ASSERT_TRUE(sub->WaitForStderr("Subscribing on", kReady)) << sub->err();
  Ok({"pub", "orders.new", "hello", "-H", "Trace:abc", "-H", "Trace:def"});
  EXPECT_EQ(ParseJson(Ok({"pub", "orders.old", "bye", "--json"}))["bytes"], 3);
  ASSERT_TRUE(sub->Wait()) << sub->err();
  EXPECT_EQ(sub->exit_code(), 0) << sub->err();
  const std::vector<json> msgs = JsonLines(sub->out());
  ASSERT_EQ(msgs.size(), 2u) << sub->out();
  EXPECT_EQ(msgs[0]["subject"], "orders.new");
  EXPECT_EQ(msgs[0]["data"], "hello");
  EXPECT_EQ(msgs[0]["headers"]["Trace"], json::array({"abc", "def"}));
  EXPECT_EQ(msgs[1]["subject"], "orders.old");
  EXPECT_EQ(msgs[1]["data"], "bye");
}

TEST_P(CliTest, PubCountAndStdinBodyWithRawSub) {
  auto sub = Start({"sub", "raw.x", "--count", "3", "--raw"});
  ASSERT_TRUE(sub->WaitForStderr("Subscribing on", kReady)) << sub->err();
  EXPECT_NE(Ok({"pub", "raw.x", "twice", "--count", "2"}).find("Published 2 messages"),
            std::string::npos);
  Ok({"pub", "raw.x"}, "from stdin");  // no body argument: read from the piped input
  ASSERT_TRUE(sub->Wait()) << sub->err();
  EXPECT_EQ(sub->exit_code(), 0);
  EXPECT_EQ(sub->out(), "twice\ntwice\nfrom stdin\n");
}

TEST_P(CliTest, RequestGetsTheReplyBody) {
  auto reply = Start({"reply", "svc.time", "noon", "--count", "1"});
  ASSERT_TRUE(reply->WaitForStderr("Listening on", kReady)) << reply->err();
  const json r = ParseJson(Ok({"req", "svc.time", "what time?", "--json"}));
  EXPECT_EQ(r["data"], "noon");
  EXPECT_GT(r["rtt_ns"].get<int64_t>(), 0);
  ASSERT_TRUE(reply->Wait()) << reply->err();
  EXPECT_EQ(reply->exit_code(), 0);
  EXPECT_NE(reply->out().find("what time?"), std::string::npos) << reply->out();
}

TEST_P(CliTest, RequestWithoutResponderFails) {
  auto p = Run({"req", "nobody.home", "x", "--timeout", "2s"});
  EXPECT_EQ(p->exit_code(), 1);
  EXPECT_EQ(p->err(), "spate: req: no responders available for request on \"nobody.home\"\n");
  EXPECT_EQ(p->out(), "");
}

TEST_P(CliTest, StreamLifecycle) {
  const json created = ParseJson(Ok({"stream", "add", "ORDERS", "--subjects", "orders.*,audit.>",
                                     "--storage", "memory", "--max-age", "1h", "--json"}));
  EXPECT_EQ(created["config"]["subjects"], json::array({"orders.*", "audit.>"}));
  EXPECT_EQ(created["config"]["storage"], "memory");
  EXPECT_EQ(created["config"]["max_age"], int64_t{3600} * 1000 * 1000 * 1000);
  Ok({"pub", "orders.new", "one"});
  Ok({"pub", "orders.new", "two", "-H", "K:v"});
  Ok({"pub", "orders.old", "three"});
  EXPECT_EQ(ParseJson(Ok({"stream", "info", "ORDERS", "--json"}))["state"]["messages"], 3);
  EXPECT_NE(Ok({"stream", "info", "ORDERS"}).find("Messages:       3"), std::string::npos);

  const json second = ParseJson(Ok({"stream", "get", "ORDERS", "2", "--json"}));
  EXPECT_EQ(second["data"], "two");
  EXPECT_EQ(second["headers"]["K"], json::array({"v"}));
  EXPECT_EQ(Ok({"stream", "get", "ORDERS", "--last-for", "orders.new", "--raw"}), "two\n");
  EXPECT_EQ(ParseJson(Ok({"stream", "ls", "--names", "--json"})), json::array({"ORDERS"}));
  EXPECT_NE(Ok({"stream", "ls"}).find("ORDERS"), std::string::npos);

  EXPECT_EQ(ParseJson(Ok(
                {"stream", "edit", "ORDERS", "--max-msgs", "100", "--json"}))["config"]["max_msgs"],
            100);
  Ok({"stream", "rmm", "ORDERS", "1"});
  auto gone = Run({"stream", "get", "ORDERS", "1"});
  EXPECT_EQ(gone->exit_code(), 1);
  EXPECT_NE(gone->err().find("(10037, code 404)"), std::string::npos) << gone->err();
  EXPECT_EQ(ParseJson(Ok({"stream", "purge", "ORDERS", "--json"}))["purged"], 2);
  Ok({"stream", "rm", "ORDERS"});
  EXPECT_EQ(ParseJson(Ok({"stream", "ls", "--json"})), json::array());
}

TEST_P(CliTest, StreamErrorsCarryTheServersTextAndCodes) {
  auto p = Run({"stream", "info", "NOPE"});
  EXPECT_EQ(p->exit_code(), 1);
  EXPECT_EQ(p->err(), "spate: stream info: stream not found (10059, code 404)\n");
  Ok({"stream", "add", "S", "--subjects", "s.>"});
  auto clash = Run({"stream", "add", "S", "--subjects", "other.>"});
  EXPECT_EQ(clash->exit_code(), 1);
  EXPECT_NE(clash->err().find("spate: stream add: stream name already in use"), std::string::npos)
      << clash->err();
  EXPECT_NE(clash->err().find("(10058, code 400)"), std::string::npos) << clash->err();
}

TEST_P(CliTest, StreamAddFromConfigFile) {
  TempDir dir;
  const std::string file =
      dir.WriteFile("s.json", R"({"name":"FROMFILE","subjects":["ff.>"],"max_msgs_per_subject":5,
                    "storage":"memory"})");
  const json info = ParseJson(Ok({"stream", "add", "--config", file, "--json"}));
  EXPECT_EQ(info["config"]["name"], "FROMFILE");
  EXPECT_EQ(info["config"]["max_msgs_per_subject"], 5);
  EXPECT_EQ(info["config"]["storage"], "memory");
}

TEST_P(CliTest, ConsumerNextPullsAndAcks) {
  Ok({"stream", "add", "JOBS", "--subjects", "jobs.*"});
  for (const char* body : {"a", "b", "c"}) Ok({"pub", "jobs.new", body});
  const json added = ParseJson(Ok({"consumer", "add", "JOBS", "worker", "--filter", "jobs.new",
                                   "--max-deliver", "5", "--json"}));
  EXPECT_EQ(added["config"]["durable_name"], "worker");
  EXPECT_EQ(added["config"]["ack_policy"], "explicit");

  const std::vector<json> got =
      JsonLines(Ok({"consumer", "next", "JOBS", "worker", "--count", "2", "--json"}));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["data"], "a");
  EXPECT_EQ(got[0]["stream_seq"], 1);
  EXPECT_EQ(got[1]["data"], "b");
  EXPECT_EQ(got[1]["pending"], 1);
  const json info = ParseJson(Ok({"consumer", "info", "JOBS", "worker", "--json"}));
  EXPECT_EQ(info["num_ack_pending"], 0);  // both acked before `next` exited
  EXPECT_EQ(info["ack_floor"]["stream_seq"], 2);
  EXPECT_EQ(info["num_pending"], 1);
  EXPECT_NE(Ok({"consumer", "ls", "JOBS"}).find("worker"), std::string::npos);

  auto none = Run({"consumer", "next", "JOBS", "worker", "--count", "2", "--timeout", "300ms"});
  EXPECT_EQ(none->exit_code(), 1);  // only one message left
  EXPECT_NE(none->err().find("received 1 of 2"), std::string::npos) << none->err();
  Ok({"consumer", "rm", "JOBS", "worker"});
  auto missing = Run({"consumer", "info", "JOBS", "worker"});
  EXPECT_EQ(missing->exit_code(), 1);
  EXPECT_EQ(missing->err(), "spate: consumer info: consumer not found (10014, code 404)\n");
}

TEST_P(CliTest, KeyValuePutGetDeleteHistory) {
  Ok({"kv", "add", "cfg", "--history", "5"});
  EXPECT_EQ(ParseJson(Ok({"kv", "put", "cfg", "db.url", "pg://one", "--json"}))["revision"], 1);
  Ok({"kv", "put", "cfg", "db.url"}, "pg://two");
  EXPECT_EQ(Ok({"kv", "get", "cfg", "db.url", "--raw"}), "pg://two\n");
  EXPECT_EQ(ParseJson(Ok({"kv", "ls", "cfg", "--json"})), json::array({"db.url"}));
  EXPECT_EQ(ParseJson(Ok({"kv", "ls", "--json"})), json::array({"cfg"}));
  Ok({"kv", "del", "cfg", "db.url"});
  auto gone = Run({"kv", "get", "cfg", "db.url"});
  EXPECT_EQ(gone->exit_code(), 1);
  EXPECT_NE(gone->err().find("key not found"), std::string::npos) << gone->err();
  const json history = ParseJson(Ok({"kv", "history", "cfg", "db.url", "--json"}));
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1]["value"], "pg://two");
  EXPECT_EQ(history[2]["operation"], "DEL");
}

TEST_P(CliTest, BenchPubJsonHasNumbers) {
  const json r = ParseJson(
      Ok({"bench", "pub", "bench.x", "--msgs", "20000", "--size", "64", "--pubs", "2", "--json"}));
  EXPECT_EQ(r["kind"], "pub");
  EXPECT_EQ(r["publish"]["msgs"], 20000);
  EXPECT_EQ(r["publish"]["bytes"], 20000 * 64);
  EXPECT_GT(r["publish"]["msgs_per_sec"].get<double>(), 0);
  EXPECT_GT(r["publish"]["mib_per_sec"].get<double>(), 0);
  EXPECT_EQ(r["publish"]["clients"].size(), 2u);
}

// js-pub creates the stream and every message is acknowledged (the stream holds them all);
// js-consume reads them back with acks (the bench consumer is gone afterwards) and fails clearly
// when the stream has fewer messages than asked.
TEST_P(CliTest, JetStreamBenchPublishesAndConsumesEveryMessage) {
  const json pub = ParseJson(Ok({"bench", "js-pub", "--stream", "JSB", "--subject", "jsb.x",
                                 "--msgs", "3000", "--size", "32", "--window", "64", "--json"}));
  EXPECT_EQ(pub["msgs"], 3000);
  EXPECT_GT(pub["msgs_per_sec"].get<double>(), 0);
  const json sync = ParseJson(Ok({"bench", "js-pub", "--stream", "JSB", "--subject", "jsb.x",
                                  "--msgs", "20", "--window", "1", "--json"}));
  EXPECT_EQ(sync["latency"]["count"], 20);
  EXPECT_GT(sync["latency"]["p50_ns"].get<int64_t>(), 0);
  const json info = ParseJson(Ok({"stream", "info", "JSB", "--json"}));
  EXPECT_EQ(info["state"]["messages"], 3020);

  const json consumed = ParseJson(
      Ok({"bench", "js-consume", "--stream", "JSB", "--msgs", "3020", "--batch", "100", "--json"}));
  EXPECT_EQ(consumed["msgs"], 3020);
  EXPECT_EQ(Ok({"consumer", "ls", "JSB"}).find("spate-bench-consume"), std::string::npos);
  auto short_stream =
      Run({"bench", "js-consume", "--stream", "JSB", "--msgs", "4000", "--timeout", "500ms"});
  EXPECT_EQ(short_stream->exit_code(), 1);
  EXPECT_NE(short_stream->err().find("ran out after 3020 messages"), std::string::npos)
      << short_stream->err();
}

INSTANTIATE_TEST_SUITE_P(Servers, CliTest, ::testing::Values(Kind::kSpate, Kind::kNats),
                         [](const auto& info) {
                           return info.param == Kind::kSpate ? "Spate" : "NatsServer";
                         });

// ---- spate-server only: monitoring, the system account, bench modes, usage errors.

constexpr const char* kSystemAccountConfig = R"(
accounts {
  SYS { users: [{user: sys, password: sys}] }
  APP { jetstream: enabled, users: [{user: app, password: app}] }
}
system_account: SYS
)";

class CliServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestServerOptions options;
    options.args = {"-js", "-m", "-1"};
    options.config = kSystemAccountConfig;
    server_ = TestServer::Spate(options);
    ASSERT_TRUE(server_->Start()) << server_->error();
    monitor_ = "http://127.0.0.1:" + std::to_string(MonitorPort(*server_));
  }
  std::string Url(const std::string& user) {
    return "nats://" + user + ":" + user + "@127.0.0.1:" + std::to_string(server_->port());
  }

  std::unique_ptr<TestServer> server_;
  std::string monitor_;
};

TEST_F(CliServerTest, CheckIsOkFromTheMonitorPortAndOverSys) {
  auto http = RunCli({"server", "check", "--monitor", monitor_});
  EXPECT_EQ(http->exit_code(), 0) << http->err();
  EXPECT_EQ(http->out(), "OK: server is healthy\n");
  auto sys = RunCli({"server", "check", "-s", Url("sys"), "--json"});
  EXPECT_EQ(sys->exit_code(), 0) << sys->err();
  EXPECT_EQ(ParseJson(sys->out())["status"], "ok");
}

// A monitoring port that answers like an unhealthy nats-server: 503 with a JSON reason.
// The security flags reach the client library: a TLS server whose only user is an nkey takes
// `--tlsca` + `--nkey`; without the CA the certificate check fails, without the seed the login.
TEST(CliSecurityTest, TlsAndNkeyFlags) {
  test::TempDir dir;
  test::TestCertificates certs;
  std::string error;
  ASSERT_TRUE(test::WriteTestCertificates(dir.path(), &certs, &error)) << error;
  auto seed = auth::CreateSeed(auth::KeyType::kUser);
  ASSERT_TRUE(seed.ok());
  auto public_key = auth::PublicKeyOf(seed->view());
  ASSERT_TRUE(public_key.ok());
  const std::string seed_file = dir.WriteFile("user.nk", std::string(seed->view()) + "\n");
  TestServerOptions options;
  options.config = "tls { cert_file: \"" + certs.server_cert_file + "\", key_file: \"" +
                   certs.server_key_file + "\" }\nauthorization { users: [ { nkey: " + *public_key +
                   " } ] }\n";
  auto server = TestServer::Spate(options);
  ASSERT_TRUE(server->Start()) << server->error();
  const std::string url = "nats://127.0.0.1:" + std::to_string(server->port());

  auto ok = RunCli(
      {"pub", "secure.x", "hello", "-s", url, "--tlsca", certs.ca_file, "--nkey", seed_file});
  EXPECT_EQ(ok->exit_code(), 0) << ok->err();
  auto no_ca = RunCli({"pub", "secure.x", "hello", "-s", url, "--nkey", seed_file});
  EXPECT_EQ(no_ca->exit_code(), 1);
  EXPECT_NE(no_ca->err().find("certificate"), std::string::npos) << no_ca->err();
  auto no_key = RunCli({"pub", "secure.x", "hello", "-s", url, "--tlsca", certs.ca_file});
  EXPECT_EQ(no_key->exit_code(), 1);
  EXPECT_NE(no_key->err().find("Authorization Violation"), std::string::npos) << no_key->err();
}

TEST(CliCheckTest, UnhealthyOrUnreachableServerFailsTheCheck) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  std::string request;
  std::thread fake([&] {
    const int conn = ::accept(listener, nullptr, nullptr);
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::read(conn, buf, sizeof(buf));
      if (n <= 0) break;
      request.append(buf, static_cast<size_t>(n));
    }
    const std::string body =
        R"json({"status":"unavailable","error":"JetStream not enabled (10076)"})json";
    const std::string reply =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    (void)!::write(conn, reply.data(), reply.size());
    ::close(conn);
  });
  auto p = RunCli({"server", "check", "--monitor", "http://127.0.0.1:" + std::to_string(port)});
  fake.join();
  ::close(listener);
  EXPECT_EQ(p->exit_code(), 1);
  EXPECT_EQ(p->out(), "CRITICAL: status unavailable: JetStream not enabled (10076)\n");
  EXPECT_TRUE(request.starts_with("GET /healthz HTTP/1.0\r\n")) << request;

  // Nothing listens there any more.
  auto down = RunCli({"server", "check", "--monitor", "http://127.0.0.1:" + std::to_string(port),
                      "--timeout", "2s"});
  EXPECT_EQ(down->exit_code(), 1);
  EXPECT_TRUE(down->err().starts_with("spate: server check: ")) << down->err();
}

TEST_F(CliServerTest, InfoFromTheMonitorPortAndOverSys) {
  const json http = ParseJson(RunCli({"server", "info", "--monitor", monitor_, "--json"})->out());
  EXPECT_EQ(http["port"], server_->port());
  const std::string id = http["server_id"];
  auto sys = RunCli({"server", "info", "-s", Url("sys"), "--json"});
  EXPECT_EQ(sys->exit_code(), 0) << sys->err();
  EXPECT_EQ(ParseJson(sys->out())["server_id"], id);
  auto text = RunCli({"server", "info", "--monitor", monitor_});
  EXPECT_NE(text->out().find("ID:"), std::string::npos);
  EXPECT_NE(text->out().find(id), std::string::npos);

  // An ordinary account has no $SYS services: the error says what to do.
  auto app = RunCli({"server", "info", "-s", Url("app"), "--timeout", "2s"});
  EXPECT_EQ(app->exit_code(), 1);
  EXPECT_NE(app->err().find("--monitor"), std::string::npos) << app->err();
}

TEST_F(CliServerTest, PingRoundTripsAndSysPing) {
  const json rtt =
      ParseJson(RunCli({"server", "ping", "-s", Url("app"), "--count", "3", "--json"})->out());
  EXPECT_EQ(rtt["rtt_ns"].size(), 3u);
  EXPECT_GT(rtt["max_ns"].get<int64_t>(), 0);
  auto sys = RunCli({"server", "ping", "--sys", "--expect", "1", "-s", Url("sys"), "--json"});
  EXPECT_EQ(sys->exit_code(), 0) << sys->err();
  EXPECT_EQ(ParseJson(sys->out())["servers"].size(), 1u);
}

TEST_F(CliServerTest, BenchSubAndReqReportLatency) {
  const json sub = ParseJson(RunCli({"bench", "sub", "b.sub", "--msgs", "5000", "--subs", "2",
                                     "--size", "32", "-s", Url("app"), "--json"})
                                 ->out());
  EXPECT_EQ(sub["subscribe"]["msgs"], 10000);  // every subscriber gets every message
  EXPECT_EQ(sub["subscribe"]["dropped"], 0);
  EXPECT_EQ(sub["latency"]["count"], 10000);
  EXPECT_LE(sub["latency"]["p50_ns"].get<int64_t>(), sub["latency"]["p99_ns"].get<int64_t>());
  EXPECT_EQ(sub["inline"], false);
  const json zero_copy =
      ParseJson(RunCli({"bench", "sub", "b.inline", "--msgs", "5000", "--subs", "2", "--size", "32",
                        "--inline", "-s", Url("app"), "--json"})
                    ->out());
  EXPECT_EQ(zero_copy["inline"], true);
  EXPECT_EQ(zero_copy["subscribe"]["msgs"], 10000);
  EXPECT_EQ(zero_copy["latency"]["count"], 10000);
  const json req = ParseJson(RunCli({"bench", "req", "b.req", "--msgs", "500", "--clients", "2",
                                     "-s", Url("app"), "--json"})
                                 ->out());
  EXPECT_EQ(req["request"]["msgs"], 500);
  EXPECT_GT(req["latency"]["p50_ns"].get<int64_t>(), 0);
  EXPECT_GE(req["latency"]["p90_ns"].get<int64_t>(), req["latency"]["p50_ns"].get<int64_t>());
}

TEST(CliUsageTest, UnreachableServerIsAClearError) {
  auto p = RunCli({"pub", "x", "y", "-s", "nats://127.0.0.1:1"});
  EXPECT_EQ(p->exit_code(), 1);
  EXPECT_TRUE(p->err().starts_with("spate: pub: cannot connect to nats://127.0.0.1:1: "))
      << p->err();
  auto scheme = RunCli({"sub", "x", "-s", "http://127.0.0.1:4222"});
  EXPECT_EQ(scheme->exit_code(), 1);
  EXPECT_NE(scheme->err().find("unsupported URL scheme"), std::string::npos) << scheme->err();
}

TEST(CliUsageTest, BadArgumentsExitNonZeroWithUsage) {
  auto missing = RunCli({"pub"});
  EXPECT_NE(missing->exit_code(), 0);
  EXPECT_NE(missing->err().find("subject is required"), std::string::npos) << missing->err();
  auto timeout = RunCli({"req", "x", "y", "--timeout", "soon"});
  EXPECT_NE(timeout->exit_code(), 0);
  EXPECT_NE(timeout->err().find("invalid duration"), std::string::npos) << timeout->err();
  auto help = RunCli({"stream", "add", "--help"});
  EXPECT_EQ(help->exit_code(), 0);
  EXPECT_NE(help->out().find("--max-age"), std::string::npos);
  EXPECT_NE(help->out().find("Examples:"), std::string::npos);
}

}  // namespace
}  // namespace spate::test
