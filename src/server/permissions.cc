#include "server/permissions.h"

#include "routing/subject.h"

namespace spate::server {
namespace {

constexpr size_t kMaxPublishCache = 128;
constexpr size_t kMaxReplies = 10000;  // a flood of requests must not grow it without bound

bool QueueMatches(std::string_view pattern, std::string_view queue) {
  // Queue names in permissions may use wildcards ("*.dev", "v1.>"), token-wise like subjects.
  return routing::SubjectMatchesFilter(queue, pattern);
}

}  // namespace

ClientPermissions::ClientPermissions(const Permissions& p) {
  if (p.publish) {
    pub_has_allow_ = p.publish->has_allow;
    pub_allow_ = Compile(p.publish->allow, false);
    pub_deny_ = Compile(p.publish->deny, false);
  }
  if (p.subscribe) {
    sub_has_allow_ = p.subscribe->has_allow;
    sub_allow_ = Compile(p.subscribe->allow, true);
    sub_deny_ = Compile(p.subscribe->deny, true);
  }
  if (p.response) {
    response_ = true;
    response_perm_ = *p.response;
  }
}

std::vector<ClientPermissions::Entry> ClientPermissions::Compile(
    const std::vector<std::string>& subjects, bool with_queue) {
  std::vector<Entry> out;
  for (const std::string& s : subjects) {
    const size_t space = with_queue ? s.find(' ') : std::string::npos;
    if (space == std::string::npos) {
      out.push_back(Entry{s, {}});
      continue;
    }
    size_t q = s.find_first_not_of(' ', space);
    out.push_back(Entry{s.substr(0, space), q == std::string::npos ? "" : s.substr(q)});
  }
  return out;
}

bool ClientPermissions::ListMatches(const std::vector<Entry>& list, std::string_view subject,
                                    std::string_view queue) {
  bool plain = false, queue_entry_matched = false, queue_ok = false;
  for (const Entry& e : list) {
    if (!routing::SubjectMatchesFilter(subject, e.subject)) continue;
    if (e.queue.empty()) {
      plain = true;
    } else {
      queue_entry_matched = true;
      if (!queue.empty() && QueueMatches(e.queue, queue)) queue_ok = true;
    }
  }
  if (!queue.empty() && queue_entry_matched) return queue_ok;
  return plain;
}

bool ClientPermissions::CanPublish(std::string_view subject, int64_t now_ns) {
  bool allowed;
  auto it = pub_cache_.find(subject);
  if (it != pub_cache_.end()) {
    allowed = it->second;
  } else {
    allowed = !pub_has_allow_ || ListMatches(pub_allow_, subject, {});
    if (allowed && ListMatches(pub_deny_, subject, {})) allowed = false;
    if (pub_cache_.size() >= kMaxPublishCache) pub_cache_.clear();
    pub_cache_.emplace(subject, allowed);
  }
  if (allowed) return true;
  return response_ && UseReply(subject, now_ns);
}

bool ClientPermissions::CanSubscribe(std::string_view subject, std::string_view queue) const {
  if (sub_has_allow_ && !ListMatches(sub_allow_, subject, queue)) return false;
  if (sub_deny_.empty()) return true;
  // Deny: the subscription is refused when it lies within a denied subject; a broader
  // (wildcard) subscription stays, filtered per message in AllowDelivery.
  bool plain = false, queue_entry_matched = false, queue_denied = false;
  for (const Entry& e : sub_deny_) {
    if (!routing::SubjectMatchesFilter(subject, e.subject)) continue;
    if (e.queue.empty()) {
      plain = true;
    } else {
      queue_entry_matched = true;
      if (!queue.empty() && QueueMatches(e.queue, queue)) queue_denied = true;
    }
  }
  if (!queue.empty() && queue_entry_matched) return !queue_denied;
  return !plain;
}

bool ClientPermissions::AllowDelivery(std::string_view subject, std::string_view reply,
                                      int64_t now_ns) {
  for (const Entry& e : sub_deny_) {
    if (e.queue.empty() && routing::SubjectMatchesFilter(subject, e.subject)) return false;
  }
  if (response_ && !reply.empty()) {
    std::lock_guard lock(mu_);
    if (replies_.size() >= kMaxReplies) {
      // Drop what has expired or been used up; if nothing has, start over.
      std::erase_if(replies_, [&](const auto& kv) {
        const Reply& r = kv.second;
        return r.used >= response_perm_.max_msgs ||
               (response_perm_.expires.count() > 0 &&
                now_ns - r.granted_ns > response_perm_.expires.count() * 1000000);
      });
      if (replies_.size() >= kMaxReplies) replies_.clear();
    }
    replies_[std::string(reply)] = Reply{now_ns, 0};
  }
  return true;
}

bool ClientPermissions::UseReply(std::string_view subject, int64_t now_ns) {
  std::lock_guard lock(mu_);
  auto it = replies_.find(std::string(subject));
  if (it == replies_.end()) return false;
  Reply& r = it->second;
  const bool expired = response_perm_.expires.count() > 0 &&
                       now_ns - r.granted_ns > response_perm_.expires.count() * 1000000;
  if (expired || r.used >= response_perm_.max_msgs) {
    replies_.erase(it);
    return false;
  }
  if (++r.used >= response_perm_.max_msgs) replies_.erase(it);
  return true;
}

}  // namespace spate::server
