#include "auth/nkey.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <optional>
#include <vector>

#include "auth/base32.h"

namespace spate::auth {
namespace {

constexpr uint8_t kSeedPrefix = 18 << 3;

uint8_t PrefixByte(KeyType type) {
  switch (type) {
    case KeyType::kSeed:
      return kSeedPrefix;
    case KeyType::kPrivate:
      return 15 << 3;
    case KeyType::kServer:
      return 13 << 3;
    case KeyType::kCluster:
      return 2 << 3;
    case KeyType::kOperator:
      return 14 << 3;
    case KeyType::kAccount:
      return 0;
    case KeyType::kUser:
      return 20 << 3;
    case KeyType::kCurve:
      return 23 << 3;
  }
  return 0xff;
}

// Only the types a public key (and hence a seed) may have.
std::optional<KeyType> PublicTypeOf(uint8_t prefix) {
  for (KeyType t : {KeyType::kServer, KeyType::kCluster, KeyType::kOperator, KeyType::kAccount,
                    KeyType::kUser, KeyType::kCurve}) {
    if (PrefixByte(t) == prefix) return t;
  }
  return std::nullopt;
}

bool IsPublicType(KeyType type) { return type != KeyType::kSeed && type != KeyType::kPrivate; }

// Holds decoded bytes that may be a seed, and wipes them whatever the outcome.
struct WipedBytes {
  std::vector<uint8_t> bytes;
  ~WipedBytes() { Wipe(bytes); }
};

// base32 text -> payload without its checksum, the checksum verified.
Status DecodeChecked(std::string_view text, WipedBytes* out) {
  auto decoded = Base32Decode(text);
  if (!decoded.ok()) return Status::InvalidArgument("nkey: " + decoded.error().message());
  out->bytes = std::move(decoded).value();
  std::vector<uint8_t>& raw = out->bytes;
  if (raw.size() < 4) return Status::InvalidArgument("nkey: too short");
  uint16_t stored = static_cast<uint16_t>(raw[raw.size() - 2] | (raw[raw.size() - 1] << 8));
  if (Crc16(std::span(raw).first(raw.size() - 2)) != stored) {
    return Status::InvalidArgument("nkey: checksum mismatch");
  }
  raw.resize(raw.size() - 2);
  return Status::Ok();
}

std::string EncodeChecked(std::span<const uint8_t> payload) {
  WipedBytes buffer;
  buffer.bytes.assign(payload.begin(), payload.end());
  uint16_t crc = Crc16(payload);
  buffer.bytes.push_back(static_cast<uint8_t>(crc & 0xff));
  buffer.bytes.push_back(static_cast<uint8_t>(crc >> 8));
  return Base32Encode(buffer.bytes);
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// Curve keys are x25519 (for sealing), every other type is ed25519 (for signing).
int AlgorithmOf(KeyType type) {
  return type == KeyType::kCurve ? EVP_PKEY_X25519 : EVP_PKEY_ED25519;
}

}  // namespace

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kSeed:
      return "seed";
    case KeyType::kPrivate:
      return "private";
    case KeyType::kServer:
      return "server";
    case KeyType::kCluster:
      return "cluster";
    case KeyType::kOperator:
      return "operator";
    case KeyType::kAccount:
      return "account";
    case KeyType::kUser:
      return "user";
    case KeyType::kCurve:
      return "curve";
  }
  return "unknown";
}

uint16_t Crc16(std::span<const uint8_t> data) {
  uint16_t crc = 0;
  for (uint8_t byte : data) {
    crc ^= static_cast<uint16_t>(byte) << 8;
    for (int i = 0; i < 8; ++i) {
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<uint16_t>(crc << 1);
    }
  }
  return crc;
}

Result<PublicKey> ParsePublicKey(std::string_view encoded) {
  WipedBytes raw;
  SPATE_RETURN_IF_ERROR(DecodeChecked(encoded, &raw));
  if (raw.bytes.size() != 1 + kRawKeySize) {
    return Status::InvalidArgument("nkey: public key has the wrong length");
  }
  std::optional<KeyType> type = PublicTypeOf(raw.bytes[0]);
  if (!type) return Status::InvalidArgument("nkey: not a public key prefix");
  PublicKey key{.type = *type};
  std::copy(raw.bytes.begin() + 1, raw.bytes.end(), key.key.begin());
  return key;
}

bool IsValidPublicKey(std::string_view encoded, KeyType expected) {
  auto key = ParsePublicKey(encoded);
  return key.ok() && key->type == expected;
}

std::string EncodePublicKey(const PublicKey& key) {
  std::array<uint8_t, 1 + kRawKeySize> payload;
  payload[0] = PrefixByte(key.type);
  std::copy(key.key.begin(), key.key.end(), payload.begin() + 1);
  return EncodeChecked(payload);
}

