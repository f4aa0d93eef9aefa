// TLS with client certificates, driven by the C client (libnats over OpenSSL): the server
// verifies the client against the configured CA and refuses a client without a certificate.

#include <gtest/gtest.h>

#include <string>

#include "integration/server_fixture.h"
#include "support/temp_dir.h"
#include "support/test_certs.h"

namespace spate::test {
namespace {

class TlsVerifyTest : public ServerTest {
 protected:
  TlsVerifyTest() {
    std::string error;
    certs_ok_ = WriteTestCertificates(certs_dir_.path(), &certs_, &error);
    EXPECT_TRUE(certs_ok_) << error;
  }

  TestServerOptions ServerOptions() const override {
    TestServerOptions o;
    o.config = "tls {\n  cert_file: \"" + certs_.server_cert_file + "\"\n  key_file: \"" +
               certs_.server_key_file + "\"\n  ca_file: \"" + certs_.ca_file +
               "\"\n  verify: true\n  timeout: 2\n}\n";
    return o;
  }

  // Options for a TLS client that trusts the test CA, with the client certificate or not.
  std::function<void(natsOptions*)> Tls(bool with_client_cert) const {
    return [this, with_client_cert](natsOptions* o) {
      natsOptions_SetSecure(o, true);
      natsOptions_LoadCATrustedCertificates(o, certs_.ca_file.c_str());
      natsOptions_SetExpectedHostname(o, "localhost");
      if (with_client_cert) {
        natsOptions_LoadCertificatesChain(o, certs_.client_cert_file.c_str(),
                                          certs_.client_key_file.c_str());
      }
    };
  }

  TempDir certs_dir_;
  TestCertificates certs_;
  bool certs_ok_ = false;
};

TEST_F(TlsVerifyTest, ClientWithCertificateExchangesMessages) {
  ASSERT_TRUE(certs_ok_);
  NatsConnection conn = Connect(Tls(/*with_client_cert=*/true));
  ASSERT_NE(conn, nullptr);
  natsSubscription* raw = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&raw, conn.get(), "secure.>"), NATS_OK);
  NatsSubscription sub(raw);
  const std::string big(200 * 1024, 'z');  // several TLS records
  ASSERT_EQ(natsConnection_PublishString(conn.get(), "secure.small", "hello"), NATS_OK);
  ASSERT_EQ(
      natsConnection_Publish(conn.get(), "secure.big", big.data(), static_cast<int>(big.size())),
      NATS_OK);
  natsMsg* m = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&m, sub.get(), 5000), NATS_OK);
  NatsMsg first(m);
  EXPECT_EQ(Payload(first.get()), "hello");
  ASSERT_EQ(natsSubscription_NextMsg(&m, sub.get(), 5000), NATS_OK);
  NatsMsg second(m);
  EXPECT_EQ(Payload(second.get()), big);
}

TEST_F(TlsVerifyTest, ClientWithoutCertificateIsRefused) {
  ASSERT_TRUE(certs_ok_);
  NatsConnection conn;
  natsStatus s = spate::test::Connect(server_->url(), &conn, Tls(/*with_client_cert=*/false));
  if (s == NATS_OK) s = natsConnection_FlushTimeout(conn.get(), 2000);
  EXPECT_NE(s, NATS_OK) << "a client without a certificate was accepted";
  // The server is still fine for a client that has one.
  NatsConnection ok = Connect(Tls(/*with_client_cert=*/true));
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(natsConnection_FlushTimeout(ok.get(), 2000), NATS_OK);
}

TEST_F(TlsVerifyTest, PlainClientIsRefused) {
  ASSERT_TRUE(certs_ok_);
  NatsConnection conn;
  // libnats switches to TLS when INFO says tls_required; without a CA it cannot verify us.
  natsStatus s = spate::test::Connect(server_->url(), &conn);
  EXPECT_NE(s, NATS_OK);
}

}  // namespace
}  // namespace spate::test
