#include "monitor/system_service.h"

#include <thread>

#include "monitor/endpoints.h"
#include "monitor/system_requests.h"
#include "server/account.h"
#include "server/loop_context.h"
#include "server/version.h"

namespace spate::monitor {

SystemService::SystemService(server::Server& server) : server_(server) {}

SystemService::~SystemService() { Stop(); }

Status SystemService::Start() {
  system_ = server_.system_account();
  if (system_ == nullptr) return Status::Ok();
  identity_.name = server_.server_name();
  identity_.host = server_.options().host;
  identity_.id = server_.server_id();
  identity_.version = server::kNatsCompatVersion;
  identity_.jetstream = server_.jetstream_enabled();
  server::Account& sys = *system_;
  // The older spelling of $SYS.REQ.SERVER.PING.STATSZ, still served by nats-server.
  Subscribe(sys, "$SYS.REQ.SERVER.PING", "STATSZ", Scope::kServer);
  for (std::string_view name : kServerRequestNames) {
    const std::string n(name);
    Subscribe(sys, "$SYS.REQ.SERVER.PING." + n, n, Scope::kServer);
    Subscribe(sys, "$SYS.REQ.SERVER." + server_.server_id() + "." + n, n, Scope::kServer);
  }
  for (const char* name : {"CONNZ", "SUBSZ", "STATZ"}) {
    Subscribe(sys, std::string("$SYS.REQ.ACCOUNT.*.") + name, name, Scope::kAccountInSubject);
  }
  for (const auto& account : server_.accounts()) {
    if (account == system_) continue;
    Subscribe(*account, "$SYS.REQ.SERVER.PING.CONNZ", "CONNZ", Scope::kOwnAccount);
    Subscribe(*account, "$SYS.REQ.ACCOUNT.PING.CONNZ", "CONNZ", Scope::kOwnAccount);
    Subscribe(*account, "$SYS.REQ.ACCOUNT.PING.STATZ", "STATZ", Scope::kOwnAccount);
  }
  running_.store(true, std::memory_order_release);
  worker_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void SystemService::Stop() {
  running_.store(false, std::memory_order_release);
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  for (const auto& [account, sub] : subs_) account->subs().Remove(sub.get());
  subs_.clear();
}

void SystemService::Subscribe(server::Account& account, const std::string& subject,
                              const std::string& name, Scope scope) {
  server::Account* a = &account;
  subs_.emplace_back(
      a, server_.SubscribeInternal(
             account, subject, "",
             [this, a, name, scope](server::LoopContext& ctx, const server::InternalMsg& m) {
               Enqueue(ctx, *a, name, scope, m);
             }));
}

void SystemService::Enqueue(server::LoopContext& ctx, server::Account& account,
                            const std::string& name, Scope scope, const server::InternalMsg& m) {
  // As nats-server: a STATSZ ping without a reply subject asks for a STATSZ broadcast; other
  // requests without one are ignored.
  if (m.reply.empty() && !(name == "STATSZ" && scope == Scope::kServer)) return;
  Request request{name,
                  scope,
                  {},
                  &account,
                  std::string(m.reply),
                  std::string(m.payload),
                  static_cast<size_t>(ctx.loop.index())};
  if (scope == Scope::kOwnAccount) {
    request.account = account.name();
  } else if (scope == Scope::kAccountInSubject) {
    // $SYS.REQ.ACCOUNT.<account>.<NAME>
    std::string_view rest = m.subject.substr(std::string_view("$SYS.REQ.ACCOUNT.").size());
    request.account = std::string(rest.substr(0, rest.rfind('.')));
  }
  {
    std::lock_guard lock(mu_);
    if (stop_ || queue_.size() >= kMaxQueuedRequests) return;
    queue_.push_back(std::move(request));
  }
  cv_.notify_one();
}

void SystemService::Run() {
  auto interval = kFirstStatsz;
  auto next_statsz = std::chrono::steady_clock::now() + interval;
  auto next_account_conns = std::chrono::steady_clock::now() + kAccountConnsInterval;
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      cv_.wait_until(lock, std::min(next_statsz, next_account_conns),
                     [this] { return stop_ || !queue_.empty(); });
    }
    if (stop_) break;
    if (!queue_.empty()) {
      Request request = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      Answer(request);
      lock.lock();
      continue;
    }
    if (std::chrono::steady_clock::now() >= next_statsz) {
      lock.unlock();
      Publish(0, "$SYS.SERVER." + identity_.id + ".STATSZ", Statsz().dump());
      lock.lock();
      interval = std::min(interval * 2, kStatszInterval);
      next_statsz = std::chrono::steady_clock::now() + interval;
    }
    if (std::chrono::steady_clock::now() >= next_account_conns) {
      lock.unlock();
      for (const auto& account : server_.accounts()) {
        if (account->num_connections.load(std::memory_order_relaxed) > 0) {
          PublishAccountConns(0, *account);
        }
      }
      lock.lock();
      next_account_conns = std::chrono::steady_clock::now() + kAccountConnsInterval;
    }
  }
}

