#include "jetstream/engine/stream.h"

#include <filesystem>

#include "common/logging.h"
#include "jetstream/engine/consumer.h"
#include "jetstream/engine/file_util.h"
#include "jetstream/engine/msg_headers.h"
#include "jetstream/json_codec.h"
#include "store/file_store.h"
#include "store/mem_store.h"

namespace spate::jetstream {

using server::InternalMsg;
using server::LoopContext;

namespace {

constexpr size_t kMaxHeaderSize = 64 * 1024 - 1;
constexpr std::string_view kDirectGetPrefix = "$JS.API.DIRECT.GET.";

uint64_t Unlimited(int64_t v) { return v < 0 ? 0 : static_cast<uint64_t>(v); }

// Runs an operation that may publish while the stream lock is held: deliveries that would
// reach an internal subscriber are queued on the loop instead of re-entering (see
// InternalHandler), which ticks, unlike message handlers, are not already covered by.
struct InternalScope {
  explicit InternalScope(LoopContext& ctx) : ctx(ctx) { ++ctx.internal_depth; }
  ~InternalScope() { --ctx.internal_depth; }
  LoopContext& ctx;
};

}  // namespace

store::StoreLimits StoreLimitsOf(const StreamConfig& config) {
  store::StoreLimits l;
  l.max_msgs = Unlimited(config.max_msgs);
  l.max_bytes = Unlimited(config.max_bytes);
  l.max_age_ns = config.max_age.count();
  l.max_msgs_per_subject = Unlimited(config.max_msgs_per_subject);
  l.max_msg_size = 0;  // checked by the stream on header + payload, as nats-server does
  l.discard = config.discard == DiscardPolicy::kNew ? store::DiscardPolicy::kNew
                                                    : store::DiscardPolicy::kOld;
  l.discard_new_per_subject = config.discard_new_per_subject;
  return l;
}

Stream::Stream(JsEnv& env, StreamConfig config, int64_t created_ns, std::string dir)
    : env_(env),
      name_(config.name),
      dir_(std::move(dir)),
      created_ns_(created_ns),
      memory_(config.storage == StorageType::kMemory),
      config_(std::move(config)) {
  // EncodePubAck's bytes up to the sequence number, so that each PubAck is one append.
  pub_ack_prefix_ = EncodePubAck({name_, StreamSeq{0}, env_.domain, false});
  pub_ack_prefix_.resize(pub_ack_prefix_.size() - 2);  // "0}"
  BuildTransformsLocked();
  BuildSourcesLocked();
}

void Stream::BuildTransformsLocked() {
  transform_.reset();
  republish_.reset();
  if (config_.subject_transform && !config_.subject_transform->destination.empty()) {
    transform_ = SubjectTransform::Make(config_.subject_transform->source,
                                        config_.subject_transform->destination);
  }
  if (config_.republish && !config_.republish->destination.empty()) {
    republish_ = SubjectTransform::Make(config_.republish->source, config_.republish->destination);
  }
}

void Stream::RepublishLocked(LoopContext& ctx, std::string_view subject, uint64_t seq,
                             uint64_t last_seq, int64_t ts, std::string_view headers,
                             std::string_view payload) {
  std::optional<std::string> to = republish_->Apply(subject);
  if (!to) return;
  HeaderWriter h;
  h.AddLinesOf(headers);
  h.Add("Nats-Stream", name_)
      .Add("Nats-Subject", subject)
      .Add("Nats-Sequence", seq)
      .Add("Nats-Time-Stamp", FormatTime(ts))
      .Add("Nats-Last-Sequence", last_seq);
  if (config_.republish->headers_only) {
    h.Add("Nats-Msg-Size", payload.size());
    payload = {};
  }
  env_.Publish(ctx, *to, {}, h.Finish(), payload);
}

Stream::~Stream() { Stop(); }

StreamConfig Stream::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

Status Stream::WriteMeta() {
  nlohmann::ordered_json meta;
  meta["config"] = EncodeStreamConfig(config_);
  meta["created"] = FormatTime(created_ns_);
  return WriteFileAtomic(dir_ + "/meta.json", DumpGoJson(meta), true);
}

Status Stream::Open(bool persist_meta) {
  std::lock_guard lock(mu_);
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::IoError("create " + dir_ + ": " + ec.message());
  if (persist_meta) SPATE_RETURN_IF_ERROR(WriteMeta());
  if (memory_) {
    store_ = std::make_unique<store::MemStore>(StoreLimitsOf(config_));
  } else {
    store::FileStoreOptions fo;
    fo.dir = dir_;
    fo.sync = env_.sync;
    fo.sync_interval = env_.sync_interval;
    fo.fsync_latency = env_.fsync_latency;
    SPATE_ASSIGN_OR_RETURN(auto fs, store::FileStore::Open(fo, StoreLimitsOf(config_)));
    if (!fs->recovery_report().empty()) {
      LOG_WARN("Stream '%s > %s' recovery: %s", env_.account->name().c_str(), name_.c_str(),
               fs->recovery_report().c_str());
    }
    store_ = std::move(fs);
  }
  if (config_.first_seq > 1 && store_->State().last_seq.value == 0) {
    (void)store_->Compact(StreamSeq{config_.first_seq});
  }
  LoadSourcePositionsLocked();
  // The duplicate window is rebuilt when a publish first needs it, not here: it reads every
  // message of the last `duplicate_window`, which would make every restart pay for it.
  dedup_rebuilt_ = store_->State().msgs == 0;
  ReaccountLocked();
  return Status::Ok();
}

void Stream::RebuildDuplicatesLocked(int64_t now_ns) {
  const int64_t window = config_.duplicate_window.count();
  store::StreamState st = store_->State();
  if (window <= 0 || st.msgs == 0) return;
  // Timestamps grow with the sequence: find the first message inside the window by bisection.
  const int64_t since = now_ns - window;
  uint64_t lo = st.first_seq.value, hi = st.last_seq.value + 1;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    auto m = store_->LoadNext("", StreamSeq{mid});
    if (!m.ok()) {
      hi = mid;
    } else if (m->timestamp_ns() <= since) {
      lo = m->seq().value + 1;
    } else {
      hi = mid;
    }
  }
  for (auto m = store_->LoadNext("", StreamSeq{lo}); m.ok();
       m = store_->LoadNext("", StreamSeq{m->seq().value + 1})) {
    if (m->headers().empty()) continue;
    auto id = FindHeader(m->headers(), kMsgIdHeader);
    if (!id || id->empty()) continue;
    std::string key(*id);
    msg_ids_[key] = m->seq().value;
    msg_id_order_.emplace_back(m->timestamp_ns(), key);
    last_msg_id_ = std::move(key);
  }
}

