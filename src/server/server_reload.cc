// Configuration reload (SIGHUP): what may change is decided by DiffForReload; applying it means
// publishing a new RuntimeConfig to every loop.
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>

#include "common/logging.h"
#include "server/client.h"
#include "server/options/reload_diff.h"
#include "server/server.h"

namespace spate::server {

std::shared_ptr<const RuntimeConfig> Server::config() const {
  std::lock_guard lock(config_mu_);
  return config_;
}

void Server::PublishConfig(std::shared_ptr<const RuntimeConfig> config,
                           bool authorization_changed) {
  {
    std::lock_guard lock(config_mu_);
    config_ = config;
  }
  if (!running()) {
    for (auto& ctx : loops_) ctx->config = config;
    return;
  }
  // Waits until every loop has taken the new configuration, so that once Reload logs
  // "Reloaded server configuration" a client connecting gets it (new TLS certificates, limits),
  // as with nats-server. Bounded: a loop that is shutting down may never run the task.
  struct Pending {
    std::mutex mu;
    std::condition_variable cv;
    size_t left = 0;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = loops_.size();
  bool called_from_a_loop = false;
  for (auto& ctx : loops_) {
    LoopContext* c = ctx.get();
    called_from_a_loop = called_from_a_loop || c->loop.InLoopThread();
    c->loop.Post([c, config, authorization_changed, pending] {
      c->config = config;
      std::vector<std::shared_ptr<Client>> all;
      all.reserve(c->clients.size());
      for (auto& [id, client] : c->clients) all.push_back(client);
      for (auto& client : all) client->OnConfigReload(authorization_changed);
      std::lock_guard lock(pending->mu);
      if (--pending->left == 0) pending->cv.notify_all();
    });
  }
  if (called_from_a_loop) return;  // its own task runs after this returns
  std::unique_lock lock(pending->mu);
  pending->cv.wait_for(lock, std::chrono::seconds(5), [&] { return pending->left == 0; });
}

Status Server::Reload(ServerOptions next) {
  std::lock_guard reload_lock(reload_mu_);
  if (opts_.config_file.empty()) {
    return Status::InvalidArgument(
        "can only reload config when a file is provided using -c or --config");
  }
  ApplyDefaults(next);
  std::shared_ptr<const RuntimeConfig> current = config();
  SPATE_ASSIGN_OR_RETURN(ReloadChanges changes, DiffForReload(current->options(), next));
  SPATE_RETURN_IF_ERROR(ValidateAccounts(next.auth));
  Result<std::shared_ptr<RuntimeConfig>> built =
      RuntimeConfig::Create(next, next.tls.enabled && next.tls.verify_and_map);
  if (!built.ok()) return built.status();
  // Certificates rotated under the same file names count as a TLS change, as in nats-server
  // (which compares the loaded certificates).
  if (next.tls.enabled && !changes.tls && (*built)->tls_files() != current->tls_files()) {
    changes.tls = true;
    changes.descriptions.push_back("Reloaded: tls = enabled");
  }
  (*built)->set_info_prefix(BuildInfoPrefix(next));

  if (changes.logging) {
    LogOptions log{
        .debug = next.debug, .trace = next.trace, .log_time = next.log_time, .file = next.log_file};
    if (!Logger::Get().Configure(log)) {
      return Status::InvalidArgument("cannot open log file " + next.log_file);
    }
  }
  if (changes.pid_file && !next.pid_file.empty()) {
    std::ofstream(next.pid_file) << ::getpid();
  }
  for (const std::string& line : changes.descriptions) LOG_INFO("%s", line.c_str());
  PublishConfig(std::move(*built), changes.authorization);
  config_load_time_ns_.store(WallClockNs(), std::memory_order_relaxed);
  LOG_INFO("Reloaded server configuration");
  return Status::Ok();
}

}  // namespace spate::server
