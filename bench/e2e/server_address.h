#pragma once

#include <netinet/in.h>

#include <string>

#include "common/status.h"

namespace spate::bench {

// The IPv4 socket address of a "nats://HOST:PORT" URL as ServerProcess builds it, for the
// scenarios that speak the protocol over raw sockets.
Result<sockaddr_in> ParseServerAddress(const std::string& url);

}  // namespace spate::bench
