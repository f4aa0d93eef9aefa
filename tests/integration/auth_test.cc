// Authentication with the official C client (libnats): bcrypt passwords, tokens, nkeys signing
// the INFO nonce, and operator-mode .creds files (user JWT + seed); permission violations as the
// client sees them. Every test also runs against nats-server
// (SPATE_TEST_SERVER_BIN=/usr/sbin/nats-server) with the same config.

#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "auth/creds.h"
#include "auth/jwt.h"
#include "auth/nkey.h"
#include "auth/password.h"
#include "integration/server_fixture.h"
#include "support/wait_for.h"
#include "support/wire_client.h"

namespace spate::test {
namespace {

struct Key {
  std::string seed, pub;
};

Key NewKey(auth::KeyType type) {
  Result<auth::SecretString> seed = auth::CreateSeed(type);
  EXPECT_TRUE(seed.ok());
  Key k;
  k.seed = std::string(seed->view());
  Result<std::string> pub = auth::PublicKeyOf(k.seed);
  EXPECT_TRUE(pub.ok());
  k.pub = *pub;
  return k;
}

std::string Sign(const Key& issuer, const std::string& sub, const std::string& type,
                 nlohmann::json nats) {
  nats["type"] = type;
  nats["version"] = 2;
  nlohmann::json claims = {{"sub", sub}, {"name", type}, {"nats", nats}};
  Result<std::string> jwt = auth::EncodeClaims(claims, issuer.seed, std::time(nullptr));
  EXPECT_TRUE(jwt.ok()) << jwt.error().message();
  return jwt.ok() ? *jwt : "";
}

class AuthTest : public ServerTest {
 protected:
  // Each test writes its config, then starts the server itself.
  void SetUp() override {}
  void StartWith(const std::string& config) {
    TestServerOptions o;
    o.config = config;
    server_ = TestServer::Spate(o);
    ASSERT_TRUE(server_->Start()) << server_->error();
  }
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  natsStatus TryConnect(const std::function<void(natsOptions*)>& configure) {
    NatsConnection c;
    return spate::test::Connect(server_->url(), &c, configure);
  }
  // libnats 3.4.1 sends no "sig" when the signature's first byte is 0 (its base64 encoder takes
  // a leading 0 for an empty input; fixed upstream later), so 1 signed login in 256 fails
  // against any server. The nonce is new on every connection: a good key gets in within a few
  // tries, a wrong one never does. NATS_OK, or the last attempt's status.
  natsStatus ConnectSigned(const std::function<void(natsOptions*)>& configure,
                           NatsConnection* out) {
    natsStatus s = NATS_ERR;
    for (int attempt = 0; attempt < 4 && s != NATS_OK; ++attempt) {
      s = spate::test::Connect(server_->url(), out, configure);
    }
    return s;
  }
  natsStatus TryConnectSigned(const std::function<void(natsOptions*)>& configure) {
    NatsConnection c;
    return ConnectSigned(configure, &c);
  }

