// orders-create: makes sure the ORDERS stream exists, then publishes ten "created" orders, each
// waiting for the stream's PubAck (JetStream publish-with-ack), as the article's create-order.
#include <string>

#include "client/api_error.h"
#include "demo.h"
#include "order.h"

namespace {

using spate::client::JetStream;

void CreateStreamIfMissing(JetStream& js) {
  auto info = js.GetStreamInfo(orders::kStream);
  if (info.ok()) return;
  orders::Log(info.status().message());
  // Only "not found" means we should create it; any other failure (no JetStream, timeout)
  // would make AddStream fail too, with a less telling message.
  if (!spate::client::IsApiError(info.status(), spate::client::kErrStreamNotFound)) {
    orders::Fatal("stream info: " + info.status().message());
  }
  orders::Log("creating stream \"" + std::string(orders::kStream) + "\" and subjects \"" +
              std::string(orders::kStreamSubjects) + "\"");
  spate::client::StreamConfig config;
  config.name = orders::kStream;
  config.subjects = {std::string(orders::kStreamSubjects)};
  auto created = js.AddStream(config);
  if (!created.ok()) orders::Fatal("add stream: " + created.status().message());
}

}  // namespace

int main() {
  orders::Session session = orders::ConnectOrExit("orders-create");
  CreateStreamIfMissing(session.js);
  for (int i = 1; i <= 10; ++i) {
    const orders::Order order{
        .order_id = i, .customer_id = "Cust-" + std::to_string(i), .status = "created"};
    auto ack = session.js.Publish(orders::kCreatedSubject, orders::ToJson(order));
    if (!ack.ok()) orders::Fatal("publish: " + ack.status().message());
    orders::Log("Order with OrderID:" + std::to_string(i) + " has been published");
  }
  return 0;
}
