#pragma once

#include "server/client.h"

namespace spate::server {

struct LoopContext;

// Told when a client connection starts (CONNECT accepted, bound to its account) and ends: the
// system account's events (src/monitor/system_service.h) implement it, so the server does not
// depend on them. Only called while the server has a system account; a disconnect is reported
// only for a connection whose connect was, after the account's connection count dropped.
// Threading: called on the client's own loop, once per connection and event, never per message.
// Implementations must not block; they may post work to `ctx.loop`.
class ConnectionObserver {
 public:
  virtual ~ConnectionObserver() = default;
  // `info`: the connection as /connz shows it (no subscriptions).
  virtual void OnClientConnect(LoopContext& ctx, ConnectionInfo info) = 0;
  // `info` has stop_ns and reason set.
  virtual void OnClientDisconnect(LoopContext& ctx, ConnectionInfo info) = 0;
};

}  // namespace spate::server
