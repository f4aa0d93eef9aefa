#pragma once

#include <string>
#include <utility>
#include <vector>

namespace spate::test {

// PEM files for TLS tests, generated with OpenSSL's C API (no external tools): a CA, a server
// certificate for 127.0.0.1 and localhost, and a client certificate, both signed by the CA.
struct TestCertificates {
  std::string ca_file;
  std::string server_cert_file, server_key_file;
  std::string client_cert_file, client_key_file;
};

// What goes into the client certificate.
struct ClientCertSpec {
  // Subject attributes in certificate order, by OpenSSL short name ("CN", "OU", "DC", ...).
  std::vector<std::pair<std::string, std::string>> subject = {
      {"C", "US"}, {"O", "Acme"}, {"OU", "dev"}, {"CN", "alice"}};
  // subjectAltName in OpenSSL's config syntax; empty for none.
  std::string san = "email:alice@example.com";
};

// Writes the files into `dir`. On failure returns false with `error` set.
bool WriteTestCertificates(const std::string& dir, TestCertificates* out, std::string* error,
                           const ClientCertSpec& client = {});

}  // namespace spate::test
