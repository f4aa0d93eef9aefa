// Push delivery and its pacing: interest, flow control, rate limit, replay in original timing,
// idle heartbeats.
#include "jetstream/engine/consumer.h"
#include "jetstream/engine/msg_headers.h"
#include "jetstream/engine/stream.h"

namespace spate::jetstream {

using server::LoopContext;

namespace {

// Bytes between flow control requests; delivery stalls once another window's worth went out
// while a request is unanswered (nats.go answers each one as it reaches it).
constexpr uint64_t kFlowControlWindow = 256 * 1024;
constexpr int64_t kSecond = 1'000'000'000;
// Bytes one delivery pass queues for a push subscriber before yielding to the loop.
constexpr uint64_t kMaxBurst = 1 << 20;

}  // namespace

void Consumer::DeliverPush(LoopContext& ctx, int64_t now_ns) {
  if (continuation_posted_) return;  // a continuation will go on from here
  if (!stream_.env().HasInterest(ctx, config_.deliver_subject)) return;
  last_active_ns_ = now_ns;
  uint64_t sent = 0;
  while (CanDeliver() && !PushPaused(now_ns)) {
    if (sent >= kMaxBurst) {
      // Let the loop write what is queued before queueing more: without acks or flow control
      // nothing else bounds how much of the stream would sit in the subscriber's buffer.
      continuation_posted_ = true;
      std::weak_ptr<Stream> weak = stream_.weak_from_this();
      ctx.loop.Post([weak, name = name_, &ctx] {
        if (auto s = weak.lock()) s->ContinuePush(ctx, name);
      });
      return;
    }
    Source src = Peek();
    if (src == Source::kNone || !ReplayDue(src, now_ns)) break;
    uint64_t bytes = MsgSize();
    Send(ctx, src, config_.deliver_subject, now_ns);
    AfterPushSend(ctx, bytes, now_ns);
    sent += bytes;
  }
}

void Consumer::ContinuePush(LoopContext& ctx) {
  continuation_posted_ = false;
  DeliverPush(ctx, server::WallClockNs());
}

bool Consumer::PushPaused(int64_t now_ns) const {
  if (config_.flow_control && !fc_pending_.empty() && fc_pending_bytes_ >= kFlowControlWindow) {
    return true;
  }
  if (config_.rate_limit_bps > 0 && now_ns - rate_window_ns_ < kSecond &&
      rate_bytes_ * 8 >= config_.rate_limit_bps) {
    return true;
  }
  return false;
}

bool Consumer::ReplayDue(Source source, int64_t now_ns) {
  if (config_.replay_policy != ReplayPolicy::kOriginal || source == Source::kRedelivery) {
    return true;
  }
  if (replay_start_ns_ == 0) {
    replay_start_ns_ = now_ns;
    replay_first_ts_ = scratch_.timestamp_ns();
    return true;
  }
  return now_ns - replay_start_ns_ >= scratch_.timestamp_ns() - replay_first_ts_;
}

void Consumer::AfterPushSend(LoopContext& ctx, uint64_t bytes, int64_t now_ns) {
  if (config_.rate_limit_bps > 0) {
    if (now_ns - rate_window_ns_ >= kSecond) {
      rate_window_ns_ = now_ns;
      rate_bytes_ = 0;
    }
    rate_bytes_ += bytes;
  }
  if (!config_.flow_control) return;
  if (!fc_pending_.empty()) fc_pending_bytes_ += bytes;
  fc_bytes_ += bytes;
  if (fc_bytes_ < kFlowControlWindow || !fc_pending_.empty()) return;
  fc_pending_ = "$JS.FC." + stream_.name() + "." + name_ + "." + std::to_string(++fc_count_);
  fc_pending_bytes_ = 0;
  fc_bytes_ = 0;
  stream_.env().Publish(ctx, config_.deliver_subject, fc_pending_,
                        HeaderWriter("100", "FlowControl Request").Finish(), {});
}

void Consumer::OnFlowControlReply(LoopContext& ctx, std::string_view subject) {
  if (subject != fc_pending_) return;
  fc_pending_.clear();
  fc_pending_bytes_ = 0;
  last_active_ns_ = server::WallClockNs();
  Deliver(ctx);
}

void Consumer::Heartbeats(LoopContext& ctx, int64_t now_ns) {
  for (auto& req : waiting_) {
    if (req.heartbeat_ns > 0 && now_ns >= req.next_heartbeat_ns) {
      SendStatus(ctx, req.reply, "100", "Idle Heartbeat");
      req.next_heartbeat_ns = now_ns + req.heartbeat_ns;
    }
  }
  int64_t hb = config_.idle_heartbeat.count();
  if (is_pull() || hb <= 0) return;
  if (now_ns - std::max(last_delivery_ns_, last_heartbeat_ns_) < hb) return;
  if (!stream_.env().HasInterest(ctx, config_.deliver_subject)) return;
  std::string extra = "Nats-Last-Consumer: " + std::to_string(st_.delivered_cseq) +
                      "\r\nNats-Last-Stream: " + std::to_string(st_.delivered_sseq) + "\r\n";
  if (!fc_pending_.empty()) extra += "Nats-Consumer-Stalled: " + fc_pending_ + "\r\n";
  SendStatus(ctx, config_.deliver_subject, "100", "Idle Heartbeat", extra);
  last_heartbeat_ns_ = now_ns;
}

}  // namespace spate::jetstream