void Stream::ReaccountLocked() {
  if (!env_.StorageLimited(memory_) || store_ == nullptr) return;
  int64_t now = static_cast<int64_t>(store_->State().bytes);
  env_.AddStorageUsed(memory_, now - accounted_bytes_);
  accounted_bytes_ = now;
}

void Stream::Subscribe() {
  auto self = weak_from_this();
  auto on_pub = [self](LoopContext& ctx, const InternalMsg& m) {
    if (auto s = self.lock()) s->OnPublish(ctx, m);
  };
  for (const std::string& subject : config_.subjects) {
    subs_.push_back(env_.server.SubscribeInternal(*env_.account, subject, "", on_pub));
  }
  if (config_.allow_direct) {
    auto on_get = [self](LoopContext& ctx, const InternalMsg& m) {
      if (auto s = self.lock()) s->OnDirectGet(ctx, m);
    };
    std::string base = std::string(kDirectGetPrefix) + name_;
    subs_.push_back(env_.server.SubscribeInternal(*env_.account, base, "_sys_", on_get));
    subs_.push_back(env_.server.SubscribeInternal(*env_.account, base + ".>", "_sys_", on_get));
  }
  if (config_.mirror && config_.mirror_direct) {
    // A mirror with mirror_direct answers Direct Gets addressed to its origin too.
    auto on_get = [self](LoopContext& ctx, const InternalMsg& m) {
      if (auto s = self.lock()) s->OnDirectGet(ctx, m);
    };
    std::string base = std::string(kDirectGetPrefix) + config_.mirror->name;
    subs_.push_back(env_.server.SubscribeInternal(*env_.account, base, "_sys_", on_get));
    subs_.push_back(env_.server.SubscribeInternal(*env_.account, base + ".>", "_sys_", on_get));
  }
}

