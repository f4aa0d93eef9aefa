#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace spate::auth {

// Overwrites memory in a way the optimiser cannot drop (OPENSSL_cleanse).
void Wipe(std::span<uint8_t> bytes);
void Wipe(std::string& text);

// Text that is a secret (an encoded seed): move-only, wiped when destroyed, so seeds do not
// linger in freed heap blocks. The text is built once and never grows, so no stale copy is
// left behind by a reallocation.
class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string text) : text_(std::move(text)) {}
  // Wipes the source too: a short text lives in the string object itself and is copied.
  SecretString(SecretString&& other) noexcept : text_(std::move(other.text_)) { Wipe(other.text_); }
  SecretString& operator=(SecretString&& other) noexcept;
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  ~SecretString() { Wipe(text_); }

  std::string_view view() const { return text_; }
  bool empty() const { return text_.empty(); }

 private:
  std::string text_;
};

}  // namespace spate::auth