  TempDir dir_;
};

TEST_F(AuthTest, BcryptPasswordsAndTokens) {
  Result<std::string> hash = auth::BcryptHash("s3cret", 4);
  ASSERT_TRUE(hash.ok());
  StartWith("authorization { users = [ {user: alice, password: \"" + *hash + "\"} ] }\n");
  EXPECT_EQ(TryConnect([](natsOptions* o) { natsOptions_SetUserInfo(o, "alice", "s3cret"); }),
            NATS_OK);
  EXPECT_NE(TryConnect([](natsOptions* o) { natsOptions_SetUserInfo(o, "alice", "wrong"); }),
            NATS_OK);
  // The hash itself is not a password.
  EXPECT_NE(TryConnect([&](natsOptions* o) { natsOptions_SetUserInfo(o, "alice", hash->c_str()); }),
            NATS_OK);

  server_.reset();
  StartWith("authorization { token: \"t0ken\" }\n");
  EXPECT_EQ(TryConnect([](natsOptions* o) { natsOptions_SetToken(o, "t0ken"); }), NATS_OK);
  EXPECT_NE(TryConnect([](natsOptions* o) { natsOptions_SetToken(o, "other"); }), NATS_OK);
  EXPECT_NE(TryConnect({}), NATS_OK);
}

// A bcrypt check runs off the event loop: what the client pipelined behind its CONNECT waits
// for the answer and then runs in order; after a failed check nothing of it runs.
TEST_F(AuthTest, CommandsPipelinedBehindASlowLoginRunAfterIt) {
  Result<std::string> hash = auth::BcryptHash("pw", 10);
  ASSERT_TRUE(hash.ok());
  StartWith("authorization { users = [ {user: u, password: \"" + *hash + "\"} ] }\n");
  WireClient ok;
  ASSERT_TRUE(ok.Connect(server_->port())) << ok.error();
  ASSERT_TRUE(ok.ReadLine());  // INFO
  ASSERT_TRUE(
      ok.Send("CONNECT {\"user\":\"u\",\"pass\":\"pw\",\"verbose\":false}\r\n"
              "SUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n"));
  EXPECT_EQ(ok.ReadLine(), "MSG foo 1 2\r\n");
  EXPECT_EQ(ok.ReadLine(), "hi\r\n");
  EXPECT_EQ(ok.ReadLine(), "PONG\r\n");

  WireClient bad;
  ASSERT_TRUE(bad.Connect(server_->port())) << bad.error();
  ASSERT_TRUE(bad.ReadLine());
  ASSERT_TRUE(
      bad.Send("CONNECT {\"user\":\"u\",\"pass\":\"no\",\"verbose\":false}\r\n"
               "PUB foo 3\r\nbad\r\nPING\r\n"));
  EXPECT_EQ(bad.ReadLine(), "-ERR 'Authorization Violation'\r\n");
  EXPECT_TRUE(bad.ExpectClosed());
  // The failed client's PUB never ran.
  ASSERT_TRUE(ok.Send("PING\r\n"));
  EXPECT_EQ(ok.ReadLine(), "PONG\r\n");
}

TEST_F(AuthTest, NkeySeedSignsTheNonce) {
  Key user = NewKey(auth::KeyType::kUser);
  Key other = NewKey(auth::KeyType::kUser);
  StartWith("authorization { users = [ {nkey: " + user.pub + "} ] }\n");
  std::string seed_file = WriteFile("user.nk", user.seed + "\n");
  std::string other_file = WriteFile("other.nk", other.seed + "\n");
  EXPECT_EQ(TryConnectSigned([&](natsOptions* o) {
              natsOptions_SetNKeyFromSeed(o, user.pub.c_str(), seed_file.c_str());
            }),
            NATS_OK);
  // The right public key with another key's signature.
  EXPECT_NE(TryConnect([&](natsOptions* o) {
              natsOptions_SetNKeyFromSeed(o, user.pub.c_str(), other_file.c_str());
            }),
            NATS_OK);
  EXPECT_NE(TryConnect([&](natsOptions* o) {
              natsOptions_SetNKeyFromSeed(o, other.pub.c_str(), other_file.c_str());
            }),
            NATS_OK);
}

TEST_F(AuthTest, CredsFileInOperatorModeAndPermissionsFromTheJwt) {
  Key op = NewKey(auth::KeyType::kOperator);
  Key account = NewKey(auth::KeyType::kAccount);
  Key sys = NewKey(auth::KeyType::kAccount);
  Key user = NewKey(auth::KeyType::kUser);
  std::string op_file = WriteFile("op.jwt", Sign(op, op.pub, "operator", nlohmann::json::object()));
  nlohmann::json limits = {{"subs", -1},    {"conn", -1},    {"data", -1},       {"payload", -1},
                           {"imports", -1}, {"exports", -1}, {"wildcards", true}};
  std::string account_jwt = Sign(op, account.pub, "account", {{"limits", limits}});
  std::string sys_jwt = Sign(op, sys.pub, "account", nlohmann::json::object());
  nlohmann::json perms = {{"subs", -1},
                          {"data", -1},
                          {"payload", -1},
                          {"pub", {{"allow", {"orders.>"}}}},
                          {"sub", {{"allow", {"orders.>", "_INBOX.>"}}}}};
  std::string user_jwt = Sign(account, user.pub, "user", perms);
  std::string creds = WriteFile("user.creds", auth::FormatCreds(user_jwt, user.seed));
  StartWith("operator: \"" + op_file + "\"\nsystem_account: " + sys.pub +
            "\nresolver: MEMORY\nresolver_preload: {\n  " + account.pub + ": \"" + account_jwt +
            "\"\n  " + sys.pub + ": \"" + sys_jwt + "\"\n}\n");

  struct Errors {
    std::mutex mu;
    std::string last;
  } errors;
  NatsConnection nc;
  const natsStatus connected = ConnectSigned(
      [&](natsOptions* o) {
        natsOptions_SetUserCredentialsFromFiles(o, creds.c_str(), nullptr);
        natsOptions_SetErrorHandler(
            o,
            [](natsConnection* c, natsSubscription*, natsStatus, void* closure) {
              auto* e = static_cast<Errors*>(closure);
              const char* text = nullptr;
              natsConnection_GetLastError(c, &text);
              std::lock_guard lock(e->mu);
              e->last = text != nullptr ? text : "";
            },
            &errors);
      },
      &nc);
  ASSERT_EQ(connected, NATS_OK) << natsStatus_GetText(connected) << "\n" << server_->Log();
  natsSubscription* raw = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&raw, nc.get(), "orders.new"), NATS_OK);
  NatsSubscription sub(raw);
  ASSERT_EQ(natsConnection_PublishString(nc.get(), "orders.new", "o1"), NATS_OK);
  natsMsg* m = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&m, sub.get(), 2000), NATS_OK);
  NatsMsg msg(m);
  EXPECT_EQ(Payload(msg.get()), "o1");
  ASSERT_EQ(natsConnection_PublishString(nc.get(), "payments.new", "p1"), NATS_OK);
  natsConnection_Flush(nc.get());
  EXPECT_TRUE(WaitFor(
      [&] {
        std::lock_guard lock(errors.mu);
        return errors.last.find("Permissions Violation for Publish to \"payments.new\"") !=
                   std::string::npos ||
               errors.last.find("permissions violation for publish to \"payments.new\"") !=
                   std::string::npos;
      },
      2s))
      << errors.last;

  // A user JWT signed by someone else than its account, with the same seed.
  Key stranger = NewKey(auth::KeyType::kAccount);
  std::string forged = WriteFile(
      "forged.creds",
      auth::FormatCreds(Sign(stranger, user.pub, "user", {{"issuer_account", account.pub}}),
                        user.seed));
  EXPECT_NE(TryConnect([&](natsOptions* o) {
              natsOptions_SetUserCredentialsFromFiles(o, forged.c_str(), nullptr);
            }),
            NATS_OK);
  // The right JWT with another user's seed: the nonce signature does not verify.
  Key thief = NewKey(auth::KeyType::kUser);
  std::string stolen = WriteFile("stolen.creds", auth::FormatCreds(user_jwt, thief.seed));
  EXPECT_NE(TryConnect([&](natsOptions* o) {
              natsOptions_SetUserCredentialsFromFiles(o, stolen.c_str(), nullptr);
            }),
            NATS_OK);
}

}  // namespace
}  // namespace spate::test
