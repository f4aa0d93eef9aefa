// The protocol session of a Client: what each client op does. I/O lives in client.cc.
#include "common/logging.h"
#include "protocol/connect_json.h"
#include "protocol/errors.h"
#include "routing/subject.h"
#include "server/account.h"
#include "server/client.h"
#include "server/delivery.h"
#include "server/loop_context.h"
#include "server/server.h"
#include "server/subscription.h"

namespace spate::server {
namespace {

constexpr std::string_view kErrNoRespondersNeedsHeaders =
    "-ERR 'no responders requires headers support'\r\n";
constexpr std::string_view kNoRespondersHeader = "NATS/1.0 503\r\n\r\n";
constexpr std::string_view kErrMaxAccountConnections =
    "-ERR 'maximum account active connections exceeded'\r\n";

}  // namespace

void Client::Dispatch(const protocol::ClientOp& op) {
  if (auth_required_ && !connect_received_ && !std::holds_alternative<protocol::ConnectOp>(op)) {
    SendErrAndClose(protocol::kErrAuthViolation, CloseReason::kAuthViolation);
    return;
  }
  std::visit(
      [this](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, protocol::ConnectOp>) {
          OnConnect(o);
        } else if constexpr (std::is_same_v<T, protocol::PubOp>) {
          OnPub(o);
        } else if constexpr (std::is_same_v<T, protocol::SubOp>) {
          OnSub(o);
        } else if constexpr (std::is_same_v<T, protocol::UnsubOp>) {
          OnUnsub(o);
        } else if constexpr (std::is_same_v<T, protocol::PingOp>) {
          LOG_TRACE("%s - \"<<- [PING]\"", Describe().c_str());
          QueueProto(protocol::kPong);
          if (connect_received_) first_pong_sent_ = true;
          ctx_.flush.Add(shared_from_this());
        } else if constexpr (std::is_same_v<T, protocol::PongOp>) {
          LOG_TRACE("%s - \"<<- [PONG]\"", Describe().c_str());
          if (pings_out_ > 0 && ping_sent_ != std::chrono::steady_clock::time_point{}) {
            rtt_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now() - ping_sent_)
                          .count();
            ping_sent_ = {};
          }
          pings_out_ = 0;
        }
      },
      op);
}

void Client::OnConnect(const protocol::ConnectOp& op) {
  LOG_TRACE("%s - \"<<- [CONNECT %.*s]\"", Describe().c_str(), static_cast<int>(op.json.size()),
            op.json.data());
  // CONNECT merges into the current options, as nats-server unmarshals onto its defaults
  // (verbose and pedantic on): a key the client leaves out keeps its value.
  protocol::ConnectFields f;
  f.verbose = opts_.verbose;
  f.pedantic = opts_.pedantic;
  f.echo = opts_.echo;
  f.headers = opts_.headers;
  f.no_responders = opts_.no_responders;
  f.protocol = opts_.protocol;
  f.name = opts_.name;
  f.lang = opts_.lang;
  f.version = opts_.version;
  if (!protocol::MergeConnectJson(op.json, &f)) {
    // nats-server closes on unparsable CONNECT JSON, or a field of the wrong type, without -ERR.
    CloseNow(CloseReason::kProtocolViolation);
    return;
  }
  ConnectOptions o{f.verbose,         f.pedantic,        f.echo,
                   f.headers,         f.no_responders,   f.protocol,
                   std::move(f.name), std::move(f.lang), std::move(f.version)};
  ConnectCredentials creds{std::move(f.user),
                           std::move(f.pass),
                           std::move(f.auth_token),
                           std::move(f.nkey),
                           std::move(f.sig),
                           std::move(f.jwt),
                           {},
                           {}};
  if (server_.options().no_header_support) o.headers = false;
  opts_ = std::move(o);
  headers_.store(opts_.headers, std::memory_order_relaxed);

  if (tls_verified_) creds.tls_names = tls_peer_names_;
  creds.client_ip = ip_;
  if (!connect_received_) creds_ = creds;  // a later CONNECT does not log in again
  if (!auth_required_ || connect_received_) return CompleteConnect();
  std::shared_ptr<const RuntimeConfig> config = ctx_.config;
  const Authenticator& authenticator = config->authenticator();
  if (!authenticator.IsSlow(creds))
    return FinishAuthentication(authenticator.Authenticate(creds, nonce_));
  // A bcrypt comparison would stall this loop for ~100 ms: run it on an auth worker and stop
  // reading this connection until the answer is back (nats-server's connection blocks the same
  // way, in its own goroutine).
  auth_pending_ = true;
  SetReadPaused(true);
  auto self = shared_from_this();
  bool queued = server_.auth_workers().Submit([self, config, creds = std::move(creds)]() mutable {
    auto result = std::make_shared<Result<AuthenticatedUser>>(
        config->authenticator().Authenticate(creds, self->nonce_));
    self->ctx_.loop.Post([self, result] {
      if (self->closing_) return;
      self->auth_pending_ = false;
      self->FinishAuthentication(std::move(*result));
      if (!self->closing_) self->ResumeInput();
    });
  });
  if (!queued) {
    auth_pending_ = false;
    FinishAuthentication(Status::Unavailable("too many logins waiting for a password check"));
  }
}

