#include "demo.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace orders {

std::string NatsUrl() {
  const char* url = std::getenv("NATS_URL");
  return url != nullptr && *url != '\0' ? url : "nats://127.0.0.1:4222";
}

void Log(const std::string& line) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y/%m/%d %H:%M:%S ", &local);
  // One write per line, so lines from the dispatcher and main threads never interleave.
  std::string out = stamp + line + "\n";
  std::fputs(out.c_str(), stderr);
}

void Fatal(const std::string& line) {
  Log(line);
  std::exit(1);
}

Session ConnectOrExit(const std::string& name) {
  spate::client::Options options;
  options.servers = {NatsUrl()};
  options.name = name;
  auto conn = spate::client::Connection::Connect(options);
  if (!conn.ok()) Fatal("connect to " + NatsUrl() + ": " + conn.status().message());
  auto js = spate::client::JetStream::Create(**conn);
  if (!js.ok()) Fatal("jetstream: " + js.status().message());
  return Session{std::move(*conn), std::move(*js)};
}

}  // namespace orders
