#include "client/ordered_consumer.h"

#include <charconv>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "client/jetstream.h"
#include "client/jetstream_state.h"
#include "client/msg_view.h"
#include "client/nuid.h"

namespace spate::client {
namespace detail {

struct OrderedState : std::enable_shared_from_this<OrderedState> {
  using Clock = std::chrono::steady_clock;

  std::shared_ptr<JetStreamState> js;
  std::string stream;
  ConsumerConfig base;
  JsMsgHandler handler;
  // Runs after each successful (re)creation, on the creating thread (the caller of
  // SubscribeOrdered, then the monitor thread). For KV watchers (initial pending count).
  std::function<void(const ConsumerInfo&)> on_created;
  Nanos heartbeat{0};
  bool deliver_inline = false;

  mutable std::mutex mu;
  std::condition_variable cv;  // the monitor: stop or reset_needed
  uint64_t gen = 0;            // messages of an older subscription are dropped
  Subscription sub;
  std::string consumer;
  uint64_t expected_cseq = 1;  // the consumer sequence the next message must carry
  uint64_t last_sseq = 0;      // stream sequence of the last message handed to the handler
  bool reset_needed = false;
  bool stop = false;
  Clock::time_point last_activity;
  uint64_t resets = 0;
  bool in_handler = false;  // Stop() waits for the running handler call (unless it is that call)
  std::thread::id handler_thread;
  std::thread monitor;
  std::thread::id monitor_id;

  JetStream Js() { return JetStream(js); }

  Status Recreate(bool first) {
    ConsumerConfig cfg = base;
    Subscription old_sub;
    std::string old_consumer;
    uint64_t g = 0;
    {
      std::lock_guard lock(mu);
      g = ++gen;
      expected_cseq = 1;
      reset_needed = false;
      last_activity = Clock::now();
      old_sub = sub;
      old_consumer = consumer;
      if (last_sseq > 0) {
        cfg.deliver_policy = DeliverPolicy::kByStartSequence;
        cfg.opt_start_seq = last_sseq + 1;
        cfg.opt_start_time.reset();
      }
    }
    if (old_sub.valid()) (void)old_sub.Unsubscribe();
    if (!old_consumer.empty()) (void)Js().DeleteConsumer(stream, old_consumer);
    cfg.deliver_subject = NewInbox();
    Result<Subscription> new_sub = SubscribeDeliveries(cfg.deliver_subject, g);
    if (!new_sub.ok()) return Fail(new_sub.status());
    Result<ConsumerInfo> info = Js().AddConsumer(stream, cfg, ConsumerAction::kCreate);
    if (!info.ok()) {
      (void)new_sub->Unsubscribe();
      return Fail(info.status());
    }
    {
      std::lock_guard lock(mu);
      sub = *new_sub;
      consumer = info->name;
      if (!first) ++resets;
    }
    if (on_created) on_created(*info);
    return Status::Ok();
  }

  Result<Subscription> SubscribeDeliveries(const std::string& subject, uint64_t g) {
    std::weak_ptr<OrderedState> weak = weak_from_this();
    if (deliver_inline) {
      return js->conn->SubscribeInline(subject, [weak, g](const MsgView& view) {
        if (auto self = weak.lock()) {
          Msg m = view.ToMsg();
          self->OnMsg(g, m);
        }
      });
    }
    return js->conn->SubscribeTake(subject, [weak, g](Msg& m) {
      if (auto self = weak.lock()) self->OnMsg(g, m);
    });
  }

  Status Fail(Status why) {
    std::lock_guard lock(mu);
    reset_needed = true;  // the monitor tries again
    return why;
  }

  void OnMsg(uint64_t g, Msg& m) {
    std::string reply_to;  // flow control or stalled heartbeat: answered outside the lock
    {
      std::lock_guard lock(mu);
      if (stop || g != gen || reset_needed) return;
      last_activity = Clock::now();
      if (IsStatusMsg(m)) {
        if (m.headers.status != 100) return;
        if (!m.reply.empty()) {
          reply_to = m.reply;
        } else if (auto last = m.headers.Get("Nats-Last-Consumer")) {
          uint64_t seq = 0;
          std::from_chars(last->data(), last->data() + last->size(), seq);
          if (seq != expected_cseq - 1) {  // we missed messages the heartbeat knows of
            reset_needed = true;
            cv.notify_all();
            return;
          }
        }
        if (auto stalled = m.headers.Get("Nats-Consumer-Stalled"); stalled && !stalled->empty()) {
          reply_to = std::string(*stalled);
        }
      } else {
        uint64_t sseq = 0, cseq = 0;
        if (!ParseAckSequences(m.reply, &sseq, &cseq)) return;
        if (cseq != expected_cseq) {
          reset_needed = true;
          cv.notify_all();
          return;
        }
        ++expected_cseq;
        last_sseq = sseq;
        in_handler = true;
        handler_thread = std::this_thread::get_id();
      }
    }
    if (IsStatusMsg(m)) {
      if (!reply_to.empty()) (void)js->conn->Publish(reply_to, "");
      return;
    }
    JsMsg jm(std::move(m), js->conn);
    handler(jm);
    std::lock_guard lock(mu);
    in_handler = false;
    cv.notify_all();
  }

