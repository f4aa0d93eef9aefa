#include "auth/secret.h"

#include <openssl/crypto.h>

namespace spate::auth {

void Wipe(std::span<uint8_t> bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

void Wipe(std::string& text) {
  // The whole capacity: a shorter string may still hold an older, longer secret.
  if (text.capacity() > 0) OPENSSL_cleanse(text.data(), text.capacity());
  text.clear();
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    Wipe(text_);
    text_ = std::move(other.text_);
    Wipe(other.text_);
  }
  return *this;
}

}  // namespace spate::auth
