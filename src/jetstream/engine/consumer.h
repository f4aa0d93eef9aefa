#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "jetstream/api_types.h"
#include "jetstream/consumer_config.h"
#include "server/loop_context.h"
#include "store/stored_msg.h"

namespace spate::jetstream {

class Stream;

// A pull request waiting for messages ($JS.API.CONSUMER.MSG.NEXT).
struct PullRequest {
  std::string reply;
  int64_t batch = 1;
  int64_t max_bytes = 0;
  int64_t expires_ns = 0;  // wall clock deadline, 0: none
  bool no_wait = false;
  int64_t heartbeat_ns = 0;
  int64_t next_heartbeat_ns = 0;
  int64_t delivered = 0;
  int64_t bytes = 0;  // sent so far
};

// A message handed out and not yet acknowledged.
struct PendingMsg {
  uint64_t cseq = 0;
  int64_t deadline_ns = 0;   // redeliver after this (ack wait or backoff)
  int64_t delivered_ns = 0;  // when it went out (ack time samples; 0 after a restart)
};

// What a consumer has done, as persisted (state.json) and restored.
struct ConsumerState {
  uint64_t delivered_cseq = 0;  // last consumer sequence handed out
  uint64_t delivered_sseq = 0;  // stream sequence of that delivery
  uint64_t ack_floor_cseq = 0;
  uint64_t ack_floor_sseq = 0;
  std::map<uint64_t, PendingMsg> pending;     // by stream sequence
  std::map<uint64_t, uint64_t> redeliveries;  // stream sequence -> deliveries so far (> 1)
};

// One consumer of a stream: push or pull, durable or ephemeral, with acks and redelivery.
//
// Threading: every method runs with the stream's mutex held (Stream::mutex()); deliveries are
// published from the calling loop `ctx`.
class Consumer {
 public:
  Consumer(Stream& stream, std::string name, ConsumerConfig config, int64_t created_ns,
           std::string dir);

  const std::string& name() const { return name_; }
  const ConsumerConfig& config() const { return config_; }
  int64_t created_ns() const { return created_ns_; }
  bool is_pull() const { return config_.deliver_subject.empty(); }
  bool durable() const { return !config_.durable_name.empty(); }

  // Sets the starting point from the deliver policy (new consumers).
  void InitStart();
  Status LoadState();
  Status SaveMeta();
  Status SaveState(bool sync);
  bool state_dirty() const { return dirty_; }
  Status RemoveFiles();
  void UpdateConfig(const ConsumerConfig& config);

  ConsumerInfo Info(server::LoopContext* ctx);

  // Hands out what it can: new messages to push subscribers or waiting pull requests.
  void Deliver(server::LoopContext& ctx);
  // $JS.API.CONSUMER.MSG.NEXT.
  void OnPullRequest(server::LoopContext& ctx, std::string_view reply, std::string_view body);
  // $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>
  void OnAck(server::LoopContext& ctx, uint64_t sseq, uint64_t cseq, std::string_view body,
             std::string_view reply);
  void Tick(server::LoopContext& ctx, int64_t now_ns);
  // Goes on with a push delivery pass that yielded (see DeliverPush).
  void ContinuePush(server::LoopContext& ctx);
  // Nothing for the tick to do: a pull consumer with no requests waiting, nothing pending, no
  // inactivity timer, no state to save.
  bool Quiet() const {
    return is_pull() && waiting_.empty() && st_.pending.empty() && redeliver_.empty() &&
           config_.inactive_threshold.count() == 0 && !dirty_;
  }
  // Marks the state changed (to be saved) and the consumer as one the tick must visit.
  void Touch();
  // Answers the pull requests whose expiry has passed.
  void ExpireRequestsNow(server::LoopContext& ctx);
  // A reply to one of our flow control requests ($JS.FC.<stream>.<consumer>.<n>).
  void OnFlowControlReply(server::LoopContext& ctx, std::string_view subject);
  // Answers every waiting request with 409 Consumer Deleted.
  void OnDeleted(server::LoopContext& ctx);
  // Whether this consumer still needs `seq` (not yet acked); for interest retention.
  bool Needs(uint64_t seq, std::string_view subject) const;
  bool Matches(std::string_view subject) const;
  // The stream dropped everything below `first_seq`.
  void OnPurged(uint64_t first_seq);
  // An ephemeral (or a durable with inactive_threshold) that nobody used for the threshold.
  bool Expired(int64_t now_ns) const;
  int64_t num_pending() const;
  // The stream stored `seq` on `subject` (keeps the pending count without a recount).
  void OnAppended(uint64_t seq, std::string_view subject);

