// A program outside the Spate tree, built against an installed client library (find_package or
// pkg-config). It includes the umbrella headers, so a public header missing from the install
// breaks the build, and does a publish/subscribe round trip plus one JetStream call, so a
// missing library breaks the link or the run. Usage: consumer NATS_URL
#include <chrono>
#include <cstdio>

#include "client/connection.h"
#include "client/jetstream.h"

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  if (argc != 2) return 2;
  auto conn = spate::client::Connection::Connect(argv[1]);
  if (!conn.ok()) {
    std::fprintf(stderr, "connect: %s\n", conn.status().message().c_str());
    return 1;
  }
  auto sub = (*conn)->SubscribeSync("install.check");
  if (!sub.ok()) return 1;
  if (!(*conn)->Publish("install.check", "hello").ok()) return 1;
  auto msg = sub->NextMsg(5s);
  if (!msg.ok() || msg->data != "hello") {
    std::fprintf(stderr, "round trip failed: %s\n", msg.status().message().c_str());
    return 1;
  }
  auto js = spate::client::JetStream::Create(**conn);
  if (!js.ok()) return 1;
  auto account = js->GetAccountInfo();
  if (!account.ok()) {
    std::fprintf(stderr, "account info: %s\n", account.status().message().c_str());
    return 1;
  }
  std::printf("round trip ok, jetstream streams=%llu\n",
              static_cast<unsigned long long>(account->streams));
  return 0;
}
