#pragma once

#include <string>
#include <vector>

#include "support/test_server.h"

namespace spate::test {

// One line of a .nats transcript (see README.md for the language).
struct TranscriptStep {
  int line = 0;
  std::string command;                   // connect, send, expect, expect_info, ...
  std::vector<std::string> connections;  // c1, or c1,c2 for expect_any
  std::vector<std::string> arguments;    // decoded bytes, INFO keys, or alternatives
};

struct Transcript {
  std::string path;
  std::vector<std::string> skip_servers;  // "nats-server" or "spate": the script does not apply
  std::string skip_reason;
  std::string server_config;             // server_conf lines
  std::vector<std::string> server_args;  // server_arg flags
  std::vector<TranscriptStep> steps;
};

// Parses a transcript; on a syntax error returns false and sets *error to "path:line: why".
bool ParseTranscript(const std::string& path, Transcript* out, std::string* error);

// Turns "PUB a 2\\r\\nhi\\r\\n" (escapes \r \n \t \\ \xHH) into raw bytes.
bool DecodeEscapes(const std::string& text, std::string* out);
// The reverse, for readable failure messages.
std::string EscapeBytes(const std::string& bytes);

struct ReplayResult {
  bool ok = false;
  bool skipped = false;
  std::string message;  // why it failed or was skipped
};

// Starts a fresh server from `binary` (`server_kind` is "spate" or "nats-server", matched against
// `skip` lines), replays the transcript against it and reports the first deviation.
ReplayResult ReplayTranscript(const Transcript& transcript, const std::string& binary,
                              const std::string& server_kind);

}  // namespace spate::test
