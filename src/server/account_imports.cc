#include "server/account_imports.h"

#include <algorithm>

#include "common/logging.h"
#include "routing/subject.h"
#include "server/server.h"

namespace spate::server {
namespace {

constexpr std::string_view kResponsePrefix = "_R_.";
constexpr int64_t kResponseTtlNs = 120LL * 1000 * 1000 * 1000;  // nats-server's 2 minutes
constexpr size_t kMaxPendingResponses = 100000;
constexpr std::string_view kNoRespondersHeaders = "NATS/1.0 503\r\n\r\n";

const AccountConfig* FindConfig(const AuthOptions& auth, std::string_view name) {
  for (const AccountConfig& a : auth.accounts) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace

Status AccountImports::CheckExported(const AccountConfig& importer,
                                     const AccountImport& import) const {
  const AccountConfig* exporter = FindConfig(server_.options().auth, import.account);
  if (exporter != nullptr) {
    for (const AccountExport& e : exporter->exports) {
      if (e.service != import.service) continue;
      if (!routing::SubjectMatchesFilter(import.subject, e.subject)) continue;
      if (e.accounts.empty() ||
          std::find(e.accounts.begin(), e.accounts.end(), importer.name) != e.accounts.end()) {
        return Status::Ok();
      }
    }
  }
  return Status::InvalidArgument("account \"" + importer.name +
                                 "\": " + (import.service ? "service" : "stream") +
                                 " import of \"" + import.subject + "\" from account \"" +
                                 import.account + "\" is not authorized (no matching export)");
}

void AccountImports::Subscribe(const std::shared_ptr<Account>& account, std::string subject,
                               InternalHandler handler) {
  subs_.emplace_back(
      account, server_.SubscribeInternal(*account, std::move(subject), "", std::move(handler)));
}

Status AccountImports::Start() {
  bool any_service = false;
  for (const AccountConfig& importer : server_.options().auth.accounts) {
    std::shared_ptr<Account> local = server_.FindAccount(importer.name);
    for (const AccountImport& import : importer.imports) {
      SPATE_RETURN_IF_ERROR(CheckExported(importer, import));
      std::shared_ptr<Account> remote = server_.FindAccount(import.account);
      if (!import.service) {
        std::string prefix = import.prefix.empty() ? "" : import.prefix + ".";
        Subscribe(remote, import.subject,
                  [this, local, prefix](LoopContext& ctx, const InternalMsg& m) {
                    std::string subject = prefix + std::string(m.subject);
                    server_.PublishInternal(ctx, *local, subject, m.reply, m.headers, m.payload);
                  });
        continue;
      }
      any_service = true;
      const std::string local_subject = import.to.empty() ? import.subject : import.to;
      // A literal service subject is the target whatever the local name; a wildcard one keeps
      // the requested subject.
      const bool literal = routing::SubjectIsLiteral(import.subject);
      if (!literal && local_subject != import.subject) {
        return Status::InvalidArgument("account \"" + importer.name +
                                       "\": a wildcard service import can not be renamed (\"" +
                                       import.subject + "\" to \"" + local_subject + "\")");
      }
      std::string target = literal ? import.subject : "";
      Subscribe(local, local_subject,
                [this, local, remote, target](LoopContext& ctx, const InternalMsg& m) {
                  ForwardRequest(ctx, local, remote, target.empty() ? m.subject : target, m);
                });
    }
  }
  if (any_service) {
    // Responses come back on `_R_.` subjects in whichever account served the request.
    for (const std::shared_ptr<Account>& account : server_.accounts()) {
      Subscribe(account, std::string(kResponsePrefix) + ">",
                [this](LoopContext& ctx, const InternalMsg& m) { OnResponse(ctx, m); });
    }
  }
  return Status::Ok();
}

void AccountImports::Stop() {
  for (auto& [account, sub] : subs_) account->subs().Remove(sub.get());
  subs_.clear();
}

void AccountImports::ForwardRequest(LoopContext& ctx, const std::shared_ptr<Account>& from,
                                    const std::shared_ptr<Account>& to, std::string_view target,
                                    const InternalMsg& msg) {
  std::string reply;
  if (!msg.reply.empty()) {
    const int64_t now = WallClockNs();
    std::lock_guard lock(mu_);
    if (pending_.size() >= kMaxPendingResponses) {
      std::erase_if(pending_,
                    [&](const auto& kv) { return now - kv.second.created_ns > kResponseTtlNs; });
    }
    if (pending_.size() < kMaxPendingResponses) {
      reply = std::string(kResponsePrefix) + std::to_string(++next_id_);
      pending_.emplace(reply, PendingResponse{from, std::string(msg.reply), now});
    }
  }
  size_t n = server_.PublishInternal(ctx, *to, target, reply, msg.headers, msg.payload);
  if (n == 0 && !reply.empty()) {
    {
      std::lock_guard lock(mu_);
      pending_.erase(reply);
    }
    server_.PublishInternal(ctx, *from, msg.reply, {}, kNoRespondersHeaders, {});
  }
}

void AccountImports::OnResponse(LoopContext& ctx, const InternalMsg& msg) {
  PendingResponse p;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(std::string(msg.subject));
    if (it == pending_.end()) return;
    p = std::move(it->second);
    pending_.erase(it);  // one response per request, as nats-server's singleton responses
  }
  server_.PublishInternal(ctx, *p.requester, p.reply, {}, msg.headers, msg.payload);
}

}  // namespace spate::server
