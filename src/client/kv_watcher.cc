// KeyValue::Watch / Keys / History: ordered consumers over the bucket's subjects.
#include <condition_variable>
#include <deque>
#include <mutex>

#include "client/jetstream.h"
#include "client/jetstream_state.h"
#include "client/key_value.h"

namespace spate::client {
namespace detail {

// Entries from the dispatcher thread to KvWatcher::Next. nullopt is the initial-values marker,
// queued once: when the consumer is created with nothing pending, or when a delivery reports
// that nothing more is pending (its delta is 0), whichever comes first.
struct WatchQueue {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::optional<KvEntry>> entries;
  bool init_done = false;
  bool ignore_deletes = false;
  std::string bucket;
  size_t prefix_len = 0;  // of "$KV.<bucket>."

  void MarkInitDoneLocked() {
    if (init_done) return;
    init_done = true;
    entries.emplace_back(std::nullopt);
    cv.notify_all();
  }

  void OnMsg(JsMsg& m) {
    Result<MsgMetadata> md = m.Metadata();
    if (!md.ok() || m.subject().size() <= prefix_len) return;
    KvEntry e;
    e.bucket = bucket;
    e.key = m.subject().substr(prefix_len);
    e.value = m.data();
    e.revision = md->stream_seq.value;
    e.created = md->timestamp;
    e.delta = md->num_pending;
    if (auto op = m.headers().Get("KV-Operation")) {
      e.operation = *op == "DEL" ? KvOp::kDelete : *op == "PURGE" ? KvOp::kPurge : KvOp::kPut;
    }
    std::lock_guard lock(mu);
    if (!(ignore_deletes && e.operation != KvOp::kPut)) {
      entries.emplace_back(std::move(e));
      cv.notify_all();
    }
    if (md->num_pending == 0) MarkInitDoneLocked();
  }

  void OnCreated(const ConsumerInfo& info) {
    std::lock_guard lock(mu);
    if (info.num_pending == 0) MarkInitDoneLocked();
  }
};

}  // namespace detail

KvWatcher::~KvWatcher() { Stop(); }

void KvWatcher::Stop() {
  if (consumer_) consumer_->Stop();
}

Result<std::optional<KvEntry>> KvWatcher::Next(std::chrono::milliseconds timeout) {
  if (conn_ != nullptr && conn_->OnIoThread()) return IoThreadError("KvWatcher::Next");
  std::unique_lock lock(queue_->mu);
  if (!queue_->cv.wait_for(lock, timeout, [&] { return !queue_->entries.empty(); })) {
    return TimeoutError("no key-value update within " + std::to_string(timeout.count()) + " ms");
  }
  std::optional<KvEntry> e = std::move(queue_->entries.front());
  queue_->entries.pop_front();
  return e;
}

Result<std::unique_ptr<KvWatcher>> KeyValue::Watch(std::string_view keys, KvWatchOptions options) {
  if (keys.empty()) return Status::InvalidArgument("empty key pattern");
  for (char c : keys) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      return Status::InvalidArgument("invalid key pattern '" + std::string(keys) + "'");
    }
  }
  auto queue = std::make_shared<detail::WatchQueue>();
  queue->ignore_deletes = options.ignore_deletes;
  queue->bucket = bucket_;
  queue->prefix_len = prefix_.size();
  OrderedConsumerOptions o;
  o.filter_subjects = {Subject(keys)};
  o.deliver_policy = options.include_history ? DeliverPolicy::kAll : DeliverPolicy::kLastPerSubject;
  o.headers_only = options.meta_only;
  std::unique_ptr<KvWatcher> w(new KvWatcher());
  w->queue_ = queue;
  w->conn_ = js_->conn;
  SPATE_ASSIGN_OR_RETURN(w->consumer_,
                         JetStream(js_).SubscribeOrderedInternal(
                             stream_, o, [queue](JsMsg& m) { queue->OnMsg(m); },
                             [queue](const ConsumerInfo& info) { queue->OnCreated(info); }));
  return w;
}

Result<std::vector<std::string>> KeyValue::Keys() {
  KvWatchOptions o;
  o.ignore_deletes = true;
  o.meta_only = true;
  SPATE_ASSIGN_OR_RETURN(std::unique_ptr<KvWatcher> w, WatchAll(o));
  std::vector<std::string> keys;
  while (true) {
    SPATE_ASSIGN_OR_RETURN(std::optional<KvEntry> e, w->Next(js_->options.timeout));
    if (!e) break;
    keys.push_back(std::move(e->key));
  }
  return keys;
}

Result<std::vector<KvEntry>> KeyValue::History(std::string_view key) {
  if (!IsValidKey(key)) return Status::InvalidArgument("invalid key '" + std::string(key) + "'");
  KvWatchOptions o;
  o.include_history = true;
  SPATE_ASSIGN_OR_RETURN(std::unique_ptr<KvWatcher> w, Watch(key, o));
  std::vector<KvEntry> out;
  while (true) {
    SPATE_ASSIGN_OR_RETURN(std::optional<KvEntry> e, w->Next(js_->options.timeout));
    if (!e) break;
    out.push_back(std::move(*e));
  }
  if (out.empty()) {
    return Status::NotFound(std::string(kKeyNotFoundText) + ": '" + std::string(key) + "'");
  }
  return out;
}

}  // namespace spate::client
