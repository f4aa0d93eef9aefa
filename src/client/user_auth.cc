#include "client/user_auth.h"

#include <fstream>
#include <sstream>

#include "auth/base64url.h"
#include "auth/creds.h"
#include "auth/nkey.h"
#include "auth/secret.h"

namespace spate::client::detail {
namespace {

Result<auth::SecretString> ReadSecretFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  auth::SecretString out(std::move(s));
  return out;
}

// A seed file holds the seed alone or decorated like a .creds block: the first line that starts
// with "SU" (after blanks) is the seed, as nats.go reads it.
Result<auth::SecretString> SeedFromFile(const std::string& path) {
  SPATE_ASSIGN_OR_RETURN(auth::SecretString text, ReadSecretFile(path));
  std::string_view rest = text.view();
  while (!rest.empty()) {
    const size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    if (line.starts_with("SU")) return auth::SecretString(std::string(line));
  }
  return Status::InvalidArgument("no user seed (SU...) in " + path);
}

Result<std::string> SignWithSeed(std::string_view seed, std::string_view nonce,
                                 std::string* public_key) {
  Result<auth::KeyPair> pair = auth::ParseSeed(seed);
  if (!pair.ok()) return Status::InvalidArgument("bad nkey seed: " + pair.status().message());
  SPATE_ASSIGN_OR_RETURN(auth::Signature sig, pair->Sign(nonce));
  if (public_key != nullptr) *public_key = pair->PublicKeyString();
  return auth::Base64UrlEncode(sig);
}

int Sources(const Options& o) {
  return !o.nkey_seed.empty() + !o.nkey_seed_file.empty() + !o.creds_file.empty() +
         (o.user_jwt || o.sign_nonce);
}

}  // namespace

Status ValidateUserAuth(const Options& options) {
  if (Sources(options) > 1) {
    return Status::InvalidArgument(
        "set only one of nkey_seed, nkey_seed_file, creds_file and the user_jwt callbacks");
  }
  if (static_cast<bool>(options.user_jwt) != static_cast<bool>(options.sign_nonce)) {
    return Status::InvalidArgument("user_jwt and sign_nonce go together");
  }
  if (!options.nkey_seed.empty()) {
    Result<auth::KeyPair> pair = auth::ParseSeed(options.nkey_seed);
    if (!pair.ok()) return Status::InvalidArgument("bad nkey seed: " + pair.status().message());
  }
  return Status::Ok();
}

Result<SignedAuth> SignNonce(const Options& options, std::string_view nonce) {
  SignedAuth out;
  if (!options.nkey_seed.empty()) {
    SPATE_ASSIGN_OR_RETURN(out.sig, SignWithSeed(options.nkey_seed, nonce, &out.nkey));
  } else if (!options.nkey_seed_file.empty()) {
    SPATE_ASSIGN_OR_RETURN(auth::SecretString seed, SeedFromFile(options.nkey_seed_file));
    SPATE_ASSIGN_OR_RETURN(out.sig, SignWithSeed(seed.view(), nonce, &out.nkey));
  } else if (!options.creds_file.empty()) {
    SPATE_ASSIGN_OR_RETURN(auth::SecretString text, ReadSecretFile(options.creds_file));
    Result<auth::Creds> creds = auth::ParseCreds(text.view());
    if (!creds.ok()) {
      return Status::InvalidArgument("bad creds file " + options.creds_file + ": " +
                                     creds.status().message());
    }
    out.jwt = std::move(creds->jwt);
    SPATE_ASSIGN_OR_RETURN(out.sig, SignWithSeed(creds->seed.view(), nonce, nullptr));
  } else if (options.user_jwt && options.sign_nonce) {
    SPATE_ASSIGN_OR_RETURN(out.jwt, options.user_jwt());
    SPATE_ASSIGN_OR_RETURN(std::string raw, options.sign_nonce(nonce));
    out.sig = auth::Base64UrlEncode(raw);
  }
  return out;
}

}  // namespace spate::client::detail
