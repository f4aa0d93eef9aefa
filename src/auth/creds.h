#pragma once

#include <string>
#include <string_view>

#include "auth/secret.h"
#include "common/status.h"

namespace spate::auth {

// A user's credentials as nsc writes them to a .creds file.
struct Creds {
  std::string jwt;
  SecretString seed;  // a user seed ("SU...")
};

// Reads a .creds text: the first "-----BEGIN ...-----" / "------END ...------" block is the
// JWT, the second the seed. As lenient as nats.go: any number (three or more) of dashes, any
// text between them, CRLF or LF, blank lines and comments around the blocks. Without a second
// block, the first line that starts with "SU" is taken as the seed. The seed must parse as a
// user seed; the JWT is returned as text, undecoded.
Result<Creds> ParseCreds(std::string_view text);

// The file nsc writes (with its warning text), for tests and tools.
std::string FormatCreds(std::string_view jwt, std::string_view seed);

}  // namespace spate::auth
