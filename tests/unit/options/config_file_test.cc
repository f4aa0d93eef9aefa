#include <gtest/gtest.h>

#include <string>

#include "server/options/load_options.h"
#include "temp_dir.h"

namespace spate::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

class ConfigFileTest : public ::testing::Test {
 protected:
  ServerOptions Apply(const std::string& text) {
    const std::string path = dir_.Write("server.conf", text);
    ServerOptions opts;
    Status s = ApplyConfigFile(path, &opts);
    EXPECT_TRUE(s.ok()) << s.message();
    return opts;
  }

  spate::testing::TempDir dir_;
};

TEST_F(ConfigFileTest, ListenAndHostPort) {
  ServerOptions o = Apply("listen: 127.0.0.1:4333\n");
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 4333);
  o = Apply("listen: \"[::1]:4334\"\n");
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 4334);
  o = Apply("listen: 4335\n");
  EXPECT_EQ(o.host, "0.0.0.0");
  EXPECT_EQ(o.port, 4335);
  o = Apply("listen: \":4336\"\n");
  EXPECT_EQ(o.host, "0.0.0.0");
  EXPECT_EQ(o.port, 4336);
  o = Apply("host: 10.0.0.1\nport: -1\n");
  EXPECT_EQ(o.host, "10.0.0.1");
  EXPECT_EQ(o.port, kRandomPort);
  EXPECT_EQ(Apply("net: localhost\n").host, "localhost");
  EXPECT_EQ(Apply("port: 0\n").port, 4222);  // nats-server: 0 is the default port
}

TEST_F(ConfigFileTest, ServerIdentityAndMonitoring) {
  ServerOptions o = Apply(
      "server_name: alpha\nclient_advertise: \"nats.example.com:4222\"\nhttp: localhost:8222\n");
  EXPECT_EQ(o.server_name, "alpha");
  EXPECT_EQ(o.client_advertise, "nats.example.com:4222");
  EXPECT_EQ(o.http_host, "localhost");
  EXPECT_EQ(o.http_port, 8222);
  EXPECT_EQ(Apply("http: 8223\n").http_port, 8223);
  EXPECT_EQ(Apply("http_port: 8224\n").http_port, 8224);
  EXPECT_EQ(Apply("monitor_port: 8225\n").http_port, 8225);
  EXPECT_EQ(Apply("https_port: 8443\n").https_port, 8443);
  ServerOptions https = Apply("https: \"127.0.0.2:8444\"\n");
  EXPECT_EQ(https.https_port, 8444);
  EXPECT_EQ(https.http_host, "127.0.0.2");
}

TEST_F(ConfigFileTest, Limits) {
  ServerOptions o = Apply(
      "max_connections: 100\nmax_subscriptions: 50\nmax_payload: 2MB\n"
      "max_control_line: 8KB\nmax_pending: 128MB\n");
  EXPECT_EQ(o.max_connections, 100);
  EXPECT_EQ(o.max_subscriptions, 50);
  EXPECT_EQ(o.max_payload, 2 * 1024 * 1024);
  EXPECT_EQ(o.max_control_line, 8192);
  EXPECT_EQ(o.max_pending, 128LL * 1024 * 1024);
  EXPECT_EQ(Apply("max_conn: 7\n").max_connections, 7);
  EXPECT_EQ(Apply("max_subs: 9\n").max_subscriptions, 9);
  EXPECT_EQ(Apply("max_subs: -1\n").max_subscriptions, 0);
  // nats-server: an explicit 0 becomes -1, which refuses every client.
  EXPECT_EQ(Apply("max_connections: 0\n").max_connections, -1);
  // Zero payload/pending/control line fall back to the defaults, as nats-server.
  EXPECT_EQ(Apply("max_payload: 0\n").max_payload, 1 << 20);
  EXPECT_EQ(Apply("max_pending: 0\n").max_pending, 64LL << 20);
  EXPECT_EQ(Apply("max_payload: 1K\n").max_payload, 1000);  // K alone is 1000
}

TEST_F(ConfigFileTest, Durations) {
  EXPECT_EQ(Apply("ping_interval: 30\n").ping_interval, seconds(30));
  EXPECT_EQ(Apply("ping_interval: \"45s\"\n").ping_interval, seconds(45));
  EXPECT_EQ(Apply("ping_interval: 1h30m\n").ping_interval, minutes(90));
  // An unquoted 2m is the number 2,000,000 to the format; we read it as two minutes.
  EXPECT_EQ(Apply("ping_interval: 2m\n").ping_interval, minutes(2));
  EXPECT_EQ(Apply("write_deadline: \"250ms\"\n").write_deadline, milliseconds(250));
  EXPECT_EQ(Apply("write_deadline: 5\n").write_deadline, seconds(5));
  EXPECT_EQ(Apply("ping_max: 5\n").max_pings_out, 5);
  EXPECT_EQ(Apply("ping_interval: 0\n").ping_interval, minutes(2));
}

