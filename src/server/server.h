#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/account.h"
#include "server/account_imports.h"
#include "server/auth_workers.h"
#include "server/authenticator.h"
#include "server/client.h"
#include "server/connection_observer.h"
#include "server/event_loop.h"
#include "server/loop_context.h"
#include "server/options/server_options.h"
#include "server/runtime_config.h"
#include "server/subscription.h"

namespace spate::server {

// Something that runs beside the server (the HTTP monitor): started by Server::Start once the
// loops run, before the server reports it is listening; stopped first by Shutdown.
class ServerExtension {
 public:
  virtual ~ServerExtension() = default;
  virtual Status Start() = 0;
  virtual void Stop() = 0;
};

// Server-wide counters for monitoring: plain atomics, bumped off the per-message path.
struct ServerStats {
  std::atomic<uint64_t> total_connections{0};
  std::atomic<uint64_t> slow_consumers{0};
  std::array<std::atomic<uint64_t>, kCloseReasonCount> closed_by_reason{};
};

// The NATS server: owns the options, the event loops, the listener and the accounts.
// Lifecycle: Start() binds and spawns one thread per loop; Shutdown() closes every client and
// joins them. Threading: accessors are safe from any thread after Start().
class Server : public IoHandler {
 public:
  explicit Server(ServerOptions opts);
  ~Server() override;

  Status Start();
  void Shutdown();  // idempotent; from any thread but a loop thread

  // The options the server started with. What a reload may change (limits, authorization) is
  // in config(); the rest here never changes.
  const ServerOptions& options() const { return opts_; }
  // The current reloadable configuration. Any thread; a loop reads its own copy instead
  // (LoopContext::config).
  std::shared_ptr<const RuntimeConfig> config() const;
  // Applies options read again from the config file (SIGHUP): refuses, with nats-server's
  // error and changing nothing, when an option that cannot change did; else logs each change
  // and hands the new configuration to every loop, which re-checks its connections (a user
  // that no longer authenticates is closed with 'Authorization Violation', one moved to another
  // account is closed, new permissions apply at once). From any thread but a loop thread.
  Status Reload(ServerOptions next);
  // When the configuration was last loaded (wall clock ns): /varz's config_load_time.
  int64_t config_load_time_ns() const {
    return config_load_time_ns_.load(std::memory_order_relaxed);
  }
  const std::string& server_id() const { return server_id_; }
  const std::string& server_name() const { return server_name_; }
  int port() const { return bound_port_; }
  std::shared_ptr<Account> global_account() const { return global_account_; }

  // The INFO line for one client, ready to send.
  // `nonce`: the challenge a client signs with its nkey (see RuntimeConfig::nonce_required()).
  static std::string ClientInfo(const RuntimeConfig& config, uint64_t client_id,
                                std::string_view client_ip, std::string_view nonce = {});
  // The INFO sent to a client when the server enters lame duck mode: ClientInfo without the
  // nonce and with "ldm":true (nats-server's field order puts it last).
  static std::string LameDuckInfo(const RuntimeConfig& config, uint64_t client_id,
                                  std::string_view client_ip);
  // At most kAuthErrorLogsPerSecond authentication errors are logged per second; `dropped` is
  // how many were not since the last one that was. Any thread.
  static constexpr uint64_t kAuthErrorLogsPerSecond = 10;
  // Logins waiting for a bcrypt check beyond this are refused at once.
  static constexpr size_t kMaxQueuedLogins = 4096;
  bool AllowAuthErrorLog(uint64_t* dropped);
  // Valid after Start: runs the slow (bcrypt) login checks off the event loops.
  AuthWorkers& auth_workers() { return *auth_workers_; }

  // Called on a client's loop when it has closed; the client is dropped after the current task.
  void OnClientClosed(Client& client);

  void OnEvent(uint32_t events) override;  // the listening socket (loop 0)

  // For lame duck mode (lame_duck.h); from a thread that is not a loop's, while the server runs
  // and before Shutdown. StopAccepting closes the client listener on its loop and returns false
  // if it was already closed. Clients gathers every open connection from the loops; once the
  // listener is closed the set only shrinks.
  bool StopAccepting();
  std::vector<std::shared_ptr<Client>> Clients();

  // JetStream. Attach before Start: started before the loops run (it recovers streams and
  // subscribes internally), stopped after they have ended.
  void AttachJetStream(std::unique_ptr<ServerExtension> jetstream);
  bool jetstream_enabled() const { return jetstream_ != nullptr; }
  ServerExtension* jetstream() const { return jetstream_.get(); }

  // Publishes a message from the server itself into `account`, delivering from loop `ctx`
  // (on that loop's thread). Returns the number of receivers.
  // `shown_subject`: see DeliverMessage.
  size_t PublishInternal(LoopContext& ctx, Account& account, std::string_view subject,
                         std::string_view reply, std::string_view headers, std::string_view payload,
                         std::string_view shown_subject = {});
  // A subscription whose messages go to `handler` (see InternalHandler). Remove it with
  // account.subs().Remove(sub.get()).
  std::shared_ptr<ServerSubscription> SubscribeInternal(Account& account, std::string subject,
                                                        std::string queue, InternalHandler handler);

