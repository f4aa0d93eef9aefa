#pragma once

#include <string>
#include <string_view>

#include "client/options.h"
#include "common/status.h"

// Key-based authentication for CONNECT: the nkey seed, the .creds file or the JWT and signer
// callbacks of Options, turned into the fields that answer the server's INFO nonce.
namespace spate::client::detail {

struct SignedAuth {
  std::string nkey;  // public user key, with an nkey seed
  std::string jwt;   // user JWT, with a .creds file or the user_jwt callback
  std::string sig;   // base64url (no padding) of the ed25519 signature of the nonce
  bool empty() const { return sig.empty(); }
};

// Checks the options once, at Connect: at most one source, both callbacks or neither, and a
// given seed parses. Files are read again at every handshake (rotated credentials are picked up).
Status ValidateUserAuth(const Options& options);

// Signs `nonce` with the configured key; all fields empty when none is configured. Reads the seed
// or creds file; runs the callbacks (on the calling thread: the I/O thread).
Result<SignedAuth> SignNonce(const Options& options, std::string_view nonce);

}  // namespace spate::client::detail
