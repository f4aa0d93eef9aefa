// The C++ client's security against real servers: TLS (CA and hostname verification, client
// certificates, skip-verify, reconnect, handshake-first) and key-based authentication (nkey
// seeds, operator-mode .creds). Every scenario runs against spate-server and nats-server
// (skipped when absent) with the same config.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "auth/creds.h"
#include "auth/jwt.h"
#include "auth/nkey.h"
#include "client/connection.h"
#include "support/temp_dir.h"
#include "support/test_certs.h"
#include "support/test_server.h"
#include "support/wait_for.h"

namespace spate::client {
namespace {

using namespace std::chrono_literals;
using spate::test::TempDir;
using spate::test::TestCertificates;
using spate::test::TestServer;
using spate::test::TestServerOptions;
using spate::test::WaitFor;

struct Key {
  std::string seed, pub;
};

Key NewKey(auth::KeyType type) {
  Result<auth::SecretString> seed = auth::CreateSeed(type);
  EXPECT_TRUE(seed.ok());
  Key k{std::string(seed->view()), ""};
  k.pub = auth::PublicKeyOf(k.seed).value();
  return k;
}

// A JWT of `type` for `sub`, signed by `issuer` (the way nsc mints them).
std::string Mint(const Key& issuer, const std::string& sub, const std::string& type,
                 nlohmann::json nats) {
  nats["type"] = type;
  nats["version"] = 2;
  nlohmann::json claims = {{"sub", sub}, {"name", type}, {"nats", nats}};
  Result<std::string> jwt = auth::EncodeClaims(claims, issuer.seed, std::time(nullptr));
  EXPECT_TRUE(jwt.ok()) << jwt.error().message();
  return jwt.ok() ? *jwt : "";
}

class ClientSecurityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const bool nats = GetParam() == "nats-server";
    binary_ = nats ? TestServer::NatsServerBinary() : TestServer::SpateBinary();
    if (::access(binary_.c_str(), X_OK) != 0) GTEST_SKIP() << binary_ << " not found";
    std::string error;
    ASSERT_TRUE(spate::test::WriteTestCertificates(certs_dir_.path(), &certs_, &error)) << error;
  }

  // Every test calls it first; ASSERT_NO_FATAL_FAILURE(StartServer(...)) stops the test when
  // the server does not start.
  void StartServer(const std::string& config) {
    TestServerOptions o;
    o.config = config;
    server_ = std::make_unique<TestServer>(binary_, std::move(o));
    ASSERT_TRUE(server_->Start()) << server_->error();
  }

  // A `tls {}` block for the test certificates; `verify` asks for client certificates.
  std::string TlsConfig(bool verify, const std::string& extra = "") const {
    return "tls {\n  cert_file: \"" + certs_.server_cert_file + "\"\n  key_file: \"" +
           certs_.server_key_file + "\"\n  ca_file: \"" + certs_.ca_file +
           "\"\n  verify: " + (verify ? "true" : "false") + "\n  timeout: 2\n" + extra + "}\n";
  }

  Options Opts(const std::string& scheme = "nats") const {
    Options o;
    o.servers = {scheme + "://127.0.0.1:" + std::to_string(server_->port())};
    o.reconnect_wait = 20ms;
    o.reconnect_jitter = 10ms;
    o.max_reconnect_wait = 200ms;
    o.connect_timeout = 2000ms;
    return o;
  }
  Options TlsOpts() const {
    Options o = Opts("tls");
    o.tls.ca_file = certs_.ca_file;
    return o;
  }

  std::unique_ptr<Connection> Connect(Options o) {
    auto conn = Connection::Connect(std::move(o));
    EXPECT_TRUE(conn.ok()) << conn.status().message() << "\n" << server_->Log();
    return conn.ok() ? std::move(*conn) : nullptr;
  }
  // The Connect error text; fails the test when the connect succeeds.
  std::string ConnectError(Options o) {
    auto conn = Connection::Connect(std::move(o));
    EXPECT_FALSE(conn.ok()) << "connected, but should not have";
    return conn.ok() ? "" : conn.status().message();
  }

