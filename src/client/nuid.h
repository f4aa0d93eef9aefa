#pragma once

#include <cstdint>
#include <string>

namespace spate::client {

// Unique tokens for inbox subjects, in the spirit of nats.go's NUID: 22 base62 characters, a
// random 12-character prefix and a 10-character sequence that starts at a random value and
// advances by a random increment; the prefix is renewed when the sequence runs out.
// Threading: not thread-safe; NewInbox() uses one instance per thread.
class Nuid {
 public:
  Nuid();
  std::string Next();

 private:
  void Reseed();
  std::string prefix_;
  uint64_t seq_ = 0, inc_ = 0;
};

// "_INBOX.<nuid>".
std::string NewInbox();

}  // namespace spate::client
