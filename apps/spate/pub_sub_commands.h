#pragma once

namespace CLI {
class App;
}

namespace spate::cli {

class CliContext;

// Core messaging verbs: pub, sub, req, reply.
void AddPubSubCommands(CLI::App& app, CliContext& ctx);

}  // namespace spate::cli
