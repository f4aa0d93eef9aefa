#include "protocol/client_parser.h"

#include <array>

#include "protocol/errors.h"
#include "protocol/wire_scan.h"

// Each call parses from the front of the input again; the parser keeps no state between calls
// except the last error and needed(). A partial frame is therefore re-read on the next call; that
// costs one control line at most, since needed() tells the caller when a payload is complete.
// The nats-server behaviours matched here, and the few deliberate differences, are listed in
// docs/protocol.md ("Client to server").
namespace spate::protocol {
namespace {

using wire::IsBlank;
using wire::Line;
using wire::LineStatus;
using wire::NameMatch;

enum class OpCode : uint8_t {
  kPub,
  kHeaderPub,
  kHeaderMsg,  // HMSG from a client: nats-server ignores it when its payload is empty
  kSub,
  kUnsub,
  kConnect,
  kInfo,  // ignored, as nats-server ignores a client's INFO
  kPing,
  kPong,
  kOk,   // +OK, ignored
  kErr,  // -ERR from a client: nats-server closes the connection without a reply
};

// What follows an op name, as in nats-server's state machine.
enum class ArgStyle : uint8_t {
  kRequired,  // at least one blank, then the argument (PUB HPUB HMSG SUB UNSUB -ERR)
  kOptional,  // blanks optional (CONNECT INFO)
  kIgnored,   // every byte up to the newline is ignored (PING PONG +OK)
};

struct OpName {
  OpCode code;
  std::string_view name;
  ArgStyle style;
};

constexpr OpName kPub{OpCode::kPub, "PUB", ArgStyle::kRequired};
constexpr OpName kPing{OpCode::kPing, "PING", ArgStyle::kIgnored};
constexpr OpName kPong{OpCode::kPong, "PONG", ArgStyle::kIgnored};
constexpr OpName kHeaderPub{OpCode::kHeaderPub, "HPUB", ArgStyle::kRequired};
constexpr OpName kHeaderMsg{OpCode::kHeaderMsg, "HMSG", ArgStyle::kRequired};
constexpr OpName kSub{OpCode::kSub, "SUB", ArgStyle::kRequired};
constexpr OpName kUnsub{OpCode::kUnsub, "UNSUB", ArgStyle::kRequired};
constexpr OpName kConnect{OpCode::kConnect, "CONNECT", ArgStyle::kOptional};
constexpr OpName kInfo{OpCode::kInfo, "INFO", ArgStyle::kOptional};
constexpr OpName kOk{OpCode::kOk, "+OK", ArgStyle::kIgnored};
constexpr OpName kErr{OpCode::kErr, "-ERR", ArgStyle::kRequired};

constexpr std::array<const OpName*, 3> kOpsOnP = {&kPub, &kPing, &kPong};
constexpr std::array<const OpName*, 2> kOpsOnH = {&kHeaderPub, &kHeaderMsg};

// Log texts for error_detail(); static so that an error costs no allocation either.
constexpr std::string_view kDetailUnknownOp = "unknown protocol operation";
constexpr std::string_view kDetailNoBlank = "op name not followed by a blank";
constexpr std::string_view kDetailControlLine = "control line longer than max_control_line";
constexpr std::string_view kDetailPubArgs = "PUB: wrong number of arguments";
constexpr std::string_view kDetailPubSize = "PUB: bad or missing size";
constexpr std::string_view kDetailHeaderPubArgs = "HPUB: wrong number of arguments";
constexpr std::string_view kDetailHeaderSize = "HPUB: bad or missing header size";
constexpr std::string_view kDetailTotalSize = "HPUB: bad or missing total size";
constexpr std::string_view kDetailHeaderOverTotal = "HPUB: header size larger than total size";
constexpr std::string_view kDetailHeadersOff = "HPUB: headers not enabled by CONNECT";
constexpr std::string_view kDetailMaxPayload = "payload size over max_payload";
constexpr std::string_view kDetailPayloadEnd = "payload not followed by CRLF";
constexpr std::string_view kDetailSubArgs = "SUB: wrong number of arguments";
constexpr std::string_view kDetailUnsubArgs = "UNSUB: wrong number of arguments";
constexpr std::string_view kDetailClientErr = "client sent -ERR";

// Outcome of parsing one frame that starts at `start`. Positions are offsets into the input.
struct Frame {
  enum class Kind : uint8_t { kOp, kSkip, kNeedMore, kError };
  Kind kind = Kind::kNeedMore;
  size_t end = 0;     // kOp, kSkip: first byte after the frame
  size_t needed = 0;  // kNeedMore: end of the frame when known, else 0
  std::string_view text;
  std::string_view detail;
};

Frame NeedMore(size_t needed = 0) { return {Frame::Kind::kNeedMore, 0, needed, {}, {}}; }
Frame Error(std::string_view text, std::string_view detail) {
  return {Frame::Kind::kError, 0, 0, text, detail};
}
Frame Done(size_t end) { return {Frame::Kind::kOp, end, 0, {}, {}}; }
Frame Skip(size_t end) { return {Frame::Kind::kSkip, end, 0, {}, {}}; }

template <size_t N>
NameMatch MatchAny(std::string_view in, size_t start, const std::array<const OpName*, N>& ops,
                   const OpName** found) {
  NameMatch best = NameMatch::kNo;
  for (const OpName* op : ops) {
    NameMatch m = wire::MatchName(in, start, op->name);
    if (m == NameMatch::kYes) {
      *found = op;
      return m;
    }
    if (m == NameMatch::kPartial) best = m;
  }
  return best;
}

// Recognises the op name at in[start] (in.size() > start), case-insensitively.
NameMatch MatchOp(std::string_view in, size_t start, const OpName** found) {
  const OpName* single = nullptr;
  switch (in[start]) {
    case 'P':
    case 'p':
      return MatchAny(in, start, kOpsOnP, found);
    case 'H':
    case 'h':
      return MatchAny(in, start, kOpsOnH, found);
    case 'S':
    case 's':
      single = &kSub;
      break;
    case 'U':
    case 'u':
      single = &kUnsub;
      break;
    case 'C':
    case 'c':
      single = &kConnect;
      break;
    case 'I':
    case 'i':
      single = &kInfo;
      break;
    case '+':
      single = &kOk;
      break;
    case '-':
      single = &kErr;
      break;
    default:
      return NameMatch::kNo;
  }
  *found = single;
  return wire::MatchName(in, start, single->name);
}

// Checks the CRLF after a payload of `size` bytes starting at `begin`, byte by byte as the input
// allows, so a wrong byte is reported as soon as it arrives.
Frame FinishPayload(std::string_view in, size_t begin, size_t size) {
  size_t cr = begin + size;
  if (in.size() > cr && in[cr] != '\r') return Error(kErrUnknownOp, kDetailPayloadEnd);
  if (in.size() > cr + 1 && in[cr + 1] != '\n') return Error(kErrUnknownOp, kDetailPayloadEnd);
  if (in.size() < cr + 2) return NeedMore(cr + 2);
  return Done(cr + 2);
}

Frame ParsePub(std::string_view in, const Line& line, const ParserLimits& limits, ClientOp* op) {
  std::array<std::string_view, 3> f;
  size_t n = wire::SplitArgs(line.Arg(in), /*cr_lf_separates=*/false, &f);
  if (n != 2 && n != 3) return Error({}, kDetailPubArgs);
  int64_t size = wire::ParseSize(f[n - 1]);
  if (size < 0) return Error({}, kDetailPubSize);
  if (static_cast<uint64_t>(size) > limits.max_payload) {
    return Error(kErrMaxPayload, kDetailMaxPayload);
  }
  Frame frame = FinishPayload(in, line.next, static_cast<size_t>(size));
  if (frame.kind == Frame::Kind::kOp) {
    PubOp& pub = op->emplace<PubOp>();
    pub.subject = f[0];
    if (n == 3) pub.reply = f[1];
    pub.payload = in.substr(line.next, static_cast<size_t>(size));
  }
  return frame;
}

Frame ParseHeaderPub(std::string_view in, const Line& line, const ParserLimits& limits,
                     bool headers_enabled, ClientOp* op) {
  if (!headers_enabled) return Error({}, kDetailHeadersOff);
  std::array<std::string_view, 4> f;
  size_t n = wire::SplitArgs(line.Arg(in), /*cr_lf_separates=*/false, &f);
  if (n != 3 && n != 4) return Error({}, kDetailHeaderPubArgs);
  int64_t header_size = wire::ParseSize(f[n - 2]);
  if (header_size < 0) return Error({}, kDetailHeaderSize);
  int64_t total_size = wire::ParseSize(f[n - 1]);
  if (total_size < 0) return Error({}, kDetailTotalSize);
  if (header_size > total_size) return Error({}, kDetailHeaderOverTotal);
  if (static_cast<uint64_t>(total_size) > limits.max_payload) {
    return Error(kErrMaxPayload, kDetailMaxPayload);
  }
  Frame frame = FinishPayload(in, line.next, static_cast<size_t>(total_size));
  if (frame.kind == Frame::Kind::kOp) {
    auto hdr = static_cast<size_t>(header_size);
    auto total = static_cast<size_t>(total_size);
    PubOp& pub = op->emplace<PubOp>();
    pub.subject = f[0];
    if (n == 4) pub.reply = f[1];
    pub.headers = in.substr(line.next, hdr);
    pub.payload = in.substr(line.next + hdr, total - hdr);
    pub.has_headers = true;
  }
  return frame;
}

Frame ParseSub(std::string_view in, const Line& line, ClientOp* op) {
  std::array<std::string_view, 3> f;
  size_t n = wire::SplitArgs(line.Arg(in), /*cr_lf_separates=*/true, &f);
  if (n != 2 && n != 3) return Error({}, kDetailSubArgs);
  SubOp& sub = op->emplace<SubOp>();
  sub.subject = f[0];
  if (n == 3) sub.queue = f[1];
  sub.sid = f[n - 1];
  return Done(line.next);
}

Frame ParseUnsub(std::string_view in, const Line& line, ClientOp* op) {
  std::array<std::string_view, 2> f;
  size_t n = wire::SplitArgs(line.Arg(in), /*cr_lf_separates=*/true, &f);
  if (n != 1 && n != 2) return Error({}, kDetailUnsubArgs);
  UnsubOp& unsub = op->emplace<UnsubOp>();
  unsub.sid = f[0];
  // nats-server reads a bad max as -1, which unsubscribes at once, like 0.
  int64_t max = n == 2 ? wire::ParseSize(f[1]) : -1;
  unsub.max = max > 0 ? static_cast<uint64_t>(max) : 0;
  return Done(line.next);
}

Frame ParseFrame(std::string_view in, size_t start, const ParserLimits& limits,
                 bool headers_enabled, ClientOp* op) {
  if (start == in.size()) return NeedMore();
  const OpName* name = nullptr;
  switch (MatchOp(in, start, &name)) {
    case NameMatch::kYes:
      break;
    case NameMatch::kPartial:
      return NeedMore();
    case NameMatch::kNo:
      return Error(kErrUnknownOp, kDetailUnknownOp);
  }

  const size_t max_line = limits.max_control_line;
  size_t pos = start + name->name.size();
  Line line;
  LineStatus status;
  if (name->style == ArgStyle::kIgnored) {
    // nats-server has no limit here; we apply max_control_line so a client cannot make us
    // buffer an endless "PING xxxx..." line.
    status = wire::ScanLine(in, pos, pos, max_line, wire::CrRule::kAnywhere, &line);
  } else {
    if (name->style == ArgStyle::kRequired) {
      if (pos == in.size()) return NeedMore();
      if (!IsBlank(in[pos])) return Error(kErrUnknownOp, kDetailNoBlank);
    }
    size_t arg_begin = wire::SkipBlanks(in, pos);
    // Again a limit nats-server does not have: blanks before the argument.
    if (arg_begin - pos > max_line) return Error(kErrMaxControlLine, kDetailControlLine);
    if (arg_begin == in.size()) return NeedMore();
    status = wire::ScanLine(in, arg_begin, arg_begin + 1, max_line, wire::CrRule::kAnywhere, &line);
  }
  if (status == LineStatus::kNeedMore) return NeedMore();
  if (status == LineStatus::kTooLong) {
    return Error(kErrMaxControlLine, kDetailControlLine);
  }

  switch (name->code) {
    case OpCode::kPub:
      return ParsePub(in, line, limits, op);
    case OpCode::kHeaderPub:
      return ParseHeaderPub(in, line, limits, headers_enabled, op);
    case OpCode::kSub:
      return ParseSub(in, line, op);
    case OpCode::kUnsub:
      return ParseUnsub(in, line, op);
    case OpCode::kConnect:
      op->emplace<ConnectOp>().json = line.Arg(in);
      return Done(line.next);
    case OpCode::kPing:
      op->emplace<PingOp>();
      return Done(line.next);
    case OpCode::kPong:
      op->emplace<PongOp>();
      return Done(line.next);
    case OpCode::kInfo:
    case OpCode::kOk:
      return Skip(line.next);
    case OpCode::kHeaderMsg: {
      // nats-server parses no size for a client's HMSG: it expects an empty payload.
      Frame frame = FinishPayload(in, line.next, 0);
      if (frame.kind == Frame::Kind::kOp) frame.kind = Frame::Kind::kSkip;
      return frame;
    }
    case OpCode::kErr:
      return Error({}, kDetailClientErr);
  }
  return Error(kErrUnknownOp, kDetailUnknownOp);
}

}  // namespace

ClientParser::Step ClientParser::Fail(std::string_view text, std::string_view detail) {
  error_text_ = text;
  error_detail_ = detail;
  return Step::kError;
}

ClientParser::Step ClientParser::Next(std::span<const char> input, size_t* consumed, ClientOp* op) {
  const std::string_view in(input.data(), input.size());
  needed_ = 0;
  *consumed = 0;
  size_t start = 0;
  for (;;) {
    Frame frame = ParseFrame(in, start, limits_, headers_enabled_, op);
    switch (frame.kind) {
      case Frame::Kind::kOp:
        *consumed = frame.end;
        return Step::kOp;
      case Frame::Kind::kSkip:
        start = frame.end;
        continue;
      case Frame::Kind::kNeedMore:
        *consumed = start;
        needed_ = frame.needed == 0 ? 0 : frame.needed - start;
        return Step::kNeedMore;
      case Frame::Kind::kError:
        return Fail(frame.text, frame.detail);
    }
  }
}

}  // namespace spate::protocol