 private:
  enum class Source : uint8_t { kNone, kRedelivery, kInitial, kNew };
  // Looks at the next message to hand out into scratch_ without taking it.
  Source Peek();
  // Takes what Peek found and sends it to `to`.
  void Send(server::LoopContext& ctx, Source source, std::string_view to, int64_t now_ns);
  bool CanDeliver() const;
  uint64_t MsgSize() const;
  void AckOne(uint64_t sseq);
  // sample_freq: publishes $JS.EVENT.METRIC.CONSUMER.ACK for a sampled share of acks.
  void SampleAck(server::LoopContext& ctx, uint64_t sseq, const PendingMsg& p, int64_t now_ns);
  void AfterAck();
  void UpdateAckFloor();
  void SendStatus(server::LoopContext& ctx, std::string_view to, std::string_view status,
                  std::string_view description, std::string_view extra_headers = {});
  void ExpireRequests(server::LoopContext& ctx, int64_t now_ns);
  // Ends the no_wait requests that are done; `at_end`: nothing is left to deliver (rather than
  // max_ack_pending holding delivery back).
  void AnswerNoWait(server::LoopContext& ctx, bool at_end);
  // Publishes $JS.EVENT.ADVISORY.CONSUMER.<event>.<stream>.<consumer>.
  void Advise(server::LoopContext& ctx, std::string_view event, std::string_view type,
              uint64_t sseq, uint64_t cseq, uint64_t deliveries, std::string_view reason,
              int64_t now_ns);
  void Heartbeats(server::LoopContext& ctx, int64_t now_ns);
  void DeliverPush(server::LoopContext& ctx, int64_t now_ns);
  // Push pacing (consumer_push.cc): flow control, rate limit, replay in original timing.
  bool PushPaused(int64_t now_ns) const;
  bool ReplayDue(Source source, int64_t now_ns);
  void AfterPushSend(server::LoopContext& ctx, uint64_t bytes, int64_t now_ns);
  int64_t AckWaitFor(uint64_t deliveries) const;
  uint64_t CountPending() const;  // matching messages at or after next_sseq_, from the store
  // Whether pending_count_ is right now (it notes the removals it has checked).
  bool PendingCountCurrent() const;

  Stream& stream_;
  const std::string name_;
  ConsumerConfig config_;
  const int64_t created_ns_;
  const std::string dir_;
  std::vector<std::string> filters_;  // empty: everything
  int sample_percent_ = 0;            // sample_freq as a percentage, 0: off

  ConsumerState st_;
  uint64_t next_sseq_ = 1;        // next stream sequence to look at for new messages
  std::set<uint64_t> redeliver_;  // stream sequences due for redelivery, in order
  std::deque<uint64_t> initial_;  // last_per_subject: the sequences to start with
  // The count of matching messages at or after next_sseq_, asked for every delivery (the ack
  // subject carries it). Recounting visits every matching subject, so it is kept up to date by
  // appends and deliveries and recounted only when something else moved (removals at or after
  // `from`, appends not seen, a jump of next_sseq_).
  struct PendingCount {
    bool valid = false;
    uint64_t from = 0;      // the next_sseq_ it counts from
    uint64_t last_seq = 0;  // the last stream sequence it includes
    uint64_t removals = 0;  // the store's RemovalCount() when it was last known right
    uint64_t count = 0;
  };
  mutable PendingCount pending_count_;
  store::StoredMsg scratch_;
  std::deque<PullRequest> waiting_;
  bool dirty_ = false;
  int64_t last_active_ns_ = 0;  // last pull request, ack or push interest
  int64_t last_delivery_ns_ = 0;
  int64_t last_heartbeat_ns_ = 0;
  uint64_t num_redelivered_ = 0;
  // Push pacing state.
  uint64_t fc_bytes_ = 0;             // sent since the last flow control request
  uint64_t fc_count_ = 0;             // requests sent (names them)
  std::string fc_pending_;            // the request not answered yet, "" if none
  uint64_t fc_pending_bytes_ = 0;     // sent since that request
  int64_t rate_window_ns_ = 0;        // start of the current one-second rate window
  uint64_t rate_bytes_ = 0;           // sent in it
  int64_t replay_start_ns_ = 0;       // replay original: when the first message went out
  int64_t replay_first_ts_ = 0;       // and its timestamp
  bool continuation_posted_ = false;  // DeliverPush yielded and posted ContinuePush
};

}  // namespace spate::jetstream
