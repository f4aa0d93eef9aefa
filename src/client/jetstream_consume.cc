// JetStream::PullSubscribe / Subscribe / SubscribeSync: binding consumers to subscriptions.
#include "client/jetstream.h"
#include "client/jetstream_state.h"
#include "client/nuid.h"

namespace spate::client {

Result<PullSubscription> JetStream::PullSubscribe(std::string_view stream,
                                                  std::string_view consumer) {
  SPATE_ASSIGN_OR_RETURN(ConsumerInfo info, GetConsumerInfo(stream, consumer));
  if (!info.config.deliver_subject.empty()) {
    return Status::InvalidArgument("consumer '" + std::string(consumer) + "' is a push consumer");
  }
  PullSubscription sub;
  sub.js_ = state_;
  sub.stream_ = std::string(stream);
  sub.consumer_ = std::string(consumer);
  sub.inbox_prefix_ = NewInbox() + ".";
  SPATE_ASSIGN_OR_RETURN(sub.sub_, state_->conn->SubscribeSync(sub.inbox_prefix_ + "*"));
  return sub;
}

Result<PullSubscription> JetStream::PullSubscribe(std::string_view stream,
                                                  std::string_view consumer,
                                                  ConsumerConfig config) {
  if (!config.deliver_subject.empty()) {
    return Status::InvalidArgument("a pull consumer has no deliver subject");
  }
  config.name = std::string(consumer);
  config.durable_name = std::string(consumer);
  SPATE_RETURN_IF_ERROR(AddConsumer(stream, config).status());
  return PullSubscribe(stream, consumer);
}

Result<PushSubscription> JetStream::Subscribe(std::string_view stream, ConsumerConfig config,
                                              JsMsgHandler handler) {
  if (!handler) return Status::InvalidArgument("no message handler");
  return SubscribePush(stream, std::move(config), std::move(handler), false);
}

Result<PushSubscription> JetStream::SubscribeSync(std::string_view stream, ConsumerConfig config) {
  return SubscribePush(stream, std::move(config), {}, true);
}

Result<PushSubscription> JetStream::SubscribePush(std::string_view stream, ConsumerConfig config,
                                                  JsMsgHandler handler, bool sync) {
  if (!detail::IsValidJsName(stream)) return Status::InvalidArgument("invalid stream name");
  if (config.deliver_subject.empty()) config.deliver_subject = NewInbox();
  Connection& conn = *state_->conn;
  Result<Subscription> sub = Status::Ok();
  // Subscribed before the consumer exists, so its first deliveries are not lost.
  if (sync) {
    sub = config.deliver_group.empty()
              ? conn.SubscribeSync(config.deliver_subject)
              : conn.QueueSubscribeSync(config.deliver_subject, config.deliver_group);
  } else {
    Connection* c = &conn;
    MsgTakeHandler wrap = [c, handler = std::move(handler)](Msg& m) {
      if (HandlePushStatus(*c, m)) return;
      JsMsg jm(std::move(m), c);
      handler(jm);
    };
    sub = config.deliver_group.empty()
              ? conn.SubscribeTake(config.deliver_subject, std::move(wrap))
              : conn.QueueSubscribeTake(config.deliver_subject, config.deliver_group,
                                        std::move(wrap));
  }
  if (!sub.ok()) return sub.status();
  Result<ConsumerInfo> info = AddConsumer(stream, config);
  if (!info.ok()) {
    (void)sub->Unsubscribe();
    return info.status();
  }
  PushSubscription out;
  out.js_ = state_;
  out.stream_ = std::string(stream);
  out.consumer_ = info->name;
  out.delete_on_unsubscribe_ = config.durable_name.empty();
  out.sub_ = std::move(*sub);
  return out;
}

}  // namespace spate::client
