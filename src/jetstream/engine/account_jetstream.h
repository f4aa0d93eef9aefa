#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "jetstream/engine/js_env.h"
#include "jetstream/engine/stream.h"
#include "server/options/server_options.h"
#include "server/server.h"

namespace spate::jetstream {

// Usage figures for monitoring (/jsz, /metrics) and $JS.API.INFO.
struct JetStreamUsage {
  size_t streams = 0;
  size_t consumers = 0;
  uint64_t messages = 0;
  uint64_t bytes = 0;
  uint64_t memory = 0;
  uint64_t storage = 0;
  uint64_t api_total = 0;
  uint64_t api_errors = 0;

  JetStreamUsage& operator+=(const JetStreamUsage& o) {
    streams += o.streams;
    consumers += o.consumers;
    messages += o.messages;
    bytes += o.bytes;
    memory += o.memory;
    storage += o.storage;
    api_total += o.api_total;
    api_errors += o.api_errors;
    return *this;
  }
};

// What /jsz shows beyond the totals (its query parameters).
struct JszOptions {
  bool accounts = false;
  bool streams = false;
  bool consumers = false;
  bool config = false;
};

// JetStream for one account: its streams, their recovery from the store directory, the
// $JS.API request handlers and the $JS.ACK/$JS.FC subscriptions in the account.
//
// Files: <store_dir>/jetstream/<account>/streams/<stream>/{meta.json,msgs/,obs/<consumer>/}.
// Threading: API requests and acks arrive on any loop (internal subscriptions) and are answered
// from that loop; the registry is guarded by mu_ (taken before any stream's mutex, never after).
// Tick() runs on loop 0, called by the server's JetStream.
class AccountJetStream {
 public:
  // `server_budget`: the server-wide storage budget, shared with the other accounts;
  // `fsync_latency`: the server's histogram of store syncs.
  AccountJetStream(server::Server& server, const server::JetStreamOptions& options,
                   std::shared_ptr<server::Account> account,
                   const server::AccountJetStreamLimits& limits, StorageBudget& server_budget,
                   store::LatencyHistogram& fsync_latency, const std::string& store_dir);
  ~AccountJetStream();

  Status Start();
  void Stop();
  // `*checkpoints_left`: store checkpoints this tick may still write (shared by the accounts).
  void Tick(server::LoopContext& ctx, int* checkpoints_left);

  const std::string& account_name() const { return env_.account->name(); }
  JetStreamUsage Usage();
  // This account's entry of /jsz's account_details.
  nlohmann::ordered_json JszAccountJson(const JszOptions& options);
  std::vector<std::shared_ptr<Stream>> Streams();

 private:
  Status Recover();
  Status RecoverStream(const std::string& dir);
  void OnApi(server::LoopContext& ctx, const server::InternalMsg& msg);
  void OnAck(server::LoopContext& ctx, const server::InternalMsg& msg);
  void OnFlowControl(server::LoopContext& ctx, const server::InternalMsg& msg);
  // $JS.EVENT.ADVISORY.{STREAM,CONSUMER}.{CREATED,UPDATED,DELETED}.<stream>[.<consumer>].
  void Advise(server::LoopContext& ctx, std::string_view event, std::string_view type,
              std::string_view stream, std::string_view consumer, std::string_view action);
  void CopySources(server::LoopContext& ctx, Stream& target);
  void Respond(server::LoopContext& ctx, std::string_view reply,
               const nlohmann::ordered_json& response);
  std::shared_ptr<Stream> Find(std::string_view name);
  std::string StreamDir(std::string_view name) const;

  // Stream API (stream_api.cc). Each returns the whole response.
  nlohmann::ordered_json AccountInfoResponse();
  nlohmann::ordered_json StreamCreate(std::string_view name, std::string_view body);
  nlohmann::ordered_json StreamUpdate(std::string_view name, std::string_view body);
  nlohmann::ordered_json StreamInfoResponse(std::string_view name, std::string_view body);
  nlohmann::ordered_json StreamDelete(std::string_view name);
  nlohmann::ordered_json StreamNames(std::string_view body);
  nlohmann::ordered_json StreamList(std::string_view body);
  nlohmann::ordered_json StreamPurge(std::string_view name, std::string_view body);
  nlohmann::ordered_json StreamMsgGet(std::string_view name, std::string_view body);
  nlohmann::ordered_json StreamMsgDelete(std::string_view name, std::string_view body);

  // Consumer API (consumer_api.cc).
  nlohmann::ordered_json ConsumerCreate(server::LoopContext& ctx, std::string_view subject,
                                        std::string_view body);
  nlohmann::ordered_json ConsumerInfoResponse(server::LoopContext& ctx, std::string_view stream,
                                              std::string_view name);
  nlohmann::ordered_json ConsumerDelete(server::LoopContext& ctx, std::string_view stream,
                                        std::string_view name);
  nlohmann::ordered_json ConsumerNames(std::string_view stream, std::string_view body);
  nlohmann::ordered_json ConsumerList(server::LoopContext& ctx, std::string_view stream,
                                      std::string_view body);
  // Returns false when the request gets no response from here (the consumer answers itself).
  void ConsumerNext(server::LoopContext& ctx, std::string_view stream, std::string_view name,
                    std::string_view reply, std::string_view body);
  void RecoverConsumers(Stream& stream);

  server::Server& server_;
  server::JetStreamOptions options_;
  std::string streams_dir_;  // <store_dir>/jetstream/<account>/streams
  JsEnv env_;
  std::vector<std::shared_ptr<server::ServerSubscription>> subs_;

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Stream>, std::less<>> streams_;  // under mu_
  std::atomic<uint64_t> api_total_{0};
  std::atomic<uint64_t> api_errors_{0};
  std::atomic<bool> stopped_{false};
};

}  // namespace spate::jetstream
