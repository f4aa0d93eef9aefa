#include "server/options/load_options.h"

#include <string>

#include "conf/conf_parser.h"
#include "conf/duration.h"
#include "server/options/command_line.h"
#include "server/options/config_reader.h"
#include "server/options/config_sections.h"

namespace spate::server {
namespace {

// Checks that span several settings, run once flags and file are merged (nats-server's
// validateOptions).
Status Validate(const ServerOptions& opts) {
  if (opts.max_payload > opts.max_pending) {
    return Status::InvalidArgument("max_payload (" + std::to_string(opts.max_payload) +
                                   ") cannot be higher than max_pending (" +
                                   std::to_string(opts.max_pending) + ")");
  }
  if (opts.lame_duck_grace_period >= opts.lame_duck_duration) {
    return Status::InvalidArgument("lame duck grace period (" +
                                   conf::FormatDuration(opts.lame_duck_grace_period) +
                                   ") should be strictly lower than lame duck duration (" +
                                   conf::FormatDuration(opts.lame_duck_duration) + ")");
  }
  // nats-server's checks and texts for the monitor.
  if (opts.http_port != 0 && opts.https_port != 0) {
    return Status::InvalidArgument("can't specify both HTTP (" + std::to_string(opts.http_port) +
                                   ") and HTTPs (" + std::to_string(opts.https_port) + ") ports");
  }
  if (opts.https_port != 0 && !opts.tls.enabled) {
    return Status::InvalidArgument("TLS cert and key required for HTTPS");
  }
  if (opts.server_name.find(' ') != std::string::npos) {
    return Status::InvalidArgument("server name cannot contain spaces");
  }
  return Status::Ok();
}

}  // namespace

Status ApplyConfigFile(const std::string& path, ServerOptions* opts) {
  SPATE_ASSIGN_OR_RETURN(conf::Value root, conf::ParseFile(path));
  ConfigReader reader;
  ServerOptions updated = *opts;  // all or nothing: a bad file leaves `opts` as it was
  updated.config_file = path;
  ApplyServerConfig(root, &reader, &updated);
  SPATE_RETURN_IF_ERROR(reader.ToStatus());
  *opts = std::move(updated);
  return Status::Ok();
}

Result<ServerOptions> LoadOptions(const std::vector<std::string>& args) {
  SPATE_ASSIGN_OR_RETURN(CommandLine command_line, CommandLine::Parse(args));
  ServerOptions opts;
  SPATE_RETURN_IF_ERROR(command_line.ApplyTo(&opts));
  if (opts.show_version || opts.show_help) return opts;
  if (!command_line.positional().empty()) {
    // As nats-server: only the first argument after the flags is looked at.
    const std::string word = LowerKey(command_line.positional().front());
    if (word == "version") {
      opts.show_version = true;
      return opts;
    }
    if (word == "help") {
      opts.show_help = true;
      return opts;
    }
    return Status::InvalidArgument("unrecognized command: \"" + command_line.positional().front() +
                                   "\"");
  }
  // Sending a signal to a running server needs no configuration.
  if (!opts.signal.empty()) return opts;

  if (!opts.config_file.empty()) {
    ServerOptions from_file;
    SPATE_RETURN_IF_ERROR(ApplyConfigFile(opts.config_file, &from_file));
    SPATE_RETURN_IF_ERROR(command_line.ApplyTo(&from_file));  // flags override the file
    opts = std::move(from_file);
  } else if (opts.check_config_only) {
    return Status::InvalidArgument(
        "must specify [-c, --config] option to check configuration file syntax");
  }
  // nats-server: port 0 means the default port, not "any port" (that is -1).
  if (opts.port == 0) opts.port = ServerOptions().port;
  SPATE_RETURN_IF_ERROR(Validate(opts));
  return opts;
}

}  // namespace spate::server