  void MonitorMain() {
    std::unique_lock lock(mu);
    const auto period = std::chrono::duration_cast<std::chrono::milliseconds>(heartbeat);
    while (!stop) {
      cv.wait_for(lock, period, [&] { return stop || reset_needed; });
      if (stop) break;
      if (!reset_needed && Clock::now() - last_activity > 3 * heartbeat) reset_needed = true;
      if (!reset_needed) continue;
      lock.unlock();
      Status s = Recreate(false);
      lock.lock();
      if (!s.ok()) cv.wait_for(lock, std::chrono::milliseconds(250), [&] { return stop; });
    }
  }

  void Stop() {
    Subscription old_sub;
    std::string old_consumer;
    {
      std::unique_lock lock(mu);
      if (stop) return;
      stop = true;
      cv.notify_all();
      cv.wait(lock, [&] { return !in_handler || std::this_thread::get_id() == handler_thread; });
    }
    if (monitor.joinable() && std::this_thread::get_id() != monitor_id) monitor.join();
    {
      std::lock_guard lock(mu);
      old_sub = sub;
      old_consumer = consumer;
    }
    if (old_sub.valid()) (void)old_sub.Unsubscribe();
    if (!old_consumer.empty()) (void)Js().DeleteConsumer(stream, old_consumer);
  }
};

}  // namespace detail

OrderedConsumer::~OrderedConsumer() {
  Stop();
  if (state_->monitor.joinable()) state_->monitor.detach();  // only when stopped by the monitor
}

void OrderedConsumer::Stop() { state_->Stop(); }

uint64_t OrderedConsumer::Resets() const {
  std::lock_guard lock(state_->mu);
  return state_->resets;
}

std::string OrderedConsumer::ConsumerName() const {
  std::lock_guard lock(state_->mu);
  return state_->consumer;
}

Result<std::unique_ptr<OrderedConsumer>> JetStream::SubscribeOrdered(std::string_view stream,
                                                                     OrderedConsumerOptions options,
                                                                     JsMsgHandler handler) {
  return SubscribeOrderedInternal(stream, std::move(options), std::move(handler), nullptr);
}

Result<std::unique_ptr<OrderedConsumer>> JetStream::SubscribeOrderedInternal(
    std::string_view stream, OrderedConsumerOptions options, JsMsgHandler handler,
    std::function<void(const ConsumerInfo&)> on_created) {
  if (!detail::IsValidJsName(stream)) return Status::InvalidArgument("invalid stream name");
  if (!handler) return Status::InvalidArgument("no message handler");
  if (options.idle_heartbeat.count() <= 0) {
    return Status::InvalidArgument("ordered consumers need an idle heartbeat");
  }
  auto state = std::make_shared<detail::OrderedState>();
  state->js = state_;
  state->stream = std::string(stream);
  state->handler = std::move(handler);
  state->on_created = std::move(on_created);
  state->heartbeat = options.idle_heartbeat;
  state->deliver_inline = options.deliver_inline;
  ConsumerConfig& c = state->base;
  c.ack_policy = AckPolicy::kNone;
  c.max_deliver = 1;
  c.flow_control = true;
  c.idle_heartbeat = options.idle_heartbeat;
  c.mem_storage = true;
  c.num_replicas = 1;
  // Not deleted by us after a crash: the server removes it once nobody listens for this long.
  c.inactive_threshold = std::chrono::minutes(5);
  c.deliver_policy = options.deliver_policy;
  c.opt_start_seq = options.opt_start_seq;
  c.opt_start_time = options.opt_start_time;
  c.headers_only = options.headers_only;
  if (options.filter_subjects.size() == 1) {
    c.filter_subject = options.filter_subjects[0];
  } else {
    c.filter_subjects = options.filter_subjects;
  }
  std::unique_ptr<OrderedConsumer> out(new OrderedConsumer(state));
  SPATE_RETURN_IF_ERROR(state->Recreate(true));
  state->monitor = std::thread([raw = state.get()] { raw->MonitorMain(); });
  state->monitor_id = state->monitor.get_id();
  return out;
}

}  // namespace spate::client
