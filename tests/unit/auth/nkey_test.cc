#include "auth/nkey.h"

#include <gtest/gtest.h>

#include <string>

#include "auth/base64url.h"
#include "go_vectors.h"

namespace spate::auth {
namespace {

using namespace spate::auth::go;  // NOLINT: test vectors

RawKey Counting(uint8_t first) {
  RawKey raw;
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<uint8_t>(first + i);
  return raw;
}

std::string Hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

TEST(NkeyTest, Crc16IsXmodem) {
  const std::string_view check = "123456789";  // the catalogue's check input
  EXPECT_EQ(Crc16({reinterpret_cast<const uint8_t*>(check.data()), check.size()}), 0x31c3);
}

struct GoKey {
  KeyType type;
  uint8_t first_raw_byte;
  std::string_view seed, public_key;
};

const GoKey kGoKeys[] = {
    {KeyType::kUser, 0x01, kUserSeed, kUserPublic},
    {KeyType::kAccount, 0x21, kAccountSeed, kAccountPublic},
    {KeyType::kAccount, 0x61, kAccountSigningSeed, kAccountSigningPublic},
    {KeyType::kOperator, 0x41, kOperatorSeed, kOperatorPublic},
    {KeyType::kServer, 0x81, kServerSeed, kServerPublic},
};

TEST(NkeyTest, EncodesSeedsAndPublicKeysAsGoDoes) {
  for (const GoKey& go : kGoKeys) {
    auto pair = KeyPair::FromRawSeed(go.type, Counting(go.first_raw_byte));
    ASSERT_TRUE(pair.ok()) << pair.error().message();
    EXPECT_EQ(pair->Seed().view(), go.seed);
    EXPECT_EQ(pair->PublicKeyString(), go.public_key);
  }
}

TEST(NkeyTest, ParsesGoSeeds) {
  for (const GoKey& go : kGoKeys) {
    auto pair = ParseSeed(go.seed);
    ASSERT_TRUE(pair.ok()) << go.seed << ": " << pair.error().message();
    EXPECT_EQ(pair->type(), go.type);
    EXPECT_EQ(pair->PublicKeyString(), go.public_key);
    auto public_key = PublicKeyOf(go.seed);
    ASSERT_TRUE(public_key.ok());
    EXPECT_EQ(*public_key, go.public_key);
  }
}

TEST(NkeyTest, ParsesGoPublicKeys) {
  for (const GoKey& go : kGoKeys) {
    auto key = ParsePublicKey(go.public_key);
    ASSERT_TRUE(key.ok()) << key.error().message();
    EXPECT_EQ(key->type, go.type);
    EXPECT_EQ(EncodePublicKey(*key), go.public_key);
    EXPECT_TRUE(IsValidPublicKey(go.public_key, go.type));
  }
  EXPECT_FALSE(IsValidPublicKey(kUserPublic, KeyType::kAccount));
  EXPECT_FALSE(IsValidPublicKey(kAccountPublic, KeyType::kOperator));
}

TEST(NkeyTest, SignsLikeGo) {
  auto signature = Sign(kUserSeed, kNonce);
  ASSERT_TRUE(signature.ok()) << signature.error().message();
  EXPECT_EQ(Hex(*signature), kNonceSignatureHex);
  EXPECT_EQ(Base64UrlEncode(*signature), kNonceSignatureBase64Url);
}

TEST(NkeyTest, VerifiesGoSignatureAndNothingElse) {
  auto decoded = Base64UrlDecode(kNonceSignatureBase64Url);
  ASSERT_TRUE(decoded.ok());
  std::vector<uint8_t> signature = *decoded;
  EXPECT_TRUE(Verify(kUserPublic, kNonce, signature));

  EXPECT_FALSE(Verify(kUserPublic, "another nonce", signature));
  EXPECT_FALSE(Verify(kAccountPublic, kNonce, signature));
  EXPECT_FALSE(Verify("not a key", kNonce, signature));
  std::vector<uint8_t> flipped = signature;
  flipped[10] ^= 0x01;
  EXPECT_FALSE(Verify(kUserPublic, kNonce, flipped));
  EXPECT_FALSE(Verify(kUserPublic, kNonce, std::span(signature).first(63)));
  EXPECT_FALSE(Verify(kUserPublic, kNonce, {}));
}

TEST(NkeyTest, RejectsDamagedPublicKeys) {
  std::string damaged(kUserPublic);
  damaged[20] = damaged[20] == 'A' ? 'B' : 'A';
  auto key = ParsePublicKey(damaged);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message().find("checksum"), std::string::npos);

