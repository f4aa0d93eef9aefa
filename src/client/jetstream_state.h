#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "client/jetstream.h"
#include "client/jetstream_json.h"

// Internal to the client library: what a JetStream handle shares with its copies and with the
// subscriptions and publishers made from it.
namespace spate::client::detail {

class AsyncPublisher;

struct JetStreamState {
  Connection* conn = nullptr;  // not owned; outlives the context (documented in jetstream.h)
  JsOptions options;
  std::string prefix;  // "$JS.API." or "$JS.<domain>.API."

  std::mutex async_mu;  // guards creating `async` (its own state has its own lock)
  std::shared_ptr<AsyncPublisher> async;

  // A request to "<prefix><verb>" with a JSON body; the reply parsed (API errors decoded).
  Result<Json> Call(std::string_view verb, const Json& body) const;
  Result<Json> CallRaw(std::string_view verb, std::string_view body) const;
};

// nats-server's rule for stream and consumer names: not empty, none of ". * >" or whitespace.
bool IsValidJsName(std::string_view name);

}  // namespace spate::client::detail