void Stream::Stop() {
  std::lock_guard lock(mu_);
  // Under the lock: an Update on another loop may be re-subscribing.
  for (auto& sub : subs_) env_.account->subs().Remove(sub.get());
  subs_.clear();
  if (stopped_) return;
  stopped_ = true;
  // Every consumer's state goes to the OS, then one syncfs makes them all durable: one sync
  // per consumer made shutdown take seconds with thousands of consumers.
  bool wrote = false;
  for (auto& [name, c] : consumers_) {
    if (c->state_dirty()) {
      (void)c->SaveState(false);
      wrote = true;
    }
  }
  if ((wrote || needs_fs_sync_) && !memory_) {
    if (Status st = SyncFileSystem(dir_); !st.ok()) {
      LOG_ERROR("Stream '%s': syncing consumer state: %s", name_.c_str(), st.message().c_str());
    }
  }
  if (store_ != nullptr) {
    env_.AddStorageUsed(memory_, -accounted_bytes_);
    accounted_bytes_ = 0;
    if (Status st = store_->Stop(); !st.ok()) {
      LOG_ERROR("Stream '%s': stopping store: %s", name_.c_str(), st.message().c_str());
    }
  }
}

Status Stream::Delete() {
  Stop();
  return RemoveTree(dir_);
}

store::StreamState Stream::State() {
  std::lock_guard lock(mu_);
  return store_->State();
}

ApiStatus Stream::Update(const StreamConfig& config) {
  std::lock_guard lock(mu_);
  bool subjects_changed =
      config.subjects != config_.subjects || config.allow_direct != config_.allow_direct;
  if (Status st = store_->UpdateLimits(StoreLimitsOf(config)); !st.ok()) {
    return MakeApiError(ApiErrorId::kStreamUpdate, {{"err", st.message()}});
  }
  StreamConfig old = std::move(config_);
  config_ = config;
  if (Status st = WriteMeta(); !st.ok()) {
    config_ = std::move(old);
    return MakeApiError(ApiErrorId::kStreamUpdate, {{"err", st.message()}});
  }
  BuildTransformsLocked();
  BuildSourcesLocked();
  if (subjects_changed) {
    // Re-subscribe outside the store calls; the trie is independent of our lock.
    for (auto& sub : subs_) env_.account->subs().Remove(sub.get());
    subs_.clear();
    Subscribe();
  }
  return {};
}

StreamInfo Stream::Info(const StreamInfoOptions& options) {
  std::lock_guard lock(mu_);
  store::StreamState s = store_->State({.include_deleted = options.deleted_details});
  StreamInfo info;
  info.config = config_;
  info.created = created_ns_;
  info.state.messages = s.msgs;
  info.state.bytes = s.bytes;
  info.state.first_seq = s.first_seq;
  info.state.last_seq = s.last_seq;
  if (s.msgs > 0) info.state.first_time = s.first_ts_ns;
  if (s.last_seq.value > 0 && s.last_ts_ns != 0) info.state.last_time = s.last_ts_ns;
  info.state.num_subjects = s.num_subjects;
  info.state.num_deleted = s.num_deleted;
  info.state.deleted = std::move(s.deleted);
  if (!options.subjects_filter.empty()) {
    for (auto& [subject, ss] : store_->SubjectsState(options.subjects_filter)) {
      info.state.subjects[subject] = ss.msgs;
    }
  }
  info.state.consumer_count = consumers_.size();
  info.domain = env_.domain;
  info.cluster = MakeLeaderInfo(env_.server.server_name());
  info.timestamp = server::WallClockNs();
  for (size_t i = 0; i < sources_.size(); ++i) {
    StreamSourceInfo si = SourceInfoLocked(sources_[i], *info.timestamp);
    if (config_.mirror && i == 0) {
      info.mirror = std::move(si);
    } else {
      info.sources.push_back(std::move(si));
    }
  }
  return info;
}

