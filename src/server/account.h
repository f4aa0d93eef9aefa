#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "routing/subject_trie.h"
#include "server/options/server_options.h"

namespace spate::server {

// A subject namespace: every connection belongs to exactly one account, and messages never cross
// accounts (imports/exports come later and will be explicit). Holds the account's subscription
// trie and one match cache per event loop.
// Threading: subs() is thread-safe; cache(i) belongs to loop i only; counters are atomics.
class Account {
 public:
  Account(std::string name, int num_loops);

  const std::string& name() const { return name_; }
  routing::SubjectTrie& subs() { return subs_; }
  // Drops cached match results; they hold subscriptions, which hold clients, which hold this
  // account, so shutdown must break that cycle.
  void ClearCaches() {
    for (auto& c : caches_) c->Clear();
  }
  routing::MatchCache* cache(int loop_index) {
    return caches_[static_cast<size_t>(loop_index)].get();
  }

  // Set when JetStream is enabled for the account (before the server starts).
  std::optional<AccountJetStreamLimits> jetstream_limits;

  std::atomic<uint64_t> msgs_in{0}, bytes_in{0}, msgs_out{0}, bytes_out{0};
  std::atomic<int64_t> num_connections{0};

 private:
  const std::string name_;
  routing::SubjectTrie subs_;
  std::vector<std::unique_ptr<routing::MatchCache>> caches_;
};

inline constexpr const char* kGlobalAccountName = "$G";
inline constexpr const char* kSystemAccountName = "$SYS";  // nats-server's default

}  // namespace spate::server
