#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "server/tls.h"
#include "support/temp_dir.h"
#include "support/test_certs.h"

namespace spate::server {
namespace {

using Io = TlsConnection::Io;

// A server TlsConnection and an OpenSSL client on the two ends of a non-blocking socketpair.
class TlsPair {
 public:
  explicit TlsPair(const test::ClientCertSpec& spec = {}, bool client_cert = true) {
    std::string error;
    EXPECT_TRUE(test::WriteTestCertificates(dir_.path(), &certs_, &error, spec)) << error;
    TlsOptions opts;
    opts.enabled = true;
    opts.cert_file = certs_.server_cert_file;
    opts.key_file = certs_.server_key_file;
    opts.ca_file = certs_.ca_file;
    opts.verify = true;
    auto ctx = TlsContext::Create(opts);
    EXPECT_TRUE(ctx.ok()) << ctx.status().message();
    if (ctx.ok()) context_ = std::move(ctx).value();
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
    for (int fd : fds_) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    server_ = TlsConnection::Create(*context_, fds_[0]);
    client_ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(client_ctx_, certs_.ca_file.c_str(), nullptr);
    SSL_CTX_set_verify(client_ctx_, SSL_VERIFY_PEER, nullptr);
    if (client_cert) {
      SSL_CTX_use_certificate_chain_file(client_ctx_, certs_.client_cert_file.c_str());
      SSL_CTX_use_PrivateKey_file(client_ctx_, certs_.client_key_file.c_str(), SSL_FILETYPE_PEM);
    }
    client_ = SSL_new(client_ctx_);
    SSL_set_fd(client_, fds_[1]);
    SSL_set_connect_state(client_);
  }
  ~TlsPair() {
    server_.reset();
    SSL_free(client_);
    SSL_CTX_free(client_ctx_);
    ::close(fds_[0]);
    ::close(fds_[1]);
  }

  // Steps both sides until the server's handshake ends; returns its last state.
  Io Handshake() {
    Io io = Io::kWantRead;
    for (int i = 0; i < 100 && (io == Io::kWantRead || io == Io::kWantWrite); ++i) {
      SSL_do_handshake(client_);
      io = server_->Handshake();
    }
    // TLS 1.3: the client learns about a refused certificate on its next read.
    char byte;
    SSL_read(client_, &byte, 1);
    ERR_clear_error();
    return io;
  }

  TlsConnection& server() { return *server_; }
  SSL* client() { return client_; }

 private:
  test::TempDir dir_;
  test::TestCertificates certs_;
  std::unique_ptr<TlsContext> context_;
  int fds_[2] = {-1, -1};
  std::unique_ptr<TlsConnection> server_;
  SSL_CTX* client_ctx_ = nullptr;
  SSL* client_ = nullptr;
};

TEST(TlsConnection, PeerNamesInNatsServerOrderAndFormat) {
  TlsPair pair(
      {.subject = {{"C", "US"}, {"O", "Acme"}, {"OU", "dev"}, {"OU", "ops"}, {"CN", "alice"}},
       .san = "DNS:alice.example.com,email:alice@example.com,URI:spiffe://example.org/a"});
  ASSERT_EQ(pair.Handshake(), Io::kOk) << pair.server().error();
  EXPECT_TRUE(pair.server().peer_verified());
  // Emails, DNS names, URIs, then the subject as Go prints pkix.Name.ToRDNSequence().
  EXPECT_EQ(
      pair.server().PeerNames(),
      (std::vector<std::string>{"alice@example.com", "alice.example.com", "spiffe://example.org/a",
                                "CN=alice,OU=dev+OU=ops,O=Acme,C=US"}));
  EXPECT_NE(pair.server().Describe().find("TLS version 1."), std::string::npos);
}

TEST(TlsConnection, PeerNamesWithDomainComponentsAndEscaping) {
  TlsPair dcs({.subject = {{"DC", "com"}, {"DC", "example"}, {"CN", "bob"}}, .san = ""});
  ASSERT_EQ(dcs.Handshake(), Io::kOk) << dcs.server().error();
  // Go's Name drops DC; nats-server tries the subject with the DCs appended first.
  EXPECT_EQ(dcs.server().PeerNames(),
            (std::vector<std::string>{"CN=bob,DC=com,DC=example", "CN=bob"}));

  TlsPair escaped({.subject = {{"O", "Acme, Inc."}, {"CN", "#1 user "}}, .san = ""});
  ASSERT_EQ(escaped.Handshake(), Io::kOk) << escaped.server().error();
  EXPECT_EQ(escaped.server().PeerNames(),
            (std::vector<std::string>{"CN=\\#1 user\\ ,O=Acme\\, Inc."}));
}

TEST(TlsConnection, VerifyRefusesAClientWithoutCertificate) {
  TlsPair pair({}, /*client_cert=*/false);
  EXPECT_EQ(pair.Handshake(), Io::kError);
  EXPECT_FALSE(pair.server().error().empty());
  EXPECT_FALSE(pair.server().peer_verified());
}

TEST(TlsConnection, ReadsAndWritesMoreThanOneRecord) {
  TlsPair pair;
  ASSERT_EQ(pair.Handshake(), Io::kOk) << pair.server().error();
  std::string out(100 * 1024, '\0');
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>('a' + i % 26);
  // Server to client, with partial writes retried from where they stopped.
  size_t sent = 0;
  std::string got;
  char buf[4096];
  for (int i = 0; i < 10000 && got.size() < out.size(); ++i) {
    if (sent < out.size()) {
      Io io;
      sent += pair.server().Write(out.data() + sent, out.size() - sent, &io);
      ASSERT_NE(io, Io::kError) << pair.server().error();
    }
    int n = SSL_read(pair.client(), buf, sizeof buf);
    if (n > 0) got.append(buf, static_cast<size_t>(n));
  }
  EXPECT_EQ(got, out);

  // Client to server, reading in small pieces: what OpenSSL holds shows in pending().
  ASSERT_EQ(SSL_write(pair.client(), out.data(), 16 * 1024), 16 * 1024);
  std::string in;
  char small[1000];
  Io io = Io::kOk;
  while (io == Io::kOk || pair.server().pending() > 0) {
    size_t n = pair.server().Read(small, sizeof small, &io);
    in.append(small, n);
  }
  EXPECT_EQ(io, Io::kWantRead);
  EXPECT_EQ(in, out.substr(0, 16 * 1024));
}

TEST(TlsContext, BadFilesFailWithTheFileName) {
  TlsOptions opts;
  opts.enabled = true;
  opts.cert_file = "/nonexistent/cert.pem";
  opts.key_file = "/nonexistent/key.pem";
  auto ctx = TlsContext::Create(opts);
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.status().message().find("error parsing X509 certificate/key pair: "
                                        "/nonexistent/cert.pem"),
            std::string::npos)
      << ctx.status().message();
}

}  // namespace
}  // namespace spate::server
