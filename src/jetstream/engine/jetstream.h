#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "jetstream/engine/account_jetstream.h"
#include "server/options/server_options.h"
#include "server/server.h"

namespace spate::jetstream {

// JetStream on one server: an AccountJetStream for every account that has JetStream (the
// global account when no accounts are configured, else those with a `jetstream` entry), a
// "not enabled" answer on $JS.API for the others, the server-wide storage budget and the
// periodic tick (ages, redeliveries, expiring requests, sources) on loop 0.
// Threading: the set of accounts is fixed between Start and Stop; everything else is in
// AccountJetStream.
class JetStream : public server::ServerExtension {
 public:
  JetStream(server::Server& server, const server::JetStreamOptions& options);
  ~JetStream() override;

  Status Start() override;
  void Stop() override;

  const std::string& store_dir() const { return store_dir_; }
  std::vector<AccountJetStream*> Accounts() const;
  // Totals over every account.
  JetStreamUsage Usage();
  std::vector<std::shared_ptr<Stream>> Streams();
  // The monitoring report (jsz.cc): /jsz without server_id/now, and /varz's config part.
  nlohmann::ordered_json JszJson(const JszOptions& options);
  nlohmann::ordered_json ConfigJson() const;
  // How long the file stores' fdatasyncs took (all streams of all accounts).
  const store::LatencyHistogram& fsync_latency() const { return fsync_latency_; }

 private:
  void AnswerNotEnabled(server::LoopContext& ctx, server::Account& account,
                        const server::InternalMsg& msg);

  server::Server& server_;
  server::JetStreamOptions options_;
  std::string store_dir_;  // <store_dir>/jetstream
  StorageBudget server_budget_;
  store::LatencyHistogram fsync_latency_;
  std::vector<std::unique_ptr<AccountJetStream>> accounts_;
  // $JS.API.> in accounts without JetStream, with the account it was made in.
  std::vector<
      std::pair<std::shared_ptr<server::Account>, std::shared_ptr<server::ServerSubscription>>>
      not_enabled_subs_;
  std::atomic<bool> stopped_{false};
};

}  // namespace spate::jetstream
