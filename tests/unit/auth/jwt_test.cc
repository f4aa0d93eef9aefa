// Token mechanics: signing, verification, versions and malformed input. Field mapping is in
// claims_test.cc.
#include "auth/jwt.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth/base64url.h"
#include "auth/nkey.h"
#include "go_vectors.h"

namespace spate::auth {
namespace {

using namespace spate::auth::go;  // NOLINT: test vectors
using nlohmann::json;

constexpr std::string_view kGoHeader = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ";
constexpr int64_t kIssuedAt = 1700000000;

json UserPayload() {
  return {{"sub", kUserPublic},
          {"name", "alice"},
          {"nats", {{"type", "user"}, {"pub", {{"allow", {"orders.>"}}}}}}};
}

std::vector<std::string> Parts(std::string_view token) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot; (dot = token.find('.', start)) != std::string_view::npos; start = dot + 1) {
    parts.emplace_back(token.substr(start, dot - start));
  }
  parts.emplace_back(token.substr(start));
  return parts;
}

json PayloadOf(std::string_view token) {
  auto bytes = Base64UrlDecode(Parts(token)[1]);
  EXPECT_TRUE(bytes.ok());
  return json::parse(bytes->begin(), bytes->end());
}

// A token assembled by hand, so tests control every byte. v1 tokens sign the payload part only.
std::string HandMadeToken(std::string_view header, const json& payload, std::string_view seed,
                          bool v1 = false) {
  std::string h = Base64UrlEncode(header);
  std::string p = Base64UrlEncode(payload.dump());
  auto signature = Sign(seed, v1 ? p : h + "." + p);
  EXPECT_TRUE(signature.ok());
  return h + "." + p + "." + Base64UrlEncode(*signature);
}

std::string ErrorOf(const Result<UserClaims>& result) {
  return result.ok() ? "(ok)" : result.error().message();
}

TEST(JwtTest, RoundTripsAUserToken) {
  auto token = EncodeClaims(UserPayload(), kAccountSeed, kIssuedAt);
  ASSERT_TRUE(token.ok()) << token.error().message();
  EXPECT_EQ(Parts(*token)[0], kGoHeader);

  auto claims = DecodeUserClaims(*token);
  ASSERT_TRUE(claims.ok()) << claims.error().message();
  EXPECT_EQ(claims->issuer, kAccountPublic);
  EXPECT_EQ(claims->subject, kUserPublic);
  EXPECT_EQ(claims->name, "alice");
  EXPECT_EQ(claims->issued_at, kIssuedAt);
  EXPECT_EQ(claims->type, "user");
  EXPECT_EQ(claims->version, 2);
  EXPECT_EQ(claims->id.size(), 52u);  // base32 of a 32-byte digest
  EXPECT_EQ(claims->user.permissions.pub.allow, std::vector<std::string>{"orders.>"});

  auto generic = DecodeClaims(*token);
  ASSERT_TRUE(generic.ok());
  EXPECT_EQ(generic->type, "user");
}

TEST(JwtTest, FillsIssuedAtFromTheClockByDefault) {
  auto token = EncodeClaims(UserPayload(), kAccountSeed);
  ASSERT_TRUE(token.ok());
  auto claims = DecodeUserClaims(*token);
  ASSERT_TRUE(claims.ok());
  EXPECT_GT(claims->issued_at, kIssuedAt);
}

// Go's jti is a hash of the standard claims; equal ids show we hash the same bytes.
TEST(JwtTest, IdMatchesGoForTheSameClaims) {
  auto go_operator = DecodeOperatorClaims(kOperatorJwt);
  ASSERT_TRUE(go_operator.ok()) << go_operator.error().message();
  json payload = PayloadOf(kOperatorJwt);
  auto ours = EncodeClaims(payload, kOperatorSeed, go_operator->issued_at);
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(DecodeOperatorClaims(*ours)->id, go_operator->id);

  auto go_account = DecodeAccountClaims(kAccountJwt);  // has exp too
  ASSERT_TRUE(go_account.ok()) << go_account.error().message();
  ours = EncodeClaims(PayloadOf(kAccountJwt), kOperatorSeed, go_account->issued_at);
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(DecodeAccountClaims(*ours)->id, go_account->id);
}

