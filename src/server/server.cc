#include "server/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>
#include <nlohmann/json.hpp>
#include <random>

#include "common/logging.h"
#include "common/net.h"
#include "protocol/errors.h"
#include "server/client.h"
#include "server/delivery.h"
#include "server/tls.h"
#include "server/version.h"

namespace spate::server {
namespace {

// Server ids look like nats-server's: an nkey-style 56-character base32 string starting with N.
std::string NewServerId() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  std::string id = "N";
  for (int i = 0; i < 55; ++i) id.push_back(kAlphabet[gen() % 32]);
  return id;
}

void SetNoDelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

void Server::ApplyDefaults(ServerOptions& opts) {
  // As nats-server: a TLS handshake must fit in the auth timeout it precedes.
  if (opts.tls.enabled && !opts.auth.timeout_set) {
    opts.auth.timeout = opts.tls.timeout + std::chrono::seconds(1);
  }
}

Server::Server(ServerOptions opts) : opts_(std::move(opts)) {
  ApplyDefaults(opts_);
  server_id_ = NewServerId();
  server_name_ = opts_.server_name.empty() ? server_id_ : opts_.server_name;
  int n = opts_.threads > 0 ? opts_.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 1;
  for (int i = 0; i < n; ++i) loops_.push_back(std::make_unique<LoopContext>(i));
  global_account_ = std::make_shared<Account>(kGlobalAccountName, n);
  accounts_[kGlobalAccountName] = global_account_;
  for (const AccountConfig& a : opts_.auth.accounts) {
    auto account = std::make_shared<Account>(a.name, n);
    account->jetstream_limits = a.jetstream;
    accounts_[a.name] = std::move(account);
  }
  // As nats-server: without configured accounts the global account has JetStream; with them,
  // only the accounts that enable it.
  if (opts_.auth.accounts.empty()) global_account_->jetstream_limits = AccountJetStreamLimits{};
}

bool Server::AllowAuthErrorLog(uint64_t* dropped) {
  const int64_t second = WallClockNs() / 1000000000;
  std::lock_guard lock(auth_log_mu_);
  if (second != auth_log_second_) {
    auth_log_second_ = second;
    auth_log_count_ = 0;
  }
  if (auth_log_count_ >= kAuthErrorLogsPerSecond) {
    ++auth_log_dropped_;
    return false;
  }
  ++auth_log_count_;
  *dropped = std::exchange(auth_log_dropped_, 0);
  return true;
}

std::vector<std::shared_ptr<Account>> Server::accounts() const {
  std::vector<std::shared_ptr<Account>> out;
  for (const auto& [name, account] : accounts_) out.push_back(account);
  return out;
}

std::shared_ptr<Account> Server::FindAccount(std::string_view name) const {
  auto it = accounts_.find(name);
  return it == accounts_.end() ? nullptr : it->second;
}

Status Server::ValidateAccounts(const AuthOptions& auth) const {
  for (const UserEntry& u : auth.users) {
    if (!u.account.empty() && FindAccount(u.account) == nullptr) {
      return Status::InvalidArgument("user \"" + u.user + "\": unknown account \"" + u.account +
                                     "\"");
    }
  }
  for (const AccountConfig& a : auth.accounts) {
    for (const AccountImport& i : a.imports) {
      if (FindAccount(i.account) == nullptr) {
        return Status::InvalidArgument("account \"" + a.name +
                                       "\": import from unknown account \"" + i.account + "\"");
      }
    }
  }
  return Status::Ok();
}

Server::~Server() {
  Shutdown();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

Status Server::Listen() {
  int port = opts_.port == kRandomPort ? 0 : opts_.port;
  SPATE_ASSIGN_OR_RETURN(Listener listener, ListenTcp(opts_.host, port, 4096, "client"));
  listen_fd_ = listener.fd;
  bound_port_ = listener.port;
  return Status::Ok();
}

std::string Server::BuildInfoPrefix(const ServerOptions& options) const {
  // Field order follows nats-server; the per-client fields are appended in ClientInfo.
  nlohmann::ordered_json info;
  info["server_id"] = server_id_;
  info["server_name"] = server_name_;
  info["version"] = kNatsCompatVersion;
  info["proto"] = 1;
  info["host"] = options.host;
  info["port"] = bound_port_;
  info["headers"] = !options.no_header_support;
  if (options.auth.required()) info["auth_required"] = true;
  if (options.tls.enabled) {
    info["tls_required"] = true;
    if (options.tls.verify || options.tls.verify_and_map) info["tls_verify"] = true;
  }
  info["max_payload"] = options.max_payload;
  if (jetstream_ != nullptr) info["jetstream"] = true;
  info["spate_version"] = kSpateVersion;
  std::string json = info.dump();
  json.pop_back();  // reopen the object for the per-client fields
  return "INFO " + json;
}

std::string Server::ClientInfo(const RuntimeConfig& config, uint64_t client_id,
                               std::string_view client_ip, std::string_view nonce) {
  return InfoFor(config, client_id, client_ip, nonce, /*lame_duck=*/false);
}

std::string Server::LameDuckInfo(const RuntimeConfig& config, uint64_t client_id,
                                 std::string_view client_ip) {
  return InfoFor(config, client_id, client_ip, /*nonce=*/{}, /*lame_duck=*/true);
}

std::string Server::InfoFor(const RuntimeConfig& config, uint64_t client_id,
                            std::string_view client_ip, std::string_view nonce, bool lame_duck) {
  std::string out = config.info_prefix();
  if (!nonce.empty()) {
    out += ",\"nonce\":\"";
    out += nonce;
    out += "\"";
  }
  out += ",\"client_id\":";
  out += std::to_string(client_id);
  out += ",\"client_ip\":\"";
  out += client_ip;
  out += lame_duck ? "\",\"ldm\":true} \r\n" : "\"} \r\n";
  return out;
}

Status Server::Start() {
  SPATE_RETURN_IF_ERROR(ValidateAccounts(opts_.auth));
  Result<std::shared_ptr<RuntimeConfig>> config =
      RuntimeConfig::Create(opts_, opts_.tls.enabled && opts_.tls.verify_and_map);
  if (!config.ok()) return config.status();
  // Half the cores at most: a flood of bcrypt logins must leave the loops CPU to serve with.
  auth_workers_ = std::make_unique<AuthWorkers>(
      std::max<size_t>(1, std::thread::hardware_concurrency() / 2), kMaxQueuedLogins);
  for (const auto& [key, trusted] : (*config)->authenticator().trusted_accounts()) {
    auto account = std::make_shared<Account>(key, static_cast<int>(loops_.size()));
    account->jetstream_limits = trusted.jetstream;
    accounts_[key] = std::move(account);
  }
  SPATE_RETURN_IF_ERROR(SetUpSystemAccount());
  SPATE_RETURN_IF_ERROR(Listen());
  (*config)->set_info_prefix(BuildInfoPrefix(opts_));
  PublishConfig(std::move(*config), false);
  LOG_INFO("Starting spate-server");
  LOG_INFO("  Version:  %s (NATS protocol compatible with nats-server %s)", kSpateVersion,
           kNatsCompatVersion);
  LOG_INFO("  Name:     %s", server_name_.c_str());
  LOG_INFO("  ID:       %s", server_id_.c_str());
  LOG_INFO("  Threads:  %zu event loops", loops_.size());
  start_time_ns_ = WallClockNs();
  config_load_time_ns_.store(start_time_ns_, std::memory_order_relaxed);
  if (opts_.http_port != 0 && monitor_ == nullptr) {
    LOG_WARN("Monitoring (http_port %d) is not available in this build", opts_.http_port);
  }
  if (opts_.jetstream.enabled && jetstream_ == nullptr) {
    LOG_WARN("JetStream was requested but is not available in this build; running core NATS");
  }
  for (auto& ctx : loops_) {
    LoopContext* c = ctx.get();
    c->loop.SetAfterBatch([c] { c->flush.FlushAll(); });
    c->loop.SetTicker(std::chrono::milliseconds(100), [c] {
      auto now = std::chrono::steady_clock::now();
      for (auto& [id, client] : c->clients) client->Tick(now);
    });
  }
  // The loop threads start now but enter Run() only once everything they serve is set up: their
  // own start-up (a thread, its first pages) overlaps JetStream's recovery of the streams.
  std::promise<bool> go;
  std::shared_future<bool> run = go.get_future().share();
  for (auto& ctx : loops_) {
    LoopContext* c = ctx.get();
    c->thread = std::thread([c, run] {
      if (run.get()) c->loop.Run();
    });
  }
  auto abandon = [&](Status st) {
    go.set_value(false);
    for (auto& ctx : loops_) ctx->thread.join();
    return st;
  };
  imports_ = std::make_unique<AccountImports>(*this);
  if (Status st = imports_->Start(); !st.ok()) return abandon(std::move(st));
  if (jetstream_ != nullptr) {
    if (Status st = jetstream_->Start(); !st.ok()) return abandon(std::move(st));
  }
  loops_[0]->loop.Add(listen_fd_, EPOLLIN, this);
  go.set_value(true);
  // Wait until every loop runs its tasks: the monitor reads loops through tasks, and a Stop()
  // that came before a loop entered Run() would be lost (Run sets its running flag on entry).
  for (auto& ctx : loops_) {
    std::promise<void> started;
    std::future<void> done = started.get_future();
    ctx->loop.Post([&started] { started.set_value(); });
    done.wait();
  }
  running_.store(true, std::memory_order_release);
  if (system_service_ != nullptr) {
    if (Status st = system_service_->Start(); !st.ok()) {
      Shutdown();
      return st;
    }
  }
  if (monitor_ != nullptr) {
    if (Status st = monitor_->Start(); !st.ok()) {
      Shutdown();
      return st;
    }
  }
  LOG_INFO("Listening for client connections on %s:%d", opts_.host.c_str(), bound_port_);
  if (opts_.tls.enabled) {
    LOG_INFO("TLS required for client connections");
    if (opts_.tls.handshake_first) {
      LOG_WARN("Clients that are not using \"TLS Handshake First\" option will fail to connect");
    }
  }
  LOG_INFO("Server is ready");
  return Status::Ok();
}

void Server::OnEvent(uint32_t) { Accept(); }

bool Server::StopAccepting() {
  if (shutdown_.load() || !running()) return false;
  std::promise<bool> closed;
  std::future<bool> done = closed.get_future();
  loops_[0]->loop.Post([this, &closed] {
    const bool was_open = listen_fd_ >= 0;
    if (was_open) {
      loops_[0]->loop.Remove(listen_fd_);
      ::close(listen_fd_);
      listen_fd_ = -1;
    }
    closed.set_value(was_open);
  });
  return done.get();
}

std::vector<std::shared_ptr<Client>> Server::Clients() {
  std::vector<std::shared_ptr<Client>> out;
  std::mutex mu;
  std::vector<std::future<void>> pending;
  for (auto& ctx : loops_) {
    auto gathered = std::make_shared<std::promise<void>>();
    pending.push_back(gathered->get_future());
    LoopContext* c = ctx.get();
    c->loop.Post([c, gathered, &out, &mu] {
      {
        std::lock_guard lock(mu);
        for (auto& [id, client] : c->clients) {
          if (!client->closed()) out.push_back(client);
        }
      }
      gathered->set_value();
    });
  }
  for (auto& f : pending) f.wait();
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->id() < b->id(); });
  return out;
}