  EXPECT_FALSE(ParsePublicKey(kUserPublic.substr(0, 48)).ok());  // valid base32, short
  EXPECT_FALSE(ParsePublicKey("").ok());
  EXPECT_FALSE(ParsePublicKey(std::string(kUserPublic) + "AAAAAAAA").ok());
  std::string lower(kUserPublic);
  lower[5] = static_cast<char>(lower[5] - 'A' + 'a');
  EXPECT_FALSE(ParsePublicKey(lower).ok());
  EXPECT_FALSE(ParsePublicKey(kUserSeed).ok());  // a seed is not a public key
}

TEST(NkeyTest, RejectsDamagedSeeds) {
  EXPECT_FALSE(ParseSeed(kUserPublic).ok());  // a public key is not a seed
  std::string damaged(kUserSeed);
  damaged[30] = damaged[30] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(ParseSeed(damaged).ok());
  EXPECT_FALSE(ParseSeed(kUserSeed.substr(0, 56)).ok());
  EXPECT_FALSE(ParseSeed("").ok());
  EXPECT_FALSE(Sign("SUNOPE", "data").ok());
  EXPECT_FALSE(PublicKeyOf(kUserPublic).ok());
}

TEST(NkeyTest, CreatesUsableSeedsOfEveryPublicType) {
  const std::pair<KeyType, char> types[] = {{KeyType::kUser, 'U'},
                                            {KeyType::kAccount, 'A'},
                                            {KeyType::kOperator, 'O'},
                                            {KeyType::kServer, 'N'},
                                            {KeyType::kCluster, 'C'}};
  for (auto [type, letter] : types) {
    auto seed = CreateSeed(type);
    ASSERT_TRUE(seed.ok()) << seed.error().message();
    EXPECT_EQ(seed->view().size(), 58u);
    EXPECT_EQ(seed->view()[0], 'S');
    EXPECT_EQ(seed->view()[1], letter);
    auto public_key = PublicKeyOf(seed->view());
    ASSERT_TRUE(public_key.ok());
    EXPECT_EQ(public_key->size(), 56u);
    EXPECT_EQ((*public_key)[0], letter);
    EXPECT_TRUE(IsValidPublicKey(*public_key, type));
    auto signature = Sign(seed->view(), "nonce");
    ASSERT_TRUE(signature.ok());
    EXPECT_TRUE(Verify(*public_key, "nonce", *signature));
  }
  auto a = CreateSeed(KeyType::kUser);
  auto b = CreateSeed(KeyType::kUser);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->view(), b->view());
  EXPECT_FALSE(CreateSeed(KeyType::kSeed).ok());
  EXPECT_FALSE(CreateSeed(KeyType::kPrivate).ok());
}

TEST(NkeyTest, CurveKeysParseButCannotSign) {
  auto seed = CreateSeed(KeyType::kCurve);
  ASSERT_TRUE(seed.ok());
  EXPECT_EQ(seed->view().substr(0, 2), "SX");
  auto pair = ParseSeed(seed->view());
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair->type(), KeyType::kCurve);
  std::string public_key = pair->PublicKeyString();
  EXPECT_EQ(public_key[0], 'X');
  EXPECT_TRUE(IsValidPublicKey(public_key, KeyType::kCurve));
  EXPECT_FALSE(pair->Sign("data").ok());
  Signature zero{};
  EXPECT_FALSE(Verify(public_key, "data", zero));
}

TEST(NkeyTest, MovedKeyPairKeepsWorking) {
  auto parsed = ParseSeed(kUserSeed);
  ASSERT_TRUE(parsed.ok());
  KeyPair pair = std::move(parsed).value();
  KeyPair moved = std::move(pair);
  EXPECT_EQ(moved.Seed().view(), kUserSeed);
  EXPECT_EQ(moved.PublicKeyString(), kUserPublic);
}

TEST(NkeyTest, SecretStringMoves) {
  SecretString a{std::string(kUserSeed)};
  SecretString b = std::move(a);
  EXPECT_EQ(b.view(), kUserSeed);
  EXPECT_TRUE(a.empty());  // NOLINT: moved-from state is specified here
  SecretString c;
  c = std::move(b);
  EXPECT_EQ(c.view(), kUserSeed);
}

}  // namespace
}  // namespace spate::auth
