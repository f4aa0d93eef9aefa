#pragma once

namespace CLI {
class App;
}

namespace spate::cli {

class CliContext;

// `spate consumer add|edit|info|ls|rm|next` on the client library's JetStream API.
void AddConsumerCommands(CLI::App& app, CliContext& ctx);

}  // namespace spate::cli
