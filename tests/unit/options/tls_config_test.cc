#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/options/load_options.h"
#include "temp_dir.h"

namespace spate::server {
namespace {

using std::chrono::milliseconds;

class TlsConfigTest : public ::testing::Test {
 protected:
  // The files only need to exist: the options check that they can be opened, the server loads
  // them.
  TlsConfigTest()
      : cert_(dir_.Write("cert.pem", "cert")),
        key_(dir_.Write("key.pem", "key")),
        ca_(dir_.Write("ca.pem", "ca")) {}

  // A `tls` block with the cert and key plus `extra` lines.
  std::string Block(const std::string& extra) const {
    return "tls {\n  cert_file: \"" + cert_ + "\"\n  key_file: \"" + key_ + "\"\n" + extra + "}\n";
  }

  TlsOptions Apply(const std::string& text) {
    ServerOptions opts;
    Status s = ApplyConfigFile(dir_.Write("s.conf", text), &opts);
    EXPECT_TRUE(s.ok()) << s.message();
    return opts.tls;
  }

  // The error for `text`, with the directory cut to "D" and the config file to "s.conf".
  std::string ErrorOf(const std::string& text) {
    const std::string path = dir_.Write("s.conf", text);
    ServerOptions opts;
    Status s = ApplyConfigFile(path, &opts);
    EXPECT_FALSE(s.ok()) << "accepted: " << text;
    std::string m = s.message();
    for (const std::string& from : {path, dir_.path().string()}) {
      const std::string to = from == path ? "s.conf" : "D";
      for (size_t at; (at = m.find(from)) != std::string::npos;) m.replace(at, from.size(), to);
    }
    return m;
  }

