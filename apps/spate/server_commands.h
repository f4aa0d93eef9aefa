#pragma once

namespace CLI {
class App;
}

namespace spate::cli {

class CliContext;

// `spate server info|ping|check`: what a server says about itself, over the system account's
// $SYS.REQ.SERVER.PING.* services or the HTTP monitoring port (--monitor).
void AddServerCommands(CLI::App& app, CliContext& ctx);

}  // namespace spate::cli
