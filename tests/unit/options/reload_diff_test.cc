#include "server/options/reload_diff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace spate::server {
namespace {

using std::chrono::milliseconds;

UserEntry User(std::string name, std::string password) {
  UserEntry u;
  u.user = std::move(name);
  u.password = std::move(password);
  return u;
}

bool Has(const ReloadChanges& c, const std::string& line) {
  return std::find(c.descriptions.begin(), c.descriptions.end(), line) != c.descriptions.end();
}

TEST(ReloadDiffTest, NothingChangedIsNothingToDo) {
  ServerOptions a;
  Result<ReloadChanges> c = DiffForReload(a, a);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->descriptions.empty());
  EXPECT_FALSE(c->authorization);
  EXPECT_FALSE(c->logging);
}

TEST(ReloadDiffTest, LimitsAndLoggingAreDescribedAsNatsServerLogsThem) {
  ServerOptions a, b;
  b.max_payload = 2048;
  b.max_control_line = 8192;
  b.max_connections = 10;
  b.ping_interval = milliseconds(90'000);
  b.max_pings_out = 5;
  b.write_deadline = milliseconds(2500);
  b.debug = true;
  b.log_time = false;
  Result<ReloadChanges> c = DiffForReload(a, b);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(Has(*c, "Reloaded: max_payload = 2048"));
  EXPECT_TRUE(Has(*c, "Reloaded: max_control_line = 8192"));
  EXPECT_TRUE(Has(*c, "Reloaded: max_connections = 10"));
  EXPECT_TRUE(Has(*c, "Reloaded: ping_interval = 1m30s"));
  EXPECT_TRUE(Has(*c, "Reloaded: ping_max = 5"));
  EXPECT_TRUE(Has(*c, "Reloaded: write_deadline = 2.5s"));
  EXPECT_TRUE(Has(*c, "Reloaded: debug = true"));
  EXPECT_TRUE(Has(*c, "Reloaded: logtime = false"));
  EXPECT_TRUE(c->logging);
  EXPECT_FALSE(c->authorization);
}

TEST(ReloadDiffTest, AuthorizationChanges) {
  ServerOptions a, b;
  a.auth.users = {User("u", "p")};
  b.auth.users = {User("u", "q")};
  b.auth.timeout = milliseconds(1500);
  Result<ReloadChanges> c = DiffForReload(a, b);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->authorization);
  EXPECT_TRUE(Has(*c, "Reloaded: authorization users"));
  EXPECT_FALSE(Has(*c, "Reloaded: authorization nkey users"));
  EXPECT_TRUE(Has(*c, "Reloaded: authorization timeout = 1.5"));

  ServerOptions d = a;
  d.auth.default_permissions = Permissions{};
  c = DiffForReload(a, d);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->authorization) << "default permissions belong to the users";
}

TEST(ReloadDiffTest, FixedOptionsRefuseTheReloadWithNatsServersText) {
  ServerOptions a, b;
  a.server_name = "one";
  b.server_name = "two";
  b.max_payload = 1;  // reloadable, but the refusal wins
  Result<ReloadChanges> c = DiffForReload(a, b);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "config reload not supported for ServerName: old=one, new=two");

  const ServerOptions base;
  ServerOptions p;
  p.port = 4223;
  EXPECT_EQ(DiffForReload(base, p).status().message(),
            "config reload not supported for Port: old=4222, new=4223");
  ServerOptions js;
  js.jetstream.store_dir = "/elsewhere";
  EXPECT_EQ(DiffForReload(base, js).status().message(),
            "config reload not supported for jetstream storage dir");
  ServerOptions mem;
  mem.jetstream.max_memory = 1 << 20;
  EXPECT_EQ(DiffForReload(base, mem).status().message(),
            "config reload not supported for jetstream max memory and max store");
  ServerOptions acc;
  acc.auth.accounts.emplace_back().name = "A";
  EXPECT_FALSE(DiffForReload(base, acc).ok());
}

TEST(ReloadDiffTest, TlsSettingsReloadWhileTlsStaysOn) {
  ServerOptions a, b;
  a.tls.enabled = b.tls.enabled = true;
  a.tls.cert_file = "old.pem";
  b.tls.cert_file = "new.pem";
  Result<ReloadChanges> c = DiffForReload(a, b);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->tls);
  EXPECT_TRUE(Has(*c, "Reloaded: tls = enabled"));
  EXPECT_FALSE(c->authorization);
  b.tls.verify_and_map = true;
  EXPECT_TRUE(DiffForReload(a, b)->authorization) << "verify_and_map picks the user";
  ServerOptions off;
  EXPECT_FALSE(DiffForReload(a, off).ok());
}

TEST(ReloadDiffTest, NoAuthUserMayGoOnlyWithItsUser) {
  ServerOptions a;
  a.auth.users = {User("anon", "x")};
  a.auth.no_auth_user = "anon";
  ServerOptions kept_user = a;
  kept_user.auth.no_auth_user.clear();
  EXPECT_FALSE(DiffForReload(a, kept_user).ok());
  ServerOptions both_gone;
  Result<ReloadChanges> c = DiffForReload(a, both_gone);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->authorization);
}

}  // namespace
}  // namespace spate::server