TEST(JwtTest, TamperedPayloadFails) {
  auto token = EncodeClaims(UserPayload(), kAccountSeed, kIssuedAt);
  ASSERT_TRUE(token.ok());
  std::vector<std::string> parts = Parts(*token);
  json payload = PayloadOf(*token);
  payload["nats"]["pub"]["allow"] = {">"};
  std::string forged = parts[0] + "." + Base64UrlEncode(payload.dump()) + "." + parts[2];
  EXPECT_EQ(ErrorOf(DecodeUserClaims(forged)), "jwt: signature verification failed");
}

TEST(JwtTest, ClaimedIssuerMustHaveSigned) {
  auto token = EncodeClaims(UserPayload(), kAccountSeed, kIssuedAt);
  ASSERT_TRUE(token.ok());
  std::vector<std::string> parts = Parts(*token);
  json payload = PayloadOf(*token);
  payload["iss"] = kAccountSigningPublic;  // a different, valid account key
  std::string forged = parts[0] + "." + Base64UrlEncode(payload.dump()) + "." + parts[2];
  EXPECT_EQ(ErrorOf(DecodeUserClaims(forged)), "jwt: signature verification failed");
}

TEST(JwtTest, TamperedSignatureFails) {
  auto token = EncodeClaims(UserPayload(), kAccountSeed, kIssuedAt);
  ASSERT_TRUE(token.ok());
  std::string forged = *token;
  char& c = forged[forged.size() - 10];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_FALSE(DecodeUserClaims(forged).ok());
  EXPECT_FALSE(DecodeUserClaims(token->substr(0, token->size() - 4)).ok());
}

TEST(JwtTest, IssuerMustBeTheRightKindOfKey) {
  auto by_operator = EncodeClaims(UserPayload(), kOperatorSeed, kIssuedAt);
  ASSERT_TRUE(by_operator.ok());
  EXPECT_EQ(ErrorOf(DecodeUserClaims(*by_operator)),
            "jwt: user token: issuer must be a public key of type account");

  json account = {{"sub", kAccountPublic}, {"nats", {{"type", "account"}}}};
  auto by_account = EncodeClaims(account, kAccountSeed, kIssuedAt);
  ASSERT_TRUE(by_account.ok());
  EXPECT_FALSE(DecodeAccountClaims(*by_account).ok());
  EXPECT_TRUE(DecodeClaims(*by_account).ok());  // the signature itself is fine
}

TEST(JwtTest, SubjectMustBeTheRightKindOfKey) {
  json payload = UserPayload();
  payload["sub"] = kAccountPublic;
  auto token = EncodeClaims(payload, kAccountSeed, kIssuedAt);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(ErrorOf(DecodeUserClaims(*token)),
            "jwt: user token: subject must be a public key of type user");
}

TEST(JwtTest, TypeMustMatchTheDecoder) {
  auto user = EncodeClaims(UserPayload(), kAccountSeed, kIssuedAt);
  ASSERT_TRUE(user.ok());
  auto as_account = DecodeAccountClaims(*user);
  ASSERT_FALSE(as_account.ok());
  EXPECT_EQ(as_account.error().message(), "jwt: expected type \"account\", got \"user\"");
  EXPECT_FALSE(DecodeOperatorClaims(*user).ok());
  EXPECT_FALSE(DecodeUserClaims(kAccountJwt).ok());
}

