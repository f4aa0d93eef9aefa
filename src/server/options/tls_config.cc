#include <cerrno>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "conf/duration.h"
#include "server/options/config_sections.h"

namespace spate::server {
namespace {
using conf::MapEntry;
using conf::Value;

// nats-server takes Go's cipher suite names. We accept the ones with forward secrecy and an AEAD
// cipher (Go's defaults) and store OpenSSL's names; TLS 1.3 suites keep their IANA names, which
// OpenSSL uses too.
struct CipherName {
  std::string_view go, openssl;
};
constexpr CipherName kCiphers[] = {
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"},
    {"TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"},
    {"TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256"},
};

// Go knows these too; we refuse them by name rather than as unknown (static RSA key exchange,
// CBC, RC4 and 3DES).
constexpr std::string_view kRefusedCiphers[] = {
    "TLS_RSA_WITH_RC4_128_SHA",
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
};

constexpr CipherName kCurves[] = {
    {"X25519", "X25519"},
    {"CurveP256", "P-256"},
    {"CurveP384", "P-384"},
    {"CurveP521", "P-521"},
};

// nats-server keys we do not implement; refusing them beats silently weaker security.
constexpr std::string_view kUnsupportedKeys[] = {"insecure",
                                                 "verify_cert_and_check_known_urls",
                                                 "allow_insecure_cipher_suites",
                                                 "connection_rate_limit",
                                                 "pinned_certs",
                                                 "cert_store",
                                                 "cert_match_by",
                                                 "cert_match",
                                                 "cert_match_skip_invalid",
                                                 "ca_certs_match",
                                                 "ocsp_peer",
                                                 "certs",
                                                 "certificates"};

bool IsUnsupportedKey(std::string_view key) {
  for (std::string_view k : kUnsupportedKeys) {
    if (k == key) return true;
  }
  return false;
}

// Go's os.Open error text ("open x: no such file or directory"), or empty when readable. The
// server loads the files again when it starts; this makes `-t` catch a wrong path.
std::string OpenError(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f != nullptr) {
    std::fclose(f);
    return {};
  }
  std::string why = std::strerror(errno);
  if (!why.empty() && why[0] >= 'A' && why[0] <= 'Z')
    why[0] = static_cast<char>(why[0] - 'A' + 'a');
  return "open " + path + ": " + why;
}

bool ReadFileName(const MapEntry& e, ConfigReader* reader, std::string* out) {
  if (!e.value.is(Value::Kind::kString)) {
    reader->Error(e.value.location(),
                  "error parsing tls config, expected '" + LowerKey(e.key) + "' to be filename");
    return false;
  }
  *out = e.value.AsString();
  return true;
}

bool ReadTlsBool(const MapEntry& e, ConfigReader* reader, bool* out) {
  if (!e.value.is(Value::Kind::kBool)) {
    reader->Error(e.value.location(),
                  "error parsing tls config, expected '" + LowerKey(e.key) + "' to be a boolean");
    return false;
  }
  *out = e.value.AsBool();
  return true;
}

// A list of Go names mapped through `table`; `unknown` prefixes the message for a name that
// is not in it.
void ReadNameList(const MapEntry& e, ConfigReader* reader, std::span<const CipherName> table,
                  std::string_view unknown, std::vector<std::string>* out) {
  const std::string key = LowerKey(e.key);
  if (!e.value.is(Value::Kind::kArray) || e.value.items().empty()) {
    reader->Error(e.value.location(), "error parsing tls config, '" + key + "' cannot be empty");
    return;
  }
  out->clear();
  for (const Value& item : e.value.items()) {
    if (!item.is(Value::Kind::kString)) {
      reader->Error(item.location(), "error parsing tls config, '" + key + "' expects strings");
      continue;
    }
    const std::string& name = item.AsString();
    bool found = false;
    for (const CipherName& c : table) {
      if (c.go == name) {
        out->emplace_back(c.openssl);
        found = true;
        break;
      }
    }
    if (found) continue;
    bool refused = false;
    if (key == "cipher_suites") {
      for (std::string_view r : kRefusedCiphers) refused |= r == name;
    }
    if (refused) {
      reader->Error(item.location(), "cipher suite " + name +
                                         " is not supported by spate-server (only ECDHE with "
                                         "AES-GCM or ChaCha20-Poly1305)");
    } else {
      reader->Error(item.location(), std::string(unknown) + " " + name);
    }
  }
}

void ReadTimeout(const MapEntry& e, ConfigReader* reader, TlsOptions* tls) {
  // Seconds as an integer or a float (0.5), or a Go duration string.
  const Value& v = e.value;
  double seconds = 0;
  if (v.is(Value::Kind::kInteger)) {
    seconds = static_cast<double>(v.AsInt());
  } else if (v.is(Value::Kind::kFloat)) {
    seconds = v.AsFloat();
  } else if (v.is(Value::Kind::kString)) {
    Result<std::chrono::nanoseconds> d = conf::ParseDuration(v.AsString());
    if (!d.ok()) {
      reader->Error(v.location(), "error parsing tls config, 'timeout' " + d.status().message());
      return;
    }
    seconds = static_cast<double>(d->count()) / 1e9;
  } else {
    reader->Error(v.location(), "error parsing tls config, 'timeout' wrong type");
    return;
  }
  if (seconds < 0 || seconds > 86400) {
    reader->Error(v.location(), "error parsing tls config, 'timeout' must be 0 to 86400 seconds");
    return;
  }
  // 0 keeps the default, as in nats-server.
  if (seconds > 0) tls->timeout = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

void ReadHandshakeFirst(const MapEntry& e, ConfigReader* reader, TlsOptions* tls) {
  const Value& v = e.value;
  if (v.is(Value::Kind::kBool)) {
    tls->handshake_first = v.AsBool();
    return;
  }
  if (v.is(Value::Kind::kString)) {
    const std::string s = LowerKey(v.AsString());
    if (s == "true" || s == "on") {
      tls->handshake_first = true;
      return;
    }
    if (s == "false" || s == "off") {
      tls->handshake_first = false;
      return;
    }
    // "auto" or a duration: nats-server falls back to INFO first after a delay.
    reader->Error(v.location(), "handshake_first \"" + v.AsString() +
                                    "\" (fallback to INFO first) is not supported by "
                                    "spate-server yet; use true or false");
    return;
  }
  reader->Error(v.location(), "field \"" + e.key + "\" should be a boolean or a string, got " +
                                  std::string(Value::KindName(v.kind())));
}

void ReadMinVersion(const MapEntry& e, ConfigReader* reader, TlsOptions* tls) {
  const Value& v = e.value;
  if (!v.is(Value::Kind::kString)) {
    reader->Error(v.location(),
                  "error parsing tls config: 'min_version' wrong type: " + v.source());
    return;
  }
  const std::string& s = v.AsString();
  if (s == "1.2" || s == "1.3") {
    tls->min_version = s;
  } else if (s == "1.0" || s == "1.1") {
    reader->Error(v.location(), "error parsing tls config: unsupported TLS version: TLS " + s);
  } else {
    reader->Error(v.location(), "error parsing tls config: unknown version: " + s);
  }
}

}  // namespace

void ApplyTls(const MapEntry& entry, ConfigReader* reader, TlsOptions* tls) {
  if (!entry.value.is(Value::Kind::kMap)) {
    reader->Error(entry.value.location(), "expected a map for \"" + entry.key + "\", found " +
                                              std::string(Value::KindName(entry.value.kind())));
    return;
  }
  TlsOptions parsed;
  parsed.enabled = true;
  for (const MapEntry& e : entry.value.entries()) {
    const std::string key = LowerKey(e.key);
    if (key == "cert_file") {
      ReadFileName(e, reader, &parsed.cert_file);
    } else if (key == "key_file") {
      ReadFileName(e, reader, &parsed.key_file);
    } else if (key == "ca_file") {
      ReadFileName(e, reader, &parsed.ca_file);
    } else if (key == "verify") {
      ReadTlsBool(e, reader, &parsed.verify);
    } else if (key == "verify_and_map") {
      bool map = false;
      if (ReadTlsBool(e, reader, &map)) {
        // As nats-server: `verify_and_map: false` does not turn off an earlier `verify: true`.
        if (map) parsed.verify = true;
        parsed.verify_and_map = map;
      }
    } else if (key == "timeout") {
      ReadTimeout(e, reader, &parsed);
    } else if (key == "handshake_first" || key == "first" || key == "immediate") {
      ReadHandshakeFirst(e, reader, &parsed);
    } else if (key == "cipher_suites") {
      ReadNameList(e, reader, kCiphers, "unrecognized cipher", &parsed.cipher_suites);
    } else if (key == "curve_preferences") {
      ReadNameList(e, reader, kCurves, "unrecognized curve preference", &parsed.curve_preferences);
    } else if (key == "min_version" || key == "minimum_version") {
      ReadMinVersion(e, reader, &parsed);
    } else if (IsUnsupportedKey(key)) {
      reader->Unsupported(e, "tls");
    } else {
      reader->Unknown(e);
    }
  }
  // nats-server's GenTLSConfig checks, made when the file is read.
  const conf::Location& where = entry.key_location;
  if (parsed.cert_file.empty() && !parsed.key_file.empty()) {
    reader->Error(where, "missing 'cert_file' in TLS configuration");
  } else if (!parsed.cert_file.empty() && parsed.key_file.empty()) {
    reader->Error(where, "missing 'key_file' in TLS configuration");
  } else if (parsed.cert_file.empty()) {
    // nats-server starts and then fails every handshake; refusing is kinder.
    reader->Error(where, "missing 'cert_file' and 'key_file' in TLS configuration");
  } else {
    for (const std::string* file : {&parsed.cert_file, &parsed.key_file}) {
      if (std::string err = OpenError(*file); !err.empty()) {
        reader->Error(where, "error parsing X509 certificate/key pair: " + err);
        break;
      }
    }
  }
  if (!parsed.ca_file.empty()) {
    if (std::string err = OpenError(parsed.ca_file); !err.empty()) reader->Error(where, err);
  }
  *tls = std::move(parsed);
}

}  // namespace spate::server
