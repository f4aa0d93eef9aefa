#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

// Builds what a client sends (PUB, HPUB, SUB, UNSUB), appending to the caller's buffer: the
// client library's output buffer, the test wire client and benchmarks. The inverse of
// ClientParser; arguments are not checked here (the client validates subjects first).
namespace spate::protocol {

namespace client_detail {
inline void AppendNum(std::string* out, uint64_t v) {
  char digits[20];
  const auto end = std::to_chars(digits, digits + sizeof(digits), v).ptr;
  out->append(digits, static_cast<size_t>(end - digits));
}
}  // namespace client_detail

// "PUB <subject> [reply] <size>\r\n<payload>\r\n", or with a header block (the whole
// "NATS/1.0...\r\n\r\n") "HPUB <subject> [reply] <hdr_len> <hdr_len+size>\r\n<hdr><payload>\r\n".
inline void AppendPub(std::string* out, std::string_view subject, std::string_view reply,
                      std::string_view headers, std::string_view payload) {
  out->reserve(out->size() + 48 + subject.size() + reply.size() + headers.size() + payload.size());
  out->append(headers.empty() ? "PUB " : "HPUB ").append(subject).push_back(' ');
  if (!reply.empty()) out->append(reply).push_back(' ');
  if (!headers.empty()) {
    client_detail::AppendNum(out, headers.size());
    out->push_back(' ');
  }
  client_detail::AppendNum(out, headers.size() + payload.size());
  out->append("\r\n").append(headers).append(payload).append("\r\n");
}

// "SUB <subject> [queue] <sid>\r\n".
inline void AppendSub(std::string* out, std::string_view subject, std::string_view queue,
                      uint64_t sid) {
  out->append("SUB ").append(subject).push_back(' ');
  if (!queue.empty()) out->append(queue).push_back(' ');
  client_detail::AppendNum(out, sid);
  out->append("\r\n");
}

// "UNSUB <sid>\r\n", or "UNSUB <sid> <max>\r\n" when max > 0.
inline void AppendUnsub(std::string* out, uint64_t sid, uint64_t max = 0) {
  out->append("UNSUB ");
  client_detail::AppendNum(out, sid);
  if (max > 0) {
    out->push_back(' ');
    client_detail::AppendNum(out, max);
  }
  out->append("\r\n");
}

}  // namespace spate::protocol
