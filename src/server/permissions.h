#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/options/server_options.h"

namespace spate::server {

// One user's compiled permissions, as nats-server applies them:
// - publish: allowed when some allow entry matches (or there is no allow list) and no deny entry
//   does; with allow_responses, also the reply subject of a message recently delivered to the
//   connection, up to max_msgs times within expires.
// - subscribe: the subscription subject must be a subset of an allow entry and of no deny entry;
//   "subject queue" entries constrain queue subscriptions. A wildcard subscription that covers a
//   denied subject is allowed, and messages on the denied subjects are then not delivered.
// Threading: CanPublish/CanSubscribe on the client's loop (the publish cache is unguarded);
// OnDelivered/AllowDelivery from any delivering loop (they lock mu_).
class ClientPermissions {
 public:
  explicit ClientPermissions(const Permissions& p);

  bool CanPublish(std::string_view subject, int64_t now_ns);
  bool CanSubscribe(std::string_view subject, std::string_view queue) const;

  // True when deliveries need AllowDelivery: a subscribe deny list or response permissions.
  bool checks_deliveries() const { return !sub_deny_.empty() || response_; }
  // Whether a message on `subject` may go to this connection; records `reply` for
  // allow_responses.
  bool AllowDelivery(std::string_view subject, std::string_view reply, int64_t now_ns);

 private:
  struct Entry {
    std::string subject;
    std::string queue;  // subscribe entries only; empty: any subscription
  };
  struct Reply {
    int64_t granted_ns = 0;
    int64_t used = 0;
  };
  static std::vector<Entry> Compile(const std::vector<std::string>& subjects, bool with_queue);
  // nats-server's rule for a subscription against one list: plain entries decide for plain
  // subscriptions; for a queue subscription, entries with a queue decide when any matches.
  static bool ListMatches(const std::vector<Entry>& list, std::string_view subject,
                          std::string_view queue);
  bool UseReply(std::string_view subject, int64_t now_ns);

  bool pub_has_allow_ = false;
  std::vector<Entry> pub_allow_, pub_deny_;
  bool sub_has_allow_ = false;
  std::vector<Entry> sub_allow_, sub_deny_;
  bool response_ = false;
  ResponsePermission response_perm_;

  // Looks a string_view up without building a std::string: the cache is hit on every publish.
  struct SubjectHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Publish decisions by subject, bounded (nats-server keeps 128 and prunes).
  std::unordered_map<std::string, bool, SubjectHash, std::equal_to<>> pub_cache_;

  std::mutex mu_;
  std::unordered_map<std::string, Reply> replies_;  // under mu_
};

}  // namespace spate::server