ApiResult<uint64_t> Stream::Purge(const PurgeRequest& request) {
  std::lock_guard lock(mu_);
  if (config_.sealed) return MakeApiError(ApiErrorId::kStreamSealed);
  if (config_.deny_purge) {
    return MakeApiError(ApiErrorId::kStreamPurgeFailed, {{"err", "stream purge not permitted"}});
  }
  Result<uint64_t> r = Status::Ok();
  if (request.filter.empty() && request.keep == 0 && request.seq == 0) {
    r = store_->Purge();
  } else if (request.filter.empty() && request.keep == 0) {
    r = store_->Compact(StreamSeq{request.seq});
  } else {
    r = store_->PurgeFiltered(request.filter, StreamSeq{request.seq}, request.keep);
  }
  if (!r.ok()) return MakeApiError(ApiErrorId::kStreamPurgeFailed, {{"err", r.status().message()}});
  // Consumers forget what they hold below the new first sequence and move up to it.
  uint64_t first = store_->State().first_seq.value;
  for (auto& [n, c] : consumers_) c->OnPurged(first);
  ReaccountLocked();
  return *r;
}

ApiResult<store::StoredMsg> Stream::GetMsg(const MsgGetRequest& request) {
  std::lock_guard lock(mu_);
  Result<store::StoredMsg> r = Status::Ok();
  if (!request.last_by_subject.empty()) {
    r = store_->LoadLast(request.last_by_subject);
  } else if (!request.next_by_subject.empty()) {
    r = store_->LoadNext(request.next_by_subject, StreamSeq{std::max<uint64_t>(request.seq, 1)});
  } else {
    r = store_->Load(StreamSeq{request.seq});
  }
  if (!r.ok()) return MakeApiError(ApiErrorId::kNoMessageFound);
  return std::move(*r);
}

ApiStatus Stream::DeleteMsg(uint64_t seq, bool no_erase) {
  std::lock_guard lock(mu_);
  if (config_.sealed) return MakeApiError(ApiErrorId::kStreamSealed);
  if (config_.deny_delete) {
    return MakeApiError(ApiErrorId::kStreamMsgDeleteFailed,
                        {{"err", "message delete not permitted"}});
  }
  Status st = no_erase ? store_->Remove(StreamSeq{seq}) : store_->Erase(StreamSeq{seq});
  if (st.code() == Status::Code::kNotFound) {
    return MakeApiError(ApiErrorId::kSequenceNotFound, {{"seq", std::to_string(seq)}});
  }
  if (!st.ok()) return MakeApiError(ApiErrorId::kStreamMsgDeleteFailed, {{"err", st.message()}});
  ReaccountLocked();
  return {};
}

bool Stream::InterestedInLocked(uint64_t seq, std::string_view subject, const Consumer* except) {
  for (auto& [n, c] : consumers_) {
    if (c.get() != except && c->Needs(seq, subject)) return true;
  }
  return false;
}

void Stream::PubError(LoopContext& ctx, std::string_view reply, const ApiError& error) {
  if (reply.empty()) return;
  env_.Publish(ctx, reply, {}, {}, EncodePubAckError(name_, error));
}

void Stream::ExpireDuplicatesLocked(int64_t now_ns) {
  int64_t window = config_.duplicate_window.count();
  while (!msg_id_order_.empty() &&
         (window <= 0 || msg_id_order_.front().first <= now_ns - window)) {
    auto it = msg_ids_.find(msg_id_order_.front().second);
    if (it != msg_ids_.end()) msg_ids_.erase(it);
    msg_id_order_.pop_front();
  }
}