  spate::testing::TempDir dir_;
  const std::string cert_, key_, ca_;
};

TEST_F(TlsConfigTest, DefaultsIsOff) {
  ServerOptions opts;
  EXPECT_FALSE(opts.tls.enabled);
  EXPECT_EQ(opts.tls.timeout, milliseconds(2000));
}

TEST_F(TlsConfigTest, BasicBlock) {
  TlsOptions t = Apply(Block(""));
  EXPECT_TRUE(t.enabled);
  EXPECT_EQ(t.cert_file, cert_);
  EXPECT_EQ(t.key_file, key_);
  EXPECT_FALSE(t.verify);
  EXPECT_FALSE(t.verify_and_map);
  EXPECT_FALSE(t.handshake_first);
  EXPECT_EQ(t.timeout, milliseconds(2000));
  EXPECT_TRUE(t.cipher_suites.empty());
  EXPECT_TRUE(t.curve_preferences.empty());
}

TEST_F(TlsConfigTest, AllSupportedKeys) {
  TlsOptions t = Apply(Block("  ca_file: \"" + ca_ +
                             "\"\n  verify: true\n  timeout: 0.5\n  handshake_first: true\n"
                             "  min_version: \"1.3\"\n"
                             "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "
                             "TLS_AES_256_GCM_SHA384]\n"
                             "  curve_preferences: [X25519, CurveP384]\n"));
  EXPECT_EQ(t.ca_file, ca_);
  EXPECT_TRUE(t.verify);
  EXPECT_EQ(t.timeout, milliseconds(500));
  EXPECT_TRUE(t.handshake_first);
  EXPECT_EQ(t.min_version, "1.3");
  EXPECT_EQ(t.cipher_suites,
            (std::vector<std::string>{"ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_256_GCM_SHA384"}));
  EXPECT_EQ(t.curve_preferences, (std::vector<std::string>{"X25519", "P-384"}));
}

TEST_F(TlsConfigTest, TimeoutForms) {
  EXPECT_EQ(Apply(Block("  timeout: 3\n")).timeout, milliseconds(3000));
  EXPECT_EQ(Apply(Block("  timeout: \"250ms\"\n")).timeout, milliseconds(250));
  EXPECT_EQ(Apply(Block("  timeout: 0\n")).timeout, milliseconds(2000));  // 0: the default
}

TEST_F(TlsConfigTest, VerifyAndMapImpliesVerify) {
  TlsOptions t = Apply(Block("  ca_file: \"" + ca_ + "\"\n  verify_and_map: true\n"));
  EXPECT_TRUE(t.verify);
  EXPECT_TRUE(t.verify_and_map);
  // As nats-server, `verify_and_map: false` leaves an earlier `verify: true` alone.
  t = Apply(Block("  verify: true\n  verify_and_map: false\n"));
  EXPECT_TRUE(t.verify);
  EXPECT_FALSE(t.verify_and_map);
}

TEST_F(TlsConfigTest, HandshakeFirstAliases) {
  EXPECT_TRUE(Apply(Block("  first: true\n")).handshake_first);
  EXPECT_TRUE(Apply(Block("  immediate: \"on\"\n")).handshake_first);
  EXPECT_FALSE(Apply(Block("  handshake_first: \"off\"\n")).handshake_first);
}

TEST_F(TlsConfigTest, MissingFiles) {
  EXPECT_EQ(ErrorOf("tls {\n  cert_file: \"" + cert_ + "\"\n}\n"),
            "s.conf:1:1: missing 'key_file' in TLS configuration");
  EXPECT_EQ(ErrorOf("tls {\n  key_file: \"" + key_ + "\"\n}\n"),
            "s.conf:1:1: missing 'cert_file' in TLS configuration");
  EXPECT_EQ(ErrorOf("tls {\n  verify: true\n}\n"),
            "s.conf:1:1: missing 'cert_file' and 'key_file' in TLS configuration");
  EXPECT_EQ(ErrorOf("tls {\n  cert_file: \"" + dir_.path().string() +
                    "/nope.pem\"\n  key_file: \"" + key_ + "\"\n}\n"),
            "s.conf:1:1: error parsing X509 certificate/key pair: open D/nope.pem: no such file or "
            "directory");
  EXPECT_EQ(ErrorOf(Block("  ca_file: \"/nonexistent/ca.pem\"\n")),
            "s.conf:1:1: open /nonexistent/ca.pem: no such file or directory");
}

TEST_F(TlsConfigTest, BadValues) {
  EXPECT_EQ(ErrorOf(Block("  verify: \"yes\"\n")),
            "s.conf:4:11: error parsing tls config, expected 'verify' to be a boolean");
  EXPECT_EQ(ErrorOf(Block("  timeout: \"soon\"\n"))
                .rfind("s.conf:4:12: error parsing tls config, "
                       "'timeout' ",
                       0),
            0u);
  EXPECT_EQ(ErrorOf(Block("  timeout: -1\n")),
            "s.conf:4:12: error parsing tls config, 'timeout' must be 0 to 86400 seconds");
  EXPECT_EQ(ErrorOf(Block("  cipher_suites: [TLS_NOPE]\n")),
            "s.conf:4:19: unrecognized cipher TLS_NOPE");
  EXPECT_EQ(ErrorOf(Block("  cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA]\n")),
            "s.conf:4:19: cipher suite TLS_RSA_WITH_AES_128_CBC_SHA is not supported by "
            "spate-server (only ECDHE with AES-GCM or ChaCha20-Poly1305)");
  EXPECT_EQ(ErrorOf(Block("  cipher_suites: []\n")),
            "s.conf:4:18: error parsing tls config, 'cipher_suites' cannot be empty");
  EXPECT_EQ(ErrorOf(Block("  curve_preferences: [P256]\n")),
            "s.conf:4:23: unrecognized curve preference P256");
  EXPECT_EQ(ErrorOf(Block("  min_version: \"1.1\"\n")),
            "s.conf:4:16: error parsing tls config: unsupported TLS version: TLS 1.1");
  EXPECT_EQ(ErrorOf(Block("  min_version: \"2.0\"\n")),
            "s.conf:4:16: error parsing tls config: unknown version: 2.0");
  EXPECT_EQ(ErrorOf(Block("  handshake_first: \"auto\"\n")),
            "s.conf:4:20: handshake_first \"auto\" (fallback to INFO first) is not supported by "
            "spate-server yet; use true or false");
  EXPECT_EQ(ErrorOf("tls: true\n"), "s.conf:1:6: expected a map for \"tls\", found boolean");
}

TEST_F(TlsConfigTest, UnknownAndUnsupportedKeys) {
  EXPECT_EQ(ErrorOf(Block("  cert_fiel: x\n")), "s.conf:4:3: unknown field \"cert_fiel\"");
  for (const char* key : {"pinned_certs", "ocsp_peer", "cert_store", "cert_match", "insecure",
                          "cert_match_by", "certs"}) {
    EXPECT_EQ(
        ErrorOf(Block(std::string("  ") + key + ": x\n")),
        std::string("s.conf:4:3: \"") + key + "\" in tls is not supported by spate-server yet");
  }
}

TEST_F(TlsConfigTest, Flags) {
  Result<ServerOptions> r = LoadOptions({"--tls", "--tlscert", cert_, "--tlskey", key_});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->tls.enabled);
  EXPECT_FALSE(r->tls.verify);
  EXPECT_EQ(r->tls.cert_file, cert_);
  EXPECT_EQ(r->tls.key_file, key_);

  r = LoadOptions({"--tlsverify", "--tlscert", cert_, "--tlskey", key_, "--tlscacert", ca_});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->tls.enabled);
  EXPECT_TRUE(r->tls.verify);
  EXPECT_EQ(r->tls.ca_file, ca_);

  r = LoadOptions({"--tls"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "TLS Server certificate must be present and valid");
  r = LoadOptions({"--tlscert", cert_});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "TLS Server private key must be present and valid");
}

TEST_F(TlsConfigTest, FlagsReplaceTheFileBlock) {
  const std::string conf = dir_.Write("f.conf", Block("  verify: true\n  timeout: 5\n"));
  // Any --tls* flag replaces the whole block, as nats-server's overrideTLS does.
  Result<ServerOptions> r = LoadOptions({"-c", conf, "--tlscert", ca_, "--tlskey", key_});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->tls.cert_file, ca_);
  EXPECT_FALSE(r->tls.verify);
  EXPECT_EQ(r->tls.timeout, milliseconds(2000));
  // --tls=false turns TLS off whatever the file and the other flags say.
  r = LoadOptions({"-c", conf, "--tlscert", cert_, "--tls=false"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->tls.enabled);
  // Without TLS flags the file's block stays.
  r = LoadOptions({"-c", conf});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->tls.verify);
  EXPECT_EQ(r->tls.timeout, milliseconds(5000));
}

}  // namespace
}  // namespace spate::server
