#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "monitor/process_stats.h"
#include "monitor/system_events.h"
#include "server/server.h"

namespace spate::monitor {

// The system account's events and request services, as nats-server runs them:
// - $SYS.ACCOUNT.<account>.CONNECT / .DISCONNECT for every client connection of an account other
//   than $G (nats-server ignores the global account's), through server::ConnectionObserver;
// - $SYS.ACCOUNT.<account>.SERVER.CONNS (and the older $SYS.SERVER.ACCOUNT.<account>.CONNS) for
//   every account, $G included, when its connection count changes and every 30 s while not 0;
// - $SYS.SERVER.<id>.STATSZ, first after 250 ms, then at doubling intervals up to every 30 s;
// - $SYS.REQ.SERVER.PING (STATSZ), and $SYS.REQ.SERVER.PING.<NAME> and
//   $SYS.REQ.SERVER.<id>.<NAME> for the monitoring endpoints (system_requests.h);
// - $SYS.REQ.ACCOUNT.<account>.{CONNZ,SUBSZ,STATZ} in the system account, and in every other
//   account what nats-server imports there from the system account: $SYS.REQ.SERVER.PING.CONNZ
//   and $SYS.REQ.ACCOUNT.PING.CONNZ (that account's connections) and
//   $SYS.REQ.ACCOUNT.PING.STATZ (its numbers), answered in the requester's account.
// Works with or without the HTTP monitor. Does nothing when the server has no system account.
// Lifecycle: attached before Server::Start (AttachSystemService), started once the loops run,
// stopped first on shutdown.
// Threading: the internal subscription handlers run on event loops and only queue a request;
// one worker thread builds replies and STATSZ (it may wait for loop snapshots) and posts each
// publish to a loop, where Server::PublishInternal runs. The observer callbacks run on the
// client's loop, build the small event there and post its publish to the same loop.
class SystemService : public server::ServerExtension, public server::ConnectionObserver {
 public:
  explicit SystemService(server::Server& server);
  ~SystemService() override;

  Status Start() override;
  void Stop() override;

  void OnClientConnect(server::LoopContext& ctx, server::ConnectionInfo info) override;
  void OnClientDisconnect(server::LoopContext& ctx, server::ConnectionInfo info) override;

  // nats-server's statsz heartbeat: 250 ms first, doubling up to 30 s.
  static constexpr std::chrono::milliseconds kFirstStatsz{250};
  static constexpr std::chrono::milliseconds kStatszInterval{30000};
  static constexpr std::chrono::milliseconds kAccountConnsInterval{30000};
  // Requests waiting for the worker beyond this are dropped (the requester times out).
  static constexpr size_t kMaxQueuedRequests = 1024;

 private:
  // Server requests cover the whole server; account requests one account, named by the
  // subject's fourth token ($SYS.REQ.ACCOUNT.<account>.NAME) or, for the imports, the account
  // the request was published in.
  enum class Scope : uint8_t { kServer, kAccountInSubject, kOwnAccount };
  struct Request {
    std::string name;  // "STATSZ", "VARZ", ...
    Scope scope = Scope::kServer;
    std::string account;                       // the account asked about (account requests)
    server::Account* reply_account = nullptr;  // where the reply is published
    std::string reply, body;
    size_t loop = 0;  // where the request arrived; the reply is published there
  };

  void Subscribe(server::Account& account, const std::string& subject, const std::string& name,
                 Scope scope);
  void Enqueue(server::LoopContext& ctx, server::Account& account, const std::string& name,
               Scope scope, const server::InternalMsg& m);
  void AnswerAccountRequest(const Request& request);
  void Run();  // the worker thread
  void Answer(const Request& request);
  Json NextServerInfo();
  Json Statsz();
  // Posts the account's SERVER.CONNS events to `loop`.
  void PublishAccountConns(size_t loop, const server::Account& account);
  // Posts the publish of `payload` on `subject` in `account` (default: the system account) to
  // loop `loop`.
  void Publish(size_t loop, std::string subject, std::string payload,
               server::Account* account = nullptr);

  server::Server& server_;
  std::shared_ptr<server::Account> system_;  // set by Start; null: no system account
  ServerIdentity identity_;                  // fixed after Start
  std::vector<std::pair<server::Account*, std::shared_ptr<server::ServerSubscription>>> subs_;
  EventIds event_ids_;
  std::atomic<uint64_t> seq_{0};
  std::atomic<bool> running_{false};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Request> queue_;  // under mu_
  bool stop_ = false;          // under mu_
  std::thread worker_;

  // Worker thread only.
  ProcessStats process_;
  std::map<std::string, uint64_t> no_http_requests_;  // /varz's http_req_stats over $SYS
};

}  // namespace spate::monitor