void SystemService::Answer(const Request& request) {
  if (request.scope != Scope::kServer) return AnswerAccountRequest(request);
  const std::string reply =
      request.reply.empty() ? "$SYS.SERVER." + identity_.id + ".STATSZ" : request.reply;
  if (request.name == "STATSZ") {
    ServerRequestOptions options;
    std::string err = DecodeRequestOptions("STATSZ", request.body, &options);
    if (!err.empty()) {
      Publish(request.loop, reply, ApiErrorJson(NextServerInfo(), 400, err).dump());
    } else if (options.filter.Matches(identity_.name, identity_.host)) {
      Publish(request.loop, reply, Statsz().dump());
    }
    return;
  }
  MonitorContext ctx{server_, no_http_requests_, process_};
  ServerRequestAnswer answer = AnswerServerRequest(ctx, request.name, request.body);
  if (answer.skip) return;
  Json response = answer.error.empty()
                      ? ApiResponseJson(NextServerInfo(), std::move(answer.data))
                      : ApiErrorJson(NextServerInfo(), answer.error_code, answer.error,
                                     /*null_data=*/answer.error_code == 500);
  Publish(request.loop, reply, response.dump());
}

void SystemService::AnswerAccountRequest(const Request& request) {
  // nats-server decodes the body as the endpoint's options, then pins the account.
  ServerRequestOptions options;
  // Both arms string_view: with a literal and a std::string the ?: makes a temporary string,
  // and the view would outlive it.
  const std::string_view decode_as =
      request.name == "STATZ" ? std::string_view("STATSZ") : std::string_view(request.name);
  std::string err = DecodeRequestOptions(decode_as, request.body, &options);
  Json response;
  if (!err.empty()) {
    response = ApiErrorJson(NextServerInfo(), 400, err);
  } else if (!options.filter.Matches(identity_.name, identity_.host)) {
    return;
  } else if (request.name == "STATZ") {
    // Accounts with connections only ("PING" from the system account: all of them); none: no
    // reply, as nats-server.
    std::vector<AccountConnsValues> stats;
    for (const auto& account : server_.accounts()) {
      const int64_t conns = account->num_connections.load(std::memory_order_relaxed);
      if (conns == 0 || (request.account != "PING" && account->name() != request.account)) {
        continue;
      }
      stats.push_back({account->name(), conns, account->msgs_out.load(std::memory_order_relaxed),
                       account->bytes_out.load(std::memory_order_relaxed),
                       account->msgs_in.load(std::memory_order_relaxed),
                       account->bytes_in.load(std::memory_order_relaxed)});
    }
    if (stats.empty()) return;
    response = ApiResponseJson(NextServerInfo(),
                               AccountStatzJson(identity_.id, server::WallClockNs(), stats));
  } else {
    MonitorContext ctx{server_, no_http_requests_, process_};
    EndpointResult r;
    if (request.name == "CONNZ") {
      options.connz.account = request.account;
      r = BuildConnz(ctx, options.connz);
    } else {
      options.subsz.account = request.account;
      options.subsz.subs = true;
      r = BuildSubsz(ctx, options.subsz);
    }
    response = r.error.empty() ? ApiResponseJson(NextServerInfo(), std::move(r.body))
                               : ApiErrorJson(NextServerInfo(), 500, r.error, true);
  }
  Publish(request.loop, request.reply, response.dump(), request.reply_account);
}