TEST_F(ConfigFileTest, LoggingAndFiles) {
  ServerOptions o = Apply(
      "debug: true\ntrace: yes\nlogtime: off\nlog_file: /var/log/s.log\n"
      "pid_file: /run/s.pid\nports_file_dir: /run\nno_header_support: true\n");
  EXPECT_TRUE(o.debug);
  EXPECT_TRUE(o.trace);
  EXPECT_FALSE(o.log_time);
  EXPECT_EQ(o.log_file, "/var/log/s.log");
  EXPECT_EQ(o.pid_file, "/run/s.pid");
  EXPECT_EQ(o.ports_file_dir, "/run");
  EXPECT_TRUE(o.no_header_support);
  EXPECT_EQ(Apply("logfile: a.log\npidfile: a.pid\n").log_file, "a.log");
  EXPECT_EQ(Apply("logfile: a.log\npidfile: a.pid\n").pid_file, "a.pid");
}

TEST_F(ConfigFileTest, LameDuckDurationAndGracePeriod) {
  ServerOptions o = Apply("port: 1\n");
  EXPECT_EQ(o.lame_duck_duration, minutes(2));  // nats-server's defaults
  EXPECT_EQ(o.lame_duck_grace_period, seconds(10));
  o = Apply("lame_duck_duration: \"45s\"\nlame_duck_grace_period: \"500ms\"\n");
  EXPECT_EQ(o.lame_duck_duration, seconds(45));
  EXPECT_EQ(o.lame_duck_grace_period, milliseconds(500));
  // As nats-server, a zero grace period means the default.
  EXPECT_EQ(Apply("lame_duck_grace_period: \"0s\"\n").lame_duck_grace_period, seconds(10));
}

TEST_F(ConfigFileTest, SystemAccountKeys) {
  EXPECT_FALSE(Apply("port: 4222\n").no_system_account);
  EXPECT_TRUE(Apply("no_system_account: true\n").no_system_account);
  EXPECT_TRUE(Apply("no_sys_acc: true\n").no_system_account);  // nats-server's other spellings
  EXPECT_TRUE(Apply("no_system: true\n").no_system_account);
  EXPECT_EQ(Apply("system_account: SYS\n").auth.system_account, "SYS");
  EXPECT_EQ(Apply("system: SYS\n").auth.system_account, "SYS");
}

TEST_F(ConfigFileTest, KeysAreCaseInsensitive) {
  ServerOptions o = Apply("Port: 4999\nDEBUG: true\n");
  EXPECT_EQ(o.port, 4999);
  EXPECT_TRUE(o.debug);
}

TEST_F(ConfigFileTest, SingleUserAuthorization) {
  ServerOptions o =
      Apply("authorization {\n  user: derek\n  password: T0pS3cr3t\n  timeout: 1\n}\n");
  EXPECT_EQ(o.auth.user, "derek");
  EXPECT_EQ(o.auth.password, "T0pS3cr3t");
  EXPECT_EQ(o.auth.timeout, seconds(1));
  EXPECT_TRUE(o.auth.required());
}

TEST_F(ConfigFileTest, TokenAndFractionalTimeout) {
  ServerOptions o = Apply("authorization {\n  token: \"3secret\"\n  timeout: 0.5\n}\n");
  EXPECT_EQ(o.auth.token, "3secret");
  EXPECT_EQ(o.auth.timeout, milliseconds(500));
  EXPECT_EQ(Apply("authorization { token: t, timeout: \"3s\" }\n").auth.timeout, seconds(3));
}

TEST_F(ConfigFileTest, UsersListWithBlockVariableAndNoAuthUser) {
  ServerOptions o = Apply(
      "authorization {\n"
      "  SECRET: abc123\n"  // a block-local variable: allowed because it is used below
      "  users = [\n"
      "    {user: alice, password: $SECRET}\n"
      "    {username: bob, pass: "
      "\"$2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sSOT.xtiHyG\"}\n"
      "  ]\n"
      "}\n"
      "no_auth_user: alice\n");
  ASSERT_EQ(o.auth.users.size(), 2u);
  EXPECT_EQ(o.auth.users[0].user, "alice");
  EXPECT_EQ(o.auth.users[0].password, "abc123");
  EXPECT_EQ(o.auth.users[1].user, "bob");
  EXPECT_EQ(o.auth.users[1].password.rfind("$2a$11$", 0), 0u);
  EXPECT_EQ(o.auth.no_auth_user, "alice");
  EXPECT_TRUE(o.auth.password.empty());
}

