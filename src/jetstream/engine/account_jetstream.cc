#include "jetstream/engine/account_jetstream.h"

#include <charconv>
#include <filesystem>

#include "common/logging.h"
#include "jetstream/engine/consumer.h"
#include "jetstream/engine/file_util.h"
#include "jetstream/json_codec.h"
#include "routing/subject_tokens.h"

namespace spate::jetstream {

using server::InternalMsg;
using server::LoopContext;
using Json = nlohmann::ordered_json;

namespace {

constexpr std::string_view kApiPrefix = "$JS.API.";

}  // namespace

AccountJetStream::AccountJetStream(server::Server& server, const server::JetStreamOptions& options,
                                   std::shared_ptr<server::Account> account,
                                   const server::AccountJetStreamLimits& limits,
                                   StorageBudget& server_budget,
                                   store::LatencyHistogram& fsync_latency,
                                   const std::string& store_dir)
    : server_(server), options_(options), env_(server, std::move(account), server_budget) {
  env_.fsync_latency = &fsync_latency;
  streams_dir_ = store_dir + "/" + env_.account->name() + "/streams";
  env_.domain = options.domain;
  env_.account_storage.max_memory = limits.max_memory;
  env_.account_storage.max_store = limits.max_store;
  env_.max_streams = limits.max_streams;
  env_.max_consumers = limits.max_consumers;
  env_.account_limits.max_bytes_required = limits.max_bytes_required;
  if (limits.max_ack_pending > 0) env_.account_limits.max_ack_pending = limits.max_ack_pending;
  for (size_t i = 0; i < server.num_loops(); ++i) {
    env_.outboxes.push_back(std::make_unique<AckOutbox>());
  }
  if (options_.sync_interval.count() > 0 && !options_.sync_always) {
    env_.sync = store::SyncMode::kInterval;
    env_.sync_interval = options_.sync_interval;
  }
}

AccountJetStream::~AccountJetStream() { Stop(); }

Status AccountJetStream::Start() {
  std::error_code ec;
  std::filesystem::create_directories(streams_dir_, ec);
  if (ec) {
    return Status::IoError("could not create storage directory " + streams_dir_ + ": " +
                           ec.message());
  }
  SPATE_RETURN_IF_ERROR(Recover());

  server::Account& account = *env_.account;
  auto api = [this](LoopContext& ctx, const InternalMsg& m) { OnApi(ctx, m); };
  for (const char* subject : {"$JS.API.INFO", "$JS.API.STREAM.>", "$JS.API.CONSUMER.>"}) {
    subs_.push_back(server_.SubscribeInternal(account, subject, "", api));
  }
  subs_.push_back(server_.SubscribeInternal(
      account, "$JS.ACK.>", "", [this](LoopContext& ctx, const InternalMsg& m) { OnAck(ctx, m); }));
  subs_.push_back(server_.SubscribeInternal(
      account, "$JS.FC.>", "",
      [this](LoopContext& ctx, const InternalMsg& m) { OnFlowControl(ctx, m); }));
  LOG_INFO("JetStream enabled for account '%s', %zu stream(s) recovered", account.name().c_str(),
           streams_.size());
  return Status::Ok();
}

void AccountJetStream::Stop() {
  if (stopped_.exchange(true)) return;
  for (auto& sub : subs_) env_.account->subs().Remove(sub.get());
  subs_.clear();
  std::map<std::string, std::shared_ptr<Stream>, std::less<>> streams;
  {
    std::lock_guard lock(mu_);
    streams.swap(streams_);
  }
  for (auto& [name, s] : streams) s->Stop();
  if (!streams.empty()) {
    LOG_INFO("JetStream stopped for account '%s' (%zu streams)", env_.account->name().c_str(),
             streams.size());
  }
}

std::string AccountJetStream::StreamDir(std::string_view name) const {
  return streams_dir_ + "/" + std::string(name);
}

Status AccountJetStream::Recover() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(streams_dir_, ec)) {
    if (!entry.is_directory()) continue;
    if (Status st = RecoverStream(entry.path().string()); !st.ok()) {
      // One bad stream must not keep the server down: report it and go on with the others.
      LOG_ERROR("Error recovering stream in %s: %s", entry.path().c_str(), st.message().c_str());
    }
  }
  if (ec) return Status::IoError("reading " + streams_dir_ + ": " + ec.message());
  return Status::Ok();
}

