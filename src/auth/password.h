#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace spate::auth {

// True when a configured password is a bcrypt hash: "$2a$", "$2b$", "$2x$" or "$2y$", two
// digits of cost and '$' (the test nats-server applies before treating it as a hash).
bool IsBcrypt(std::string_view stored);

// Compares a client's password with the configured one: through bcrypt (crypt_r) when the
// stored value is a bcrypt hash, else as plain text in constant time. Thread-safe.
bool CheckPassword(std::string_view stored, std::string_view given);

// A "$2b$" hash of password with a fresh random salt; for tests and tools. cost is 4..31.
Result<std::string> BcryptHash(std::string_view password, int cost);

}  // namespace spate::auth
