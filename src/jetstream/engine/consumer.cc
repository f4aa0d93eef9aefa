#include "jetstream/engine/consumer.h"

#include <algorithm>

#include "common/logging.h"
#include "jetstream/engine/msg_headers.h"
#include "jetstream/engine/stream.h"
#include "jetstream/json_codec.h"
#include "routing/subject.h"

namespace spate::jetstream {

using server::LoopContext;

namespace {

std::string AckSubject(std::string_view stream, std::string_view consumer, uint64_t dc,
                       uint64_t sseq, uint64_t cseq, int64_t ts, uint64_t pending) {
  std::string s;
  s.reserve(64 + stream.size() + consumer.size());
  s.append("$JS.ACK.").append(stream).push_back('.');
  s.append(consumer).push_back('.');
  for (uint64_t v : {dc, sseq, cseq, static_cast<uint64_t>(ts)}) {
    s.append(std::to_string(v)).push_back('.');
  }
  s.append(std::to_string(pending));
  return s;
}

// What a request still wanted when it ends early, as nats-server reports it.
std::string PendingHeaders(const PullRequest& req) {
  int64_t bytes = req.max_bytes > 0 ? req.max_bytes - req.bytes : 0;
  return "Nats-Pending-Messages: " + std::to_string(req.batch) +
         "\r\nNats-Pending-Bytes: " + std::to_string(bytes) + "\r\n";
}

}  // namespace

Consumer::Consumer(Stream& stream, std::string name, ConsumerConfig config, int64_t created_ns,
                   std::string dir)
    : stream_(stream), name_(std::move(name)), created_ns_(created_ns), dir_(std::move(dir)) {
  UpdateConfig(config);
  last_active_ns_ = server::WallClockNs();
}

void Consumer::Touch() {
  dirty_ = true;
  stream_.MarkTicking(this);
}

void Consumer::UpdateConfig(const ConsumerConfig& config) {
  config_ = config;
  // "50" or "50%": the share of acks sampled.
  sample_percent_ = std::clamp(std::atoi(config_.sample_freq.c_str()), 0, 100);
  filters_.clear();
  pending_count_.valid = false;
  if (!config_.filter_subject.empty() && config_.filter_subject != ">") {
    filters_.push_back(config_.filter_subject);
  }
  for (const auto& f : config_.filter_subjects) {
    if (f == ">") {
      filters_.clear();
      break;
    }
    filters_.push_back(f);
  }
}

bool Consumer::Matches(std::string_view subject) const {
  if (filters_.empty()) return true;
  for (const auto& f : filters_) {
    if (routing::SubjectMatchesFilter(subject, f)) return true;
  }
  return false;
}

void Consumer::InitStart() {
  store::StreamStore& store = stream_.store();
  store::StreamState s = store.State();
  uint64_t first = std::max<uint64_t>(s.first_seq.value, 1);
  uint64_t start = first;
  auto last_of = [&](std::string_view filter) -> uint64_t {
    auto m = store.LoadLast(filter);
    return m.ok() ? m->seq().value : 0;
  };
  switch (config_.deliver_policy) {
    case DeliverPolicy::kAll:
      break;
    case DeliverPolicy::kLast: {
      uint64_t last = 0;
      if (filters_.empty()) {
        last = last_of("");
      } else {
        for (const auto& f : filters_) last = std::max(last, last_of(f));
      }
      start = last > 0 ? last : s.last_seq.value + 1;
      break;
    }
    case DeliverPolicy::kNew:
      start = s.last_seq.value + 1;
      break;
    case DeliverPolicy::kByStartSequence:
      start = std::max<uint64_t>(config_.opt_start_seq, 1);
      break;
    case DeliverPolicy::kByStartTime: {
      start = s.last_seq.value + 1;
      int64_t t = config_.opt_start_time.value_or(0);
      for (auto m = store.LoadNext("", StreamSeq{first}); m.ok();
           m = store.LoadNext("", StreamSeq{m->seq().value + 1})) {
        if (m->timestamp_ns() >= t) {
          start = m->seq().value;
          break;
        }
      }
      break;
    }
    case DeliverPolicy::kLastPerSubject: {
      std::vector<uint64_t> seqs;
      std::vector<std::string> fs = filters_.empty() ? std::vector<std::string>{">"} : filters_;
      for (const auto& f : fs) {
        for (auto& [subject, ss] : store.SubjectsState(f)) seqs.push_back(ss.last_seq.value);
      }
      std::sort(seqs.begin(), seqs.end());
      seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
      initial_.assign(seqs.begin(), seqs.end());
      start = s.last_seq.value + 1;
      break;
    }
  }
  next_sseq_ = start;
  pending_count_.valid = false;
  uint64_t base = initial_.empty() ? start - 1 : initial_.front() - 1;
  st_.delivered_sseq = base;
  st_.ack_floor_sseq = base;
  Touch();
}

bool Consumer::CanDeliver() const {
  if (config_.ack_policy == AckPolicy::kNone) return true;
  return config_.max_ack_pending <= 0 ||
         st_.pending.size() < static_cast<size_t>(config_.max_ack_pending);
}

uint64_t Consumer::MsgSize() const {
  return scratch_.subject().size() + scratch_.headers().size() + scratch_.payload().size();
}

Consumer::Source Consumer::Peek() {
  store::StreamStore& store = stream_.store();
  while (!redeliver_.empty()) {
    uint64_t seq = *redeliver_.begin();
    auto m = store.Load(StreamSeq{seq});
    if (m.ok() && st_.pending.contains(seq)) {
      scratch_ = std::move(*m);
      return Source::kRedelivery;
    }
    redeliver_.erase(redeliver_.begin());
    st_.pending.erase(seq);
  }
  while (!initial_.empty()) {
    auto m = store.Load(StreamSeq{initial_.front()});
    if (m.ok()) {
      scratch_ = std::move(*m);
      return Source::kInitial;
    }
    initial_.pop_front();
  }
  if (const Stream::FreshMsg* f = stream_.fresh();
      f != nullptr && f->seq == next_sseq_ && Matches(f->subject)) {
    // Caught up with the publisher: the message is at hand, no need to read it back.
    scratch_.Assign(StreamSeq{f->seq}, f->timestamp_ns, f->subject, f->headers, f->payload);
    return Source::kNew;
  }
  Result<store::StoredMsg> best = Status::NotFound("");
  if (filters_.size() <= 1) {
    best =
        store.LoadNext(filters_.empty() ? std::string_view() : filters_[0], StreamSeq{next_sseq_});
  } else {
    for (const auto& f : filters_) {
      auto m = store.LoadNext(f, StreamSeq{next_sseq_});
      if (m.ok() && (!best.ok() || m->seq() < best->seq())) best = std::move(m);
    }
  }
  if (!best.ok()) {
    // Nothing matches up to the end: later scans can start past it (nats-server reports this
    // position as the delivered stream sequence of a filtered consumer too).
    uint64_t end = store.State().last_seq.value + 1;
    if (end > next_sseq_) {
      next_sseq_ = end;
      Touch();  // the position is part of the saved state
    }
    pending_count_ = {.valid = true,
                      .from = next_sseq_,
                      .last_seq = end - 1,
                      .removals = store.RemovalCount(),
                      .count = 0};
    return Source::kNone;
  }
  scratch_ = std::move(*best);
  return Source::kNew;
}

int64_t Consumer::AckWaitFor(uint64_t deliveries) const {
  if (!config_.backoff.empty()) {
    size_t i = std::min<size_t>(deliveries == 0 ? 0 : deliveries - 1, config_.backoff.size() - 1);
    return config_.backoff[i].count();
  }
  return config_.ack_wait.count();
}

void Consumer::Send(LoopContext& ctx, Source source, std::string_view to, int64_t now_ns) {
  const uint64_t sseq = scratch_.seq().value;
  uint64_t dc = 1;
  if (source == Source::kRedelivery) {
    redeliver_.erase(sseq);
    dc = ++st_.redeliveries[sseq];
    if (dc < 2) dc = st_.redeliveries[sseq] = 2;
    ++num_redelivered_;
  } else {
    if (source == Source::kInitial) {
      initial_.pop_front();
    } else {
      // Peek found no match between next_sseq_ and sseq, so one fewer is pending.
      PendingCount& pc = pending_count_;
      if (PendingCountCurrent() && pc.count > 0) {
        --pc.count;
        pc.from = sseq + 1;
      } else {
        pc.valid = false;
      }
      next_sseq_ = sseq + 1;
    }
    st_.delivered_sseq = std::max(st_.delivered_sseq, sseq);
  }
  uint64_t cseq = ++st_.delivered_cseq;
  if (config_.ack_policy != AckPolicy::kNone) {
    st_.pending[sseq] = PendingMsg{cseq, now_ns + AckWaitFor(dc), now_ns};
  } else {
    st_.ack_floor_cseq = cseq;
    st_.ack_floor_sseq = st_.delivered_sseq;
  }
  uint64_t pending = static_cast<uint64_t>(num_pending());
  std::string ack =
      AckSubject(stream_.name(), name_, dc, sseq, cseq, scratch_.timestamp_ns(), pending);
  if (config_.headers_only) {
    HeaderWriter h;
    h.AddLinesOf(scratch_.headers());
    h.Add("Nats-Msg-Size", scratch_.payload().size());
    stream_.env().Publish(ctx, to, ack, h.Finish(), {}, scratch_.subject());
  } else {
    stream_.env().Publish(ctx, to, ack, scratch_.headers(), scratch_.payload(), scratch_.subject());
  }
  last_delivery_ns_ = now_ns;
  Touch();
}

void Consumer::Deliver(LoopContext& ctx) {
  const int64_t now_ns = server::WallClockNs();
  if (!is_pull()) return DeliverPush(ctx, now_ns);
  while (!waiting_.empty()) {
    PullRequest& req = waiting_.front();
    if (!stream_.env().HasInterest(ctx, req.reply)) {
      // The requester is gone: as nats-server, drop the request rather than hand it messages.
      waiting_.pop_front();
      continue;
    }
    const bool can_deliver = CanDeliver();
    Source src = can_deliver ? Peek() : Source::kNone;
    if (src == Source::kNone) {
      AnswerNoWait(ctx, /*at_end=*/can_deliver);
      break;
    }
    const int64_t size = static_cast<int64_t>(MsgSize());
    if (req.max_bytes > 0 && req.bytes + size > req.max_bytes) {
      if (req.delivered == 0) {
        SendStatus(ctx, req.reply, "409", "Message Size Exceeds MaxBytes");
      }
      waiting_.pop_front();
      continue;
    }
    Send(ctx, src, req.reply, now_ns);
    ++req.delivered;
    --req.batch;
    req.bytes += size;
    if (req.batch <= 0 || (req.max_bytes > 0 && req.bytes >= req.max_bytes)) {
      waiting_.pop_front();
    }
  }
}

void Consumer::AnswerNoWait(LoopContext& ctx, bool at_end) {
  // Nothing to send: every no_wait request without an expiry gets its answer now, wherever it
  // is in the queue. With an expiry it waits for it while nothing came (nats-server 2.9), which
  // nats.go's Fetch relies on; once it got messages, the end of the stream ends it (408) - the
  // Fetch of a batch larger than what is left returns at once.
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (!it->no_wait || (it->expires_ns != 0 && !(at_end && it->delivered > 0))) {
      ++it;
      continue;
    }
    if (it->delivered == 0) {
      SendStatus(ctx, it->reply, "404", "No Messages");
    } else {
      SendStatus(ctx, it->reply, "408", "Request Timeout", PendingHeaders(*it));
    }
    it = waiting_.erase(it);
  }
}

