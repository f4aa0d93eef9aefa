// Key-based authentication and TLS negotiation against a scripted peer: the CONNECT fields that
// answer the INFO nonce (nkey, jwt, sig), option checks, and what the client does when the
// server's INFO and the client's TLS settings disagree.
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>

#include "auth/base64url.h"
#include "auth/creds.h"
#include "auth/nkey.h"
#include "support/temp_dir.h"
#include "unit/client/client_fixture.h"

namespace spate::client::test {
namespace {

constexpr std::string_view kNonce = "ZmFrZS1ub25jZS0xMjM0";
const std::string kInfoWithNonce =
    R"({"server_id":"FAKE","version":"2.10.0","proto":1,"headers":true,"max_payload":1048576,)"
    R"("auth_required":true,"nonce":")" +
    std::string(kNonce) + R"("})";

struct UserKey {
  std::string seed, pub;
};

UserKey NewUserKey() {
  Result<auth::SecretString> seed = auth::CreateSeed(auth::KeyType::kUser);
  EXPECT_TRUE(seed.ok());
  UserKey k{std::string(seed->view()), ""};
  k.pub = auth::PublicKeyOf(k.seed).value();
  return k;
}

nlohmann::json ConnectBody(const std::string& line) {
  // "CONNECT {...}\r\n"
  return nlohmann::json::parse(line.substr(8, line.size() - 10));
}

// The CONNECT's sig is base64url without padding and verifies against `pub` over the nonce.
void ExpectSignedNonce(const nlohmann::json& connect, const std::string& pub) {
  ASSERT_TRUE(connect.contains("sig")) << connect.dump();
  const std::string sig = connect["sig"];
  EXPECT_EQ(sig.find('='), std::string::npos) << sig;
  Result<std::vector<uint8_t>> raw = auth::Base64UrlDecode(sig);
  ASSERT_TRUE(raw.ok()) << sig;
  EXPECT_TRUE(auth::Verify(pub, kNonce, *raw)) << "signature does not verify for " << pub;
}

class SecurityTest : public ClientTest {
 protected:
  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  spate::test::TempDir dir_;
};

TEST_F(SecurityTest, NkeySeedSendsPublicKeyAndSignsTheNonce) {
  const UserKey user = NewUserKey();
  Options o;
  o.nkey_seed = user.seed;
  Connect(o, kInfoWithNonce);
  const nlohmann::json c = ConnectBody(connect_line_);
  EXPECT_EQ(c.value("nkey", ""), user.pub);
  EXPECT_FALSE(c.contains("jwt"));
  EXPECT_FALSE(c.contains("user"));
  EXPECT_EQ(c.value("tls_required", true), false);
  ExpectSignedNonce(c, user.pub);
}

TEST_F(SecurityTest, NkeySeedFileIsReadAtConnect) {
  const UserKey user = NewUserKey();
  Options o;
  o.nkey_seed_file = WriteFile("user.nk", "# my key\n\n  " + user.seed + "\r\n");
  Connect(o, kInfoWithNonce);
  const nlohmann::json c = ConnectBody(connect_line_);
  EXPECT_EQ(c.value("nkey", ""), user.pub);
  ExpectSignedNonce(c, user.pub);
}

TEST_F(SecurityTest, CredsFileSendsJwtAndSignsTheNonce) {
  const UserKey user = NewUserKey();
  // The client sends the JWT as it is; only the server decodes it.
  const std::string jwt = "eyJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.c2ln";
  Options o;
  o.creds_file = WriteFile("user.creds", auth::FormatCreds(jwt, user.seed));
  Connect(o, kInfoWithNonce);
  const nlohmann::json c = ConnectBody(connect_line_);
  EXPECT_EQ(c.value("jwt", ""), jwt);
  EXPECT_FALSE(c.contains("nkey")) << "nats.go sends no nkey with a JWT";
  ExpectSignedNonce(c, user.pub);
}

TEST_F(SecurityTest, UserJwtCallbacksSignTheNonce) {
  const UserKey user = NewUserKey();
  std::string signed_nonce;
  Options o;
  o.user_jwt = []() -> Result<std::string> { return std::string("the.user.jwt"); };
  o.sign_nonce = [&, seed = user.seed](std::string_view nonce) -> Result<std::string> {
    signed_nonce = nonce;
    Result<auth::Signature> sig = auth::Sign(seed, nonce);
    if (!sig.ok()) return sig.status();
    return std::string(sig->begin(), sig->end());
  };
  Connect(o, kInfoWithNonce);
  const nlohmann::json c = ConnectBody(connect_line_);
  EXPECT_EQ(signed_nonce, kNonce);
  EXPECT_EQ(c.value("jwt", ""), "the.user.jwt");
  ExpectSignedNonce(c, user.pub);
}