  // Publishes a small and a multi-record message to itself and reads them back.
  void ExpectRoundTrip(Connection& conn, const std::string& subject) {
    auto sub = conn.SubscribeSync(subject);
    ASSERT_TRUE(sub.ok()) << sub.status().message();
    ASSERT_TRUE(conn.Flush().ok());
    const std::string big(200 * 1024, 'z');  // many TLS records
    ASSERT_TRUE(conn.Publish(subject, "hello").ok());
    ASSERT_TRUE(conn.Publish(subject, big).ok());
    Result<Msg> first = sub->NextMsg(5000ms);
    ASSERT_TRUE(first.ok()) << first.status().message();
    EXPECT_EQ(first->data, "hello");
    Result<Msg> second = sub->NextMsg(5000ms);
    ASSERT_TRUE(second.ok()) << second.status().message();
    EXPECT_EQ(second->data, big);
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = files_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  std::string binary_;
  TempDir certs_dir_, files_;
  TestCertificates certs_;
  std::unique_ptr<TestServer> server_;
};

TEST_P(ClientSecurityTest, TlsVerifiesTheServerAgainstTheCa) {
  ASSERT_NO_FATAL_FAILURE(StartServer(TlsConfig(/*verify=*/false)));
  auto conn = Connect(TlsOpts());
  ASSERT_TRUE(conn);
  ExpectRoundTrip(*conn, "secure.ca");
  // A nats:// URL upgrades too, because the server's INFO says tls_required.
  Options plain_url = TlsOpts();
  plain_url.servers = Opts().servers;
  auto upgraded = Connect(plain_url);
  ASSERT_TRUE(upgraded);
  ExpectRoundTrip(*upgraded, "secure.upgraded");
  // The same name the certificate carries as a DNS SAN.
  Options by_name = TlsOpts();
  by_name.tls.server_name = "localhost";
  auto named = Connect(by_name);
  ASSERT_TRUE(named);
  EXPECT_TRUE(named->Flush().ok());
}

TEST_P(ClientSecurityTest, ClientCertificateWhenTheServerVerifiesClients) {
  ASSERT_NO_FATAL_FAILURE(StartServer(TlsConfig(/*verify=*/true)));
  Options with_cert = TlsOpts();
  with_cert.tls.cert_file = certs_.client_cert_file;
  with_cert.tls.key_file = certs_.client_key_file;
  auto conn = Connect(with_cert);
  ASSERT_TRUE(conn);
  ExpectRoundTrip(*conn, "secure.mtls");
  // Without one the server ends the handshake (TLS 1.3: seen on the client's first read, as an
  // alert or just the socket closing).
  const std::string error = ConnectError(TlsOpts());
  EXPECT_FALSE(error.empty());
}

TEST_P(ClientSecurityTest, ServerCertificateFromAnotherCaIsRejected) {
  ASSERT_NO_FATAL_FAILURE(StartServer(TlsConfig(/*verify=*/false)));
  TempDir other_dir;
  TestCertificates other;
  std::string why;
  ASSERT_TRUE(spate::test::WriteTestCertificates(other_dir.path(), &other, &why)) << why;
  Options o = TlsOpts();
  o.tls.ca_file = other.ca_file;
  // Both CAs have the same subject, so OpenSSL finds "the" issuer and its signature fails.
  const std::string error = ConnectError(o);
  EXPECT_NE(error.find("certificate verify failed: certificate signature failure"),
            std::string::npos)
      << error;
  // No CA at all: the system roots do not know the test CA either.
  // The reason depends on whether the server sends its CA along ("self-signed certificate in
  // certificate chain") or not ("unable to get local issuer certificate").
  const std::string unknown = ConnectError(Opts("tls"));
  EXPECT_NE(unknown.find("certificate verify failed: "), std::string::npos) << unknown;
}

TEST_P(ClientSecurityTest, HostnameMismatchIsRejected) {
  ASSERT_NO_FATAL_FAILURE(StartServer(TlsConfig(/*verify=*/false)));
  Options o = TlsOpts();
  o.tls.server_name = "nats.example.com";
  const std::string error = ConnectError(o);
  EXPECT_NE(error.find("certificate verify failed"), std::string::npos) << error;
  EXPECT_NE(error.find("mismatch"), std::string::npos) << error;
  // An IP the certificate does not list.
  o.tls.server_name = "10.1.2.3";
  const std::string ip_error = ConnectError(o);
  EXPECT_NE(ip_error.find("mismatch"), std::string::npos) << ip_error;
}

TEST_P(ClientSecurityTest, InsecureSkipVerifyAcceptsAnyCertificate) {
  ASSERT_NO_FATAL_FAILURE(StartServer(TlsConfig(/*verify=*/false)));
  Options o = Opts("tls");
  o.tls.insecure_skip_verify = true;
  o.tls.server_name = "nats.example.com";  // wrong name and unknown CA, both ignored
  auto conn = Connect(o);
  ASSERT_TRUE(conn);
  ExpectRoundTrip(*conn, "secure.insecure");
}

TEST_P(ClientSecurityTest, ReconnectsOverTlsAfterAServerRestart) {
  ASSERT_NO_FATAL_FAILURE(StartServer(TlsConfig(/*verify=*/true)));
  std::atomic<int> reconnected{0};
  Options o = TlsOpts();
  o.tls.cert_file = certs_.client_cert_file;
  o.tls.key_file = certs_.client_key_file;
  o.reconnected = [&](Connection&) { reconnected++; };
  auto conn = Connect(o);
  ASSERT_TRUE(conn);
  auto sub = conn->SubscribeSync("secure.restart");
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(conn->Flush().ok());

  ASSERT_TRUE(server_->Restart()) << server_->error();
  ASSERT_TRUE(WaitFor([&] { return reconnected == 1 && conn->IsConnected(); }, 10000ms))
      << server_->Log();
  ASSERT_TRUE(conn->Publish("secure.restart", "after").ok());
  Result<Msg> m = sub->NextMsg(5000ms);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->data, "after");
}