void Server::AttachJetStream(std::unique_ptr<ServerExtension> jetstream) {
  jetstream_ = std::move(jetstream);
}

size_t Server::PublishInternal(LoopContext& ctx, Account& account, std::string_view subject,
                               std::string_view reply, std::string_view headers,
                               std::string_view payload, std::string_view shown_subject) {
  return DeliverMessage(ctx, account, nullptr, true, subject, reply, headers, payload,
                        shown_subject);
}

std::shared_ptr<ServerSubscription> Server::SubscribeInternal(Account& account, std::string subject,
                                                              std::string queue,
                                                              InternalHandler handler) {
  auto sub = std::make_shared<ServerSubscription>();
  sub->subject = std::move(subject);
  sub->queue = std::move(queue);
  sub->internal = std::move(handler);
  account.subs().Insert(sub);
  return sub;
}

Status Server::SetUpSystemAccount() {
  // As nats-server: `system_account` names it (a configured account; in operator mode an
  // account public key, created when not preloaded); else a configured account named $SYS is
  // it; else $SYS is created, without users, unless no_system_account.
  std::string name = opts_.auth.system_account;
  if (name.empty() && (FindAccount(kSystemAccountName) != nullptr || !opts_.no_system_account)) {
    name = kSystemAccountName;
  }
  if (name.empty()) return Status::Ok();
  std::shared_ptr<Account> account = FindAccount(name);
  if (account == nullptr && name != kSystemAccountName && !opts_.auth.operator_mode()) {
    return Status::InvalidArgument("error resolving system account: account missing");
  }
  if (account == nullptr) {
    account = std::make_shared<Account>(name, static_cast<int>(loops_.size()));
    accounts_[name] = account;
  }
  system_account_ = std::move(account);
  LOG_DEBUG("System account: %s", name.c_str());
  return Status::Ok();
}

