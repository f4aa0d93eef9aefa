#pragma once

#include <memory>
#include <string>

#include "client/connection.h"
#include "client/jetstream.h"

// What the three demo programs share: the server URL, log lines and the connection.
namespace orders {

// $NATS_URL, else nats://127.0.0.1:4222 (the Go demo reads the same variable).
std::string NatsUrl();

// One line on stderr prefixed with the local date and time, the shape of Go's log package
// ("2006/01/02 15:04:05 text"), so the C++ and Go demos print comparable logs.
void Log(const std::string& line);
[[noreturn]] void Fatal(const std::string& line);

struct Session {
  std::unique_ptr<spate::client::Connection> conn;
  spate::client::JetStream js;
};
// Connects to NatsUrl() and opens the JetStream context; exits with a log line on failure.
Session ConnectOrExit(const std::string& name);

}  // namespace orders