TEST_P(ClientSecurityTest, HandshakeFirst) {
  if (GetParam() == "nats-server") {
    GTEST_SKIP() << "handshake_first needs nats-server 2.10.4; Debian has 2.9.10";
  }
  ASSERT_NO_FATAL_FAILURE(StartServer(TlsConfig(/*verify=*/false, "  handshake_first: true\n")));
  Options o = TlsOpts();
  o.tls.handshake_first = true;
  auto conn = Connect(o);
  ASSERT_TRUE(conn);
  ExpectRoundTrip(*conn, "secure.first");
  // A client that waits for INFO gets nothing in plain text.
  Options late = TlsOpts();
  late.connect_timeout = 500ms;
  EXPECT_FALSE(Connection::Connect(late).ok());
}

TEST_P(ClientSecurityTest, NkeySeedSignsTheNonce) {
  const Key user = NewKey(auth::KeyType::kUser);
  ASSERT_NO_FATAL_FAILURE(StartServer("authorization { users = [ {nkey: " + user.pub + "} ] }\n"));
  Options o = Opts();
  o.nkey_seed = user.seed;
  auto conn = Connect(o);
  ASSERT_TRUE(conn);
  ExpectRoundTrip(*conn, "nkey.ok");
  Options from_file = Opts();
  from_file.nkey_seed_file = WriteFile("user.nk", user.seed + "\n");
  auto conn2 = Connect(from_file);
  ASSERT_TRUE(conn2);
  EXPECT_TRUE(conn2->Flush().ok());
}

TEST_P(ClientSecurityTest, SeedOfAnotherUserIsAnAuthorizationViolation) {
  const Key user = NewKey(auth::KeyType::kUser);
  ASSERT_NO_FATAL_FAILURE(StartServer("authorization { users = [ {nkey: " + user.pub + "} ] }\n"));
  Options o = Opts();
  o.nkey_seed = NewKey(auth::KeyType::kUser).seed;
  const std::string error = ConnectError(o);
  EXPECT_NE(error.find("Authorization Violation"), std::string::npos) << error;
  // No key at all.
  EXPECT_NE(ConnectError(Opts()).find("Authorization Violation"), std::string::npos);
}