void Stream::OnPublish(LoopContext& ctx, const InternalMsg& msg) {
  const int64_t now_ns = server::WallClockNs();
  std::lock_guard lock(mu_);
  if (stopped_) return;
  if (config_.sealed) return PubError(ctx, msg.reply, MakeApiError(ApiErrorId::kStreamSealed));
  std::optional<std::string_view> msg_id;
  std::string_view rollup;
  if (!msg.headers.empty()) {
    if (msg.headers.size() > kMaxHeaderSize) {
      return PubError(ctx, msg.reply, MakeApiError(ApiErrorId::kStreamHeaderExceedsMaximum));
    }
    if (auto v = FindHeader(msg.headers, kExpectedStreamHeader); v && *v != name_) {
      return PubError(ctx, msg.reply, MakeApiError(ApiErrorId::kStreamNotMatch));
    }
    msg_id = FindHeader(msg.headers, kMsgIdHeader);
    if (!dedup_rebuilt_ &&
        ((msg_id && !msg_id->empty()) || FindHeader(msg.headers, kExpectedLastMsgIdHeader))) {
      dedup_rebuilt_ = true;
      RebuildDuplicatesLocked(now_ns);
    }
    if (msg_id && !msg_id->empty()) {
      ExpireDuplicatesLocked(now_ns);
      auto it = msg_ids_.find(std::string(*msg_id));
      if (it != msg_ids_.end()) {
        if (!msg.reply.empty() && !config_.no_ack) {
          env_.Publish(ctx, msg.reply, {}, {},
                       EncodePubAck({name_, StreamSeq{it->second}, env_.domain, true}));
        }
        return;
      }
    }
    if (auto v = FindHeader(msg.headers, kExpectedLastSubjSeqHeader)) {
      auto want = FindUintHeader(msg.headers, kExpectedLastSubjSeqHeader);
      uint64_t last = 0;
      if (auto m = store_->LoadLast(msg.subject); m.ok()) last = m->seq().value;
      if (!want || *want != last) {
        return PubError(
            ctx, msg.reply,
            MakeApiError(ApiErrorId::kStreamWrongLastSequence, {{"seq", std::to_string(last)}}));
      }
    }
    if (auto v = FindHeader(msg.headers, kExpectedLastSeqHeader)) {
      auto want = FindUintHeader(msg.headers, kExpectedLastSeqHeader);
      uint64_t last = store_->State().last_seq.value;
      if (!want || *want != last) {
        return PubError(
            ctx, msg.reply,
            MakeApiError(ApiErrorId::kStreamWrongLastSequence, {{"seq", std::to_string(last)}}));
      }
    }
    if (auto v = FindHeader(msg.headers, kExpectedLastMsgIdHeader); v && *v != last_msg_id_) {
      return PubError(ctx, msg.reply,
                      MakeApiError(ApiErrorId::kStreamWrongLastMsgID, {{"id", last_msg_id_}}));
    }
    if (auto v = FindHeader(msg.headers, kRollupHeader)) {
      if (!config_.allow_rollup_hdrs || config_.deny_purge) {
        return PubError(
            ctx, msg.reply,
            MakeApiError(ApiErrorId::kStreamRollupFailed, {{"err", "rollup not permitted"}}));
      }
      if (*v != "sub" && *v != "all") {
        return PubError(
            ctx, msg.reply,
            MakeApiError(ApiErrorId::kStreamRollupFailed,
                         {{"err", "rollup value invalid: \"" + std::string(*v) + "\""}}));
      }
      rollup = *v;
    }
  }
  if (config_.max_msg_size > 0 &&
      msg.headers.size() + msg.payload.size() > static_cast<size_t>(config_.max_msg_size)) {
    return PubError(ctx, msg.reply, MakeApiError(ApiErrorId::kStreamMessageExceedsMaximum));
  }

  // As nats-server: refused once the usage is past the limit, so the last message accepted may
  // cross it.
  if (env_.server_storage.Exceeded(memory_)) {
    return PubError(ctx, msg.reply, MakeApiError(ApiErrorId::kInsufficientResources));
  }
  if (env_.account_storage.Exceeded(memory_)) {
    return PubError(ctx, msg.reply, MakeApiError(ApiErrorId::kAccountResourcesExceeded));
  }
  store::DurableCallback on_durable = [](StreamSeq, Status) {};
  if (!msg.reply.empty() && !config_.no_ack) {
    // Runs before Stop() returns (the store completes every callback), so `this` is alive.
    on_durable = [this, ctx = &ctx, reply = std::string(msg.reply)](StreamSeq seq,
                                                                    Status st) mutable {
      std::string body;
      if (st.ok()) {
        body.reserve(pub_ack_prefix_.size() + 24);
        body.append(pub_ack_prefix_).append(std::to_string(seq.value)).push_back('}');
      } else {
        body = EncodePubAckError(
            name_, MakeApiError(ApiErrorId::kStreamStoreFailed, {{"err", st.message()}}));
      }
      env_.SendAck(*ctx, std::move(reply), std::move(body));
    };
  }
  std::optional<std::string> mapped;
  if (transform_) mapped = transform_->Apply(msg.subject);
  const std::string_view subject = mapped ? std::string_view(*mapped) : msg.subject;
  // Republish names the previous message on the same subject (nats-server: 0 for none).
  uint64_t prev_last = 0;
  if (republish_) {
    if (auto last = store_->LoadLast(subject); last.ok()) prev_last = last->seq().value;
  }
  Result<StreamSeq> seq =
      store_->AppendAsync(subject, msg.headers, msg.payload, now_ns, std::move(on_durable));
  if (!seq.ok()) {
    LOG_DEBUG("Stream '%s': store refused a message: %s", name_.c_str(),
              seq.status().message().c_str());
    return PubError(
        ctx, msg.reply,
        MakeApiError(ApiErrorId::kStreamStoreFailed, {{"err", seq.status().message()}}));
  }
  if (msg_id && !msg_id->empty()) {
    std::string id(*msg_id);
    if (config_.duplicate_window.count() > 0) {
      msg_ids_[id] = seq->value;
      msg_id_order_.emplace_back(now_ns, id);
    }
    last_msg_id_ = std::move(id);
  }
  if (republish_)
    RepublishLocked(ctx, subject, seq->value, prev_last, now_ns, msg.headers, msg.payload);
  if (rollup == "sub") {
    (void)store_->PurgeFiltered(subject, *seq, 0);
  } else if (rollup == "all") {
    (void)store_->Compact(*seq);
  }
  // Interest retention keeps a message only while some consumer still wants it: with none, it
  // is acknowledged and dropped at once, as nats-server does.
  if (config_.retention == RetentionPolicy::kInterest &&
      !InterestedInLocked(seq->value, subject, nullptr)) {
    (void)store_->Remove(*seq);
  }
  ReaccountLocked();
  if (!consumers_.empty()) {
    for (auto& [n, c] : consumers_) c->OnAppended(seq->value, subject);
    FreshMsg fresh{seq->value, now_ns, subject, msg.headers, msg.payload};
    fresh_ = &fresh;
    DeliverToConsumersLocked(ctx);
    fresh_ = nullptr;
  }
}

