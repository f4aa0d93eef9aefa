#include "protocol/server_parser.h"

#include <array>

#include "protocol/wire_scan.h"

// Stateless between calls, like ClientParser: a partial frame is read again on the next call.
namespace spate::protocol {
namespace {

using wire::Line;
using wire::LineStatus;
using wire::NameMatch;

enum class OpCode : uint8_t { kInfo, kMsg, kHeaderMsg, kPing, kPong, kOk, kErr };

struct OpName {
  OpCode code;
  std::string_view name;
  bool takes_arg;  // false: bytes up to the newline are ignored
};

constexpr OpName kInfo{OpCode::kInfo, "INFO", true};
constexpr OpName kMsg{OpCode::kMsg, "MSG", true};
constexpr OpName kHeaderMsg{OpCode::kHeaderMsg, "HMSG", true};
constexpr OpName kPing{OpCode::kPing, "PING", false};
constexpr OpName kPong{OpCode::kPong, "PONG", false};
constexpr OpName kOk{OpCode::kOk, "+OK", false};
constexpr OpName kErr{OpCode::kErr, "-ERR", true};

constexpr std::string_view kDetailUnknownOp = "unknown protocol operation";
constexpr std::string_view kDetailNoBlank = "op name not followed by a blank";
constexpr std::string_view kDetailControlLine = "control line longer than max_control_line";
constexpr std::string_view kDetailMsgArgs = "MSG: wrong number of arguments";
constexpr std::string_view kDetailHeaderMsgArgs = "HMSG: wrong number of arguments";
constexpr std::string_view kDetailSize = "MSG/HMSG: bad size";
constexpr std::string_view kDetailHeaderOverTotal = "HMSG: header size larger than total size";
constexpr std::string_view kDetailMaxPayload = "payload size over max_payload";
constexpr std::string_view kDetailPayloadEnd = "payload not followed by CRLF";

struct Frame {
  ServerParser::Step step = ServerParser::Step::kNeedMore;
  size_t end = 0;     // kOp: first byte after the frame
  size_t needed = 0;  // kNeedMore: end of the frame when known
  std::string_view detail;
};

Frame NeedMore(size_t needed = 0) { return {ServerParser::Step::kNeedMore, 0, needed, {}}; }
Frame Error(std::string_view detail) { return {ServerParser::Step::kError, 0, 0, detail}; }
Frame Done(size_t end) { return {ServerParser::Step::kOp, end, 0, {}}; }

NameMatch MatchOp(std::string_view in, const OpName** found) {
  const OpName* candidates[2] = {nullptr, nullptr};
  switch (in[0]) {
    case 'M':
    case 'm':
      candidates[0] = &kMsg;
      break;
    case 'H':
    case 'h':
      candidates[0] = &kHeaderMsg;
      break;
    case 'P':
    case 'p':
      candidates[0] = &kPing;
      candidates[1] = &kPong;
      break;
    case 'I':
    case 'i':
      candidates[0] = &kInfo;
      break;
    case '+':
      candidates[0] = &kOk;
      break;
    case '-':
      candidates[0] = &kErr;
      break;
    default:
      return NameMatch::kNo;
  }
  NameMatch best = NameMatch::kNo;
  for (const OpName* op : candidates) {
    if (op == nullptr) break;
    NameMatch m = wire::MatchName(in, 0, op->name);
    if (m == NameMatch::kYes) {
      *found = op;
      return m;
    }
    if (m == NameMatch::kPartial) best = m;
  }
  return best;
}

Frame ParseMsg(std::string_view in, const Line& line, bool with_headers,
               const ServerParserLimits& limits, ServerOp* op) {
  // MSG <subject> <sid> [reply] <size>; HMSG <subject> <sid> [reply] <hdr_size> <total_size>
  std::array<std::string_view, 5> f;
  size_t n = wire::SplitArgs(line.Arg(in), /*cr_lf_separates=*/false, &f);
  size_t fixed = with_headers ? 4 : 3;
  if (n != fixed && n != fixed + 1)
    return Error(with_headers ? kDetailHeaderMsgArgs : kDetailMsgArgs);
  int64_t total = wire::ParseSize(f[n - 1]);
  int64_t header = with_headers ? wire::ParseSize(f[n - 2]) : 0;
  if (total < 0 || header < 0) return Error(kDetailSize);
  if (header > total) return Error(kDetailHeaderOverTotal);
  if (static_cast<uint64_t>(total) > limits.max_payload) return Error(kDetailMaxPayload);

  size_t cr = line.next + static_cast<size_t>(total);
  if (in.size() > cr && in[cr] != '\r') return Error(kDetailPayloadEnd);
  if (in.size() > cr + 1 && in[cr + 1] != '\n') return Error(kDetailPayloadEnd);
  if (in.size() < cr + 2) return NeedMore(cr + 2);

  MsgOp& msg = op->emplace<MsgOp>();
  msg.subject = f[0];
  msg.sid = f[1];
  if (n == fixed + 1) msg.reply = f[2];
  auto hdr = static_cast<size_t>(header);
  msg.has_headers = with_headers;
  msg.headers = in.substr(line.next, hdr);
  msg.payload = in.substr(line.next + hdr, static_cast<size_t>(total) - hdr);
  return Done(cr + 2);
}

// "-ERR 'text'": the quotes are part of the wire form, not of the text.
std::string_view Unquote(std::string_view arg) {
  while (!arg.empty() && wire::IsBlank(arg.back())) arg.remove_suffix(1);
  if (arg.size() >= 2 && arg.front() == '\'' && arg.back() == '\'') {
    return arg.substr(1, arg.size() - 2);
  }
  return arg;
}

Frame ParseFrame(std::string_view in, const ServerParserLimits& limits, ServerOp* op) {
  if (in.empty()) return NeedMore();
  const OpName* name = nullptr;
  switch (MatchOp(in, &name)) {
    case NameMatch::kYes:
      break;
    case NameMatch::kPartial:
      return NeedMore();
    case NameMatch::kNo:
      return Error(kDetailUnknownOp);
  }
  const size_t max_line = limits.max_control_line;
  size_t pos = name->name.size();
  Line line;
  LineStatus status;
  if (!name->takes_arg) {
    status = wire::ScanLine(in, pos, pos, max_line, wire::CrRule::kBeforeNewline, &line);
  } else {
    if (name->code != OpCode::kInfo) {
      if (pos == in.size()) return NeedMore();
      if (!wire::IsBlank(in[pos])) return Error(kDetailNoBlank);
    }
    size_t arg_begin = wire::SkipBlanks(in, pos);
    if (arg_begin - pos > max_line) return Error(kDetailControlLine);
    status =
        wire::ScanLine(in, arg_begin, arg_begin, max_line, wire::CrRule::kBeforeNewline, &line);
  }
  if (status == LineStatus::kNeedMore) return NeedMore();
  if (status == LineStatus::kTooLong) return Error(kDetailControlLine);

  switch (name->code) {
    case OpCode::kInfo:
      op->emplace<InfoOp>().json = line.Arg(in);
      return Done(line.next);
    case OpCode::kMsg:
      return ParseMsg(in, line, /*with_headers=*/false, limits, op);
    case OpCode::kHeaderMsg:
      return ParseMsg(in, line, /*with_headers=*/true, limits, op);
    case OpCode::kPing:
      op->emplace<PingOp>();
      return Done(line.next);
    case OpCode::kPong:
      op->emplace<PongOp>();
      return Done(line.next);
    case OpCode::kOk:
      op->emplace<OkOp>();
      return Done(line.next);
    case OpCode::kErr:
      op->emplace<ErrOp>().text = Unquote(line.Arg(in));
      return Done(line.next);
  }
  return Error(kDetailUnknownOp);
}

}  // namespace

ServerParser::Step ServerParser::Next(std::span<const char> input, size_t* consumed, ServerOp* op) {
  const std::string_view in(input.data(), input.size());
  *consumed = 0;
  Frame frame = ParseFrame(in, limits_, op);
  needed_ = frame.step == Step::kNeedMore ? frame.needed : 0;
  if (frame.step == Step::kOp) *consumed = frame.end;
  if (frame.step == Step::kError) error_detail_ = frame.detail;
  return frame.step;
}

}  // namespace spate::protocol
