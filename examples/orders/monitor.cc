// orders-monitor: the durable push consumer "monitor" on the wildcard ORDERS.*, with manual
// acks; logs every order event it sees, as the article's monitor. Runs until SIGINT or SIGTERM,
// then drains: what has arrived is handled and acked before the program exits.
#include <pthread.h>

#include <csignal>
#include <string>

#include "demo.h"
#include "order.h"

namespace {

using spate::client::JsMsg;

void OnOrderEvent(JsMsg& msg) {
  if (spate::Status s = msg.Ack(); !s.ok()) orders::Log("ack: " + s.message());
  auto order = orders::FromJson(msg.data());
  if (!order.ok()) {
    // Already acked: a malformed event is reported and skipped rather than stopping the monitor.
    orders::Log("bad order on " + msg.subject() + ": " + order.status().message());
    return;
  }
  orders::Log("monitor service subscribes from subject:" + msg.subject());
  orders::Log("OrderID:" + std::to_string(order->order_id) + ", CustomerID: " + order->customer_id +
              ", Status:" + order->status);
}

// The stream that holds `subject`, found the way nats.go's Subscribe finds it.
std::string StreamFor(spate::client::JetStream& js, std::string_view subject) {
  auto names = js.StreamNames(subject);
  if (!names.ok()) orders::Fatal("stream names: " + names.status().message());
  if (names->size() != 1) orders::Fatal("no single stream holds " + std::string(subject));
  return names->front();
}

}  // namespace

int main() {
  // Blocked before the client starts its threads (they inherit the mask), so the signals wait
  // for sigwait() below instead of killing the process in the middle of a callback.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  orders::Session session = orders::ConnectOrExit("orders-monitor");
  spate::client::ConsumerConfig config;
  config.durable_name = orders::kMonitorDurable;
  config.filter_subject = orders::kStreamSubjects;
  config.ack_policy = spate::client::AckPolicy::kExplicit;
  auto sub =
      session.js.Subscribe(StreamFor(session.js, orders::kStreamSubjects), config, OnOrderEvent);
  if (!sub.ok()) orders::Fatal("subscribe: " + sub.status().message());

  int signal = 0;
  sigwait(&stop_signals, &signal);
  if (spate::Status s = session.conn->Drain(); !s.ok()) orders::Fatal("drain: " + s.message());
  return 0;
}