void Consumer::SendStatus(LoopContext& ctx, std::string_view to, std::string_view status,
                          std::string_view description, std::string_view extra_headers) {
  HeaderWriter h(status, description);
  std::string hdr = h.Finish();
  if (!extra_headers.empty()) hdr.insert(hdr.size() - 2, extra_headers);
  stream_.env().Publish(ctx, to, {}, hdr, {});
}

void Consumer::OnPullRequest(LoopContext& ctx, std::string_view reply, std::string_view body) {
  if (reply.empty()) return;
  const int64_t now_ns = server::WallClockNs();
  last_active_ns_ = now_ns;
  if (!is_pull()) {
    SendStatus(ctx, reply, "409", "Consumer is push based");
    return;
  }
  PullRequest req;
  req.reply = std::string(reply);
  std::string_view trimmed = body;
  while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
  if (!trimmed.empty() && trimmed.front() == '{') {
    // Decoded as nats-server does (Go's encoding/json: keys match case-insensitively).
    nlohmann::json j = ParseJson(trimmed);
    JsonObjectReader r(j);
    Duration expires{0}, heartbeat{0};
    r.Read("batch", &req.batch);
    r.Read("max_bytes", &req.max_bytes);
    r.Read("expires", &expires);
    r.Read("no_wait", &req.no_wait);
    r.Read("idle_heartbeat", &heartbeat);
    if (!r.ok()) {
      SendStatus(ctx, reply, "400", "Bad Request");
      return;
    }
    if (expires.count() > 0) req.expires_ns = now_ns + expires.count();
    req.heartbeat_ns = heartbeat.count();
  } else if (!trimmed.empty()) {
    int64_t n = std::atoll(std::string(trimmed).c_str());
    if (n > 0) req.batch = n;
  }
  if (req.batch <= 0) req.batch = 1;
  if (config_.max_batch > 0 && req.batch > config_.max_batch) {
    SendStatus(ctx, reply, "409",
               "Exceeded MaxRequestBatch of " + std::to_string(config_.max_batch));
    return;
  }
  if (config_.max_bytes > 0 && req.max_bytes > config_.max_bytes) {
    SendStatus(ctx, reply, "409",
               "Exceeded MaxRequestMaxBytes of " + std::to_string(config_.max_bytes));
    return;
  }
  if (config_.max_waiting > 0 && waiting_.size() >= static_cast<size_t>(config_.max_waiting)) {
    SendStatus(ctx, reply, "409", "Exceeded MaxWaiting");
    return;
  }
  if (req.heartbeat_ns > 0) req.next_heartbeat_ns = now_ns + req.heartbeat_ns;
  if (req.expires_ns != 0) {
    // Answer the expiry on time (the ticker is too coarse: clients wait only a little longer).
    std::weak_ptr<Stream> weak = stream_.weak_from_this();
    ctx.loop.RunAfter(std::chrono::nanoseconds(req.expires_ns - now_ns),
                      [weak, name = name_, &ctx] {
                        if (auto s = weak.lock()) s->ExpirePullRequests(ctx, name);
                      });
  }
  waiting_.push_back(std::move(req));
  Touch();
  Deliver(ctx);
}

