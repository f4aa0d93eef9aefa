// What a configuration reload does to a connection: new limits, and its credentials checked
// again against the new authorization (nats-server's reloadAuthorization, per client).
#include <algorithm>

#include "common/logging.h"
#include "protocol/errors.h"
#include "server/account.h"
#include "server/client.h"
#include "server/loop_context.h"
#include "server/server.h"
#include "server/subscription.h"

namespace spate::server {
namespace {

// Whether the user a connection logged in as is no longer configured at all.
bool UserRemoved(const ConnectCredentials& creds, const AuthOptions& auth) {
  if (!creds.nkey.empty()) {
    return std::none_of(auth.users.begin(), auth.users.end(),
                        [&](const UserEntry& u) { return u.nkey == creds.nkey; });
  }
  if (creds.user.empty() || creds.user == auth.user) return false;
  return std::none_of(auth.users.begin(), auth.users.end(),
                      [&](const UserEntry& u) { return u.nkey.empty() && u.user == creds.user; });
}

}  // namespace

void Client::ApplyLimits() {
  const ServerOptions& o = ctx_.config->options();
  protocol::ParserLimits limits{.max_control_line = static_cast<size_t>(o.max_control_line),
                                .max_payload = static_cast<size_t>(o.max_payload)};
  if (user_max_payload_ >= 0) {
    limits.max_payload = std::min<size_t>(limits.max_payload, user_max_payload_);
  }
  parser_.set_limits(limits);
}

void Client::SetPermissions(const std::optional<Permissions>& permissions) {
  if (perms_ == nullptr && !permissions) return;
  if (perms_ != nullptr && permissions == permissions_) return;
  permissions_ = permissions;
  checks_deliveries_.store(false, std::memory_order_release);
  if (perms_ != nullptr) retired_perms_.push_back(std::move(perms_));
  if (!permissions) return;
  perms_ = std::make_unique<ClientPermissions>(*permissions);
  delivery_perms_.store(perms_.get(), std::memory_order_release);
  checks_deliveries_.store(perms_->checks_deliveries(), std::memory_order_release);
  std::vector<std::shared_ptr<ServerSubscription>> denied;
  for (const auto& [sid, sub] : subs_) {
    if (!perms_->CanSubscribe(sub->subject, sub->queue)) denied.push_back(sub);
  }
  for (const auto& sub : denied) {
    std::string err = "-ERR 'Permissions Violation for Subscription to \"" + sub->subject + "\"";
    if (!sub->queue.empty()) err += " using queue \"" + sub->queue + "\"";
    err += " (sid \"" + sub->sid + "\")'\r\n";
    LOG_DEBUG("%s - Removed subscription %s on \"%s\" after a config reload", Describe().c_str(),
              sub->sid.c_str(), sub->subject.c_str());
    account_->subs().Remove(sub.get());
    subs_.erase(sub->sid);
    QueueProto(err);
  }
  if (!denied.empty()) ctx_.flush.Add(shared_from_this());
}

void Client::OnConfigReload(bool authorization_changed) {
  if (closing_) return;
  const std::shared_ptr<const RuntimeConfig> config = ctx_.config;
  ApplyLimits();
  if (!connect_received_) {
    auth_required_ = config->auth_required();  // decided when its CONNECT comes
    return;
  }
  if (!authorization_changed || auth_pending_)
    return;  // its login is being checked against the old configuration
  if (!config->auth_required()) {
    // Without authorization every connection belongs to the global account: one bound
    // elsewhere reconnects (nats-server closes a client whose user went away).
    if (account_ != server_.global_account()) return CloseNow(CloseReason::kClientClosed);
    SetPermissions(std::nullopt);
    return;
  }
  if (!config->options().auth.operator_mode() && UserRemoved(creds_, config->options().auth)) {
    // As nats-server: the connection of a user that went away is closed (it may reconnect as
    // someone else), without an authorization error.
    LOG_DEBUG("%s - user removed by a config reload", Describe().c_str());
    return CloseNow(CloseReason::kClientClosed);
  }
  const Authenticator& authenticator = config->authenticator();
  if (!authenticator.IsSlow(creds_)) {
    return ApplyReauthentication(authenticator.Authenticate(creds_, nonce_));
  }
  // A bcrypt password: checked on an auth worker, as at login; the connection keeps working
  // meanwhile.
  auto self = shared_from_this();
  bool queued = server_.auth_workers().Submit([self, config, creds = creds_] {
    auto result = std::make_shared<Result<AuthenticatedUser>>(
        config->authenticator().Authenticate(creds, self->nonce_));
    self->ctx_.loop.Post([self, result] {
      if (!self->closing_) self->ApplyReauthentication(std::move(*result));
    });
  });
  if (!queued) {
    LOG_WARN("%s - not checked again after the config reload: too many logins waiting",
             Describe().c_str());
  }
}

void Client::ApplyReauthentication(Result<AuthenticatedUser> who) {
  if (!who.ok()) {
    LOG_ERROR("%s - authentication error after a config reload: %s", Describe().c_str(),
              who.error().message().c_str());
    SendErrAndClose(protocol::kErrAuthViolation, CloseReason::kAuthViolation);
    return;
  }
  const std::string& account =
      who->account.empty() ? std::string(kGlobalAccountName) : who->account;
  if (account != account_->name()) {
    // As nats-server: a user that moved to another account is closed and reconnects there.
    LOG_DEBUG("%s - moved to account %s by a config reload", Describe().c_str(), account.c_str());
    CloseNow(CloseReason::kClientClosed);
    return;
  }
  auth_user_ = who->name;
  max_subs_ = who->max_subs;
  auth_expires_ns_ = who->expires_ns;
  user_max_payload_ = who->max_payload;
  ApplyLimits();
  SetPermissions(who->permissions);
}

}  // namespace spate::server