void Stream::DeliverToConsumersLocked(LoopContext& ctx) {
  for (auto& [n, c] : consumers_) c->Deliver(ctx);
}

void Stream::OnDirectGet(LoopContext& ctx, const InternalMsg& msg) {
  if (msg.reply.empty()) return;
  MsgGetRequest req;
  // After the prefix: this stream's name, or the origin's when serving as its mirror.
  std::string_view target = msg.subject.substr(kDirectGetPrefix.size());
  std::string_view rest = target.substr(std::min(target.find('.'), target.size()));
  bool bad = false;
  if (!rest.empty()) {
    // $JS.API.DIRECT.GET.<stream>.<subject>: the last message on that subject.
    req.last_by_subject = std::string(rest.substr(1));
    if (!msg.payload.empty()) bad = true;
  } else if (msg.payload.empty()) {
    bad = true;
  } else {
    nlohmann::json j = ParseJson(msg.payload);
    JsonObjectReader r(j);
    r.Read("seq", &req.seq);
    r.Read("last_by_subj", &req.last_by_subject);
    r.Read("next_by_subj", &req.next_by_subject);
    bad = !r.ok() || (req.seq == 0 && req.last_by_subject.empty() && req.next_by_subject.empty());
  }
  if (bad) {
    env_.Publish(ctx, msg.reply, {}, HeaderWriter("408", "Bad Request").Finish(), {});
    return;
  }
  ApiResult<store::StoredMsg> r = GetMsg(req);
  if (!r.ok()) {
    env_.Publish(ctx, msg.reply, {}, HeaderWriter("404", "Message Not Found").Finish(), {});
    return;
  }
  HeaderWriter h;
  h.AddLinesOf(r->headers());
  h.Add("Nats-Stream", name_)
      .Add("Nats-Subject", r->subject())
      .Add("Nats-Sequence", r->seq().value)
      .Add("Nats-Time-Stamp", FormatTime(r->timestamp_ns()));
  env_.Publish(ctx, msg.reply, {}, h.Finish(), r->payload());
}

