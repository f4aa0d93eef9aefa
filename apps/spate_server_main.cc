// spate-server: a NATS server. Flags and config file as nats-server's.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "common/logging.h"
#include "jetstream/engine/jetstream.h"
#include "monitor/monitor.h"
#include "monitor/system_service.h"
#include "server/lame_duck.h"
#include "server/options/load_options.h"
#include "server/ports_file.h"
#include "server/server.h"
#include "server/signal_command.h"
#include "server/version.h"

namespace {

int Fail(const std::string& msg) {
  std::fprintf(stderr, "spate-server: %s\n", msg.c_str());
  return 1;
}

// SIGHUP: the config file and flags are read again, as at startup (flags still win).
void Reload(spate::server::Server& server, const std::vector<std::string>& args) {
  spate::Result<spate::server::ServerOptions> next = spate::server::LoadOptions(args);
  spate::Status st = next.ok() ? server.Reload(std::move(next).value()) : next.status();
  if (!st.ok()) LOG_ERROR("Failed to reload server configuration: %s", st.message().c_str());
}

// ports_file_dir: where the server can be reached, once it listens. Returns the file's path
// (empty when none was written), removed again at exit as nats-server does.
std::string WritePortsFile(const spate::server::ServerOptions& opts,
                           const spate::server::Server& server,
                           const spate::monitor::Monitor* monitor, const char* executable) {
  if (opts.ports_file_dir.empty()) return {};
  using spate::server::ListenerUrls;
  const std::string path =
      spate::server::PortsFilePath(opts.ports_file_dir, executable, ::getpid());
  std::vector<std::string> monitoring;
  if (monitor != nullptr) {
    const std::string& host = opts.http_host.empty() ? opts.host : opts.http_host;
    monitoring = ListenerUrls(opts.https_port != 0 ? "https" : "http", host, monitor->port());
  }
  spate::Status st = spate::server::WritePortsFile(
      path, ListenerUrls(opts.tls.enabled ? "tls" : "nats", opts.host, server.port()), monitoring);
  if (!st.ok()) {
    LOG_ERROR("%s", st.message().c_str());
    return {};
  }
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  using spate::server::ServerOptions;
  std::vector<std::string> args(argv + 1, argv + argc);
  spate::Result<ServerOptions> loaded = spate::server::LoadOptions(args);
  if (!loaded.ok()) return Fail(loaded.status().message());
  ServerOptions opts = std::move(loaded).value();

  if (opts.show_help) {
    std::fputs(spate::server::UsageText().c_str(), stdout);
    return 0;
  }
  if (opts.show_version) {
    std::printf("spate-server: v%s (nats-server %s compatible)\n", spate::server::kSpateVersion,
                spate::server::kNatsCompatVersion);
    return 0;
  }
  if (opts.check_config_only) {
    std::printf("spate-server: configuration file %s is valid\n", opts.config_file.c_str());
    return 0;
  }
  if (!opts.signal.empty()) {
    // Servers are looked for under the name this binary runs as (normally spate-server).
    std::string name = argv[0];
    name = name.substr(name.find_last_of('/') + 1);
    spate::Status st =
        spate::server::SendSignalCommand(opts.signal, spate::server::SystemSignals(name));
    return st.ok() ? 0 : Fail(st.message());
  }

  spate::LogOptions log_opts{
      .debug = opts.debug, .trace = opts.trace, .log_time = opts.log_time, .file = opts.log_file};
  if (!spate::Logger::Get().Configure(log_opts)) {
    return Fail("cannot open log file " + opts.log_file);
  }

  // Signals are taken synchronously on this thread; loop threads inherit the blocked mask.
  ::signal(SIGPIPE, SIG_IGN);
  // A file-size limit (RLIMIT_FSIZE) must fail the write that crosses it, which the store reports
  // as an I/O error on that stream, not kill the whole server.
  signal(SIGXFSZ, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT}) sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  spate::server::Server server(opts);
  if (opts.jetstream.enabled) {
    server.AttachJetStream(std::make_unique<spate::jetstream::JetStream>(server, opts.jetstream));
  }
  // The system account's events and $SYS.REQ services run with or without -m, as in nats-server.
  {
    auto system_service = std::make_unique<spate::monitor::SystemService>(server);
    spate::monitor::SystemService* observer = system_service.get();
    server.AttachSystemService(std::move(system_service), observer);
  }
  spate::monitor::Monitor* monitor = nullptr;
  if (opts.http_port != 0 || opts.https_port != 0) {
    auto m = std::make_unique<spate::monitor::Monitor>(server);
    monitor = m.get();
    server.AttachMonitor(std::move(m));
  }
  // Written before Start, as nats-server does, so it exists once "Server is ready" is logged.
  if (!opts.pid_file.empty()) {
    std::ofstream(opts.pid_file) << ::getpid();
  }
  if (spate::Status st = server.Start(); !st.ok()) {
    LOG_FATAL("%s", st.message().c_str());
    if (!opts.pid_file.empty()) ::unlink(opts.pid_file.c_str());
    return 1;
  }
  const std::string ports_file = WritePortsFile(opts, server, monitor, argv[0]);

  // Lame duck mode runs on its own thread; when it has closed every client it wakes this loop
  // with a SIGUSR2 of its own, and the server shuts down.
  spate::server::LameDuck lame_duck(
      server, opts.lame_duck_duration, opts.lame_duck_grace_period,
      [main_thread = pthread_self()] { pthread_kill(main_thread, SIGUSR2); });
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGUSR2) {
      if (lame_duck.finished()) break;
      LOG_INFO("Trapped \"user defined signal 2\" signal");
      lame_duck.Start();  // as nats-server, a second SIGUSR2 changes nothing
      continue;
    }
    if (sig == SIGTERM && lame_duck.started()) {
      // As nats-server: a lame duck server finishes its graceful shutdown; SIGINT cuts it short.
      LOG_INFO("Trapped \"terminated\" signal; in lame duck mode, ignored (SIGINT stops now)");
      continue;
    }
    if (sig == SIGUSR1) {  // log rotation; nats-server's messages
      if (opts.log_file.empty()) {
        LOG_INFO("File log re-open ignored, not a file logger");
      } else if (spate::Logger::Get().Reopen()) {
        LOG_INFO("File log re-opened");  // the first line of the new file
      } else {
        LOG_ERROR("Could not re-open log file %s: %s", opts.log_file.c_str(), std::strerror(errno));
      }
      continue;
    }
    if (sig == SIGHUP) {
      Reload(server, args);
      continue;
    }
    LOG_INFO("Trapped \"%s\" signal", sig == SIGINT    ? "interrupt"
                                      : sig == SIGQUIT ? "quit"
                                                       : "terminated");
    break;
  }
  lame_duck.Stop();
  server.Shutdown();
  if (!opts.pid_file.empty()) ::unlink(opts.pid_file.c_str());
  if (!ports_file.empty()) ::unlink(ports_file.c_str());
  return 0;
}