TEST_F(SecurityTest, FailingJwtCallbackFailsTheConnect) {
  Options o;
  o.servers = {server_.url()};
  o.user_jwt = []() -> Result<std::string> { return Status::NotFound("no JWT in the vault"); };
  o.sign_nonce = [](std::string_view) -> Result<std::string> { return std::string(64, 'x'); };
  auto pending = std::async(std::launch::async, [o] { return Connection::Connect(o); });
  auto peer = server_.Accept();
  ASSERT_NE(peer, nullptr);
  ASSERT_TRUE(peer->Send("INFO " + kInfoWithNonce + "\r\n"));
  auto conn = pending.get();
  ASSERT_FALSE(conn.ok());
  EXPECT_NE(conn.status().message().find("no JWT in the vault"), std::string::npos)
      << conn.status().message();
}

TEST(SecurityOptionsTest, BadOrConflictingCredentialsFailBeforeDialing) {
  Options o;
  o.servers = {"nats://127.0.0.1:1"};  // nobody dials it: the options fail first
  o.nkey_seed = "SUNOTAVALIDSEED";
  Result<std::unique_ptr<Connection>> bad_seed = Connection::Connect(o);
  ASSERT_FALSE(bad_seed.ok());
  EXPECT_EQ(bad_seed.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(bad_seed.status().message().find("bad nkey seed"), std::string::npos);

  o.nkey_seed = NewUserKey().seed;
  o.creds_file = "/nonexistent/user.creds";
  Result<std::unique_ptr<Connection>> both = Connection::Connect(o);
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.status().code(), Status::Code::kInvalidArgument);

  Options half;
  half.servers = o.servers;
  half.user_jwt = []() -> Result<std::string> { return std::string("jwt"); };
  EXPECT_EQ(Connection::Connect(half).status().code(), Status::Code::kInvalidArgument);
}

TEST(SecurityOptionsTest, UnreadableTlsFilesFailConnectNamingTheFile) {
  Options o;
  o.servers = {"tls://127.0.0.1:1"};
  o.tls.ca_file = "/nonexistent/ca.pem";
  Result<std::unique_ptr<Connection>> conn = Connection::Connect(o);
  ASSERT_FALSE(conn.ok());
  EXPECT_NE(conn.status().message().find("/nonexistent/ca.pem"), std::string::npos)
      << conn.status().message();
  Options half;
  half.servers = o.servers;
  half.tls.cert_file = "/nonexistent/client.pem";  // no key_file
  EXPECT_EQ(Connection::Connect(half).status().code(), Status::Code::kInvalidArgument);
}

TEST_F(SecurityTest, ServerWithoutTlsIsAnErrorWhenTheClientRequiresIt) {
  Options o;
  o.servers = {"tls://127.0.0.1:" + std::to_string(server_.port())};
  auto pending = std::async(std::launch::async, [o] { return Connection::Connect(o); });
  auto peer = server_.Accept();
  ASSERT_NE(peer, nullptr);
  ASSERT_TRUE(peer->Send("INFO " + std::string(FakePeer::kInfo) + "\r\n"));
  auto conn = pending.get();
  ASSERT_FALSE(conn.ok());
  EXPECT_NE(conn.status().message().find("TLS required by the client"), std::string::npos)
      << conn.status().message();
  // It never sent CONNECT in plain text (credentials could be in it).
  EXPECT_FALSE(peer->ReadLineStartingWith("CONNECT", 200ms).has_value());
}

TEST_F(SecurityTest, ServerRequiringTlsGetsAClientHelloAfterInfo) {
  Options o;
  o.servers = {server_.url()};
  o.connect_timeout = 1000ms;
  auto pending = std::async(std::launch::async, [o] { return Connection::Connect(o); });
  auto peer = server_.Accept();
  ASSERT_NE(peer, nullptr);
  ASSERT_TRUE(peer->Send(R"(INFO {"server_id":"FAKE","proto":1,"tls_required":true})"
                         "\r\n"));
  // A TLS record of type handshake (22), version 3.x: the ClientHello, not a CONNECT.
  pollfd p{peer->fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 3000), 1);
  unsigned char head[2] = {0, 0};
  ASSERT_EQ(::recv(peer->fd(), head, sizeof head, 0), 2);
  EXPECT_EQ(head[0], 0x16);
  EXPECT_EQ(head[1], 0x03);
  peer->Close();
  EXPECT_FALSE(pending.get().ok());
}

}  // namespace
}  // namespace spate::client::test
