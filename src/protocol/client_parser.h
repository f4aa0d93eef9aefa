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
  std::string_view json;  // the raw JSON object text
};
struct PubOp {
  std::string_view subject;
  std::string_view reply;    // empty if none
  std::string_view headers;  // HPUB only: the header block, "NATS/1.0...\r\n\r\n"
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
  uint64_t max = 0;  // 0: unsubscribe now
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

  // Parses one op from the front of `in`. kOp: *op is set and *consumed is the size of the whole
  // frame (control line + payload + CRLF). kNeedMore: nothing consumed; needed() says how many
  // bytes the pending frame needs in total when known (so the caller can size its buffer).
  // kError: error_text() holds the -ERR line to send (may be empty: close without -ERR) and the
  // connection must be closed.
  Step Next(std::span<const char> in, size_t* consumed, ClientOp* op);

  size_t needed() const { return needed_; }
  std::string_view error_text() const { return error_text_; }
  std::string_view error_detail() const { return error_detail_; }  // for the server log

 private:
  ParserLimits limits_;
  size_t needed_ = 0;
  std::string_view error_text_;
  std::string_view error_detail_;
};

}  // namespace spate::protocol