TEST_P(ClientSecurityTest, CredsFileInOperatorMode) {
  const Key op = NewKey(auth::KeyType::kOperator);
  const Key account = NewKey(auth::KeyType::kAccount);
  const Key sys = NewKey(auth::KeyType::kAccount);
  const Key user = NewKey(auth::KeyType::kUser);
  const std::string op_file =
      WriteFile("op.jwt", Mint(op, op.pub, "operator", nlohmann::json::object()));
  const nlohmann::json limits = {{"subs", -1},       {"conn", -1},    {"data", -1},
                                 {"payload", -1},    {"imports", -1}, {"exports", -1},
                                 {"wildcards", true}};
  const std::string account_jwt = Mint(op, account.pub, "account", {{"limits", limits}});
  const std::string sys_jwt = Mint(op, sys.pub, "account", nlohmann::json::object());
  const nlohmann::json perms = {{"subs", -1}, {"data", -1}, {"payload", -1}};
  const std::string user_jwt = Mint(account, user.pub, "user", perms);
  ASSERT_NO_FATAL_FAILURE(StartServer("operator: \"" + op_file + "\"\nsystem_account: " + sys.pub +
                                      "\nresolver: MEMORY\nresolver_preload: {\n  " + account.pub +
                                      ": \"" + account_jwt + "\"\n  " + sys.pub + ": \"" + sys_jwt +
                                      "\"\n}\n"));

  Options o = Opts();
  o.creds_file = WriteFile("user.creds", auth::FormatCreds(user_jwt, user.seed));
  auto conn = Connect(o);
  ASSERT_TRUE(conn);
  ExpectRoundTrip(*conn, "creds.ok");

  // The callback form: the JWT and a signer held elsewhere.
  Options callbacks = Opts();
  callbacks.user_jwt = [&]() -> Result<std::string> { return user_jwt; };
  callbacks.sign_nonce = [seed = user.seed](std::string_view nonce) -> Result<std::string> {
    Result<auth::Signature> sig = auth::Sign(seed, nonce);
    if (!sig.ok()) return sig.status();
    return std::string(sig->begin(), sig->end());
  };
  auto conn2 = Connect(callbacks);
  ASSERT_TRUE(conn2);
  EXPECT_TRUE(conn2->Flush().ok());

  // The right JWT with another user's seed: the nonce signature does not verify.
  Options stolen = Opts();
  stolen.creds_file =
      WriteFile("stolen.creds", auth::FormatCreds(user_jwt, NewKey(auth::KeyType::kUser).seed));
  const std::string error = ConnectError(stolen);
  EXPECT_NE(error.find("Authorization Violation"), std::string::npos) << error;
}

TEST_P(ClientSecurityTest, NkeyOverTlsWithClientCertificate) {
  const Key user = NewKey(auth::KeyType::kUser);
  ASSERT_NO_FATAL_FAILURE(StartServer(TlsConfig(/*verify=*/true) +
                                      "authorization { users = [ {nkey: " + user.pub + "} ] }\n"));
  Options o = TlsOpts();
  o.tls.cert_file = certs_.client_cert_file;
  o.tls.key_file = certs_.client_key_file;
  o.nkey_seed = user.seed;
  auto conn = Connect(o);
  ASSERT_TRUE(conn);
  ExpectRoundTrip(*conn, "secure.nkey");
}

INSTANTIATE_TEST_SUITE_P(Servers, ClientSecurityTest,
                         ::testing::Values(std::string("spate"), std::string("nats-server")),
                         [](const auto& info) {
                           return info.param == "spate" ? std::string("Spate")
                                                        : std::string("NatsServer");
                         });

}  // namespace
}  // namespace spate::client