void Client::FinishAuthentication(Result<AuthenticatedUser> who) {
  if (!who.ok()) {
    // Logged at a bounded rate: a flood of bad logins must not turn into a flood of log lines.
    if (uint64_t dropped = 0; server_.AllowAuthErrorLog(&dropped)) {
      LOG_ERROR("%s - authentication error: %s%s", Describe().c_str(),
                who.error().message().c_str(),
                dropped == 0 ? "" : (" (" + std::to_string(dropped) + " more not logged)").c_str());
    }
    SendErrAndClose(protocol::kErrAuthViolation, CloseReason::kAuthViolation);
    return;
  }
  if (BindUser(*who)) CompleteConnect();
}

void Client::CompleteConnect() {
  if (!connect_received_) {
    // As nats-server: the first RTT estimate is the time from accept to CONNECT.
    rtt_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now() - created_)
                  .count();
  }
  connect_received_ = true;
  ReportConnect();
  if (opts_.no_responders && !opts_.headers) {
    SendErrAndClose(kErrNoRespondersNeedsHeaders, CloseReason::kProtocolViolation);
    return;
  }
  if (opts_.verbose) SendOk();
  ctx_.flush.Add(shared_from_this());
}

void Client::ReportConnect() {
  ConnectionObserver* observer = server_.connection_observer();
  if (observer == nullptr || connect_reported_ || server_.system_account() == nullptr) return;
  connect_reported_ = true;
  ConnectionInfo info;
  Snapshot(/*with_subs=*/false, &info);
  observer->OnClientConnect(ctx_, std::move(info));
}

bool Client::BindUser(const AuthenticatedUser& user) {
  auth_user_ = user.name;
  if (!user.account.empty()) {
    std::shared_ptr<Account> account = server_.FindAccount(user.account);
    if (account != nullptr && account != account_) {
      const int64_t now = account->num_connections.fetch_add(1, std::memory_order_relaxed) + 1;
      if (user.account_max_connections >= 0 && now > user.account_max_connections) {
        account->num_connections.fetch_sub(1, std::memory_order_relaxed);
        LOG_ERROR("%s - Maximum Account Connections Exceeded (account %s, max=%lld)",
                  Describe().c_str(), user.account.c_str(),
                  static_cast<long long>(user.account_max_connections));
        SendErrAndClose(kErrMaxAccountConnections, CloseReason::kMaxConnections);
        return false;
      }
      account_->num_connections.fetch_sub(1, std::memory_order_relaxed);
      account_ = std::move(account);
    }
  }
  max_subs_ = user.max_subs;
  auth_expires_ns_ = user.expires_ns;
  user_max_payload_ = user.max_payload;
  ApplyLimits();
  SetPermissions(user.permissions);
  return true;
}

void Client::OnPub(const protocol::PubOp& op) {
  if (Logger::Get().Enabled(LogLevel::kTrace)) {
    LOG_TRACE("%s - \"<<- [%s %.*s%s%.*s %zu]\"", Describe().c_str(),
              op.has_headers ? "HPUB" : "PUB", static_cast<int>(op.subject.size()),
              op.subject.data(), op.reply.empty() ? "" : " ", static_cast<int>(op.reply.size()),
              op.reply.data(), op.headers.size() + op.payload.size());
  }
  if (op.has_headers && !opts_.headers) {
    // nats-server drops the connection when HPUB arrives without headers in CONNECT.
    CloseNow(CloseReason::kProtocolViolation);
    return;
  }
  if (perms_ != nullptr && !perms_->CanPublish(op.subject, read_time_ns_)) {
    std::string err = "Permissions Violation for Publish to \"";
    err.append(op.subject).append("\"");
    LOG_ERROR("%s - Publish Violation - %s, Subject \"%.*s\"", Describe().c_str(),
              AuthDescription().c_str(), static_cast<int>(op.subject.size()), op.subject.data());
    QueueProto("-ERR '" + err + "'\r\n");
    ctx_.flush.Add(shared_from_this());
    return;
  }
  ++in_msgs_;
  in_bytes_ += op.headers.size() + op.payload.size();
  last_activity_ns_.store(read_time_ns_, std::memory_order_relaxed);
  account_->msgs_in.fetch_add(1, std::memory_order_relaxed);
  account_->bytes_in.fetch_add(op.headers.size() + op.payload.size(), std::memory_order_relaxed);
  // nats-server checks the subject only for pedantic clients, and even then routes the
  // message after the -ERR (wildcard tokens match literally) and keeps the connection.
  if (opts_.pedantic && !routing::IsValidLiteralSubject(op.subject)) {
    QueueProto(protocol::kErrInvalidPubSubject);
    ctx_.flush.Add(shared_from_this());
  }
  // nats-server acknowledges before routing, so +OK precedes an echo of the message.
  if (opts_.verbose) SendOk();
  size_t delivered = DeliverMessage(ctx_, *account_, this, opts_.echo, op.subject, op.reply,
                                    op.headers, op.payload);
  if (delivered == 0 && opts_.no_responders && !op.reply.empty()) {
    // Tell the requester at once: a 503 status on its own subscription to the reply subject.
    routing::MatchResultRef m =
        account_->subs().Match(op.reply, account_->cache(ctx_.loop.index()));
    for (const routing::SubscriptionRef& ref : m->plain) {
      auto& sub = static_cast<ServerSubscription&>(*ref);
      if (sub.client.get() != this) continue;
      QueueMsg(sub, op.reply, {}, kNoRespondersHeader, {});
      break;
    }
  }
  if (delivered == 0 || opts_.verbose) ctx_.flush.Add(shared_from_this());
}