Status AccountJetStream::RecoverStream(const std::string& dir) {
  SPATE_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(dir + "/meta.json"));
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("meta.json: ") + e.what());
  }
  if (!meta.contains("config")) return Status::Corruption("meta.json has no config");
  ApiResult<StreamConfig> cfg = DecodeStreamConfigValue(meta["config"]);
  if (!cfg.ok()) return Status::Corruption("meta.json config: " + cfg.error().description);
  int64_t created = server::WallClockNs();
  if (meta.contains("created") && meta["created"].is_string()) {
    if (auto t = ParseTime(meta["created"].get<std::string>()); t && *t) created = **t;
  }
  auto stream = std::make_shared<Stream>(env_, *cfg, created, dir);
  SPATE_RETURN_IF_ERROR(stream->Open(false));
  RecoverConsumers(*stream);
  store::StreamState st = stream->State();
  LOG_INFO("  Restored %llu messages for stream '%s > %s'",
           static_cast<unsigned long long>(st.msgs), env_.account->name().c_str(),
           cfg->name.c_str());
  stream->Subscribe();
  std::lock_guard lock(mu_);
  streams_[cfg->name] = std::move(stream);
  return Status::Ok();
}

void AccountJetStream::RecoverConsumers(Stream& stream) {
  std::error_code ec;
  std::string obs = stream.dir() + "/obs";
  for (const auto& entry : std::filesystem::directory_iterator(obs, ec)) {
    if (!entry.is_directory()) continue;
    std::string dir = entry.path().string();
    auto text = ReadWholeFile(dir + "/meta.json");
    if (!text.ok()) continue;
    try {
      auto meta = nlohmann::json::parse(*text);
      ApiResult<ConsumerConfig> cfg = DecodeConsumerConfigValue(meta["config"]);
      if (!cfg.ok()) throw std::runtime_error(cfg.error().description);
      int64_t created = server::WallClockNs();
      if (auto t = ParseTime(meta["created"].get<std::string>()); t && *t) created = **t;
      std::string name = meta["name"].get<std::string>();
      std::lock_guard lock(stream.mutex());
      auto c = std::make_shared<Consumer>(stream, name, *cfg, created, dir);
      if (Status st = c->LoadState(); !st.ok()) {
        LOG_WARN("Consumer '%s > %s': no saved state (%s); starting from its deliver policy",
                 stream.name().c_str(), name.c_str(), st.message().c_str());
        c->InitStart();
      }
      c->Touch();  // the tick looks at it once: pending acks, timers
      stream.consumers()[name] = std::move(c);
    } catch (const std::exception& e) {
      LOG_ERROR("Error recovering consumer in %s: %s", dir.c_str(), e.what());
    }
  }
}

