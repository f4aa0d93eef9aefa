#pragma once

#include <charconv>
#include <cstddef>
#include <cstring>
#include <string_view>

// Builds the control lines the server sends. Hot path: writes into caller memory, no allocation.
namespace spate::protocol {

inline constexpr size_t kMaxNumberDigits = 20;

// Upper bound of the bytes EncodeMsgLine writes for these arguments.
inline size_t MsgLineMaxSize(std::string_view subject, std::string_view sid,
                             std::string_view reply) {
  return 5 + subject.size() + 1 + sid.size() + 1 + reply.size() + 1 + 2 * (kMaxNumberDigits + 1) +
         2;
}

namespace detail {
inline char* Put(char* out, std::string_view s) {
  std::memcpy(out, s.data(), s.size());
  return out + s.size();
}
inline char* PutNum(char* out, size_t v) {
  return std::to_chars(out, out + kMaxNumberDigits, v).ptr;
}
}  // namespace detail

// "MSG <subject> <sid> [reply] <size>\r\n", or with headers
// "HMSG <subject> <sid> [reply] <hdr_len> <hdr_len+payload_len>\r\n". Returns bytes written.
inline size_t EncodeMsgLine(char* out, std::string_view subject, std::string_view sid,
                            std::string_view reply, bool with_headers, size_t hdr_len,
                            size_t payload_len) {
  char* p = out;
  p = detail::Put(p, with_headers ? std::string_view("HMSG ") : std::string_view("MSG "));
  p = detail::Put(p, subject);
  *p++ = ' ';
  p = detail::Put(p, sid);
  *p++ = ' ';
  if (!reply.empty()) {
    p = detail::Put(p, reply);
    *p++ = ' ';
  }
  if (with_headers) {
    p = detail::PutNum(p, hdr_len);
    *p++ = ' ';
    p = detail::PutNum(p, hdr_len + payload_len);
  } else {
    p = detail::PutNum(p, payload_len);
  }
  *p++ = '\r';
  *p++ = '\n';
  return static_cast<size_t>(p - out);
}

}  // namespace spate::protocol