void Client::OnSub(const protocol::SubOp& op) {
  LOG_TRACE("%s - \"<<- [SUB %.*s%s%.*s %.*s]\"", Describe().c_str(),
            static_cast<int>(op.subject.size()), op.subject.data(), op.queue.empty() ? "" : " ",
            static_cast<int>(op.queue.size()), op.queue.data(), static_cast<int>(op.sid.size()),
            op.sid.data());
  ctx_.flush.Add(shared_from_this());
  if (!routing::IsValidSubject(op.subject) ||
      (!op.queue.empty() && !routing::IsValidQueueName(op.queue))) {
    QueueProto(protocol::kErrInvalidSubject);
    return;
  }
  if (perms_ != nullptr && !perms_->CanSubscribe(op.subject, op.queue)) {
    std::string err = "Permissions Violation for Subscription to \"";
    err.append(op.subject).append("\"");
    if (!op.queue.empty()) err.append(" using queue \"").append(op.queue).append("\"");
    LOG_ERROR("%s - Subscription Violation - %s, Subject \"%.*s\", SID %.*s", Describe().c_str(),
              AuthDescription().c_str(), static_cast<int>(op.subject.size()), op.subject.data(),
              static_cast<int>(op.sid.size()), op.sid.data());
    QueueProto("-ERR '" + err + "'\r\n");
    return;
  }
  std::string sid(op.sid);
  if (subs_.contains(sid)) {  // nats-server ignores a second SUB with a live sid
    if (opts_.verbose) SendOk();
    return;
  }
  // A JWT user's own limit (0 allows none, as in nats-server), else the server's.
  const int64_t max_subs = max_subs_ >= 0 ? max_subs_ : server_.options().max_subscriptions;
  if ((max_subs > 0 || max_subs_ == 0) && subs_.size() >= static_cast<size_t>(max_subs)) {
    LOG_ERROR("%s - Maximum Subscriptions Exceeded (max=%lld)", Describe().c_str(),
              static_cast<long long>(max_subs));
    QueueProto(protocol::kErrMaxSubs);
    return;
  }
  last_activity_ns_.store(read_time_ns_, std::memory_order_relaxed);
  auto sub = std::make_shared<ServerSubscription>();
  sub->subject.assign(op.subject);
  sub->queue.assign(op.queue);
  sub->sid = sid;
  sub->client = shared_from_this();
  subs_.emplace(std::move(sid), sub);
  account_->subs().Insert(sub);
  if (opts_.verbose) SendOk();
}

void Client::OnUnsub(const protocol::UnsubOp& op) {
  LOG_TRACE("%s - \"<<- [UNSUB %.*s %llu]\"", Describe().c_str(), static_cast<int>(op.sid.size()),
            op.sid.data(), static_cast<unsigned long long>(op.max));
  auto it = subs_.find(std::string(op.sid));
  if (it != subs_.end()) {
    ServerSubscription& sub = *it->second;
    if (op.max > 0) sub.max.store(op.max, std::memory_order_relaxed);
    // Checked after the store: a delivery racing on another loop either saw the max (and
    // removes the subscription itself when it reaches it) or is counted here.
    if (op.max == 0 || sub.delivered.load(std::memory_order_relaxed) >= op.max) {
      account_->subs().Remove(&sub);
      subs_.erase(it);
    }
  }
  if (opts_.verbose) {
    SendOk();
    ctx_.flush.Add(shared_from_this());
  }
}

}  // namespace spate::server
