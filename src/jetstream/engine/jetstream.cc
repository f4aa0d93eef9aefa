#include "jetstream/engine/jetstream.h"

#include <cstdlib>
#include <filesystem>

#include "common/logging.h"
#include "jetstream/api_error.h"
#include "jetstream/json_codec.h"

namespace spate::jetstream {

using server::InternalMsg;
using server::LoopContext;

namespace {

std::string DefaultStoreDir() {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/nats";
}

std::string HumanBytes(int64_t v) {
  if (v < 0) return "dynamic";
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double d = static_cast<double>(v);
  int u = 0;
  while (d >= 1024 && u < 4) {
    d /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f %s", d, units[u]);
  return buf;
}

}  // namespace

JetStream::JetStream(server::Server& server, const server::JetStreamOptions& options)
    : server_(server), options_(options) {
  std::string base = options_.store_dir.empty() ? DefaultStoreDir() : options_.store_dir;
  store_dir_ = (std::filesystem::path(base) / "jetstream").string();
  server_budget_.max_memory = options_.max_memory;
  server_budget_.max_store = options_.max_store;
}

JetStream::~JetStream() { Stop(); }

Status JetStream::Start() {
  LOG_INFO("Starting JetStream");
  LOG_INFO("  Max Memory:      %s", HumanBytes(options_.max_memory).c_str());
  LOG_INFO("  Max Storage:     %s", HumanBytes(options_.max_store).c_str());
  LOG_INFO("  Store Directory: \"%s\"", store_dir_.c_str());
  if (!options_.domain.empty()) LOG_INFO("  Domain:          %s", options_.domain.c_str());
  LOG_INFO("  Sync:            %s",
           options_.sync_always || options_.sync_interval.count() == 0
               ? "always (acknowledged after fdatasync)"
               : ("every " + std::to_string(options_.sync_interval.count()) + "ms").c_str());
  for (const std::shared_ptr<server::Account>& account : server_.accounts()) {
    if (account->jetstream_limits) {
      auto a =
          std::make_unique<AccountJetStream>(server_, options_, account, *account->jetstream_limits,
                                             server_budget_, fsync_latency_, store_dir_);
      SPATE_RETURN_IF_ERROR(a->Start());
      accounts_.push_back(std::move(a));
    } else {
      not_enabled_subs_.emplace_back(
          account, server_.SubscribeInternal(
                       *account, "$JS.API.>", "",
                       [this, acc = account.get()](LoopContext& ctx, const InternalMsg& m) {
                         AnswerNotEnabled(ctx, *acc, m);
                       }));
    }
  }
  LoopContext* ctx0 = &server_.loop_context(0);
  ctx0->loop.AddTicker([this, ctx0] {
    if (stopped_.load(std::memory_order_relaxed)) return;
    // A few index snapshots per tick at most, so that thousands of streams coming due together
    // do not stall this loop: they are spread over the next ticks.
    int checkpoints_left = 4;
    for (auto& a : accounts_) a->Tick(*ctx0, &checkpoints_left);
  });
  LOG_INFO("JetStream started for %zu account(s)", accounts_.size());
  return Status::Ok();
}

void JetStream::Stop() {
  if (stopped_.exchange(true)) return;
  for (auto& [account, sub] : not_enabled_subs_) account->subs().Remove(sub.get());
  not_enabled_subs_.clear();
  for (auto& a : accounts_) a->Stop();
}

void JetStream::AnswerNotEnabled(LoopContext& ctx, server::Account& account,
                                 const InternalMsg& msg) {
  if (msg.reply.empty()) return;
  const std::string body = DumpGoJson(MakeApiErrorResponse(
      "io.nats.jetstream.api.v1.error_response", MakeApiError(ApiErrorId::kNotEnabledForAccount)));
  server_.PublishInternal(ctx, account, msg.reply, {}, {}, body);
}

std::vector<AccountJetStream*> JetStream::Accounts() const {
  std::vector<AccountJetStream*> out;
  for (const auto& a : accounts_) out.push_back(a.get());
  return out;
}

JetStreamUsage JetStream::Usage() {
  JetStreamUsage u;
  for (auto& a : accounts_) u += a->Usage();
  return u;
}

std::vector<std::shared_ptr<Stream>> JetStream::Streams() {
  std::vector<std::shared_ptr<Stream>> out;
  for (auto& a : accounts_) {
    for (auto& s : a->Streams()) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace spate::jetstream