void Consumer::SampleAck(LoopContext& ctx, uint64_t sseq, const PendingMsg& p, int64_t now_ns) {
  if (sample_percent_ < 100 && static_cast<int>(ctx.rng() % 100) >= sample_percent_) return;
  std::string subject = "$JS.EVENT.METRIC.CONSUMER.ACK." + stream_.name() + "." + name_;
  if (!stream_.env().HasInterest(ctx, subject)) return;
  uint64_t dc = st_.redeliveries.contains(sseq) ? st_.redeliveries[sseq] : 1;
  nlohmann::ordered_json m;
  m["type"] = "io.nats.jetstream.metric.v1.consumer_ack";
  m["id"] = std::to_string(now_ns) + "-" + std::to_string(sseq);
  m["timestamp"] = FormatTime(now_ns);
  m["stream"] = stream_.name();
  m["consumer"] = name_;
  m["consumer_seq"] = p.cseq;
  m["stream_seq"] = sseq;
  m["ack_time"] = p.delivered_ns != 0 ? now_ns - p.delivered_ns : 0;
  m["deliveries"] = dc;
  if (!stream_.env().domain.empty()) m["domain"] = stream_.env().domain;
  stream_.env().Publish(ctx, subject, {}, {}, DumpGoJson(m));
}

void Consumer::AckOne(uint64_t sseq) {
  auto it = st_.pending.find(sseq);
  if (it == st_.pending.end()) return;
  st_.pending.erase(it);
  st_.redeliveries.erase(sseq);
  redeliver_.erase(sseq);
  Stream& s = stream_;
  RetentionPolicy retention = s.config_unlocked().retention;
  if (retention == RetentionPolicy::kWorkQueue) {
    (void)s.store().Remove(StreamSeq{sseq});
  } else if (retention == RetentionPolicy::kInterest) {
    auto m = s.store().Load(StreamSeq{sseq});
    if (m.ok() && !s.InterestedInLocked(sseq, m->subject(), this)) {
      (void)s.store().Remove(StreamSeq{sseq});
    }
  }
}

