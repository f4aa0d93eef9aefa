#include "auth/password.h"

#include <crypt.h>
#include <openssl/crypto.h>

#include <memory>

#include "auth/secret.h"

namespace spate::auth {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// crypt_r keeps its scratch space and output in crypt_data (about 32 KiB): heap allocated, and
// wiped after use because it holds the password.
struct CryptScratch {
  std::unique_ptr<crypt_data> data = std::make_unique<crypt_data>();
  ~CryptScratch() { OPENSSL_cleanse(data.get(), sizeof(crypt_data)); }
};

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  // The length is not secret in practice; the contents are.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

bool IsBcrypt(std::string_view stored) {
  return stored.size() >= 7 && stored.substr(0, 2) == "$2" &&
         std::string_view("abxy").find(stored[2]) != std::string_view::npos && stored[3] == '$' &&
         IsDigit(stored[4]) && IsDigit(stored[5]) && stored[6] == '$';
}

bool CheckPassword(std::string_view stored, std::string_view given) {
  if (!IsBcrypt(stored)) return ConstantTimeEqual(stored, given);
  // crypt_r reads C strings: an embedded NUL would silently cut the password short.
  if (given.find('\0') != std::string_view::npos || stored.find('\0') != std::string_view::npos) {
    return false;
  }
  std::string password(given);
  std::string setting(stored);
  CryptScratch scratch;
  const char* hashed = crypt_r(password.c_str(), setting.c_str(), scratch.data.get());
  Wipe(password);
  // libxcrypt reports failure as NULL or as a string starting with '*', never equal to a hash.
  return hashed != nullptr && hashed[0] != '*' && ConstantTimeEqual(hashed, stored);
}

Result<std::string> BcryptHash(std::string_view password, int cost) {
  if (cost < 4 || cost > 31) return Status::InvalidArgument("bcrypt: cost must be 4..31");
  if (password.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("bcrypt: password contains NUL");
  }
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  // A null random source makes libxcrypt draw the salt from the OS.
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, salt, sizeof(salt)) ==
      nullptr) {
    return Status::Internal("bcrypt: crypt_gensalt_rn failed");
  }
  std::string text(password);
  CryptScratch scratch;
  const char* hashed = crypt_r(text.c_str(), salt, scratch.data.get());
  Wipe(text);
  if (hashed == nullptr || hashed[0] == '*') return Status::Internal("bcrypt: crypt_r failed");
  return std::string(hashed);
}

}  // namespace spate::auth
