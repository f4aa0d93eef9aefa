#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/account.h"
#include "server/event_loop.h"
#include "server/loop_context.h"
#include "server/options/server_options.h"

namespace spate::server {

// The NATS server: owns the options, the event loops, the listener and the accounts.
// Lifecycle: Start() binds and spawns one thread per loop; Shutdown() closes every client and
// joins them. Threading: accessors are safe from any thread after Start().
class Server : public IoHandler {
 public:
  explicit Server(ServerOptions opts);
  ~Server() override;

  Status Start();
  void Shutdown();  // idempotent; from any thread but a loop thread

  const ServerOptions& options() const { return opts_; }
  const std::string& server_id() const { return server_id_; }
  const std::string& server_name() const { return server_name_; }
  int port() const { return bound_port_; }
  std::shared_ptr<Account> global_account() const { return global_account_; }

  // The INFO line for one client, ready to send.
  std::string ClientInfo(uint64_t client_id, std::string_view client_ip) const;
  bool auth_required() const { return opts_.auth.required(); }

  // Called on a client's loop when it has closed; the client is dropped after the current task.
  void OnClientClosed(Client& client);

  void OnEvent(uint32_t events) override;  // the listening socket (loop 0)

 private:
  Status Listen();
  void Accept();
  void BuildInfoTemplate();

  ServerOptions opts_;
  std::string server_id_;
  std::string server_name_;
  std::string info_prefix_;  // INFO JSON up to the per-client fields
  int listen_fd_ = -1;
  int bound_port_ = 0;
  std::vector<std::unique_ptr<LoopContext>> loops_;
  std::atomic<uint64_t> next_client_id_{0};
  std::atomic<int> num_clients_{0};
  size_t next_loop_ = 0;  // loop 0 only
  std::shared_ptr<Account> global_account_;
  std::atomic<bool> shutdown_{false};
};

}  // namespace spate::server