void Consumer::UpdateAckFloor() {
  if (st_.pending.empty()) {
    st_.ack_floor_cseq = st_.delivered_cseq;
    st_.ack_floor_sseq = st_.delivered_sseq;
    return;
  }
  auto first = st_.pending.begin();
  st_.ack_floor_sseq = first->first - 1;
  st_.ack_floor_cseq = first->second.cseq - 1;
}

void Consumer::OnAck(LoopContext& ctx, uint64_t sseq, uint64_t cseq, std::string_view body,
                     std::string_view reply) {
  (void)cseq;
  const int64_t now_ns = server::WallClockNs();
  last_active_ns_ = now_ns;
  auto starts = [&](std::string_view p) { return body.substr(0, p.size()) == p; };
  bool next = false;
  std::string_view next_body;
  if (body.empty() || starts("+ACK") || starts("+TERM") || starts("+NXT")) {
    if (starts("+NXT")) {
      next = true;
      next_body = body.size() > 4 ? body.substr(4) : std::string_view();
    }
    if (starts("+TERM") && st_.pending.contains(sseq)) {
      std::string_view reason = body.size() > 5 ? body.substr(5) : std::string_view();
      while (!reason.empty() && reason.front() == ' ') reason.remove_prefix(1);
      uint64_t dc = st_.redeliveries.contains(sseq) ? st_.redeliveries[sseq] : 1;
      Advise(ctx, "MSG_TERMINATED", "io.nats.jetstream.advisory.v1.terminated", sseq,
             st_.pending[sseq].cseq, dc, reason, now_ns);
    }
    if (sample_percent_ > 0 && !starts("+TERM")) {
      if (auto p = st_.pending.find(sseq); p != st_.pending.end()) {
        SampleAck(ctx, sseq, p->second, now_ns);
      }
    }
    if (config_.ack_policy == AckPolicy::kAll) {
      std::vector<uint64_t> seqs;
      for (auto& [s, p] : st_.pending) {
        if (s > sseq) break;
        seqs.push_back(s);
      }
      for (uint64_t s : seqs) AckOne(s);
    } else if (config_.ack_policy == AckPolicy::kExplicit) {
      AckOne(sseq);
    }
    UpdateAckFloor();
    Touch();
  } else if (starts("-NAK")) {
    auto it = st_.pending.find(sseq);
    if (it != st_.pending.end()) {
      int64_t delay = 0;
      std::string_view rest = body.substr(4);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      if (!rest.empty()) {
        // {"delay": ns}; anything unreadable is a plain NAK.
        nlohmann::json j = ParseJson(rest);
        JsonObjectReader r(j);
        Duration d{0};
        r.Read("delay", &d);
        if (r.ok()) delay = d.count();
      }
      if (delay > 0) {
        it->second.deadline_ns = now_ns + delay;
      } else {
        redeliver_.insert(sseq);
      }
    }
  } else if (starts("+WPI")) {
    auto it = st_.pending.find(sseq);
    if (it != st_.pending.end()) {
      uint64_t dc = st_.redeliveries.contains(sseq) ? st_.redeliveries[sseq] : 1;
      it->second.deadline_ns = now_ns + AckWaitFor(dc);
    }
  }
  if (!reply.empty()) {
    // A confirmed ack must survive a crash: persist before confirming.
    if (durable() && dirty_) (void)SaveState(stream_.env().sync == store::SyncMode::kAlways);
    if (next) {
      OnPullRequest(ctx, reply, next_body);
    } else {
      stream_.env().Publish(ctx, reply, {}, {}, {});
    }
  }
  Deliver(ctx);
}

