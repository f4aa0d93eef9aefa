#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

// Parses what a client sends to the server: CONNECT, PUB, HPUB, SUB, UNSUB, PING, PONG.
// Zero-copy: every view in an op points into the caller's input span and stays valid only as
// long as that memory does. Knows nothing of policy (auth, permissions, subject rules).
namespace spate::protocol {

struct ConnectOp {
  std::string_view json;  // the raw text after CONNECT, not checked: the session parses it and
                          // closes without -ERR when it is not one valid JSON object
};
struct PubOp {
  std::string_view subject;
  std::string_view reply;    // empty if none
  std::string_view headers;  // HPUB only: the first hdr_size bytes ("NATS/1.0...\r\n\r\n"
                             // from real clients; nats-server does not check them)
  std::string_view payload;  // the body, without headers
  bool has_headers = false;  // true for HPUB
};
struct SubOp {
  std::string_view subject;
  std::string_view queue;  // empty if none
  std::string_view sid;
};
struct UnsubOp {
  std::string_view sid;
  uint64_t max = 0;  // 0: unsubscribe now (also when the max is not a valid number)
};
struct PingOp {};
struct PongOp {};
using ClientOp = std::variant<ConnectOp, PubOp, SubOp, UnsubOp, PingOp, PongOp>;

struct ParserLimits {
  size_t max_control_line = 4096;
  size_t max_payload = 1 << 20;  // for HPUB this bounds headers + payload together
};

class ClientParser {
 public:
  enum class Step : uint8_t { kOp, kNeedMore, kError };

  explicit ClientParser(ParserLimits limits = {}) : limits_(limits) {}
  void set_limits(ParserLimits limits) { limits_ = limits; }
  const ParserLimits& limits() const { return limits_; }
  // Whether HPUB is allowed: the session sets it from CONNECT's "headers" field (nats-server
  // closes the connection, without -ERR, on HPUB from a client that did not ask for headers).
  // Defaults to true so that a parser used outside a session accepts everything.
  void set_headers_enabled(bool enabled) { headers_enabled_ = enabled; }
  bool headers_enabled() const { return headers_enabled_; }

  // Parses one op from the front of `in`. kOp: *op is set and *consumed is the size of the whole
  // frame (control line + payload + CRLF), plus any frames before it that carry no op (a client's
  // INFO and +OK, which nats-server accepts and ignores).
  // kNeedMore: *consumed is the size of such op-less frames at the front (usually 0; the caller
  // may drop them); needed() says how many bytes the pending frame, counted after those, needs in
  // total when known (0 when not yet known), so the caller can size its buffer.
  // kError: error_text() holds the -ERR line to send (may be empty: close without -ERR) and the
  // connection must be closed. *consumed is 0.
  // docs/protocol.md lists the nats-server behaviours this matches.
  Step Next(std::span<const char> in, size_t* consumed, ClientOp* op);

  size_t needed() const { return needed_; }
  std::string_view error_text() const { return error_text_; }
  std::string_view error_detail() const { return error_detail_; }  // for the server log

 private:
  Step Fail(std::string_view text, std::string_view detail);

  ParserLimits limits_;
  bool headers_enabled_ = true;
  size_t needed_ = 0;
  std::string_view error_text_;
  std::string_view error_detail_;
};

}  // namespace spate::protocol
