#include "support/test_certs.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>

namespace spate::test {
namespace {

struct Free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  void operator()(X509* x) const { X509_free(x); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;

std::string OpenSslError(const std::string& what) {
  char buf[256] = "";
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  ERR_clear_error();
  return what + ": " + buf;
}

bool AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A certificate for `key` with `subject`, signed by `issuer_key` (self-signed when `issuer` is
// null).
Cert MakeCert(EVP_PKEY* key, const std::vector<std::pair<std::string, std::string>>& subject,
              long serial, X509* issuer, EVP_PKEY* issuer_key,
              const std::vector<std::pair<int, std::string>>& extensions) {
  Cert cert(X509_new());
  if (!cert) return nullptr;
  X509* c = cert.get();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
  X509_gmtime_adj(X509_getm_notBefore(c), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c), 24 * 3600);
  X509_set_pubkey(c, key);
  X509_NAME* name = X509_get_subject_name(c);
  for (const auto& [field, value] : subject) {
    if (X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                   0) != 1) {
      return nullptr;
    }
  }
  X509_set_issuer_name(c, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  for (const auto& [nid, value] : extensions) {
    if (!AddExtension(c, issuer != nullptr ? issuer : c, nid, value)) return nullptr;
  }
  if (X509_sign(c, issuer_key, EVP_sha256()) <= 0) return nullptr;
  return cert;
}

bool WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  const bool ok = cert != nullptr
                      ? PEM_write_X509(f, cert) == 1
                      : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

bool WriteTestCertificates(const std::string& dir, TestCertificates* out, std::string* error,
                           const ClientCertSpec& client) {
  Key ca_key(EVP_EC_gen("P-256")), server_key(EVP_EC_gen("P-256")), client_key(EVP_EC_gen("P-256"));
  if (!ca_key || !server_key || !client_key) {
    *error = OpenSslError("key generation");
    return false;
  }
  Cert ca =
      MakeCert(ca_key.get(), {{"O", "Spate"}, {"CN", "Spate Test CA"}}, 1, nullptr, ca_key.get(),
               {{NID_basic_constraints, "critical,CA:TRUE"},
                {NID_key_usage, "critical,keyCertSign,digitalSignature"},
                {NID_subject_key_identifier, "hash"}});
  if (!ca) {
    *error = OpenSslError("CA certificate");
    return false;
  }
  Cert server = MakeCert(server_key.get(), {{"CN", "localhost"}}, 2, ca.get(), ca_key.get(),
                         {{NID_basic_constraints, "CA:FALSE"},
                          {NID_key_usage, "critical,digitalSignature"},
                          {NID_ext_key_usage, "serverAuth"},
                          {NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"}});
  std::vector<std::pair<int, std::string>> client_ext = {
      {NID_basic_constraints, "CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "clientAuth"}};
  if (!client.san.empty()) client_ext.emplace_back(NID_subject_alt_name, client.san);
  Cert client_cert =
      MakeCert(client_key.get(), client.subject, 3, ca.get(), ca_key.get(), client_ext);
  if (!server || !client_cert) {
    *error = OpenSslError("leaf certificate");
    return false;
  }
  out->ca_file = dir + "/ca.pem";
  out->server_cert_file = dir + "/server-cert.pem";
  out->server_key_file = dir + "/server-key.pem";
  out->client_cert_file = dir + "/client-cert.pem";
  out->client_key_file = dir + "/client-key.pem";
  if (!WritePem(out->ca_file, ca.get(), nullptr) ||
      !WritePem(out->server_cert_file, server.get(), nullptr) ||
      !WritePem(out->server_key_file, nullptr, server_key.get()) ||
      !WritePem(out->client_cert_file, client_cert.get(), nullptr) ||
      !WritePem(out->client_key_file, nullptr, client_key.get())) {
    *error = "cannot write the PEM files into " + dir;
    return false;
  }
  return true;
}

}  // namespace spate::test
