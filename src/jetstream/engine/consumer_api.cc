// The $JS.API handlers for consumers.
#include <random>

#include "common/logging.h"
#include "jetstream/consumer_request.h"
#include "jetstream/engine/account_jetstream.h"
#include "jetstream/engine/consumer.h"
#include "jetstream/json_codec.h"
#include "routing/subject.h"

namespace spate::jetstream {

namespace rt = response_type;
using Json = nlohmann::ordered_json;
using server::LoopContext;

namespace {

constexpr int kConsumerNamesLimit = 1024;
constexpr int kConsumerListLimit = 256;
constexpr Duration kEphemeralInactiveThreshold =
    std::chrono::seconds(5);  // JsDeleteWaitTimeDefault

std::string NewConsumerName() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 gen(std::random_device{}());
  std::string name;
  for (int i = 0; i < 8; ++i) name.push_back(kAlphabet[gen() % 62]);
  return name;
}

Json Error(std::string_view type, ApiErrorId id, std::initializer_list<ApiErrorArg> args = {}) {
  return MakeApiErrorResponse(type, MakeApiError(id, args));
}

std::vector<std::string> FiltersOf(const ConsumerConfig& c) {
  std::vector<std::string> f = c.filter_subjects;
  if (!c.filter_subject.empty()) f.push_back(c.filter_subject);
  return f;
}

// nats-server's rules for a new consumer on a workqueue stream.
ApiStatus CheckWorkQueue(const ConsumerConfig& cfg, const ConsumerMap& existing) {
  if (cfg.ack_policy != AckPolicy::kExplicit) {
    return MakeApiError(ApiErrorId::kConsumerWQRequiresExplicitAck);
  }
  std::vector<std::string> mine = FiltersOf(cfg);
  for (auto& [n, c] : existing) {
    std::vector<std::string> theirs = FiltersOf(c->config());
    if (mine.empty() || theirs.empty()) {
      return MakeApiError(ApiErrorId::kConsumerWQMultipleUnfiltered);
    }
    for (const auto& a : mine) {
      for (const auto& b : theirs) {
        if (routing::SubjectsCollide(a, b)) {
          return MakeApiError(ApiErrorId::kConsumerWQConsumerNotUnique);
        }
      }
    }
  }
  if (cfg.deliver_policy != DeliverPolicy::kAll) {
    return MakeApiError(ApiErrorId::kConsumerWQConsumerNotDeliverAll);
  }
  return {};
}

}  // namespace

