#pragma once

#include <string>

#include "common/status.h"

namespace spate {

struct Listener {
  int fd = -1;
  int port = 0;  // the port bound, resolved when 0 was asked for
};

// A non-blocking, close-on-exec listening TCP socket on host:port (empty host: every address;
// port 0: any free port). `what` names the listener in error texts.
Result<Listener> ListenTcp(const std::string& host, int port, int backlog, const char* what);

}  // namespace spate
