#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "client/msg.h"

// Human-readable numbers for table output. JSON output never goes through these: scripts get
// raw numbers (bytes, nanoseconds) instead.
namespace spate::cli {

std::string HumanBytes(double bytes);                   // "512 B", "1.5 KiB", "3.2 GiB"
std::string HumanCount(uint64_t n);                     // "1,234,567"
std::string HumanDuration(std::chrono::nanoseconds d);  // "1.23ms", "4.5s", "1h2m3s", "3d4h"
std::string FixedDecimal(double value, int places);     // "12.35"

// "Label: value" lines with the values aligned, for one object's details (server info, stream
// info). Scripts get --json instead.
using Fields = std::vector<std::pair<std::string, std::string>>;
std::string FieldLines(const Fields& fields);

// The header block of a message as people read it: "NATS/1.0 503 No Responders" when there is a
// status, then "Key: value" lines. Empty when the message has no headers.
std::string HeaderLines(const client::Headers& headers);

}  // namespace spate::cli

#include <nlohmann/json.hpp>

namespace spate::cli {

// {"Key": ["v1", "v2"]} as nats.go's Header map marshals, plus "status"/"description" when the
// message carries a status line.
nlohmann::json HeadersToJson(const client::Headers& headers);
// {"subject", "reply"?, "headers"?, "data"}: the --json shape of a received message.
nlohmann::json MsgToJson(const client::Msg& msg);

}  // namespace spate::cli