Json AccountJetStream::ConsumerCreate(LoopContext& ctx, std::string_view subject,
                                      std::string_view body) {
  ApiResult<ConsumerCreateTarget> target = ParseConsumerCreateSubject(subject);
  if (!target.ok()) return MakeApiErrorResponse(rt::kConsumerCreate, target.error());
  ApiResult<CreateConsumerRequest> req = DecodeCreateConsumerRequest(body);
  if (!req.ok()) return MakeApiErrorResponse(rt::kConsumerCreate, req.error());
  ApiResult<ConsumerConfig> checked = CheckConsumerCreateRequest(*target, *req);
  if (!checked.ok()) return MakeApiErrorResponse(rt::kConsumerCreate, checked.error());
  std::shared_ptr<Stream> stream = Find(target->stream);
  if (stream == nullptr) return Error(rt::kConsumerCreate, ApiErrorId::kStreamNotFound);

  // The account's consumers, counted before taking this stream's lock (Usage() takes each
  // stream's in turn); a concurrent create may slip past the limit by one, as a race anyway.
  const size_t account_consumers = env_.max_consumers >= 0 ? Usage().consumers : 0;
  std::lock_guard lock(stream->mutex());
  const StreamConfig& scfg = stream->config_unlocked();
  ConsumerConfig cfg = ApplyConsumerDefaults(*checked, scfg, env_.limits, env_.account_limits);
  if (ApiStatus st = CheckConsumerConfig(cfg, scfg, env_.limits, env_.account_limits); !IsOk(st)) {
    return MakeApiErrorResponse(rt::kConsumerCreate, std::get<ApiError>(st));
  }
  if (cfg.num_replicas > 1) {
    return Error(rt::kConsumerCreate, ApiErrorId::kStreamReplicasNotSupported);
  }
  std::string name = !cfg.durable_name.empty() ? cfg.durable_name : cfg.name;
  auto& consumers = stream->consumers();
  if (!name.empty()) {
    if (auto it = consumers.find(name); it != consumers.end()) {
      Consumer& c = *it->second;
      ConsumerConfig want = cfg;
      if (!want.IsDurable() && want.inactive_threshold.count() == 0) {
        want.inactive_threshold = c.config().inactive_threshold;
      }
      if (c.config() == want)
        return MakeApiResponse(rt::kConsumerCreate, EncodeConsumerInfo(c.Info(&ctx)));
      if (req->action == ConsumerAction::kCreate) {
        return Error(rt::kConsumerCreate, ApiErrorId::kConsumerAlreadyExists);
      }
      bool in_use =
          !c.config().deliver_subject.empty() && env_.HasInterest(ctx, c.config().deliver_subject);
      if (ApiStatus st = CheckConsumerUpdate(c.config(), want, in_use); !IsOk(st)) {
        return MakeApiErrorResponse(rt::kConsumerCreate, std::get<ApiError>(st));
      }
      c.UpdateConfig(want);
      (void)c.SaveMeta();
      stream->MarkNeedsSync();
      c.Deliver(ctx);
      return MakeApiResponse(rt::kConsumerCreate, EncodeConsumerInfo(c.Info(&ctx)));
    }
  }
  if (req->action == ConsumerAction::kUpdate) {
    return Error(rt::kConsumerCreate, ApiErrorId::kConsumerDoesNotExist);
  }
  if ((scfg.max_consumers > 0 && consumers.size() >= static_cast<size_t>(scfg.max_consumers)) ||
      (env_.max_consumers >= 0 && account_consumers >= static_cast<size_t>(env_.max_consumers))) {
    return Error(rt::kConsumerCreate, ApiErrorId::kMaximumConsumersLimit);
  }
  if (scfg.retention == RetentionPolicy::kWorkQueue) {
    if (ApiStatus st = CheckWorkQueue(cfg, consumers); !IsOk(st)) {
      return MakeApiErrorResponse(rt::kConsumerCreate, std::get<ApiError>(st));
    }
  }
  const bool durable = cfg.IsDurable();
  if (name.empty()) {
    do {
      name = NewConsumerName();
    } while (consumers.contains(name));
  }
  if (ApiStatus st = CheckConsumerName(name, durable); !IsOk(st)) {
    return MakeApiErrorResponse(rt::kConsumerCreate, std::get<ApiError>(st));
  }
  if (!durable && cfg.inactive_threshold.count() == 0) {
    cfg.inactive_threshold = kEphemeralInactiveThreshold;
  }
  std::string dir = durable && !stream->is_memory() && !cfg.mem_storage
                        ? stream->dir() + "/obs/" + name
                        : std::string();
  auto c = std::make_shared<Consumer>(*stream, name, cfg, server::WallClockNs(), dir);
  c->InitStart();
  if (Status st = c->SaveMeta(); !st.ok()) {
    stream->ForgetConsumer(c.get());
    (void)c->RemoveFiles();
    return Error(rt::kConsumerCreate, ApiErrorId::kConsumerStoreFailed, {{"err", st.message()}});
  }
  (void)c->SaveState(false);
  stream->MarkNeedsSync();
  consumers[name] = c;
  LOG_DEBUG("Created consumer '%s > %s > %s'", env_.account->name().c_str(), stream->name().c_str(),
            name.c_str());
  Json out = MakeApiResponse(rt::kConsumerCreate, EncodeConsumerInfo(c->Info(&ctx)));
  c->Deliver(ctx);
  return out;
}

Json AccountJetStream::ConsumerInfoResponse(LoopContext& ctx, std::string_view stream_name,
                                            std::string_view name) {
  std::shared_ptr<Stream> stream = Find(stream_name);
  if (stream == nullptr) return Error(rt::kConsumerInfo, ApiErrorId::kStreamNotFound);
  std::lock_guard lock(stream->mutex());
  auto it = stream->consumers().find(std::string(name));
  if (it == stream->consumers().end())
    return Error(rt::kConsumerInfo, ApiErrorId::kConsumerNotFound);
  return MakeApiResponse(rt::kConsumerInfo, EncodeConsumerInfo(it->second->Info(&ctx)));
}

