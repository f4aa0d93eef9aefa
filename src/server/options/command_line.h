#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "server/options/server_options.h"

namespace spate::server {

// nats-server's command line, parsed as Go's `flag` package does: `-name` and `--name` are the
// same flag; values come as `-p 4222` or `-p=4222`; boolean flags take no separate value
// (`-D`, `-D=false`); parsing stops at the first non-flag argument or after `--`.
// Parse checks names and values; ApplyTo writes them onto options, so it can run again after
// the config file is read (flags override the file, as in nats-server).
class CommandLine {
 public:
  static Result<CommandLine> Parse(const std::vector<std::string>& args);

  // Applies every flag in order (a repeated flag: the last wins).
  Status ApplyTo(ServerOptions* opts) const;

  // Arguments after the flags; nats-server accepts "version" or "help" there.
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  struct Setting {
    std::string canonical;  // the flag's main name, e.g. "port" for -p
    std::string given;      // as typed, for messages
    std::string value;      // "true"/"false" for boolean flags
  };

  std::vector<Setting> settings_;
  std::vector<std::string> positional_;
};

}  // namespace spate::server
