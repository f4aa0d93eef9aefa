#include <fstream>
#include <sstream>
#include <string>

#include "server/options/config_sections.h"

namespace spate::server {
namespace {

using conf::MapEntry;
using conf::Value;

// A JWT is three dot-separated base64url parts starting with the encoded '{"' header.
bool LooksLikeJwt(const std::string& s) { return s.rfind("eyJ", 0) == 0; }

// Reads an operator JWT from `text`: the JWT itself, or a file holding it (nsc writes the bare
// token; a decorated "-----BEGIN ..." file is accepted too).
bool ReadOperatorJwt(const Value& v, ConfigReader* reader, std::string* out) {
  if (!v.is(Value::Kind::kString)) {
    reader->Error(v.location(), "expected an operator JWT or a file name, found " +
                                    std::string(Value::KindName(v.kind())));
    return false;
  }
  const std::string& text = v.AsString();
  if (LooksLikeJwt(text)) {
    *out = text;
    return true;
  }
  std::ifstream in(text);
  if (!in) {
    reader->Error(v.location(), "error reading operator JWT file \"" + text + "\"");
    return false;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string line;
  while (std::getline(buf, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (LooksLikeJwt(line)) {
      *out = line;
      return true;
    }
  }
  reader->Error(v.location(), "no JWT found in operator file \"" + text + "\"");
  return false;
}

void ReadStringOrList(const MapEntry& e, ConfigReader* reader, std::vector<std::string>* out,
                      bool jwt) {
  std::vector<const Value*> items;
  if (e.value.is(Value::Kind::kArray)) {
    for (const Value& v : e.value.items()) items.push_back(&v);
  } else {
    items.push_back(&e.value);
  }
  for (const Value* v : items) {
    if (jwt) {
      std::string token;
      if (ReadOperatorJwt(*v, reader, &token)) out->push_back(std::move(token));
    } else if (v->is(Value::Kind::kString)) {
      out->push_back(v->AsString());
    } else {
      reader->Error(v->location(), "expected a string for \"" + e.key + "\"");
    }
  }
}

}  // namespace

void ApplyOperatorKey(const MapEntry& e, ConfigReader* reader, AuthOptions* auth) {
  const std::string key = LowerKey(e.key);
  if (key == "operator" || key == "operators" || key == "root_operator" ||
      key == "root_operators") {
    ReadStringOrList(e, reader, &auth->operator_jwts, true);
  } else if (key == "trusted" || key == "trusted_keys") {
    ReadStringOrList(e, reader, &auth->trusted_keys, false);
  } else if (key == "resolver") {
    if (!e.value.is(Value::Kind::kString)) {
      reader->Unsupported(e, "this form (only resolver: MEMORY is)");
      return;
    }
    std::string kind = e.value.AsString();
    for (char& c : kind) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (kind != "MEMORY" && kind != "MEM") {
      reader->Error(e.value.location(), "resolver \"" + e.value.AsString() +
                                            "\" is not supported by spate-server yet (use MEMORY)");
      return;
    }
    auth->resolver = "MEMORY";
  } else if (key == "resolver_preload") {
    if (!e.value.is(Value::Kind::kMap)) {
      reader->Error(e.value.location(), "expected a map of account public keys to JWTs");
      return;
    }
    for (const MapEntry& a : e.value.entries()) {
      std::string jwt;
      if (reader->ReadString(a, &jwt)) auth->resolver_preload.emplace_back(a.key, std::move(jwt));
    }
  }
}

}  // namespace spate::server