Result<KeyPair> KeyPair::FromRawSeed(KeyType type, const RawKey& raw_seed) {
  if (!IsPublicType(type)) {
    return Status::InvalidArgument("nkey: a seed must belong to a public key type");
  }
  PkeyPtr pkey(
      EVP_PKEY_new_raw_private_key(AlgorithmOf(type), nullptr, raw_seed.data(), raw_seed.size()));
  if (!pkey) return Status::Internal("nkey: OpenSSL rejected the seed");
  KeyPair pair;
  pair.type_ = type;
  pair.seed_ = raw_seed;
  size_t size = pair.public_key_.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), pair.public_key_.data(), &size) != 1 ||
      size != kRawKeySize) {
    return Status::Internal("nkey: OpenSSL could not derive the public key");
  }
  return pair;
}

KeyPair::KeyPair(KeyPair&& other) noexcept
    : type_(other.type_), seed_(other.seed_), public_key_(other.public_key_) {
  Wipe(other.seed_);
}

KeyPair& KeyPair::operator=(KeyPair&& other) noexcept {
  if (this != &other) {
    type_ = other.type_;
    seed_ = other.seed_;
    public_key_ = other.public_key_;
    Wipe(other.seed_);
  }
  return *this;
}

KeyPair::~KeyPair() { Wipe(seed_); }

std::string KeyPair::PublicKeyString() const {
  return EncodePublicKey(PublicKey{.type = type_, .key = public_key_});
}

SecretString KeyPair::Seed() const {
  uint8_t prefix = PrefixByte(type_);
  WipedBytes payload;
  payload.bytes.reserve(2 + kRawKeySize);
  payload.bytes.push_back(static_cast<uint8_t>(kSeedPrefix | (prefix >> 5)));
  payload.bytes.push_back(static_cast<uint8_t>((prefix & 31) << 3));
  payload.bytes.insert(payload.bytes.end(), seed_.begin(), seed_.end());
  return SecretString(EncodeChecked(payload.bytes));
}

Result<Signature> KeyPair::Sign(std::string_view data) const {
  if (type_ == KeyType::kCurve) return Status::InvalidArgument("nkey: curve keys cannot sign");
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed_.data(), seed_.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx) return Status::Internal("nkey: OpenSSL allocation failed");
  Signature signature;
  size_t size = signature.size();
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature.data(), &size,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      size != kSignatureSize) {
    return Status::Internal("nkey: OpenSSL could not sign");
  }
  return signature;
}

Result<KeyPair> ParseSeed(std::string_view seed) {
  WipedBytes raw;
  SPATE_RETURN_IF_ERROR(DecodeChecked(seed, &raw));
  if (raw.bytes.size() != 2 + kRawKeySize) {
    return Status::InvalidArgument("nkey: seed has the wrong length");
  }
  // The seed prefix takes the top 5 bits of the first byte; the key type's prefix byte is
  // split over the remaining 3 bits and the top 5 bits of the second byte.
  if ((raw.bytes[0] & 0xf8) != kSeedPrefix) return Status::InvalidArgument("nkey: not a seed");
  uint8_t type_prefix =
      static_cast<uint8_t>(((raw.bytes[0] & 0x07) << 5) | ((raw.bytes[1] & 0xf8) >> 3));
  std::optional<KeyType> type = PublicTypeOf(type_prefix);
  if (!type) return Status::InvalidArgument("nkey: seed of an unknown key type");
  RawKey raw_seed;
  std::copy(raw.bytes.begin() + 2, raw.bytes.end(), raw_seed.begin());
  auto pair = KeyPair::FromRawSeed(*type, raw_seed);
  Wipe(raw_seed);
  return pair;
}

Result<SecretString> CreateSeed(KeyType type) {
  if (!IsPublicType(type)) {
    return Status::InvalidArgument("nkey: a seed must belong to a public key type");
  }
  RawKey raw_seed;
  if (RAND_bytes(raw_seed.data(), static_cast<int>(raw_seed.size())) != 1) {
    return Status::Internal("nkey: RAND_bytes failed");
  }
  auto pair = KeyPair::FromRawSeed(type, raw_seed);
  Wipe(raw_seed);
  if (!pair.ok()) return pair.status();
  return pair->Seed();
}

Result<std::string> PublicKeyOf(std::string_view seed) {
  SPATE_ASSIGN_OR_RETURN(KeyPair pair, ParseSeed(seed));
  return pair.PublicKeyString();
}

Result<Signature> Sign(std::string_view seed, std::string_view data) {
  SPATE_ASSIGN_OR_RETURN(KeyPair pair, ParseSeed(seed));
  return pair.Sign(data);
}

bool Verify(const PublicKey& key, std::string_view data, std::span<const uint8_t> signature) {
  if (key.type == KeyType::kCurve || signature.size() != kSignatureSize) return false;
  PkeyPtr pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.key.data(), key.key.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx) return false;
  return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

bool Verify(std::string_view public_key, std::string_view data,
            std::span<const uint8_t> signature) {
  auto key = ParsePublicKey(public_key);
  return key.ok() && Verify(*key, data, signature);
}

}  // namespace spate::auth
