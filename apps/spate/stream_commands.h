#pragma once

namespace CLI {
class App;
}

namespace spate::cli {

class CliContext;

// `spate stream add|edit|info|ls|rm|purge|get|rmm` on the client library's JetStream API.
void AddStreamCommands(CLI::App& app, CliContext& ctx);

}  // namespace spate::cli
