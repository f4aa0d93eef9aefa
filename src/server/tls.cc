#include "server/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace spate::server {
namespace {

// Go's default cipher suites for TLS 1.2, which nats-server uses: forward secrecy and AEAD only.
// TLS 1.3 keeps OpenSSL's defaults (all three of its suites are modern).
constexpr char kDefaultCiphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384";
constexpr char kDefaultCurves[] = "X25519:P-256:P-384:P-521";

// The oldest error on this thread's OpenSSL queue (the root cause), and clears the queue.
std::string TakeOpenSslError() {
  unsigned long first = ERR_get_error();
  ERR_clear_error();
  if (first == 0) return "unknown error";
  const char* reason = ERR_reason_error_string(first);
  if (reason != nullptr) return reason;
  char buf[256];
  ERR_error_string_n(first, buf, sizeof buf);
  return buf;
}

std::string Join(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

// Go's RDNSequence.String() escaping of one attribute value (RFC 2253, roughly).
std::string EscapeDnValue(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (size_t k = 0; k < v.size(); ++k) {
    const char c = v[k];
    bool escape = false;
    switch (c) {
      case ',':
      case '+':
      case '"':
      case '\\':
      case '<':
      case '>':
      case ';':
        escape = true;
        break;
      case ' ':
        escape = k == 0 || k == v.size() - 1;
        break;
      case '#':
        escape = k == 0;
        break;
      default:
        break;
    }
    if (escape) out += '\\';
    out += c;
  }
  return out;
}

// An attribute value as Go sees it: string types only, as UTF-8.
bool EntryText(X509_NAME_ENTRY* entry, std::string* out) {
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
  switch (ASN1_STRING_type(data)) {
    case V_ASN1_UTF8STRING:
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_IA5STRING:
    case V_ASN1_T61STRING:
    case V_ASN1_BMPSTRING:
    case V_ASN1_NUMERICSTRING:
      break;
    default:
      return false;
  }
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return false;
  out->assign(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return true;
}

// The subject as nats-server prints it for verify_and_map: Go's pkix.Name keeps only the
// well-known attributes, in a fixed order (C, ST, L, STREET, POSTALCODE, O, OU, CN,
// SERIALNUMBER, one multi-valued RDN per type), and String() prints the sequence reversed.
// `dcs` gets the domain components in certificate order ("DC=example,DC=com").
std::string GoSubjectString(X509_NAME* name, std::string* dcs) {
  struct Group {
    int nid;
    const char* label;
    bool single;  // Go keeps only the last CN and SERIALNUMBER
    std::vector<std::string> values;
  };
  // Printed order (already reversed).
  Group groups[] = {{NID_serialNumber, "SERIALNUMBER", true, {}},
                    {NID_commonName, "CN", true, {}},
                    {NID_organizationalUnitName, "OU", false, {}},
                    {NID_organizationName, "O", false, {}},
                    {NID_postalCode, "POSTALCODE", false, {}},
                    {NID_streetAddress, "STREET", false, {}},
                    {NID_localityName, "L", false, {}},
                    {NID_stateOrProvinceName, "ST", false, {}},
                    {NID_countryName, "C", false, {}}};
  std::vector<std::string> dc_parts;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    std::string value;
    if (!EntryText(entry, &value)) continue;
    const int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
    if (nid == NID_domainComponent) {
      dc_parts.push_back("DC=" + value);
      continue;
    }
    for (Group& g : groups) {
      if (g.nid != nid) continue;
      if (g.single) g.values.clear();
      g.values.push_back(std::move(value));
      break;
    }
  }
  *dcs = Join(dc_parts, ',');
  std::string out;
  for (const Group& g : groups) {
    if (g.values.empty()) continue;
    if (!out.empty()) out += ',';
    for (size_t i = 0; i < g.values.size(); ++i) {
      if (i > 0) out += '+';
      out += g.label;
      out += '=';
      out += EscapeDnValue(g.values[i]);
    }
  }
  return out;
}

}  // namespace

TlsContext::TlsContext(SSL_CTX* ctx, const TlsOptions& opts)
    : ctx_(ctx),
      verify_(opts.verify || opts.verify_and_map),
      handshake_first_(opts.handshake_first),
      timeout_(opts.timeout) {}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

Result<std::unique_ptr<TlsContext>> TlsContext::Create(const TlsOptions& opts) {
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, CtxDeleter> ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return Status::Internal("TLS: cannot create context: " + TakeOpenSslError());
  SSL_CTX* c = ctx.get();
  const int min_version = opts.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  SSL_CTX_set_min_proto_version(c, min_version);
  // A client closing the socket without close_notify is a normal disconnect for NATS clients.
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                             SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  // The outbound buffer retries a write from wherever its chunk now is, possibly with more
  // bytes; idle connections give their record buffers back.
  SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                          SSL_MODE_RELEASE_BUFFERS);