void Server::AttachSystemService(std::unique_ptr<ServerExtension> service,
                                 ConnectionObserver* observer) {
  system_service_ = std::move(service);
  connection_observer_ = observer;
}

void Server::AttachMonitor(std::unique_ptr<ServerExtension> monitor) {
  monitor_ = std::move(monitor);
}

void Server::RecordClosedConnection(ConnectionInfo info) {
  std::lock_guard lock(closed_mu_);
  if (closed_.size() >= kMaxClosedConnections) closed_.pop_front();
  closed_.push_back(std::move(info));
}

std::vector<ConnectionInfo> Server::ClosedConnections() const {
  std::lock_guard lock(closed_mu_);
  return {closed_.begin(), closed_.end()};
}

void Server::CountClose(CloseReason reason) {
  stats_.closed_by_reason[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
  if (reason == CloseReason::kSlowConsumerPending || reason == CloseReason::kSlowConsumerDeadline) {
    stats_.slow_consumers.fetch_add(1, std::memory_order_relaxed);
  }
}

void Server::Accept() {
  if (listen_fd_ < 0) return;  // closed by StopAccepting after this batch's events were read
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      if (errno == EMFILE || errno == ENFILE) {
        LOG_ERROR("Temporary accept error: %s", std::strerror(errno));
        return;
      }
      LOG_ERROR("accept error: %s", std::strerror(errno));
      return;
    }
    SetNoDelay(fd);
    char ip[INET6_ADDRSTRLEN] = "";
    int port = 0;
    if (addr.ss_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&addr);
      ::inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
      port = ntohs(a->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
      ::inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
      port = ntohs(a->sin6_port);
    }
    uint64_t cid = next_client_id_.fetch_add(1) + 1;
    const RuntimeConfig& config = *loops_[0]->config;  // Accept runs on loop 0
    if (num_clients_.load() >= config.options().max_connections) {
      // As nats-server: INFO first, then the error, then close.
      std::string bytes = ClientInfo(config, cid, ip);
      bytes += protocol::kErrMaxConnections;
      ssize_t ignored = ::write(fd, bytes.data(), bytes.size());
      (void)ignored;
      ::close(fd);
      LOG_ERROR("%s:%d - cid:%llu - Maximum Connections Exceeded (max=%d)", ip, port,
                static_cast<unsigned long long>(cid), config.options().max_connections);
      CountClose(CloseReason::kMaxConnections);
      continue;
    }
    num_clients_.fetch_add(1);
    stats_.total_connections.fetch_add(1, std::memory_order_relaxed);
    LoopContext* ctx = loops_[next_loop_++ % loops_.size()].get();
    auto client = std::make_shared<Client>(*this, *ctx, fd, cid, ip, port, config.tls());
    ctx->loop.Post([ctx, client] {
      ctx->clients.emplace(client->id(), client);
      client->Start();
    });
  }
}

