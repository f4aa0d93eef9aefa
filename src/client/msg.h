#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace spate::client {

// NATS message headers: an optional status line ("NATS/1.0 503") and fields in wire order.
// Keys keep their case; Get() compares them case-sensitively, as nats-server does.
struct Headers {
  int status = 0;           // 0 when the status line has none
  std::string description;  // text after the status code
  std::vector<std::pair<std::string, std::string>> fields;

  Headers& Add(std::string key, std::string value) {
    fields.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  // The first value of `key`, or nullopt.
  std::optional<std::string_view> Get(std::string_view key) const;
  bool empty() const { return status == 0 && fields.empty(); }

  // "NATS/1.0[ status[ description]]\r\nKey: value\r\n...\r\n".
  std::string Encode() const;
  // Parses a header block as HMSG carries it.
  static Result<Headers> Parse(std::string_view block);
};

// A received message. Owns its bytes, so it may outlive the callback and move between threads.
struct Msg {
  std::string subject;
  std::string reply;
  Headers headers;
  bool has_headers = false;  // arrived as HMSG
  std::string data;
};

}  // namespace spate::client