  // The system account ($SYS by default, or `system_account`; none with no_system_account):
  // set before the loops run, fixed after. Null when there is none.
  std::shared_ptr<Account> system_account() const { return system_account_; }
  // The system account's services and events. Attach before Start: started once the loops run
  // (before the monitor), stopped first on shutdown. `observer` (may be null) hears about
  // client connections; it must outlive the loops (the extension owning it does).
  void AttachSystemService(std::unique_ptr<ServerExtension> service, ConnectionObserver* observer);
  ConnectionObserver* connection_observer() const { return connection_observer_; }

  // Monitoring. Attach before Start; the extension then keeps the closed-connection ring on.
  void AttachMonitor(std::unique_ptr<ServerExtension> monitor);
  const ServerStats& stats() const { return stats_; }
  int num_connections() const { return num_clients_.load(std::memory_order_relaxed); }
  int64_t start_time_ns() const { return start_time_ns_; }
  size_t num_loops() const { return loops_.size(); }
  // Loop state is owned by its thread: post work to `loop_context(i).loop` to read it.
  LoopContext& loop_context(size_t i) { return *loops_[i]; }
  // Every account: the global one ($G), those of the `accounts` block and, in operator mode,
  // the preloaded accounts (added by Start). Fixed once the server runs.
  std::vector<std::shared_ptr<Account>> accounts() const;
  std::shared_ptr<Account> FindAccount(std::string_view name) const;
  bool running() const { return running_.load(std::memory_order_acquire); }

  // The ring of recently closed connections (newest last), bounded at kMaxClosedConnections.
  static constexpr size_t kMaxClosedConnections = 10000;  // nats-server's max_closed_clients
  bool keeps_closed_connections() const { return monitor_ != nullptr; }
  void RecordClosedConnection(ConnectionInfo info);
  std::vector<ConnectionInfo> ClosedConnections() const;
  void CountClose(CloseReason reason);

 private:
  // Defaults that depend on other options (the auth timeout with TLS).
  static void ApplyDefaults(ServerOptions& opts);
  Status ValidateAccounts(const AuthOptions& auth) const;
  // Picks or creates the system account (Start, before anything subscribes).
  Status SetUpSystemAccount();
  Status Listen();
  void Accept();
  // INFO JSON up to the per-client fields, for `options`.
  std::string BuildInfoPrefix(const ServerOptions& options) const;
  // Hands `config` to every loop. Once running, each loop applies it to its connections and,
  // with `authorization_changed`, checks their credentials again.
  void PublishConfig(std::shared_ptr<const RuntimeConfig> config, bool authorization_changed);
  static std::string InfoFor(const RuntimeConfig& config, uint64_t client_id,
                             std::string_view client_ip, std::string_view nonce, bool lame_duck);

  ServerOptions opts_;
  std::string server_id_;
  std::string server_name_;
  int listen_fd_ = -1;  // loop 0 after Start; -1 once closed (StopAccepting)
  int bound_port_ = 0;
  std::vector<std::unique_ptr<LoopContext>> loops_;
  std::atomic<uint64_t> next_client_id_{0};
  std::atomic<int> num_clients_{0};
  size_t next_loop_ = 0;  // loop 0 only
  std::shared_ptr<Account> global_account_;
  std::map<std::string, std::shared_ptr<Account>, std::less<>> accounts_;  // with $G
  std::unique_ptr<AccountImports> imports_;
  mutable std::mutex config_mu_;
  std::shared_ptr<const RuntimeConfig> config_;  // under config_mu_; set by Start
  std::mutex reload_mu_;                         // one reload at a time
  std::atomic<int64_t> config_load_time_ns_{0};
  std::unique_ptr<AuthWorkers> auth_workers_;
  std::mutex auth_log_mu_;
  int64_t auth_log_second_ = 0;    // under auth_log_mu_
  uint64_t auth_log_count_ = 0;    // logged in that second; under auth_log_mu_
  uint64_t auth_log_dropped_ = 0;  // under auth_log_mu_
  std::atomic<bool> shutdown_{false};
  std::atomic<bool> running_{false};
  int64_t start_time_ns_ = 0;
  ServerStats stats_;
  std::unique_ptr<ServerExtension> monitor_;
  std::unique_ptr<ServerExtension> jetstream_;
  std::unique_ptr<ServerExtension> system_service_;
  ConnectionObserver* connection_observer_ = nullptr;
  std::shared_ptr<Account> system_account_;
  mutable std::mutex closed_mu_;
  std::deque<ConnectionInfo> closed_;  // guarded by closed_mu_
};

}  // namespace spate::server