void Server::OnClientClosed(Client& client) {
  num_clients_.fetch_sub(1);
  LoopContext& ctx = client.loop_context();
  uint64_t id = client.id();
  // Dropped after the current task so a closing client never destroys itself mid-call.
  ctx.loop.Post([&ctx, id] { ctx.clients.erase(id); });
}

void Server::Shutdown() {
  if (shutdown_.exchange(true)) return;
  if (loops_.empty() || !loops_[0]->thread.joinable()) return;
  LOG_INFO("Initiating Shutdown...");
  if (system_service_ != nullptr) system_service_->Stop();
  if (monitor_ != nullptr) monitor_->Stop();
  running_.store(false, std::memory_order_release);
  if (listen_fd_ >= 0) loops_[0]->loop.Remove(listen_fd_);
  // Logins still being checked are dropped (their connections close below). The object stays:
  // loops may still call Submit, which now fails.
  if (auth_workers_ != nullptr) auth_workers_->Stop();
  for (auto& ctx : loops_) {
    LoopContext* c = ctx.get();
    c->loop.Post([c] {
      std::vector<std::shared_ptr<Client>> all;
      for (auto& [id, client] : c->clients) all.push_back(client);
      for (auto& client : all) {
        client->Flush();
        client->CloseNow(CloseReason::kServerShutdown);
      }
    });
    c->loop.Stop();
  }
  for (auto& ctx : loops_) ctx->thread.join();
  for (auto& ctx : loops_) ctx->clients.clear();
  if (jetstream_ != nullptr) jetstream_->Stop();
  if (imports_ != nullptr) imports_->Stop();
  for (auto& [name, account] : accounts_) account->ClearCaches();
  LOG_INFO("Server Exiting..");
}

}  // namespace spate::server