Json SystemService::NextServerInfo() {
  return ServerInfoJson(identity_, seq_.fetch_add(1, std::memory_order_relaxed) + 1,
                        server::WallClockNs());
}

Json SystemService::Statsz() {
  ServerStatsValues v;
  v.start_ns = server_.start_time_ns();
  v.mem = ProcessStats::ResidentBytes();
  v.cores = std::thread::hardware_concurrency();
  v.cpu = process_.CpuPercent();
  v.connections = server_.num_connections();
  const server::ServerStats& stats = server_.stats();
  v.total_connections = stats.total_connections.load(std::memory_order_relaxed);
  v.slow_consumers = stats.slow_consumers.load(std::memory_order_relaxed);
  for (const auto& account : server_.accounts()) {
    // As nats-server, the system account counts as active: its internal client is in it.
    if (account->num_connections.load(std::memory_order_relaxed) > 0 || account == system_) {
      ++v.active_accounts;
    }
    v.subscriptions += account->subs().Count();
    v.received_msgs += account->msgs_in.load(std::memory_order_relaxed);
    v.received_bytes += account->bytes_in.load(std::memory_order_relaxed);
    v.sent_msgs += account->msgs_out.load(std::memory_order_relaxed);
    v.sent_bytes += account->bytes_out.load(std::memory_order_relaxed);
  }
  v.jetstream = JetStreamVarz(server_);
  return ServerStatsJson(NextServerInfo(), v);
}

void SystemService::Publish(size_t loop, std::string subject, std::string payload,
                            server::Account* account) {
  if (loop >= server_.num_loops()) loop = 0;
  if (account == nullptr) account = system_.get();
  server::LoopContext* ctx = &server_.loop_context(loop);
  ctx->loop.Post([this, ctx, account, subject = std::move(subject), payload = std::move(payload)] {
    if (!running_.load(std::memory_order_acquire)) return;
    server_.PublishInternal(*ctx, *account, subject, "", "", payload);
  });
}

void SystemService::PublishAccountConns(size_t loop, const server::Account& account) {
  AccountConnsValues v;
  v.account = account.name();
  v.connections = account.num_connections.load(std::memory_order_relaxed);
  v.sent_msgs = account.msgs_out.load(std::memory_order_relaxed);
  v.sent_bytes = account.bytes_out.load(std::memory_order_relaxed);
  v.received_msgs = account.msgs_in.load(std::memory_order_relaxed);
  v.received_bytes = account.bytes_in.load(std::memory_order_relaxed);
  const std::string payload =
      AccountConnsEventJson(event_ids_.Next(), server::WallClockNs(), NextServerInfo(), v).dump();
  Publish(loop, "$SYS.ACCOUNT." + v.account + ".SERVER.CONNS", payload);
  Publish(loop, "$SYS.SERVER.ACCOUNT." + v.account + ".CONNS", payload);
}

void SystemService::OnClientConnect(server::LoopContext& ctx, server::ConnectionInfo info) {
  if (!running_.load(std::memory_order_acquire)) return;
  const size_t loop = static_cast<size_t>(ctx.loop.index());
  std::shared_ptr<server::Account> account = server_.FindAccount(info.account);
  if (account == nullptr) return;
  if (account != server_.global_account()) {
    Json event = ConnectEventJson(event_ids_.Next(), server::WallClockNs(), NextServerInfo(), info);
    Publish(loop, "$SYS.ACCOUNT." + info.account + ".CONNECT", event.dump());
  }
  PublishAccountConns(loop, *account);
}

void SystemService::OnClientDisconnect(server::LoopContext& ctx, server::ConnectionInfo info) {
  if (!running_.load(std::memory_order_acquire)) return;
  const size_t loop = static_cast<size_t>(ctx.loop.index());
  std::shared_ptr<server::Account> account = server_.FindAccount(info.account);
  if (account == nullptr) return;
  if (account != server_.global_account()) {
    Json event = DisconnectEventJson(event_ids_.Next(), NextServerInfo(), info);
    Publish(loop, "$SYS.ACCOUNT." + info.account + ".DISCONNECT", event.dump());
  }
  PublishAccountConns(loop, *account);
}

}  // namespace spate::monitor
