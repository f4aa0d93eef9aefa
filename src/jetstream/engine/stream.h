#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "jetstream/api_error.h"
#include "jetstream/api_types.h"
#include "jetstream/engine/js_env.h"
#include "jetstream/engine/subject_transform.h"
#include "jetstream/stream_config.h"
#include "server/subscription.h"
#include "store/stream_store.h"

namespace spate::jetstream {

class Consumer;
// By name; std::less<> so that lookups by string_view allocate nothing (acks, pull requests).
using ConsumerMap = std::map<std::string, std::shared_ptr<Consumer>, std::less<>>;

struct StreamInfoOptions {
  bool deleted_details = false;
  std::string subjects_filter;
};

struct PurgeRequest {
  std::string filter;
  uint64_t seq = 0;   // purge below this sequence (0: no bound)
  uint64_t keep = 0;  // keep the newest N (0: none)
};

struct MsgGetRequest {
  uint64_t seq = 0;
  std::string last_by_subject;
  std::string next_by_subject;
};

// One stream: its configuration, its store, its internal subscriptions and its consumers.
//
// Threading: every public method may be called from any event loop; the stream serialises them
// with its own mutex (held briefly, never while waiting for I/O other than the store's own
// writes). Consumers are guarded by the same mutex: they are part of the stream's state. Store
// durability callbacks run on the store's thread and only post to loops.
// Lifecycle: created or recovered by JetStream, which holds it in its registry; Stop() ends it
// (subscriptions removed, store stopped); Delete() also removes its files.
class Stream : public std::enable_shared_from_this<Stream> {
 public:
  Stream(JsEnv& env, StreamConfig config, int64_t created_ns, std::string dir);
  ~Stream();

  // Opens (or recovers) the store; writes the metadata file when `persist_meta`.
  Status Open(bool persist_meta);
  // Starts receiving messages on the stream's subjects (and Direct Get requests).
  void Subscribe();
  void Stop();
  Status Delete();

  const std::string& name() const { return name_; }
  const std::string& dir() const { return dir_; }
  StreamConfig config() const;
  int64_t created_ns() const { return created_ns_; }
  bool is_memory() const { return memory_; }

  // API operations.
  ApiStatus Update(const StreamConfig& config);
  StreamInfo Info(const StreamInfoOptions& options);
  ApiResult<uint64_t> Purge(const PurgeRequest& request);
  ApiResult<store::StoredMsg> GetMsg(const MsgGetRequest& request);
  ApiStatus DeleteMsg(uint64_t seq, bool no_erase);
  store::StreamState State();

  // Consumers (JetStream's consumer API calls these).
  std::mutex& mutex() { return mu_; }
  store::StreamStore& store() { return *store_; }  // under mutex()
  const store::StreamStore& store() const { return *store_; }
  const StreamConfig& config_unlocked() const { return config_; }  // under mutex()
  JsEnv& env() { return env_; }
  ConsumerMap& consumers() { return consumers_; }  // mutex()
  // The message being published right now (set during OnPublish's delivery to consumers), so a
  // caught-up consumer sends it without reading it back from the store. nullptr otherwise.
  struct FreshMsg {
    uint64_t seq;
    int64_t timestamp_ns;
    std::string_view subject, headers, payload;
  };
  const FreshMsg* fresh() const { return fresh_; }  // under mutex()
  // The tick visits only consumers that asked for it since they were last quiet (a pending ack,
  // a waiting request, state to save, a push subscriber or an inactivity timer to watch), so
  // thousands of idle consumers cost nothing. Under mutex().
  void MarkTicking(Consumer* c) { ticking_.insert(c); }
  // Before a consumer is destroyed. Under mutex().
  void ForgetConsumer(Consumer* c) { ticking_.erase(c); }
  // Whether any consumer other than `except` still needs `seq` (interest retention).
  bool InterestedInLocked(uint64_t seq, std::string_view subject, const Consumer* except);

  // The publish path: a message on one of the stream's subjects, on loop `ctx`.
  void OnPublish(server::LoopContext& ctx, const server::InternalMsg& msg);
  // Timers: age limits, duplicate window, consumers' redeliveries and request expiry.
  // Periodic work; writes the store's checkpoint if due and `*checkpoints_left` > 0 (taking one).
  void Tick(server::LoopContext& ctx, int64_t now_ns, int* checkpoints_left);
  // Consumer files were written without fsync: the next tick syncs the filesystem once.
  void MarkNeedsSync() { needs_fs_sync_ = true; }  // under mutex()
  // Continues a push consumer's delivery pass (posted by the consumer).
  void ContinuePush(server::LoopContext& ctx, const std::string& consumer);
  // A pull request of `consumer` may have expired (a loop timer).
  void ExpirePullRequests(server::LoopContext& ctx, const std::string& consumer);

