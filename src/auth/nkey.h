#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "auth/secret.h"
#include "common/status.h"

namespace spate::auth {

// NATS nkeys: ed25519 keys (x25519 for curve keys) in a typed, checksummed text form.
//   public key: base32(prefix byte | 32-byte key | crc16 little-endian), 56 characters
//   seed:       base32(0x90 | type >> 5, (type & 31) << 3 | 32-byte ed25519 seed | crc16), 58 chars
// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0). The prefix byte makes the first
// character name the type: S seed, P private, N server, C cluster, O operator, A account, U user,
// X curve.
enum class KeyType : uint8_t {
  kSeed,
  kPrivate,
  kServer,
  kCluster,
  kOperator,
  kAccount,
  kUser,
  kCurve
};

std::string_view KeyTypeName(KeyType type);  // "user", "account", ...

inline constexpr size_t kRawKeySize = 32;
inline constexpr size_t kSignatureSize = 64;
using RawKey = std::array<uint8_t, kRawKeySize>;
using Signature = std::array<uint8_t, kSignatureSize>;

// CRC-16/XMODEM, exposed for tests.
uint16_t Crc16(std::span<const uint8_t> data);

struct PublicKey {
  KeyType type = KeyType::kUser;
  RawKey key{};
};

// Accepts the public types (server, cluster, operator, account, user, curve); rejects bad
// base32, a bad checksum, a wrong length and seed or private-key prefixes.
Result<PublicKey> ParsePublicKey(std::string_view encoded);
bool IsValidPublicKey(std::string_view encoded, KeyType expected);
std::string EncodePublicKey(const PublicKey& key);

// A key pair held as its 32-byte seed (wiped on destruction). Move-only.
class KeyPair {
 public:
  // Mints a deterministic pair; for tests and tools. Fails for kSeed and kPrivate.
  static Result<KeyPair> FromRawSeed(KeyType type, const RawKey& raw_seed);

  KeyPair(KeyPair&& other) noexcept;
  KeyPair& operator=(KeyPair&& other) noexcept;
  KeyPair(const KeyPair&) = delete;
  KeyPair& operator=(const KeyPair&) = delete;
  ~KeyPair();

  KeyType type() const { return type_; }
  const RawKey& public_key() const { return public_key_; }
  std::string PublicKeyString() const;
  SecretString Seed() const;
  // ed25519 signature; fails for curve (x25519) keys, which cannot sign.
  Result<Signature> Sign(std::string_view data) const;

 private:
  KeyPair() = default;
  KeyType type_ = KeyType::kUser;
  RawKey seed_{};
  RawKey public_key_{};
};

// Rejects bad base32, a bad checksum, a wrong length and a seed of a non-public type.
Result<KeyPair> ParseSeed(std::string_view seed);
// A fresh random seed of the given public type (RAND_bytes).
Result<SecretString> CreateSeed(KeyType type);
Result<std::string> PublicKeyOf(std::string_view seed);
Result<Signature> Sign(std::string_view seed, std::string_view data);

// False for any malformed key or signature, a curve key, or a signature that does not match.
bool Verify(const PublicKey& key, std::string_view data, std::span<const uint8_t> signature);
bool Verify(std::string_view public_key, std::string_view data, std::span<const uint8_t> signature);

}  // namespace spate::auth
