// spate: the command-line tool for spate-server and nats-server (pub/sub/req/reply, server
// info/ping/check, stream, consumer, kv, bench).

#include <CLI/CLI.hpp>

#include "bench_command.h"
#include "cli_context.h"
#include "consumer_commands.h"
#include "kv_commands.h"
#include "pub_sub_commands.h"
#include "server_commands.h"
#include "stream_commands.h"

int main(int argc, char** argv) {
  spate::cli::CliContext ctx;
  CLI::App app{"spate: talk to a NATS server (spate-server or nats-server)", "spate"};
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  spate sub 'orders.>' &\n"
      "  spate pub orders.new hello\n"
      "  spate server check --monitor http://127.0.0.1:8222\n"
      "  spate bench pub bench.x --msgs 1000000 --size 128\n"
      "Run 'spate VERB --help' for the flags of one verb.");
  spate::cli::AddPubSubCommands(app, ctx);
  spate::cli::AddServerCommands(app, ctx);
  spate::cli::AddStreamCommands(app, ctx);
  spate::cli::AddConsumerCommands(app, ctx);
  spate::cli::AddKvCommands(app, ctx);
  spate::cli::AddBenchCommands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Bad flags are a startup error: CLI11 prints the usage and picks the exit code.
    return app.exit(e);
  }
  return ctx.exit_code();
}
