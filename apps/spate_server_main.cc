// spate-server: a NATS server. Flags and config file as nats-server's.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "common/logging.h"
#include "jetstream/engine/jetstream.h"
#include "monitor/monitor.h"
#include "monitor/system_service.h"
#include "server/options/load_options.h"
#include "server/server.h"
#include "server/version.h"

namespace {

int Fail(const std::string& msg) {
  std::fprintf(stderr, "spate-server: %s\n", msg.c_str());
  return 1;
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
    return Fail("--signal is not supported yet");
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
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGQUIT}) sigaddset(&set, sig);
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
  if (opts.http_port != 0) server.AttachMonitor(std::make_unique<spate::monitor::Monitor>(server));
  // Written before Start, as nats-server does, so it exists once "Server is ready" is logged.
  if (!opts.pid_file.empty()) {
    std::ofstream(opts.pid_file) << ::getpid();
  }
  if (spate::Status st = server.Start(); !st.ok()) {
    LOG_FATAL("%s", st.message().c_str());
    if (!opts.pid_file.empty()) ::unlink(opts.pid_file.c_str());
    return 1;
  }

  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGUSR1) {
      LOG_INFO("Reopening log file");
      spate::Logger::Get().Reopen();
      continue;
    }
    if (sig == SIGHUP) {
      LOG_WARN("Config reload is not supported yet; ignoring SIGHUP");
      continue;
    }
    LOG_INFO("Trapped \"%s\" signal", sig == SIGINT    ? "interrupt"
                                      : sig == SIGQUIT ? "quit"
                                                       : "terminated");
    break;
  }
  server.Shutdown();
  if (!opts.pid_file.empty()) ::unlink(opts.pid_file.c_str());
  return 0;
}
