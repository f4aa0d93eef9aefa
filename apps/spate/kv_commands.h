#pragma once

namespace CLI {
class App;
}

namespace spate::cli {

class CliContext;

// `spate kv add|put|get|del|ls|watch|history` on the client library's KeyValue API.
void AddKvCommands(CLI::App& app, CliContext& ctx);

}  // namespace spate::cli