void Consumer::OnPurged(uint64_t first_seq) {
  for (auto it = st_.pending.begin(); it != st_.pending.end() && it->first < first_seq;) {
    st_.redeliveries.erase(it->first);
    redeliver_.erase(it->first);
    it = st_.pending.erase(it);
  }
  while (!initial_.empty() && initial_.front() < first_seq) initial_.pop_front();
  if (next_sseq_ < first_seq) next_sseq_ = first_seq;
  pending_count_.valid = false;
  if (st_.delivered_sseq < first_seq - 1) st_.delivered_sseq = first_seq - 1;
  UpdateAckFloor();
  if (st_.ack_floor_sseq < first_seq - 1 && st_.pending.empty()) {
    st_.ack_floor_sseq = first_seq - 1;
  }
  Touch();
}

bool Consumer::Needs(uint64_t seq, std::string_view subject) const {
  if (!Matches(subject)) return false;
  if (seq >= next_sseq_) return true;
  return st_.pending.contains(seq);
}

void Consumer::Tick(LoopContext& ctx, int64_t now_ns) {
  std::vector<uint64_t> dropped;
  for (auto& [sseq, p] : st_.pending) {
    if (p.deadline_ns > now_ns || redeliver_.contains(sseq)) continue;
    uint64_t dc = st_.redeliveries.contains(sseq) ? st_.redeliveries[sseq] : 1;
    if (config_.max_deliver > 0 && dc >= static_cast<uint64_t>(config_.max_deliver)) {
      dropped.push_back(sseq);
      continue;
    }
    redeliver_.insert(sseq);
  }
  for (uint64_t sseq : dropped) {
    uint64_t dc = st_.redeliveries.contains(sseq) ? st_.redeliveries[sseq] : 1;
    Advise(ctx, "MAX_DELIVERIES", "io.nats.jetstream.advisory.v1.max_deliver", sseq, 0, dc, {},
           now_ns);
    st_.pending.erase(sseq);
    st_.redeliveries.erase(sseq);
    UpdateAckFloor();
    Touch();
  }
  if (!is_pull() && stream_.env().HasInterest(ctx, config_.deliver_subject)) {
    last_active_ns_ = now_ns;
  }
  ExpireRequests(ctx, now_ns);
  Deliver(ctx);
  Heartbeats(ctx, now_ns);
}