// Keys are matched without case, so a block variable named PASS is also the `pass` field,
// exactly as in nats-server (a config seen in the wild relies on it being harmless).
TEST_F(ConfigFileTest, VariableNamedLikeAFieldIsThatField) {
  ServerOptions o =
      Apply("authorization {\n  PASS: abc\n  users = [ {user: a, password: $PASS} ]\n}\n");
  EXPECT_EQ(o.auth.password, "abc");
  ASSERT_EQ(o.auth.users.size(), 1u);
  EXPECT_EQ(o.auth.users[0].password, "abc");
}

TEST_F(ConfigFileTest, TopLevelVariablesThatAreUsedAreNotUnknown) {
  ServerOptions o = Apply("MY_PORT: 4555\nport: $MY_PORT\n");
  EXPECT_EQ(o.port, 4555);
}

TEST_F(ConfigFileTest, JetStreamForms) {
  EXPECT_TRUE(Apply("jetstream: true\n").jetstream.enabled);
  EXPECT_TRUE(Apply("jetstream: enabled\n").jetstream.enabled);
  EXPECT_TRUE(Apply("jetstream: Enable\n").jetstream.enabled);
  EXPECT_FALSE(Apply("jetstream: disabled\n").jetstream.enabled);
  EXPECT_TRUE(Apply("jetstream {}\n").jetstream.enabled);
  EXPECT_FALSE(Apply("jetstream { enabled: false }\n").jetstream.enabled);
}

TEST_F(ConfigFileTest, JetStreamArticleConfig) {
  ServerOptions o = Apply(
      "// enables jetstream, an empty block will enable and use defaults\n"
      "jetstream {\n"
      "    // jetstream data will be in /data/nats-server/jetstream\n"
      "    store_dir: \"/data/nats-server\"\n"
      "\n"
      "    // 1GB\n"
      "    max_memory_store: 1073741824\n"
      "\n"
      "    // 10GB\n"
      "    max_file_store: 10737418240\n"
      "}\n");
  EXPECT_TRUE(o.jetstream.enabled);
  EXPECT_EQ(o.jetstream.store_dir, "/data/nats-server");
  EXPECT_EQ(o.jetstream.max_memory, 1073741824);
  EXPECT_EQ(o.jetstream.max_store, 10737418240);
  EXPECT_TRUE(o.jetstream.sync_always);
}

TEST_F(ConfigFileTest, JetStreamBlockDetails) {
  ServerOptions o = Apply(
      "jetstream {\n  store: /js\n  max_mem: 1G\n  max_file: \"2G\"\n  domain: hub\n"
      "  sync_interval: \"30s\"\n}\n");
  EXPECT_EQ(o.jetstream.store_dir, "/js");
  EXPECT_EQ(o.jetstream.max_memory, 1000000000);               // unquoted 1G: a power of 1000
  EXPECT_EQ(o.jetstream.max_store, 2LL * 1024 * 1024 * 1024);  // quoted "2G": a power of 1024
  EXPECT_EQ(o.jetstream.domain, "hub");
  EXPECT_FALSE(o.jetstream.sync_always);
  EXPECT_EQ(o.jetstream.sync_interval, seconds(30));
  ServerOptions always = Apply("jetstream { sync: always }\n");
  EXPECT_TRUE(always.jetstream.sync_always);
  EXPECT_EQ(Apply("jetstream { max_memory_store: 512MB }\n").jetstream.max_memory, 512LL << 20);
  EXPECT_EQ(Apply("store_dir: /top\njetstream: enabled\n").jetstream.store_dir, "/top");
}

TEST_F(ConfigFileTest, Threads) { EXPECT_EQ(Apply("threads: 3\n").threads, 3); }

TEST_F(ConfigFileTest, EmptyFileKeepsDefaults) {
  ServerOptions o = Apply("# nothing\n");
  EXPECT_EQ(o.port, 4222);
  EXPECT_EQ(o.max_payload, 1 << 20);
}

TEST_F(ConfigFileTest, IncludeFromConfigDirectory) {
  dir_.Write("conf.d/auth.conf", "authorization { token: abc }\n");
  ServerOptions o = Apply("port: 4777\ninclude conf.d/auth.conf\n");
  EXPECT_EQ(o.port, 4777);
  EXPECT_EQ(o.auth.token, "abc");
}

}  // namespace
}  // namespace spate::server
