#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

// The demo's event payload. Field names and JSON keys are the article's (its Go struct has no
// json tags, so the keys are the Go field names): {"OrderID":1,"CustomerID":"Cust-1",
// "Status":"created"}. Programs written against the Go demo read these messages unchanged.
namespace orders {

inline constexpr std::string_view kStream = "ORDERS";
inline constexpr std::string_view kStreamSubjects = "ORDERS.*";
inline constexpr std::string_view kCreatedSubject = "ORDERS.created";
inline constexpr std::string_view kApprovedSubject = "ORDERS.approved";
inline constexpr std::string_view kReviewDurable = "order-review";
inline constexpr std::string_view kMonitorDurable = "monitor";

struct Order {
  int order_id = 0;
  std::string customer_id;
  std::string status;
};

std::string ToJson(const Order& order);
spate::Result<Order> FromJson(std::string_view json);

}  // namespace orders