void Consumer::Advise(LoopContext& ctx, std::string_view event, std::string_view type,
                      uint64_t sseq, uint64_t cseq, uint64_t deliveries, std::string_view reason,
                      int64_t now_ns) {
  // Field names and order as nats-server's advisories; nobody listening costs one trie lookup.
  std::string subject =
      "$JS.EVENT.ADVISORY.CONSUMER." + std::string(event) + "." + stream_.name() + "." + name_;
  if (!stream_.env().HasInterest(ctx, subject)) return;
  nlohmann::ordered_json adv;
  adv["type"] = type;
  adv["id"] = std::to_string(now_ns) + "-" + std::to_string(sseq);
  adv["timestamp"] = FormatTime(now_ns);
  adv["stream"] = stream_.name();
  adv["consumer"] = name_;
  if (cseq != 0) adv["consumer_seq"] = cseq;
  adv["stream_seq"] = sseq;
  adv["deliveries"] = deliveries;
  if (!reason.empty()) adv["reason"] = reason;
  if (!stream_.env().domain.empty()) adv["domain"] = stream_.env().domain;
  stream_.env().Publish(ctx, subject, {}, {}, DumpGoJson(adv));
}

void Consumer::ExpireRequestsNow(LoopContext& ctx) { ExpireRequests(ctx, server::WallClockNs()); }

void Consumer::ExpireRequests(LoopContext& ctx, int64_t now_ns) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->expires_ns != 0 && it->expires_ns <= now_ns) {
      SendStatus(ctx, it->reply, "408", "Request Timeout", PendingHeaders(*it));
      it = waiting_.erase(it);
      continue;
    }
    ++it;
  }
  if (!waiting_.empty()) last_active_ns_ = now_ns;
}

void Consumer::OnDeleted(LoopContext& ctx) {
  for (auto& req : waiting_) SendStatus(ctx, req.reply, "409", "Consumer Deleted");
  waiting_.clear();
}

bool Consumer::Expired(int64_t now_ns) const {
  int64_t threshold = config_.inactive_threshold.count();
  if (threshold <= 0) return false;
  return now_ns - last_active_ns_ > threshold;
}

uint64_t Consumer::CountPending() const {
  const store::StreamStore& store = stream_.store();
  if (filters_.empty()) return store.NumPending("", StreamSeq{next_sseq_});
  uint64_t n = 0;
  for (const auto& f : filters_) n += store.NumPending(f, StreamSeq{next_sseq_});
  return n;
}

bool Consumer::PendingCountCurrent() const {
  const store::StreamStore& store = stream_.store();
  PendingCount& pc = pending_count_;
  if (!pc.valid || pc.from != next_sseq_ || pc.last_seq != store.State().last_seq.value) {
    return false;
  }
  if (pc.removals != store.RemovalCount()) {
    if (store.AnyRemovedSince(pc.removals, pc.from)) return false;
    pc.removals = store.RemovalCount();
  }
  return true;
}

int64_t Consumer::num_pending() const {
  if (!PendingCountCurrent()) {
    const store::StreamStore& store = stream_.store();
    pending_count_ = {.valid = true,
                      .from = next_sseq_,
                      .last_seq = store.State().last_seq.value,
                      .removals = store.RemovalCount(),
                      .count = CountPending()};
  }
  return static_cast<int64_t>(initial_.size() + pending_count_.count);
}

void Consumer::OnAppended(uint64_t seq, std::string_view subject) {
  PendingCount& pc = pending_count_;
  if (!pc.valid) return;
  if (seq != pc.last_seq + 1) {
    pc.valid = false;
    return;
  }
  pc.last_seq = seq;
  if (seq >= pc.from && Matches(subject)) ++pc.count;
}

}  // namespace spate::jetstream
