#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "routing/subject_trie.h"

namespace spate::server {

class Client;

// A client's subscription as stored in its account's trie. Holds its client alive so a match
// result taken on another loop can still deliver (or skip, once the client is closed).
// Lifecycle: created by SUB on the client's loop; removed from the trie by UNSUB, by reaching
// its max (on whichever loop delivered the last message), or when the client closes.
struct ServerSubscription : routing::Subscription {
  std::shared_ptr<Client> client;
  std::string sid;
  std::atomic<uint64_t> max{0};  // 0: unlimited
  std::atomic<uint64_t> delivered{0};
};

}  // namespace spate::server
