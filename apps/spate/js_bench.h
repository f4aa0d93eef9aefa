#pragma once

#include <CLI/CLI.hpp>

// `spate bench js-pub` and `spate bench js-consume`: JetStream publish with acks (one at a time,
// or asynchronously inside a window) and pull consumption with explicit acks, on a stream the
// bench creates when it is missing.
namespace spate::cli {

class CliContext;

void AddJsBenchCommands(CLI::App* bench, CliContext& ctx);

}  // namespace spate::cli