std::shared_ptr<Stream> AccountJetStream::Find(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = streams_.find(name);
  return it == streams_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Stream>> AccountJetStream::Streams() {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Stream>> out;
  for (auto& [n, s] : streams_) out.push_back(s);
  return out;
}

JetStreamUsage AccountJetStream::Usage() {
  JetStreamUsage u;
  for (auto& s : Streams()) {
    store::StreamState st = s->State();
    ++u.streams;
    u.messages += st.msgs;
    u.bytes += st.bytes;
    (s->is_memory() ? u.memory : u.storage) += st.bytes;
    std::lock_guard lock(s->mutex());
    u.consumers += s->consumers().size();
  }
  u.api_total = api_total_.load();
  u.api_errors = api_errors_.load();
  return u;
}

void AccountJetStream::Respond(LoopContext& ctx, std::string_view reply,
                               const nlohmann::ordered_json& response) {
  if (response.contains("error")) api_errors_.fetch_add(1, std::memory_order_relaxed);
  if (reply.empty()) return;
  env_.Publish(ctx, reply, {}, {}, DumpGoJson(response));
}

void AccountJetStream::OnApi(LoopContext& ctx, const InternalMsg& msg) {
  if (stopped_.load(std::memory_order_relaxed)) return;
  api_total_.fetch_add(1, std::memory_order_relaxed);
  std::string_view rest = msg.subject.substr(kApiPrefix.size());
  routing::SubjectTokens tokens(rest);
  std::span<const std::string_view> t = tokens.tokens();
  const std::string_view body = msg.payload;
  const std::string_view reply = msg.reply;
  auto arg = [&](size_t i) { return i < t.size() ? t[i] : std::string_view(); };
  // Most requests are meaningless without a reply; nats-server drops them too.
  if (reply.empty()) return;
  if (t[0] == "INFO" && t.size() == 1) return Respond(ctx, reply, AccountInfoResponse());
  if (t[0] == "STREAM") {
    std::string_view verb = arg(1);
    if (verb == "NAMES" && t.size() == 2) return Respond(ctx, reply, StreamNames(body));
    if (verb == "LIST" && t.size() == 2) return Respond(ctx, reply, StreamList(body));
    if (t.size() == 3) {
      if (verb == "CREATE") {
        Json r = StreamCreate(arg(2), body);
        if (r.contains("did_create"))
          Advise(ctx, "STREAM.CREATED", "stream_action", arg(2), {}, "create");
        return Respond(ctx, reply, r);
      }
      if (verb == "UPDATE") {
        Json r = StreamUpdate(arg(2), body);
        if (!r.contains("error"))
          Advise(ctx, "STREAM.UPDATED", "stream_action", arg(2), {}, "modify");
        return Respond(ctx, reply, r);
      }
      if (verb == "INFO") return Respond(ctx, reply, StreamInfoResponse(arg(2), body));
      if (verb == "DELETE") {
        Json r = StreamDelete(arg(2));
        if (!r.contains("error"))
          Advise(ctx, "STREAM.DELETED", "stream_action", arg(2), {}, "delete");
        return Respond(ctx, reply, r);
      }
      if (verb == "PURGE") return Respond(ctx, reply, StreamPurge(arg(2), body));
    }
    if (verb == "MSG" && t.size() == 4) {
      if (arg(2) == "GET") return Respond(ctx, reply, StreamMsgGet(arg(3), body));
      if (arg(2) == "DELETE") return Respond(ctx, reply, StreamMsgDelete(arg(3), body));
    }
  } else if (t[0] == "CONSUMER") {
    std::string_view verb = arg(1);
    if (verb == "CREATE" || (verb == "DURABLE" && arg(2) == "CREATE")) {
      Json r = ConsumerCreate(ctx, msg.subject, body);
      if (!r.contains("error") && r.contains("name") && r.contains("stream_name")) {
        Advise(ctx, "CONSUMER.CREATED", "consumer_action", r["stream_name"].get<std::string>(),
               r["name"].get<std::string>(), "create");
      }
      return Respond(ctx, reply, r);
    }
    if (verb == "NAMES" && t.size() == 3) return Respond(ctx, reply, ConsumerNames(arg(2), body));
    if (verb == "LIST" && t.size() == 3)
      return Respond(ctx, reply, ConsumerList(ctx, arg(2), body));
    if (verb == "INFO" && t.size() == 4) {
      return Respond(ctx, reply, ConsumerInfoResponse(ctx, arg(2), arg(3)));
    }
    if (verb == "DELETE" && t.size() == 4) {
      Json r = ConsumerDelete(ctx, arg(2), arg(3));
      if (!r.contains("error"))
        Advise(ctx, "CONSUMER.DELETED", "consumer_action", arg(2), arg(3), "delete");
      return Respond(ctx, reply, r);
    }
    if (verb == "MSG" && arg(2) == "NEXT" && t.size() == 5) {
      return ConsumerNext(ctx, arg(3), arg(4), reply, body);
    }
  }
  // An unknown verb: nats-server has no handler for it and the request times out; answering
  // "bad request" is more useful and what a newer client expects of an unknown API.
  Respond(ctx, reply,
          MakeApiErrorResponse("io.nats.jetstream.api.v1.error_response",
                               MakeApiError(ApiErrorId::kBadRequest)));
}

void AccountJetStream::Advise(LoopContext& ctx, std::string_view event, std::string_view type,
                              std::string_view stream, std::string_view consumer,
                              std::string_view action) {
  // $JS.EVENT.ADVISORY.<event>.<stream>[.<consumer>], nats-server's stream/consumer actions.
  std::string subject = "$JS.EVENT.ADVISORY.";
  subject.append(event).append(".").append(stream);
  if (!consumer.empty()) subject.append(".").append(consumer);
  if (!env_.HasInterest(ctx, subject)) return;
  const int64_t now = server::WallClockNs();
  Json a;
  a["type"] = std::string("io.nats.jetstream.advisory.v1.").append(type);
  a["id"] = std::to_string(now) + "-" + std::to_string(api_total_.load());
  a["timestamp"] = FormatTime(now);
  a["stream"] = stream;
  if (!consumer.empty()) a["consumer"] = consumer;
  a["action"] = action;
  if (!env_.domain.empty()) a["domain"] = env_.domain;
  env_.Publish(ctx, subject, {}, {}, DumpGoJson(a));
}

void AccountJetStream::OnAck(LoopContext& ctx, const InternalMsg& msg) {
  // $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>, parsed without
  // allocating: one of these arrives for every acknowledged message.
  std::string_view t[9];
  size_t n = 0;
  std::string_view rest = msg.subject;
  while (n < 9) {
    size_t dot = rest.find('.');
    t[n++] = rest.substr(0, dot);
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (n != 9 || rest.find('.') != std::string_view::npos) return;
  auto num = [](std::string_view s) {
    uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
  };
  std::shared_ptr<Stream> stream = Find(t[2]);
  if (stream == nullptr) return;
  std::lock_guard lock(stream->mutex());
  auto it = stream->consumers().find(t[3]);
  if (it == stream->consumers().end()) return;
  it->second->OnAck(ctx, num(t[5]), num(t[6]), msg.payload, msg.reply);
}

void AccountJetStream::OnFlowControl(LoopContext& ctx, const InternalMsg& msg) {
  // $JS.FC.<stream>.<consumer>.<n>
  routing::SubjectTokens tokens(msg.subject);
  std::span<const std::string_view> t = tokens.tokens();
  if (t.size() != 5) return;
  std::shared_ptr<Stream> stream = Find(t[2]);
  if (stream == nullptr) return;
  std::lock_guard lock(stream->mutex());
  auto it = stream->consumers().find(t[3]);
  if (it != stream->consumers().end()) it->second->OnFlowControlReply(ctx, msg.subject);
}

void AccountJetStream::Tick(LoopContext& ctx, int* checkpoints_left) {
  const int64_t now = server::WallClockNs();
  std::vector<std::shared_ptr<Stream>> streams = Streams();
  for (auto& s : streams) s->Tick(ctx, now, checkpoints_left);
  for (auto& s : streams) CopySources(ctx, *s);
}

void AccountJetStream::CopySources(LoopContext& ctx, Stream& target) {
  constexpr size_t kBatch = 1024;
  constexpr int kBatchesPerTick = 16;  // bounds one tick's work; the rest waits for the next
  std::vector<Stream::SourceCursor> cursors = target.SourceCursors();
  for (size_t i = 0; i < cursors.size(); ++i) {
    std::shared_ptr<Stream> origin = Find(cursors[i].name);
    std::vector<store::StoredMsg> batch;
    uint64_t next = cursors[i].next_seq;
    for (int b = 0; b < kBatchesPerTick; ++b) {
      uint64_t origin_last = 0;  // with Stream::kCaughtUpBit when the batch reached the end
      if (origin != nullptr)
        batch = origin->ReadFrom(cursors[i].filters, next, kBatch, &origin_last);
      // Ticks run with internal_depth > 0 so nothing published here re-enters a handler.
      ++ctx.internal_depth;
      target.AppendSourced(ctx, i, batch, origin_last, origin == nullptr);
      --ctx.internal_depth;
      if (batch.size() < kBatch) break;
      next = batch.back().seq().value + 1;
    }
  }
}

}  // namespace spate::jetstream
