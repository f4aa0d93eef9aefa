#include <gtest/gtest.h>

#include <string>

#include "server/options/load_options.h"
#include "temp_dir.h"

namespace spate::server {
namespace {

class ConfigErrorsTest : public ::testing::Test {
 protected:
  // Applies `text` expecting failure; returns the message with the temp path cut to "s.conf".
  std::string ErrorOf(const std::string& text) {
    const std::string path = dir_.Write("s.conf", text);
    ServerOptions opts;
    opts.port = 1234;
    Status s = ApplyConfigFile(path, &opts);
    EXPECT_FALSE(s.ok()) << "accepted: " << text;
    EXPECT_EQ(opts.port, 1234) << "a failed file must leave the options alone";
    std::string m = s.message();
    for (size_t at; (at = m.find(path)) != std::string::npos;) m.replace(at, path.size(), "s.conf");
    return m;
  }

  spate::testing::TempDir dir_;
};

TEST_F(ConfigErrorsTest, UnknownFieldsAtEveryLevel) {
  EXPECT_EQ(ErrorOf("port: 1\n\nbogus: 2\n"), "s.conf:3:1: unknown field \"bogus\"");
  EXPECT_EQ(ErrorOf("authorization {\n  user: a\n  colour: red\n}\n"),
            "s.conf:3:3: unknown field \"colour\"");
  EXPECT_EQ(ErrorOf("jetstream {\n  sotre_dir: /x\n}\n"),
            "s.conf:2:3: unknown field \"sotre_dir\"");
  EXPECT_EQ(ErrorOf("authorization { users: [ {user: a, pw: b} ] }\n"),
            "s.conf:1:36: unknown field \"pw\"");
}

TEST_F(ConfigErrorsTest, AllErrorsAreReportedTogether) {
  EXPECT_EQ(ErrorOf("a: 1\nport: 1\nb: 2\n"),
            "s.conf:1:1: unknown field \"a\"\ns.conf:3:1: unknown field \"b\"");
}

TEST_F(ConfigErrorsTest, NatsServerFeaturesNotSupportedYet) {
  EXPECT_EQ(ErrorOf("port: 4222\ncluster {\n  port: 6222\n}\n"),
            "s.conf:2:1: \"cluster\" is not supported by spate-server yet");
  EXPECT_EQ(ErrorOf("mqtt { port: 1883 }\n"),
            "s.conf:1:1: \"mqtt\" is not supported by spate-server yet");
  EXPECT_EQ(ErrorOf("leafnodes {}\n"),
            "s.conf:1:1: \"leafnodes\" is not supported by spate-server yet");
  EXPECT_EQ(ErrorOf("accounts { A { mappings {} } }\n"),
            "s.conf:1:16: \"mappings\" in an account is not supported by spate-server yet");
  EXPECT_EQ(ErrorOf("websocket { port: 1 }\n"),
            "s.conf:1:1: \"websocket\" is not supported by spate-server yet");
  EXPECT_EQ(
      ErrorOf(
          "authorization {\n users = [\n  {user: a, password: b, proxy_required: true}\n ]\n}\n"),
      "s.conf:3:26: \"proxy_required\" in a user entry is not supported by spate-server yet");
  EXPECT_EQ(ErrorOf("jetstream {\n  cipher: aes\n}\n"),
            "s.conf:2:3: \"cipher\" in jetstream is not supported by spate-server yet");
}

TEST_F(ConfigErrorsTest, BadValuesNameTheLine) {
  EXPECT_EQ(ErrorOf("\nport: -2\n"),
            "s.conf:2:7: invalid value for \"port\": -2 is outside -1..65535");
  EXPECT_EQ(ErrorOf("port: 70000\n"),
            "s.conf:1:7: invalid value for \"port\": 70000 is outside -1..65535");
  EXPECT_EQ(ErrorOf("port: abc\n"),
            "s.conf:1:7: invalid value for \"port\": expected an integer, found string \"abc\"");
  EXPECT_EQ(ErrorOf("debug: 1\n"),
            "s.conf:1:8: invalid value for \"debug\": expected a boolean, found integer 1");
  EXPECT_EQ(ErrorOf("server_name: [a]\n"),
            "s.conf:1:14: invalid value for \"server_name\": expected a string, found array");
  EXPECT_EQ(ErrorOf("max_payload: 4GB\n"), "s.conf:1:14: max_payload value is too big");
  EXPECT_EQ(ErrorOf("max_payload: -1\n"), "s.conf:1:14: max_payload value can not be negative");
  EXPECT_EQ(ErrorOf("listen: \"nohostport\"\n"),
            "s.conf:1:9: could not parse address string \"nohostport\"");
  EXPECT_EQ(ErrorOf("server_name: \"a b\"\n"), "s.conf:1:14: server name cannot contain spaces");
}

TEST_F(ConfigErrorsTest, BadDurations) {
  EXPECT_EQ(ErrorOf("ping_interval: \"soon\"\n"),
            "s.conf:1:16: error parsing ping_interval: invalid duration \"soon\"");
  EXPECT_EQ(ErrorOf("ping_interval: 2k\n"),
            "s.conf:1:16: invalid value for \"ping_interval\": 2k is a size, not a duration; "
            "quote a duration such as \"2m\"");
  EXPECT_EQ(ErrorOf("write_deadline: \"-1s\"\n"),
            "s.conf:1:17: invalid value for \"write_deadline\": duration can not be negative");
  EXPECT_EQ(ErrorOf("jetstream { sync_interval: never }\n"),
            "s.conf:1:28: error parsing sync_interval: invalid duration \"never\"");
}

TEST_F(ConfigErrorsTest, LameDuckLimits) {
  EXPECT_EQ(ErrorOf("lame_duck_duration: \"2s\"\n"),
            "s.conf:1:21: invalid lame_duck_duration of 2s, minimum is 30 seconds");
  EXPECT_EQ(ErrorOf("lame_duck_grace_period: \"-1s\"\n"),
            "s.conf:1:25: invalid value for \"lame_duck_grace_period\": duration can not be "
            "negative");
}

TEST_F(ConfigErrorsTest, AuthorizationCombinations) {
  EXPECT_EQ(ErrorOf("authorization { user: a, password: b, token: t }\n"),
            "s.conf:1:1: cannot have a user/pass and token");
  EXPECT_EQ(ErrorOf("authorization { user: a, users: [ {user: b} ] }\n"),
            "s.conf:1:1: can not have a single user/pass and a users array");
  EXPECT_EQ(ErrorOf("authorization { token: t, users: [] }\n"),
            "s.conf:1:1: can not have a token and a users array");
  EXPECT_EQ(ErrorOf("authorization {\n users: [\n  {user: a}\n  {user: a}\n ]\n}\n"),
            "s.conf:4:3: duplicate user \"a\" detected");
  EXPECT_EQ(ErrorOf("authorization { users: [ {password: x} ] }\n"),
            "s.conf:1:26: user entry requires a user");
  EXPECT_EQ(ErrorOf("authorization: yes\n"),
            "s.conf:1:16: expected a map for \"authorization\", found boolean");
}

TEST_F(ConfigErrorsTest, NoAuthUserMustBeAUser) {
  EXPECT_EQ(ErrorOf("no_auth_user: ghost\n"),
            "s.conf:1:1: no_auth_user: \"ghost\" present, but users are not defined");
  EXPECT_EQ(ErrorOf("authorization { users: [ {user: a} ] }\nno_auth_user: ghost\n"),
            "s.conf:2:1: no_auth_user: \"ghost\" not present as user in authorization block");
}

TEST_F(ConfigErrorsTest, JetStreamValues) {
  EXPECT_EQ(ErrorOf("jetstream: maybe\n"),
            "s.conf:1:12: expected 'enabled' or 'disabled' for \"jetstream\", found 'maybe'");
  EXPECT_EQ(ErrorOf("jetstream { max_file_store: \"10X\" }\n"),
            "s.conf:1:29: invalid value for \"max_file_store\": sizes defined as strings must end "
            "in K, M, G, T");
  EXPECT_EQ(ErrorOf("store_dir: /a\njetstream { store_dir: /b }\n"),
            "s.conf:2:13: duplicate 'store_dir' configuration");
}

TEST_F(ConfigErrorsTest, SyntaxErrorsComeFromTheParser) {
  EXPECT_EQ(ErrorOf("port: 1\nname: \"open\n"), "s.conf:2:7: unterminated string");
  EXPECT_EQ(ErrorOf("port: $UNDEFINED_SPATE_TEST_VAR\n"),
            "s.conf:1:7: variable '$UNDEFINED_SPATE_TEST_VAR' is not defined in an enclosing "
            "block or the environment");
}

TEST_F(ConfigErrorsTest, UnusedBlockVariableIsUnknown) {
  EXPECT_EQ(ErrorOf("authorization {\n  SECRET: x\n  user: a\n}\n"),
            "s.conf:2:3: unknown field \"SECRET\"");
}

TEST(ConfigFileMissing, IsAnIoError) {
  ServerOptions opts;
  Status s = ApplyConfigFile("/nonexistent/spate.conf", &opts);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace spate::server