void Stream::Tick(LoopContext& ctx, int64_t now_ns, int* checkpoints_left) {
  InternalScope scope(ctx);
  std::unique_lock lock(mu_);
  if (stopped_) return;
  if (config_.max_age.count() > 0) (void)store_->ExpireOlderThan(now_ns);
  // The index snapshot about once a minute after changes: a restart after kill -9 then scans
  // only what came after it (a few ms of work for a big stream, under the stream's lock).
  if (*checkpoints_left > 0 && store_->CheckpointDue()) {
    --*checkpoints_left;
    if (Status st = store_->Checkpoint(); !st.ok()) {
      LOG_WARN("Stream '%s': writing the index snapshot: %s", name_.c_str(), st.message().c_str());
    }
  }
  ReaccountLocked();
  ExpireDuplicatesLocked(now_ns);
  std::vector<Consumer*> expired;
  for (auto it = ticking_.begin(); it != ticking_.end();) {
    Consumer& c = **it;
    c.Tick(ctx, now_ns);
    if (c.Expired(now_ns)) {
      expired.push_back(&c);
    } else if (c.state_dirty()) {
      (void)c.SaveState(false);
    }
    if (c.Quiet()) {
      it = ticking_.erase(it);
    } else {
      ++it;
    }
  }
  for (Consumer* c : expired) {
    LOG_DEBUG("Stream '%s': consumer '%s' inactive, deleting", name_.c_str(), c->name().c_str());
    c->OnDeleted(ctx);
    (void)c->RemoveFiles();
    ticking_.erase(c);
    std::string name = c->name();
    consumers_.erase(name);  // destroys c
  }
  if (needs_fs_sync_) {
    needs_fs_sync_ = false;
    lock.unlock();  // syncfs may take a while: publishers and the API must not wait for it
    if (Status st = SyncFileSystem(dir_); !st.ok()) {
      LOG_ERROR("Stream '%s': syncing consumer files: %s", name_.c_str(), st.message().c_str());
    }
  }
}

void Stream::ExpirePullRequests(LoopContext& ctx, const std::string& consumer) {
  InternalScope scope(ctx);
  std::lock_guard lock(mu_);
  if (stopped_) return;
  auto it = consumers_.find(consumer);
  if (it != consumers_.end()) it->second->ExpireRequestsNow(ctx);
}

void Stream::ContinuePush(LoopContext& ctx, const std::string& consumer) {
  InternalScope scope(ctx);
  std::lock_guard lock(mu_);
  if (stopped_) return;
  auto it = consumers_.find(consumer);
  if (it != consumers_.end()) it->second->ContinuePush(ctx);
}

}  // namespace spate::jetstream
