#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "server/account.h"
#include "server/loop_context.h"
#include "server/options/server_options.h"
#include "server/subscription.h"

namespace spate::server {

class Server;

// The `imports` of the configured accounts, wired with internal subscriptions:
// - a stream import subscribes in the exporting account and republishes each message into the
//   importing account (under `prefix.` when given);
// - a service import subscribes in the importing account on the local subject and forwards each
//   request into the exporting account with a reply subject of its own (`_R_.<id>`), whose one
//   response goes back to the requester's reply subject. A request nobody in the exporting
//   account serves gets a 503 no-responders status.
// Every import must match an export of the other account that lists the importer (or no one).
// Threading: handlers run on any loop; the pending responses are guarded by mu_.
class AccountImports {
 public:
  explicit AccountImports(Server& server) : server_(server) {}
  ~AccountImports() { Stop(); }

  Status Start();  // before the loops run
  void Stop();

 private:
  struct PendingResponse {
    std::shared_ptr<Account> requester;
    std::string reply;
    int64_t created_ns = 0;
  };
  Status CheckExported(const AccountConfig& importer, const AccountImport& import) const;
  void Subscribe(const std::shared_ptr<Account>& account, std::string subject,
                 InternalHandler handler);
  void ForwardRequest(LoopContext& ctx, const std::shared_ptr<Account>& from,
                      const std::shared_ptr<Account>& to, std::string_view target,
                      const InternalMsg& msg);
  void OnResponse(LoopContext& ctx, const InternalMsg& msg);

  Server& server_;
  std::vector<std::pair<std::shared_ptr<Account>, std::shared_ptr<ServerSubscription>>> subs_;
  std::mutex mu_;
  std::unordered_map<std::string, PendingResponse> pending_;  // by `_R_.` subject; under mu_
  uint64_t next_id_ = 0;                                      // under mu_
};

}  // namespace spate::server