TEST(JwtTest, ExpiryAndNotBefore) {
  json payload = UserPayload();
  payload["exp"] = kIssuedAt + 60;
  payload["nbf"] = kIssuedAt - 60;
  auto token = EncodeClaims(payload, kAccountSeed, kIssuedAt);
  ASSERT_TRUE(token.ok());
  auto claims = DecodeUserClaims(*token);  // decoding does not look at the clock
  ASSERT_TRUE(claims.ok());
  EXPECT_FALSE(IsExpired(*claims, kIssuedAt));
  EXPECT_FALSE(IsExpired(*claims, kIssuedAt + 60));
  EXPECT_TRUE(IsExpired(*claims, kIssuedAt + 61));
  EXPECT_TRUE(IsNotYetValid(*claims, kIssuedAt - 61));
  EXPECT_FALSE(IsNotYetValid(*claims, kIssuedAt - 60));

  ClaimsData forever;
  EXPECT_FALSE(IsExpired(forever, INT64_MAX));
  EXPECT_FALSE(IsNotYetValid(forever, 0));
}

TEST(JwtTest, AcceptsV1Tokens) {
  // v1: "type" and "issuer_account" at the top level, alg "ed25519", payload-only signature.
  json payload = {{"jti", "V1ID"},
                  {"iat", kIssuedAt},
                  {"iss", kAccountSigningPublic},
                  {"sub", kUserPublic},
                  {"type", "user"},
                  {"issuer_account", kAccountPublic},
                  {"nats", {{"pub", {{"allow", {"v1.>"}}}}}}};
  std::string v1 = HandMadeToken(R"({"typ":"jwt","alg":"ed25519"})", payload, kAccountSigningSeed,
                                 /*v1=*/true);
  auto claims = DecodeUserClaims(v1);
  ASSERT_TRUE(claims.ok()) << claims.error().message();
  EXPECT_EQ(claims->version, 1);
  EXPECT_EQ(claims->issuer_account, kAccountPublic);
  EXPECT_EQ(claims->user.permissions.pub.allow, std::vector<std::string>{"v1.>"});

  // The same v1 payload signed the v2 way does not verify.
  std::string mixed =
      HandMadeToken(R"({"typ":"jwt","alg":"ed25519"})", payload, kAccountSigningSeed, /*v1=*/false);
  EXPECT_FALSE(DecodeUserClaims(mixed).ok());
}

TEST(JwtTest, RejectsUnknownVersions) {
  json payload = UserPayload();
  payload["iss"] = kAccountPublic;
  payload["nats"]["version"] = 3;
  std::string header = R"({"typ":"JWT","alg":"ed25519-nkey"})";
  EXPECT_EQ(ErrorOf(DecodeUserClaims(HandMadeToken(header, payload, kAccountSeed))),
            "jwt: generated by a newer version (3)");
  payload["nats"].erase("version");
  EXPECT_EQ(ErrorOf(DecodeUserClaims(HandMadeToken(header, payload, kAccountSeed))),
            "jwt: missing or bad nats.version");
}

TEST(JwtTest, ChecksTheHeader) {
  json payload = UserPayload();
  payload["iss"] = kAccountPublic;
  payload["nats"]["version"] = 2;
  EXPECT_TRUE(DecodeUserClaims(
                  HandMadeToken(R"({"typ":"JWT","alg":"ED25519-NKEY"})", payload, kAccountSeed))
                  .ok());
  EXPECT_EQ(ErrorOf(DecodeUserClaims(
                HandMadeToken(R"({"typ":"JWT","alg":"HS256"})", payload, kAccountSeed))),
            "jwt: unsupported algorithm \"HS256\"");
  EXPECT_FALSE(
      DecodeUserClaims(HandMadeToken(R"({"alg":"ed25519-nkey"})", payload, kAccountSeed)).ok());
  EXPECT_FALSE(
      DecodeUserClaims(HandMadeToken(R"({"typ":"JWT","alg":7})", payload, kAccountSeed)).ok());
}

TEST(JwtTest, ToleratesUnknownFields) {
  json payload = UserPayload();
  payload["x_future"] = {{"nested", {1, 2, 3}}};
  payload["nats"]["x_future"] = "anything";
  payload["nats"]["pub"]["x_future"] = nullptr;
  payload["aud"] = "somewhere";
  auto token = EncodeClaims(payload, kAccountSeed, kIssuedAt);
  ASSERT_TRUE(token.ok());
  auto claims = DecodeUserClaims(*token);
  ASSERT_TRUE(claims.ok()) << claims.error().message();
  EXPECT_EQ(claims->audience, "somewhere");
}

