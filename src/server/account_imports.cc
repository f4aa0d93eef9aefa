#include "server/account_imports.h"

#include <algorithm>

#include "common/logging.h"
#include "routing/subject.h"
#include "server/jwt_accounts.h"
#include "server/server.h"

namespace spate::server {
namespace {

constexpr std::string_view kResponsePrefix = "_R_.";
constexpr int64_t kResponseTtlNs = 120LL * 1000 * 1000 * 1000;  // nats-server's 2 minutes
constexpr size_t kMaxPendingResponses = 100000;
constexpr std::string_view kNoRespondersHeaders = "NATS/1.0 503\r\n\r\n";

// Where a stream import delivers a message published on `subject` in the exporter.
std::string StreamLocalSubject(const AccountImport& i, const std::string& subject) {
  if (!i.to.empty()) return i.to;
  return i.prefix.empty() ? subject : i.prefix + "." + subject;
}

// The subject importers use for a service, and the one the request reaches in the exporter.
const std::string& ServiceLocalSubject(const AccountImport& i) {
  return i.to.empty() ? i.subject : i.to;
}

// The more specific of a subject flowing through an import and the import's own subject.
const std::string& Narrower(const std::string& flowing, const std::string& imported) {
  return routing::SubjectMatchesFilter(flowing, imported) ? flowing : imported;
}

constexpr size_t kMaxCycleSearchDepth = 1024;  // nats-server's MaxAccountCycleSearchDepth

}  // namespace

const AccountConfig* AccountImports::FindConfig(std::string_view name) const {
  for (const AccountConfig& a : accounts_) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

Status AccountImports::CheckExported(const AccountConfig& importer,
                                     const AccountImport& import) const {
  const AccountConfig* exporter = FindConfig(import.account);
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

bool AccountImports::FlowReturns(const std::string& account, const std::string& subject,
                                 bool service, const std::string& origin,
                                 const std::string& origin_subject, size_t depth) const {
  if (depth >= kMaxCycleSearchDepth) return true;  // as nats-server: too deep is refused too
  for (const auto& [importer, i] : accepted_) {
    if (i.service != service) continue;
    std::string next_account, next_subject;
    if (service) {
      // A request in `account` on a subject one of its service imports takes goes on to the
      // exporter.
      if (importer != account || !routing::SubjectsCollide(subject, ServiceLocalSubject(i))) {
        continue;
      }
      next_account = i.account;
      next_subject =
          routing::SubjectIsLiteral(i.subject) ? i.subject : Narrower(subject, i.subject);
    } else {
      // A message in `account` that another account imports arrives there.
      if (i.account != account || !routing::SubjectsCollide(subject, i.subject)) continue;
      next_account = importer;
      next_subject = StreamLocalSubject(i, Narrower(subject, i.subject));
    }
    if (next_account == origin && routing::SubjectsCollide(next_subject, origin_subject)) {
      return true;
    }
    if (FlowReturns(next_account, next_subject, service, origin, origin_subject, depth + 1)) {
      return true;
    }
  }
  return false;
}

Status AccountImports::CheckCycle(const AccountConfig& importer,
                                  const AccountImport& import) const {
  // Stream: messages of the exporter land here on the local subject; if they can flow back
  // to the exporter on the imported subject, each one would circle for ever. Service: a
  // request sent to the exporter must not come back to this account's local subject.
  const bool cycle = import.service
                         ? FlowReturns(import.account, import.subject, true, importer.name,
                                       ServiceLocalSubject(import), 0)
                         : FlowReturns(importer.name, StreamLocalSubject(import, import.subject),
                                       false, import.account, import.subject, 0);
  if (!cycle) return Status::Ok();
  return Status::InvalidArgument("account \"" + importer.name +
                                 "\": " + (import.service ? "service" : "stream") +
                                 " import of \"" + import.subject + "\" from account \"" +
                                 import.account + "\": import forms a cycle");
}

void AccountImports::Subscribe(const std::shared_ptr<Account>& account, std::string subject,
                               InternalHandler handler) {
  subs_.emplace_back(
      account, server_.SubscribeInternal(*account, std::move(subject), "", std::move(handler)));
}

Status AccountImports::Start() {
  // The configured accounts, then operator mode's account JWTs. A bad import in the config
  // stops the server (as nats-server); one in a JWT is logged and left out.
  accounts_ = server_.options().auth.accounts;
  const size_t configured = accounts_.size();
  for (const auto& [key, trusted] : server_.config()->authenticator().trusted_accounts()) {
    std::vector<std::string> skipped;
    accounts_.push_back(AccountConfigFromClaims(key, trusted.claims, &skipped));
    for (const std::string& why : skipped) {
      LOG_WARN("Account %s: %s; left out", key.c_str(), why.c_str());
    }
  }
  bool any_service = false;
  for (size_t n = 0; n < accounts_.size(); ++n) {
    const AccountConfig& importer = accounts_[n];
    std::shared_ptr<Account> local = server_.FindAccount(importer.name);
    for (const AccountImport& import : importer.imports) {
      std::shared_ptr<Account> remote = server_.FindAccount(import.account);
      Status st = remote == nullptr ? Status::NotFound("account \"" + importer.name +
                                                       "\": import from unknown account \"" +
                                                       import.account + "\"")
                                    : CheckExported(importer, import);
      if (st.ok()) st = CheckCycle(importer, import);
      if (!st.ok()) {
        if (n < configured) return st;
        LOG_ERROR("%s; import left out", st.message().c_str());
        continue;
      }
      accepted_.emplace_back(importer.name, import);
      if (!import.service) {
        const AccountImport i = import;
        Subscribe(remote, import.subject, [this, local, i](LoopContext& ctx, const InternalMsg& m) {
          std::string subject = StreamLocalSubject(i, std::string(m.subject));
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
