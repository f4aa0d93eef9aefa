// orders-review: the durable pull consumer "order-review" on ORDERS.created. Fetches orders in
// batches of ten, acks each, and approves it by publishing it again on ORDERS.approved (with
// ack), as the article's review-order. Like the Go program it works for ten seconds;
// --until-idle stops at the first fetch that brings nothing (what scripts and tests want).
#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>

#include "demo.h"
#include "order.h"

namespace {

using Clock = std::chrono::steady_clock;
using spate::client::JetStream;
using spate::client::JsMsg;

void Review(JetStream& js, orders::Order order) {
  order.status = "approved";
  auto ack = js.Publish(orders::kApprovedSubject, orders::ToJson(order));
  if (!ack.ok()) orders::Fatal("publish: " + ack.status().message());
  orders::Log("Order with OrderID:" + std::to_string(order.order_id) + " has been " + order.status);
}

void Handle(JetStream& js, JsMsg& msg) {
  // Acked before the work, as in the article: an order whose approval fails is not redelivered.
  if (spate::Status s = msg.Ack(); !s.ok()) orders::Fatal("ack: " + s.message());
  auto order = orders::FromJson(msg.data());
  if (!order.ok()) orders::Fatal(order.status().message());
  orders::Log("order-review service");
  orders::Log("OrderID:" + std::to_string(order->order_id) + ", CustomerID: " + order->customer_id +
              ", Status:" + order->status);
  Review(js, *order);
}

}  // namespace

int main(int argc, char** argv) {
  const bool until_idle = argc > 1 && std::string_view(argv[1]) == "--until-idle";
  orders::Session session = orders::ConnectOrExit("orders-review");

  spate::client::ConsumerConfig config;
  config.filter_subject = orders::kCreatedSubject;
  config.ack_policy = spate::client::AckPolicy::kExplicit;
  config.max_waiting = 128;
  auto sub = session.js.PullSubscribe(orders::kStream, orders::kReviewDurable, config);
  if (!sub.ok()) orders::Fatal("pull subscribe: " + sub.status().message());

  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    auto msgs = sub->Fetch(10, std::min<std::chrono::milliseconds>(left, std::chrono::seconds(1)));
    if (!msgs.ok()) orders::Fatal("fetch: " + msgs.status().message());
    if (msgs->empty() && until_idle) break;
    for (JsMsg& msg : *msgs) Handle(session.js, msg);
  }
  // Acks are fire-and-forget publishes: make sure the server has them before we go.
  if (spate::Status s = session.conn->Flush(); !s.ok()) orders::Fatal("flush: " + s.message());
  return 0;
}
