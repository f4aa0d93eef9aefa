#include "order.h"

#include <nlohmann/json.hpp>

namespace orders {

std::string ToJson(const Order& order) {
  return nlohmann::json{
      {"OrderID", order.order_id}, {"CustomerID", order.customer_id}, {"Status", order.status}}
      .dump();
}

spate::Result<Order> FromJson(std::string_view json) {
  // Like Go's json.Unmarshal: absent fields keep their zero value, a wrong type is an error.
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return spate::Status::InvalidArgument("order is not a JSON object");
  Order order;
  try {
    order.order_id = doc.value("OrderID", 0);
    order.customer_id = doc.value("CustomerID", std::string());
    order.status = doc.value("Status", std::string());
  } catch (const nlohmann::json::exception& e) {
    return spate::Status::InvalidArgument(std::string("bad order field: ") + e.what());
  }
  return order;
}

}  // namespace orders