Json AccountJetStream::ConsumerDelete(LoopContext& ctx, std::string_view stream_name,
                                      std::string_view name) {
  std::shared_ptr<Stream> stream = Find(stream_name);
  if (stream == nullptr) return Error(rt::kConsumerDelete, ApiErrorId::kStreamNotFound);
  std::lock_guard lock(stream->mutex());
  auto it = stream->consumers().find(std::string(name));
  if (it == stream->consumers().end()) {
    return Error(rt::kConsumerDelete, ApiErrorId::kConsumerNotFound);
  }
  it->second->OnDeleted(ctx);
  (void)it->second->RemoveFiles();
  stream->ForgetConsumer(it->second.get());
  stream->consumers().erase(it);
  Json out = MakeApiResponse(rt::kConsumerDelete, Json::object());
  out["success"] = true;
  return out;
}

namespace {

int ParseOffset(std::string_view body, bool* ok) {
  *ok = true;
  if (body.empty()) return 0;
  nlohmann::json j = ParseJson(body);
  if (!j.is_object()) {
    *ok = false;
    return 0;
  }
  JsonObjectReader r(j);
  int64_t offset = 0;
  r.Read("offset", &offset);
  *ok = r.ok();
  return static_cast<int>(std::max<int64_t>(offset, 0));
}

}  // namespace

Json AccountJetStream::ConsumerNames(std::string_view stream_name, std::string_view body) {
  bool ok = true;
  int offset = ParseOffset(body, &ok);
  if (!ok) return Error(rt::kConsumerNames, ApiErrorId::kInvalidJSON);
  std::shared_ptr<Stream> stream = Find(stream_name);
  if (stream == nullptr) return Error(rt::kConsumerNames, ApiErrorId::kStreamNotFound);
  std::lock_guard lock(stream->mutex());
  Json out = MakeApiResponse(rt::kConsumerNames, Json::object());
  out["total"] = stream->consumers().size();
  out["offset"] = offset;
  out["limit"] = kConsumerNamesLimit;
  Json list = Json::array();
  int i = 0;
  for (auto& [n, c] : stream->consumers()) {
    if (i++ < offset) continue;
    if (list.size() >= static_cast<size_t>(kConsumerNamesLimit)) break;
    list.push_back(n);
  }
  out["consumers"] = std::move(list);
  return out;
}

Json AccountJetStream::ConsumerList(LoopContext& ctx, std::string_view stream_name,
                                    std::string_view body) {
  bool ok = true;
  int offset = ParseOffset(body, &ok);
  if (!ok) return Error(rt::kConsumerList, ApiErrorId::kInvalidJSON);
  std::shared_ptr<Stream> stream = Find(stream_name);
  if (stream == nullptr) return Error(rt::kConsumerList, ApiErrorId::kStreamNotFound);
  std::lock_guard lock(stream->mutex());
  Json out = MakeApiResponse(rt::kConsumerList, Json::object());
  out["total"] = stream->consumers().size();
  out["offset"] = offset;
  out["limit"] = kConsumerListLimit;
  Json list = Json::array();
  int i = 0;
  for (auto& [n, c] : stream->consumers()) {
    if (i++ < offset) continue;
    if (list.size() >= static_cast<size_t>(kConsumerListLimit)) break;
    list.push_back(EncodeConsumerInfo(c->Info(&ctx)));
  }
  out["consumers"] = std::move(list);
  return out;
}

void AccountJetStream::ConsumerNext(LoopContext& ctx, std::string_view stream_name,
                                    std::string_view name, std::string_view reply,
                                    std::string_view body) {
  std::shared_ptr<Stream> stream = Find(stream_name);
  if (stream == nullptr) return;  // nats-server answers nothing either: the request times out
  std::lock_guard lock(stream->mutex());
  auto it = stream->consumers().find(name);
  if (it == stream->consumers().end()) return;
  it->second->OnPullRequest(ctx, reply, body);
}

}  // namespace spate::jetstream
