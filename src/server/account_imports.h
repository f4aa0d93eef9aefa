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
// Every import must match an export of the other account that lists the importer (or no one)
// and must not form a cycle. Operator mode's account JWTs declare theirs too (jwt_accounts.h).
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
  const AccountConfig* FindConfig(std::string_view name) const;
  Status CheckExported(const AccountConfig& importer, const AccountImport& import) const;
  // nats-server's "import forms a cycle": with this import, messages (stream) or requests
  // (service) could travel between accounts for ever.
  Status CheckCycle(const AccountConfig& importer, const AccountImport& import) const;
  // Whether what is sent in `account` on `subject` reaches `origin` on a subject colliding with
  // `origin_subject` through the imports accepted so far.
  bool FlowReturns(const std::string& account, const std::string& subject, bool service,
                   const std::string& origin, const std::string& origin_subject,
                   size_t depth) const;
  void Subscribe(const std::shared_ptr<Account>& account, std::string subject,
                 InternalHandler handler);
  void ForwardRequest(LoopContext& ctx, const std::shared_ptr<Account>& from,
                      const std::shared_ptr<Account>& to, std::string_view target,
                      const InternalMsg& msg);
  void OnResponse(LoopContext& ctx, const InternalMsg& msg);

  Server& server_;
  std::vector<AccountConfig> accounts_;  // configured and from JWTs; fixed by Start
  std::vector<std::pair<std::string, AccountImport>> accepted_;  // (importer, import)
  std::vector<std::pair<std::shared_ptr<Account>, std::shared_ptr<ServerSubscription>>> subs_;
  std::mutex mu_;
  std::unordered_map<std::string, PendingResponse> pending_;  // by `_R_.` subject; under mu_
  uint64_t next_id_ = 0;                                      // under mu_
};

}  // namespace spate::server
