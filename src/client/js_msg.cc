#include "client/js_msg.h"

#include <array>
#include <charconv>

namespace spate::client {
namespace {

bool ToU64(std::string_view s, uint64_t* out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// The tokens of an ack subject and where the stream name is (2, or 4 in the long form); false
// when it is not one.
struct AckTokens {
  std::array<std::string_view, 12> tokens;
  size_t n = 0;  // all tokens counted, only the first 12 kept
  size_t stream = 2;

  bool Split(std::string_view reply) {
    for (size_t start = 0;;) {
      const size_t dot = reply.find('.', start);
      if (n < tokens.size()) {
        tokens[n] = reply.substr(start, dot == std::string_view::npos ? dot : dot - start);
      }
      ++n;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    if (n < 9 || n == 10 || n > 12 || tokens[0] != "$JS" || tokens[1] != "ACK") return false;
    if (n >= 11) stream = 4;  // after the domain and the account hash
    return true;
  }
};

}  // namespace

bool ParseAckSequences(std::string_view reply, uint64_t* stream_seq, uint64_t* consumer_seq) {
  AckTokens t;
  return t.Split(reply) && ToU64(t.tokens[t.stream + 3], stream_seq) &&
         ToU64(t.tokens[t.stream + 4], consumer_seq);
}

Result<MsgMetadata> ParseAckSubject(std::string_view reply) {
  AckTokens t;
  if (!t.Split(reply)) {
    return Status::InvalidArgument("not a JetStream ack subject: '" + std::string(reply) + "'");
  }
  const auto& tokens = t.tokens;
  MsgMetadata md;
  const size_t i = t.stream;
  if (i == 4 && tokens[2] != "_") md.domain = std::string(tokens[2]);
  md.stream = std::string(tokens[i]);
  md.consumer = std::string(tokens[i + 1]);
  uint64_t ts = 0;
  if (!ToU64(tokens[i + 2], &md.num_delivered) || !ToU64(tokens[i + 3], &md.stream_seq.value) ||
      !ToU64(tokens[i + 4], &md.consumer_seq.value) || !ToU64(tokens[i + 5], &ts) ||
      !ToU64(tokens[i + 6], &md.num_pending) || md.stream.empty() || md.consumer.empty()) {
    return Status::InvalidArgument("bad JetStream ack subject: '" + std::string(reply) + "'");
  }
  md.timestamp = Timestamp(Nanos(static_cast<int64_t>(ts)));
  return md;
}

bool IsStatusMsg(const Msg& msg) {
  return msg.has_headers && msg.headers.status != 0 && msg.data.empty();
}

Status JsMsg::Send(std::string_view body, bool terminal) {
  if (conn_ == nullptr || msg_.reply.empty()) {
    return Status::InvalidArgument("not a JetStream message (no ack subject)");
  }
  if (done_) return Status::InvalidArgument("message already acknowledged");
  SPATE_RETURN_IF_ERROR(conn_->Publish(msg_.reply, body));
  if (terminal) done_ = true;
  return Status::Ok();
}

Status JsMsg::Ack() { return Send("+ACK", true); }

Status JsMsg::AckSync(std::chrono::milliseconds timeout) {
  if (conn_ == nullptr || msg_.reply.empty()) {
    return Status::InvalidArgument("not a JetStream message (no ack subject)");
  }
  if (done_) return Status::InvalidArgument("message already acknowledged");
  Result<Msg> reply = conn_->Request(msg_.reply, "+ACK", timeout);
  if (!reply.ok()) return reply.status();
  done_ = true;
  return Status::Ok();
}

Status JsMsg::Nak(Nanos delay) {
  if (delay.count() <= 0) return Send("-NAK", true);
  return Send("-NAK {\"delay\":" + std::to_string(delay.count()) + "}", true);
}

Status JsMsg::InProgress() { return Send("+WPI", false); }

Status JsMsg::Term(std::string_view reason) {
  if (reason.empty()) return Send("+TERM", true);
  return Send("+TERM " + std::string(reason), true);
}

}  // namespace spate::client
