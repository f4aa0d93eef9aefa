// ServerParser on arbitrary bytes: no crash, no read past the input, progress on every op, and
// the same result whatever way the bytes are split. The first input byte picks the settings:
//   bit 0: small limits (max_control_line 32, max_payload 64) instead of the defaults
//   bits 2-7: chunk size - 1 for the chunked run
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

#include "parser_harness.h"
#include "protocol/server_parser.h"

namespace {

using spate::fuzz::AppendView;
using spate::protocol::ServerOp;
using spate::protocol::ServerParser;

std::string Describe(const ServerOp& op, std::span<const char> in, size_t base) {
  std::string out = std::to_string(op.index()) + ":";
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, spate::protocol::InfoOp>) {
          AppendView(&out, o.json, in, base);
        } else if constexpr (std::is_same_v<T, spate::protocol::MsgOp>) {
          AppendView(&out, o.subject, in, base);
          AppendView(&out, o.sid, in, base);
          AppendView(&out, o.reply, in, base);
          AppendView(&out, o.headers, in, base);
          AppendView(&out, o.payload, in, base);
          out += o.has_headers ? "h" : "-";
        } else if constexpr (std::is_same_v<T, spate::protocol::ErrOp>) {
          AppendView(&out, o.text, in, base);
        }
      },
      op);
  return out;
}

std::string ErrorOf(const ServerParser& parser) { return std::string(parser.error_detail()); }

ServerParser MakeParser(uint8_t knobs) {
  ServerParser parser;
  if (knobs & 1) parser.set_limits({.max_control_line = 32, .max_payload = 64});
  return parser;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t knobs = data[0];
  std::span<const char> input(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t chunk = 1 + (knobs >> 2);

  ServerParser whole_parser = MakeParser(knobs);
  auto whole =
      spate::fuzz::RunWhole<ServerParser, ServerOp>(whole_parser, input, Describe, ErrorOf);
  ServerParser chunked_parser = MakeParser(knobs);
  auto chunked = spate::fuzz::RunChunked<ServerParser, ServerOp>(chunked_parser, input, chunk,
                                                                 Describe, ErrorOf);
  spate::fuzz::CheckSameOutcome(whole, chunked);
  return 0;
}
