#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spate::jetstream {

// NATS message headers ("NATS/1.0[ status[ description]]\r\nKey: value\r\n...\r\n\r\n") as the
// JetStream engine reads and writes them. Reads are views into the given block.

// The value of the first header named exactly `key` (nats-server matches keys byte for byte),
// trimmed of surrounding spaces; nullopt when absent.
std::optional<std::string_view> FindHeader(std::string_view headers, std::string_view key);

// Parses a decimal header value; nullopt when absent or not a number.
std::optional<uint64_t> FindUintHeader(std::string_view headers, std::string_view key);

// Builds header blocks.
class HeaderWriter {
 public:
  // "NATS/1.0" or "NATS/1.0 <status> <description>".
  explicit HeaderWriter(std::string_view status = {}, std::string_view description = {});
  HeaderWriter& Add(std::string_view key, std::string_view value);
  HeaderWriter& Add(std::string_view key, uint64_t value);
  // Appends the lines of an existing block (without its status line and final blank line).
  HeaderWriter& AddLinesOf(std::string_view headers);
  std::string Finish();  // adds the blank line

 private:
  std::string out_;
};

// Well-known header names.
inline constexpr std::string_view kMsgIdHeader = "Nats-Msg-Id";
inline constexpr std::string_view kExpectedStreamHeader = "Nats-Expected-Stream";
inline constexpr std::string_view kExpectedLastSeqHeader = "Nats-Expected-Last-Sequence";
inline constexpr std::string_view kExpectedLastSubjSeqHeader =
    "Nats-Expected-Last-Subject-Sequence";
inline constexpr std::string_view kExpectedLastMsgIdHeader = "Nats-Expected-Last-Msg-Id";
inline constexpr std::string_view kRollupHeader = "Nats-Rollup";

}  // namespace spate::jetstream
