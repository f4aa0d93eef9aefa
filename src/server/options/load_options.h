#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "server/options/server_options.h"

namespace spate::server {

// Parses nats-server's command line (Go flag style: -p 4222, -p=4222, --port 4222; single-dash
// long names like -js, -sd, -DV). If -c names a config file it is read first and the flags then
// override it, as in nats-server. Errors name the flag, or the file and line.
Result<ServerOptions> LoadOptions(const std::vector<std::string>& args);

// Reads a config file into `opts` (used by LoadOptions and by reload).
Status ApplyConfigFile(const std::string& path, ServerOptions* opts);

// The text `spate-server --help` prints.
std::string UsageText();

}  // namespace spate::server