  // Mirror and sources (stream_sources.cc). The copier (JetStream's tick) reads a batch from the
  // origin with ReadFrom, under the origin's lock, then appends it here with AppendSourced,
  // under this stream's lock: never both locks at once.
  struct SourceCursor {
    std::string name;
    std::vector<std::string> filters;  // empty: everything
    uint64_t next_seq = 1;             // next origin sequence to copy
  };
  std::vector<SourceCursor> SourceCursors();
  // Set in ReadFrom's *last_seq when it found everything up to the origin's end.
  static constexpr uint64_t kCaughtUpBit = uint64_t{1} << 63;
  std::vector<store::StoredMsg> ReadFrom(const std::vector<std::string>& filters, uint64_t start,
                                         size_t max, uint64_t* last_seq);
  // Appends what was read from source `index`; `origin_last` is the origin's last sequence
  // (for the lag), `origin_missing` that the origin stream does not exist.
  void AppendSourced(server::LoopContext& ctx, size_t index, std::vector<store::StoredMsg>& msgs,
                     uint64_t origin_last, bool origin_missing);

 private:
  void OnDirectGet(server::LoopContext& ctx, const server::InternalMsg& msg);
  struct SourceState {
    StreamSource config;
    std::vector<std::string> filters;
    std::vector<SubjectTransform> transforms;  // first that matches wins
    uint64_t next_seq = 0;                     // 0: not started (apply opt_start_*)
    uint64_t lag = 0;
    int64_t last_active_ns = 0;
    bool missing = false;
  };
  void BuildSourcesLocked();
  void LoadSourcePositionsLocked();
  void SaveSourcePositionsLocked();
  StreamSourceInfo SourceInfoLocked(const SourceState& s, int64_t now_ns) const;
  void PubError(server::LoopContext& ctx, std::string_view reply, const ApiError& error);
  void DeliverToConsumersLocked(server::LoopContext& ctx);
  store::StoreLimits LimitsOf(const StreamConfig& config) const;
  Status WriteMeta();
  void ExpireDuplicatesLocked(int64_t now_ns);
  // After a restart: the Nats-Msg-Ids still inside the duplicate window, from the stored messages.
  void RebuildDuplicatesLocked(int64_t now_ns);
  // Storage limits: the limit that applies to this stream (-1: none), and bringing the shared
  // usage figure up to date after a change.
  void ReaccountLocked();
  void BuildTransformsLocked();
  void RepublishLocked(server::LoopContext& ctx, std::string_view subject, uint64_t seq,
                       uint64_t last_seq, int64_t ts, std::string_view headers,
                       std::string_view payload);

  JsEnv& env_;
  const std::string name_;
  const std::string dir_;
  const int64_t created_ns_;
  const bool memory_;
  std::string pub_ack_prefix_;  // {"stream":"NAME", "seq":
  mutable std::mutex mu_;
  StreamConfig config_;                        // under mu_
  std::unique_ptr<store::StreamStore> store_;  // under mu_
  std::vector<std::shared_ptr<server::ServerSubscription>> subs_;
  ConsumerMap consumers_;  // under mu_
  // Nats-Msg-Id duplicate window: id -> sequence, and ids in arrival order for expiry.
  std::unordered_map<std::string, uint64_t> msg_ids_;
  std::deque<std::pair<int64_t, std::string>> msg_id_order_;
  std::string last_msg_id_;
  std::optional<SubjectTransform> transform_;  // config_.subject_transform
  std::optional<SubjectTransform> republish_;  // config_.republish
  std::vector<SourceState> sources_;           // the mirror, or the sources
  bool needs_fs_sync_ = false;
  const FreshMsg* fresh_ = nullptr;
  std::unordered_set<Consumer*> ticking_;  // under mu_
  bool dedup_rebuilt_ = true;              // false after a restart until a publish needs the window
  int64_t accounted_bytes_ = 0;            // this stream's share of the storage used
  bool stopped_ = false;
};

// Limits of the config as the store applies them (-1 becomes 0, unlimited).
store::StoreLimits StoreLimitsOf(const StreamConfig& config);

}  // namespace spate::jetstream
