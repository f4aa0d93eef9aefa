#include <gtest/gtest.h>

#include <string>

#include "server/options/load_options.h"
#include "temp_dir.h"

namespace spate::server {
namespace {

class AccountsConfigTest : public ::testing::Test {
 protected:
  ServerOptions Apply(const std::string& text) {
    ServerOptions opts;
    Status s = ApplyConfigFile(dir_.Write("server.conf", text), &opts);
    EXPECT_TRUE(s.ok()) << s.message();
    return opts;
  }
  std::string ErrorOf(const std::string& text) {
    const std::string path = dir_.Write("s.conf", text);
    ServerOptions opts;
    Status s = ApplyConfigFile(path, &opts);
    EXPECT_FALSE(s.ok()) << "accepted: " << text;
    std::string m = s.message();
    for (size_t at; (at = m.find(path)) != std::string::npos;) m.replace(at, path.size(), "s.conf");
    return m;
  }
  const UserEntry& User(const ServerOptions& o, const std::string& name) {
    for (const UserEntry& u : o.auth.users) {
      if (u.user == name) return u;
    }
    ADD_FAILURE() << "no user " << name;
    static UserEntry none;
    return none;
  }

  spate::testing::TempDir dir_;
};

TEST_F(AccountsConfigTest, AccountsWithUsersJetStreamExportsAndImports) {
  ServerOptions o = Apply(R"(
accounts {
  A {
    users = [ {user: a, password: pa} ]
    jetstream: {max_mem: 1M, max_file: "2G", max_streams: 3, max_consumers: 4, max_bytes_required: true}
    exports = [ {stream: "events.>"}, {service: "help.*", accounts: [B]} ]
  }
  B {
    users = [ {user: b, password: pb} ]
    jetstream: enabled
    imports = [ {stream: {account: A, subject: "events.>"}, prefix: "a"},
                {service: {account: A, subject: "help.me"}, to: "help"} ]
  }
  C: { jetstream: disabled }
}
)");
  ASSERT_EQ(o.auth.accounts.size(), 3u);
  const AccountConfig& a = o.auth.accounts[0];
  EXPECT_EQ(a.name, "A");
  ASSERT_TRUE(a.jetstream.has_value());
  EXPECT_EQ(a.jetstream->max_memory, 1000 * 1000);
  EXPECT_EQ(a.jetstream->max_store, 2LL << 30);
  EXPECT_EQ(a.jetstream->max_streams, 3);
  EXPECT_EQ(a.jetstream->max_consumers, 4);
  EXPECT_TRUE(a.jetstream->max_bytes_required);
  ASSERT_EQ(a.exports.size(), 2u);
  EXPECT_FALSE(a.exports[0].service);
  EXPECT_EQ(a.exports[0].subject, "events.>");
  EXPECT_TRUE(a.exports[1].service);
  EXPECT_EQ(a.exports[1].accounts, std::vector<std::string>{"B"});
  const AccountConfig& b = o.auth.accounts[1];
  ASSERT_TRUE(b.jetstream.has_value());
  EXPECT_EQ(b.jetstream->max_memory, -1);
  ASSERT_EQ(b.imports.size(), 2u);
  EXPECT_EQ(b.imports[0].account, "A");
  EXPECT_EQ(b.imports[0].prefix, "a");
  EXPECT_TRUE(b.imports[1].service);
  EXPECT_EQ(b.imports[1].to, "help");
  EXPECT_FALSE(o.auth.accounts[2].jetstream.has_value());
  EXPECT_EQ(User(o, "a").account, "A");
  EXPECT_EQ(User(o, "b").account, "B");
  EXPECT_TRUE(o.auth.required());
}

TEST_F(AccountsConfigTest, PermissionForms) {
  ServerOptions o = Apply(R"(
authorization {
  default_permissions = { publish: "sandbox.>" }
  ADMIN = { publish = ">", subscribe = ">" }
  users = [
    {user: admin, password: x, permissions: $ADMIN}
    {user: lists, password: x, permissions: {pub: ["a", "b.*"], sub: {allow: ["c.>", "q workers"], deny: "c.secret"}}}
    {user: resp, password: x, permissions: {subscribe: "svc", allow_responses: {max: 5, expires: "1m"}}}
    {user: plain, password: x}
  ]
}
)");
  ASSERT_TRUE(o.auth.default_permissions.has_value());
  EXPECT_EQ(o.auth.default_permissions->publish->allow, std::vector<std::string>{"sandbox.>"});
  const UserEntry& admin = User(o, "admin");
  ASSERT_TRUE(admin.permissions.has_value());
  EXPECT_EQ(admin.permissions->subscribe->allow, std::vector<std::string>{">"});
  const UserEntry& lists = User(o, "lists");
  EXPECT_EQ(lists.permissions->publish->allow, (std::vector<std::string>{"a", "b.*"}));
  EXPECT_TRUE(lists.permissions->publish->has_allow);
  EXPECT_EQ(lists.permissions->subscribe->allow, (std::vector<std::string>{"c.>", "q workers"}));
  EXPECT_EQ(lists.permissions->subscribe->deny, std::vector<std::string>{"c.secret"});
  const UserEntry& resp = User(o, "resp");
  ASSERT_TRUE(resp.permissions->response.has_value());
  EXPECT_EQ(resp.permissions->response->max_msgs, 5);
  EXPECT_EQ(resp.permissions->response->expires, std::chrono::minutes(1));
  // allow_responses without publish permissions allows publishing nothing else.
  ASSERT_TRUE(resp.permissions->publish.has_value());
  EXPECT_TRUE(resp.permissions->publish->has_allow);
  EXPECT_TRUE(resp.permissions->publish->allow.empty());
  EXPECT_FALSE(User(o, "plain").permissions.has_value());
}

TEST_F(AccountsConfigTest, MistakesAreReportedWithTheirLine) {
  EXPECT_EQ(ErrorOf("accounts { A { users = [ {user: a, password: b} ] }, B { users = [ {user: a, "
                    "password: c} ] } }\n"),
            "s.conf:1:68: duplicate user \"a\" detected");
  EXPECT_EQ(ErrorOf("accounts { $G { } }\n"), "s.conf:1:12: \"$G\" is a reserved account name");
  EXPECT_EQ(ErrorOf("accounts { A { jetstream: maybe } }\n"),
            "s.conf:1:27: expected 'enabled' or 'disabled' for string value, got 'maybe'");
  EXPECT_EQ(ErrorOf("authorization { users = [ {user: a, password: b, permissions: {publish: "
                    "\"a..b\"}} ] }\n"),
            "s.conf:1:73: invalid subject \"a..b\"");
  EXPECT_EQ(ErrorOf("accounts { A { exports = [ {stream: \"x\", service: \"y\"} ] } }\n"),
            "s.conf:1:42: export can not be both a stream and a service");
}

}  // namespace
}  // namespace spate::server
