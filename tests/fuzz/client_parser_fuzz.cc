// ClientParser on arbitrary bytes: no crash, no read past the input, progress on every op, and
// the same result whatever way the bytes are split. The first input byte picks the settings:
//   bit 0: small limits (max_control_line 32, max_payload 64) instead of the defaults
//   bit 1: HPUB disabled (CONNECT without "headers":true)
//   bits 2-7: chunk size - 1 for the chunked run
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

#include "parser_harness.h"
#include "protocol/client_parser.h"

namespace {

using spate::fuzz::AppendView;
using spate::protocol::ClientOp;
using spate::protocol::ClientParser;

std::string Describe(const ClientOp& op, std::span<const char> in, size_t base) {
  std::string out = std::to_string(op.index()) + ":";
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, spate::protocol::ConnectOp>) {
          AppendView(&out, o.json, in, base);
        } else if constexpr (std::is_same_v<T, spate::protocol::PubOp>) {
          AppendView(&out, o.subject, in, base);
          AppendView(&out, o.reply, in, base);
          AppendView(&out, o.headers, in, base);
          AppendView(&out, o.payload, in, base);
          out += o.has_headers ? "h" : "-";
          spate::fuzz::Check(!o.subject.empty(), "PUB without subject");
        } else if constexpr (std::is_same_v<T, spate::protocol::SubOp>) {
          AppendView(&out, o.subject, in, base);
          AppendView(&out, o.queue, in, base);
          AppendView(&out, o.sid, in, base);
          spate::fuzz::Check(!o.subject.empty() && !o.sid.empty(), "SUB without subject/sid");
        } else if constexpr (std::is_same_v<T, spate::protocol::UnsubOp>) {
          AppendView(&out, o.sid, in, base);
          out += std::to_string(o.max);
        }
      },
      op);
  return out;
}

std::string ErrorOf(const ClientParser& parser) {
  return std::string(parser.error_text()) + "|" + std::string(parser.error_detail());
}

ClientParser MakeParser(uint8_t knobs) {
  ClientParser parser;
  if (knobs & 1) parser.set_limits({.max_control_line = 32, .max_payload = 64});
  parser.set_headers_enabled((knobs & 2) == 0);
  return parser;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t knobs = data[0];
  std::span<const char> input(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t chunk = 1 + (knobs >> 2);

  ClientParser whole_parser = MakeParser(knobs);
  auto whole =
      spate::fuzz::RunWhole<ClientParser, ClientOp>(whole_parser, input, Describe, ErrorOf);
  ClientParser chunked_parser = MakeParser(knobs);
  auto chunked = spate::fuzz::RunChunked<ClientParser, ClientOp>(chunked_parser, input, chunk,
                                                                 Describe, ErrorOf);
  spate::fuzz::CheckSameOutcome(whole, chunked);
  return 0;
}
