#pragma once

namespace CLI {
class App;
}

namespace spate::cli {

class CliContext;

// `spate bench pub|sub|req`: throughput and latency of a server with our client library.
void AddBenchCommands(CLI::App& app, CliContext& ctx);

}  // namespace spate::cli