TEST(JwtTest, WrongFieldTypesNameTheField) {
  json payload = UserPayload();
  payload["nats"]["subs"] = "many";
  auto token = EncodeClaims(payload, kAccountSeed, kIssuedAt);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(ErrorOf(DecodeUserClaims(*token)), "jwt: nats.subs: expected a 64-bit integer");

  payload = UserPayload();
  payload["nats"]["pub"]["allow"] = {"ok", 5};
  token = EncodeClaims(payload, kAccountSeed, kIssuedAt);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(ErrorOf(DecodeUserClaims(*token)), "jwt: nats.pub.allow: expected an array of strings");

  payload = UserPayload();
  payload["exp"] = 1.5;
  token = EncodeClaims(payload, kAccountSeed, kIssuedAt);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(ErrorOf(DecodeUserClaims(*token)), "jwt: exp: expected a 64-bit integer");
}

TEST(JwtTest, MalformedTokensAreErrors) {
  auto good = EncodeClaims(UserPayload(), kAccountSeed, kIssuedAt);
  ASSERT_TRUE(good.ok());
  std::vector<std::string> parts = Parts(*good);
  const std::string bad[] = {
      "",
      ".",
      "..",
      "a.b",
      parts[0] + "." + parts[1],
      *good + ".extra",
      "!!!." + parts[1] + "." + parts[2],
      parts[0] + ".%%%." + parts[2],
      parts[0] + "." + parts[1] + ".***",
      Base64UrlEncode("not json") + "." + parts[1] + "." + parts[2],
      Base64UrlEncode("[1,2]") + "." + parts[1] + "." + parts[2],
      parts[0] + "." + Base64UrlEncode("{\"sub\":") + "." + parts[2],
      parts[0] + "." + Base64UrlEncode("[]") + "." + parts[2],
      parts[0] + "." + Base64UrlEncode("42") + "." + parts[2],
      parts[0] + "." + Base64UrlEncode("\"text\"") + "." + parts[2],
      parts[0] + "." + parts[1] + "." + Base64UrlEncode("short"),
      parts[0] + "." + parts[1] + ".",
  };
  for (const std::string& token : bad) {
    EXPECT_FALSE(DecodeUserClaims(token).ok()) << token;
    EXPECT_FALSE(DecodeAccountClaims(token).ok()) << token;
    EXPECT_FALSE(DecodeOperatorClaims(token).ok()) << token;
    EXPECT_FALSE(DecodeClaims(token).ok()) << token;
  }
  EXPECT_EQ(ErrorOf(DecodeUserClaims("a.b")), "jwt: expected 3 dot-separated parts");
}

TEST(JwtTest, MissingOrBadIssuer) {
  json payload = UserPayload();
  payload["nats"]["version"] = 2;
  std::string header = R"({"typ":"JWT","alg":"ed25519-nkey"})";
  EXPECT_EQ(ErrorOf(DecodeUserClaims(HandMadeToken(header, payload, kAccountSeed))),
            "jwt: no issuer (iss)");
  payload["iss"] = "ANOTAKEY";
  EXPECT_FALSE(DecodeUserClaims(HandMadeToken(header, payload, kAccountSeed)).ok());
}

TEST(JwtTest, EncodeRejectsIncompleteInput) {
  EXPECT_FALSE(EncodeClaims(json::array(), kAccountSeed).ok());
  EXPECT_FALSE(EncodeClaims({{"nats", {{"type", "user"}}}}, kAccountSeed).ok());
  EXPECT_FALSE(EncodeClaims({{"sub", kUserPublic}}, kAccountSeed).ok());
  EXPECT_FALSE(EncodeClaims(UserPayload(), kAccountPublic).ok());  // not a seed
  json v1_style = UserPayload();
  v1_style["type"] = "user";  // would make decoders expect a v1 signature
  EXPECT_FALSE(EncodeClaims(v1_style, kAccountSeed).ok());
}

}  // namespace
}  // namespace spate::auth
