// The auth decoders on arbitrary bytes: no crash, no leak, no read past the input, and no token
// accepted unless its signature checks. Every input is tried as
//   - a JWT, for each decoder (nearly always rejected: the signature cannot match);
//   - a JSON payload that the harness signs itself, once as an account (for user tokens) and
//     once as an operator (for account and operator tokens), so the claims readers see arbitrary
//     JSON behind a valid signature;
//   - a .creds file, an nkey public key and seed, base32 and base64url text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "auth/base32.h"
#include "auth/base64url.h"
#include "auth/creds.h"
#include "auth/jwt.h"
#include "auth/nkey.h"
#include "auth/password.h"

namespace {

using namespace spate::auth;  // NOLINT: harness

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "auth property violated: %s\n", what);
    std::abort();
  }
}

// Fixed issuers, minted once from constant raw seeds.
struct Issuers {
  std::string account_seed, account_public, operator_seed, operator_public;
  Issuers() {
    RawKey raw{};
    raw.fill(0x21);
    auto account = KeyPair::FromRawSeed(KeyType::kAccount, raw);
    raw.fill(0x41);
    auto op = KeyPair::FromRawSeed(KeyType::kOperator, raw);
    Check(account.ok() && op.ok(), "fixed issuers");
    account_seed = std::string(account->Seed().view());
    account_public = account->PublicKeyString();
    operator_seed = std::string(op->Seed().view());
    operator_public = op->PublicKeyString();
  }
};

void DecodeAsToken(std::string_view text) {
  auto user = DecodeUserClaims(text);
  auto account = DecodeAccountClaims(text);
  auto op = DecodeOperatorClaims(text);
  auto any = DecodeClaims(text);
  // A typed decoder never accepts what the untyped one (signature only) rejects.
  Check(any.ok() || (!user.ok() && !account.ok() && !op.ok()), "typed accepted, untyped not");
  if (user.ok()) (void)IsExpired(*user, 0);
}

void SignAndDecode(std::string_view text, const Issuers& issuers) {
  nlohmann::json payload = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded()) return;
  auto by_account = EncodeClaims(payload, issuers.account_seed, 1);
  if (by_account.ok()) {
    auto user = DecodeUserClaims(*by_account);
    if (user.ok()) Check(user->issuer == issuers.account_public, "user issuer");
    // Claims may still be refused (a field of the wrong type), but never our own signature.
    auto any = DecodeClaims(*by_account);
    Check(any.ok() || any.error().message() != "jwt: signature verification failed",
          "own signature rejected");
  }
  auto by_operator = EncodeClaims(payload, issuers.operator_seed, 1);
  if (by_operator.ok()) {
    auto account = DecodeAccountClaims(*by_operator);
    if (account.ok()) Check(account->issuer == issuers.operator_public, "account issuer");
    (void)DecodeOperatorClaims(*by_operator);
  }
}

void ParseKeys(std::string_view text) {
  auto public_key = ParsePublicKey(text);
  if (public_key.ok()) {
    // Public keys have no spare bits, so a parsed key encodes back to the same text.
    Check(EncodePublicKey(*public_key) == text, "public key round trip");
  }
  auto pair = ParseSeed(text);
  if (pair.ok()) {
    auto again = ParseSeed(pair->Seed().view());
    Check(again.ok() && again->public_key() == pair->public_key(), "seed round trip");
  }
  (void)Base32Decode(text);
  (void)Base64UrlDecode(text);
  // Only the cheap path: a bcrypt cost in fuzz input could stall every run.
  if (!IsBcrypt(text)) (void)CheckPassword(text, "password");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Issuers issuers;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  DecodeAsToken(text);
  SignAndDecode(text, issuers);
  (void)ParseCreds(text);
  ParseKeys(text);
  return 0;
}
