#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "routing/subject_trie.h"

namespace spate::server {

class Client;
struct LoopContext;

// A message handed to a server-internal subscriber (JetStream). The views are valid during the
// call only.
struct InternalMsg {
  std::string_view subject, reply, headers, payload;
};
// Runs on the publishing loop, inline with delivery: it must not block. It may publish (through
// Server::PublishInternal with the same `ctx`); messages that would reach another internal
// subscriber from inside a handler are queued on the loop rather than nested.
using InternalHandler = std::function<void(LoopContext& ctx, const InternalMsg& msg)>;

// A client's subscription as stored in its account's trie. Holds its client alive so a match
// result taken on another loop can still deliver (or skip, once the client is closed).
// A subscription held by the server itself has no client and an `internal` handler instead.
// Lifecycle: created by SUB on the client's loop; removed from the trie by UNSUB, by reaching
// its max (on whichever loop delivered the last message), or when the client closes.
struct ServerSubscription : routing::Subscription {
  std::shared_ptr<Client> client;  // null for internal subscriptions
  InternalHandler internal;
  std::string sid;
  std::atomic<uint64_t> max{0};  // 0: unlimited
  std::atomic<uint64_t> delivered{0};
};

}  // namespace spate::server
