#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

#include "protocol/client_parser.h"  // PingOp, PongOp

// Parses what a server sends to a client: INFO, MSG, HMSG, PING, PONG, +OK, -ERR. Used by the
// test wire client, the benchmarks and the C++ client library. Same shape as ClientParser:
// incremental, zero-copy (every view points into the caller's input), no allocation.
// Op names are matched case-insensitively, arguments are separated by runs of spaces or tabs and
// control lines may end with "\n" as well as "\r\n", as the official clients accept; a payload
// must be followed by "\r\n".
namespace spate::protocol {

struct InfoOp {
  std::string_view json;  // the raw text after INFO, not checked
};
struct MsgOp {
  std::string_view subject;
  std::string_view sid;
  std::string_view reply;    // empty if none
  std::string_view headers;  // HMSG only: the first hdr_size bytes of the body
  std::string_view payload;  // the body, without headers
  bool has_headers = false;  // true for HMSG
};
struct OkOp {};
struct ErrOp {
  std::string_view text;  // without the quotes: "Unknown Protocol Operation"
};
using ServerOp = std::variant<InfoOp, MsgOp, PingOp, PongOp, OkOp, ErrOp>;

struct ServerParserLimits {
  // INFO from a large cluster carries long connect_urls lists, so the default is generous.
  size_t max_control_line = 1 << 20;
  size_t max_payload = 64 << 20;  // nats-server's own upper bound for max_payload
};

class ServerParser {
 public:
  enum class Step : uint8_t { kOp, kNeedMore, kError };

  explicit ServerParser(ServerParserLimits limits = {}) : limits_(limits) {}
  void set_limits(ServerParserLimits limits) { limits_ = limits; }
  const ServerParserLimits& limits() const { return limits_; }

  // Parses one op from the front of `in`. kOp: *op is set and *consumed is the size of the whole
  // frame. kNeedMore: nothing consumed; needed() is the size the pending frame needs in total
  // when known (0 when not yet known). kError: the server broke the protocol (or a limit);
  // error_detail() says how, and the connection should be dropped.
  Step Next(std::span<const char> in, size_t* consumed, ServerOp* op);

  size_t needed() const { return needed_; }
  std::string_view error_detail() const { return error_detail_; }

 private:
  ServerParserLimits limits_;
  size_t needed_ = 0;
  std::string_view error_detail_;
};

}  // namespace spate::protocol