  std::vector<std::string> tls12, tls13;
  for (const std::string& s : opts.cipher_suites)
    (s.rfind("TLS_", 0) == 0 ? tls13 : tls12).push_back(s);
  const std::string ciphers = tls12.empty() ? kDefaultCiphers : Join(tls12, ':');
  if (SSL_CTX_set_cipher_list(c, ciphers.c_str()) != 1) {
    return Status::InvalidArgument("TLS: cipher_suites: " + TakeOpenSslError());
  }
  if (!tls13.empty() && SSL_CTX_set_ciphersuites(c, Join(tls13, ':').c_str()) != 1) {
    return Status::InvalidArgument("TLS: cipher_suites: " + TakeOpenSslError());
  }
  const std::string curves =
      opts.curve_preferences.empty() ? kDefaultCurves : Join(opts.curve_preferences, ':');
  if (SSL_CTX_set1_groups_list(c, curves.c_str()) != 1) {
    return Status::InvalidArgument("TLS: curve_preferences: " + TakeOpenSslError());
  }

  if (opts.cert_file.empty() || opts.key_file.empty()) {
    return Status::InvalidArgument("TLS Server certificate and private key must be present");
  }
  if (SSL_CTX_use_certificate_chain_file(c, opts.cert_file.c_str()) != 1) {
    return Status::InvalidArgument("error parsing X509 certificate/key pair: " + opts.cert_file +
                                   ": " + TakeOpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(c, opts.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Status::InvalidArgument("error parsing X509 certificate/key pair: " + opts.key_file +
                                   ": " + TakeOpenSslError());
  }
  if (SSL_CTX_check_private_key(c) != 1) {
    return Status::InvalidArgument(
        "error parsing X509 certificate/key pair: private key does not match public key");
  }

  const bool verify = opts.verify || opts.verify_and_map;
  if (!opts.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(c, opts.ca_file.c_str(), nullptr) != 1) {
      return Status::InvalidArgument("failed to parse root ca certificate: " + opts.ca_file + ": " +
                                     TakeOpenSslError());
    }
    // Tell clients which CAs we accept, as Go's server does with ClientCAs.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(opts.ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(c, names);
    }
  } else if (verify) {
    SSL_CTX_set_default_verify_paths(c);  // Go verifies against the system roots here too
  }
  if (verify) {
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    // Resuming a session with client certificates needs a context id, or OpenSSL fails the
    // handshake.
    static constexpr unsigned char kSessionContext[] = "spate-server";
    SSL_CTX_set_session_id_context(c, kSessionContext, sizeof kSessionContext - 1);
  }
  ERR_clear_error();
  return std::unique_ptr<TlsContext>(new TlsContext(ctx.release(), opts));
}

std::unique_ptr<TlsConnection> TlsConnection::Create(const TlsContext& ctx, int fd) {
  SSL* ssl = SSL_new(ctx.native());
  if (ssl == nullptr) {
    ERR_clear_error();
    return nullptr;
  }
  if (SSL_set_fd(ssl, fd) != 1) {  // a socket BIO that does not close the fd
    SSL_free(ssl);
    ERR_clear_error();
    return nullptr;
  }
  SSL_set_accept_state(ssl);
  return std::unique_ptr<TlsConnection>(new TlsConnection(ssl));
}

TlsConnection::~TlsConnection() { SSL_free(ssl_); }

TlsConnection::Io TlsConnection::Fail(int ret, const char* what) {
  const int err = SSL_get_error(ssl_, ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return Io::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return Io::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return Io::kClosed;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Io::kWantRead;
        if (ret == 0 || errno == 0) return Io::kClosed;
        error_ = std::string(what) + ": " + std::strerror(errno);
        shutdown_sent_ = true;  // never SSL_shutdown after a fatal error
        return Io::kError;
      }
      [[fallthrough]];
    default:
      error_ = TakeOpenSslError();
      shutdown_sent_ = true;
      return Io::kError;
  }
}

TlsConnection::Io TlsConnection::Handshake() {
  ERR_clear_error();
  const int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    handshake_done_ = true;
    return Io::kOk;
  }
  return Fail(r, "handshake");
}

size_t TlsConnection::Read(char* dst, size_t room, Io* io) {
  ERR_clear_error();
  const int r = SSL_read(ssl_, dst, static_cast<int>(room > INT_MAX ? INT_MAX : room));
  if (r > 0) {
    *io = Io::kOk;
    return static_cast<size_t>(r);
  }
  *io = Fail(r, "read");
  return 0;
}

size_t TlsConnection::pending() const { return static_cast<size_t>(SSL_pending(ssl_)); }

size_t TlsConnection::Write(const char* data, size_t len, Io* io) {
  ERR_clear_error();
  const int r = SSL_write(ssl_, data, static_cast<int>(len > INT_MAX ? INT_MAX : len));
  if (r > 0) {
    write_wants_read_ = false;
    *io = Io::kOk;
    return static_cast<size_t>(r);
  }
  *io = Fail(r, "write");
  write_wants_read_ = *io == Io::kWantRead;
  return 0;
}

void TlsConnection::Shutdown() {
  if (!handshake_done_ || shutdown_sent_) return;
  shutdown_sent_ = true;
  ERR_clear_error();
  SSL_shutdown(ssl_);  // queues close_notify; a full socket simply drops it
  ERR_clear_error();
}

std::string TlsConnection::Describe() const {
  std::string version = SSL_get_version(ssl_);  // "TLSv1.3"
  if (version.rfind("TLSv", 0) == 0) version.erase(0, 4);
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_);
  const char* name = cipher != nullptr ? SSL_CIPHER_standard_name(cipher) : nullptr;
  return "TLS version " + version + ", cipher suite " + (name != nullptr ? name : "unknown");
}

bool TlsConnection::peer_verified() const {
  return handshake_done_ && (SSL_get_verify_mode(ssl_) & SSL_VERIFY_PEER) != 0 &&
         SSL_get0_peer_certificate(ssl_) != nullptr && SSL_get_verify_result(ssl_) == X509_V_OK;
}

std::vector<std::string> TlsConnection::PeerNames() const {
  std::vector<std::string> out;
  X509* cert = SSL_get0_peer_certificate(ssl_);
  if (cert == nullptr) return out;
  std::vector<std::string> emails, dns, uris;
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
      std::vector<std::string>* dst = nullptr;
      if (gn->type == GEN_EMAIL) dst = &emails;
      if (gn->type == GEN_DNS) dst = &dns;
      if (gn->type == GEN_URI) dst = &uris;
      if (dst == nullptr) continue;
      const ASN1_IA5STRING* s = gn->d.ia5;
      dst->emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                        static_cast<size_t>(ASN1_STRING_length(s)));
    }
    GENERAL_NAMES_free(sans);
  }
  ERR_clear_error();
  for (auto* list : {&emails, &dns, &uris}) {
    for (std::string& s : *list) out.push_back(std::move(s));
  }
  std::string dcs;
  std::string subject = GoSubjectString(X509_get_subject_name(cert), &dcs);
  if (!dcs.empty()) out.push_back(subject + "," + dcs);
  if (!subject.empty()) out.push_back(std::move(subject));
  return out;
}

}  // namespace spate::server
