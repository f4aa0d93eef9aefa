#include "protocol/server_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocol/encoder.h"

namespace spate::protocol {
namespace {

using Step = ServerParser::Step;

struct Result {
  Step step;
  size_t consumed;
  ServerOp op;
};

Result Parse(ServerParser& parser, std::string_view wire) {
  Result r{Step::kError, 12345, {}};
  r.step = parser.Next({wire.data(), wire.size()}, &r.consumed, &r.op);
  return r;
}

template <class T>
T OpAs(std::string_view wire) {
  ServerParser parser;
  Result r = Parse(parser, wire);
  EXPECT_EQ(r.step, Step::kOp) << wire;
  EXPECT_EQ(r.consumed, wire.size()) << wire;
  EXPECT_TRUE(std::holds_alternative<T>(r.op)) << wire;
  return std::holds_alternative<T>(r.op) ? std::get<T>(r.op) : T{};
}

TEST(ServerParserTest, Info) {
  EXPECT_EQ(OpAs<InfoOp>("INFO {\"server_id\":\"x\",\"max_payload\":1048576}\r\n").json,
            "{\"server_id\":\"x\",\"max_payload\":1048576}");
}

TEST(ServerParserTest, Msg) {
  MsgOp msg = OpAs<MsgOp>("MSG orders.new 1 5\r\nhello\r\n");
  EXPECT_EQ(msg.subject, "orders.new");
  EXPECT_EQ(msg.sid, "1");
  EXPECT_EQ(msg.reply, "");
  EXPECT_EQ(msg.payload, "hello");
  EXPECT_FALSE(msg.has_headers);
}

TEST(ServerParserTest, MsgWithReply) {
  MsgOp msg = OpAs<MsgOp>("MSG a 1 _INBOX.x 0\r\n\r\n");
  EXPECT_EQ(msg.reply, "_INBOX.x");
  EXPECT_EQ(msg.payload, "");
}

TEST(ServerParserTest, HeaderMsg) {
  MsgOp msg = OpAs<MsgOp>("HMSG a 9 r 16 18\r\nNATS/1.0 503\r\n\r\nhi\r\n");
  EXPECT_EQ(msg.subject, "a");
  EXPECT_EQ(msg.sid, "9");
  EXPECT_EQ(msg.reply, "r");
  EXPECT_EQ(msg.headers, "NATS/1.0 503\r\n\r\n");
  EXPECT_EQ(msg.payload, "hi");
  EXPECT_TRUE(msg.has_headers);
}

TEST(ServerParserTest, PingPongOk) {
  OpAs<PingOp>("PING\r\n");
  OpAs<PongOp>("PONG\r\n");
  OpAs<OkOp>("+OK\r\n");
}

TEST(ServerParserTest, ErrTextLosesItsQuotes) {
  EXPECT_EQ(OpAs<ErrOp>("-ERR 'Unknown Protocol Operation'\r\n").text,
            "Unknown Protocol Operation");
  EXPECT_EQ(OpAs<ErrOp>("-ERR 'Permissions Violation for Publish to \"a\"'\r\n").text,
            "Permissions Violation for Publish to \"a\"");
  EXPECT_EQ(OpAs<ErrOp>("-ERR unquoted\r\n").text, "unquoted");
}

TEST(ServerParserTest, CaseAndBlanksAreLenient) {
  EXPECT_EQ(OpAs<MsgOp>("msg\ta  1\t 1\nx\r\n").sid, "1");
  OpAs<PingOp>("ping\r\n");
}

TEST(ServerParserTest, ReadsWhatTheEncoderWrites) {
  std::string wire(256, '\0');
  size_t n = EncodeMsgLine(wire.data(), "orders.new", "17", "reply.x", true, 12, 5);
  wire.resize(n);
  wire += "NATS/1.0\r\n\r\nhello\r\n";
  MsgOp msg = OpAs<MsgOp>(wire);
  EXPECT_EQ(msg.subject, "orders.new");
  EXPECT_EQ(msg.sid, "17");
  EXPECT_EQ(msg.reply, "reply.x");
  EXPECT_EQ(msg.headers, "NATS/1.0\r\n\r\n");
  EXPECT_EQ(msg.payload, "hello");
}

TEST(ServerParserTest, EveryOpSplitAtEveryByte) {
  for (std::string_view wire : {
           "INFO {\"a\":1}\r\n",
           "MSG a 1 5\r\nhello\r\n",
           "MSG a 1 r 5\r\nhello\r\n",
           "HMSG a 1 12 17\r\nNATS/1.0\r\n\r\nhello\r\n",
           "PING\r\n",
           "PONG\r\n",
           "+OK\r\n",
           "-ERR 'Slow Consumer'\r\n",
       }) {
    ServerParser parser;
    for (size_t n = 0; n < wire.size(); ++n) {
      Result r = Parse(parser, wire.substr(0, n));
      ASSERT_EQ(r.step, Step::kNeedMore) << "prefix " << n << " of " << wire;
      ASSERT_EQ(r.consumed, 0u);
    }
    Result r = Parse(parser, wire);
    ASSERT_EQ(r.step, Step::kOp) << wire;
    ASSERT_EQ(r.consumed, wire.size());
  }
}

TEST(ServerParserTest, SeveralOpsInOneBuffer) {
  const std::string wire =
      "INFO {}\r\n+OK\r\nMSG a 1 2\r\nhi\r\nHMSG a 1 12 12\r\nNATS/1.0\r\n\r\n\r\nPING\r\n"
      "-ERR 'x'\r\nPONG\r\n";
  ServerParser parser;
  std::vector<size_t> kinds;
  size_t offset = 0;
  for (;;) {
    Result r = Parse(parser, std::string_view(wire).substr(offset));
    if (r.step != Step::kOp) {
      EXPECT_EQ(r.step, Step::kNeedMore);
      break;
    }
    kinds.push_back(r.op.index());
    offset += r.consumed;
  }
  EXPECT_EQ(offset, wire.size());
  EXPECT_EQ(kinds, (std::vector<size_t>{0, 4, 1, 1, 2, 5, 3}));
}

TEST(ServerParserTest, NeededForBigPayload) {
  const std::string wire = "MSG big 1 100000\r\n" + std::string(100000, 'z') + "\r\n";
  ServerParser parser;
  EXPECT_EQ(Parse(parser, std::string_view(wire).substr(0, 30)).step, Step::kNeedMore);
  EXPECT_EQ(parser.needed(), wire.size());
  EXPECT_EQ(Parse(parser, wire).step, Step::kOp);
}

TEST(ServerParserTest, BadInput) {
  for (std::string_view wire : {
           "XYZ\r\n",
           "PUB a 1\r\nx\r\n",  // a client's op
           "MSG a 5\r\n",       // no sid
           "MSG a 1 r x 5\r\n",
           "MSG a 1 -5\r\n",
           "HMSG a 1 5 2\r\n",  // header larger than total
           "HMSG a 1 2\r\n",
           "MSG a 1 5\r\nhelloXX",
           "MSG\r\n",
       }) {
    ServerParser parser;
    Result r = Parse(parser, wire);
    EXPECT_EQ(r.step, Step::kError) << wire;
    EXPECT_FALSE(parser.error_detail().empty()) << wire;
  }
}

TEST(ServerParserTest, Limits) {
  ServerParser parser(ServerParserLimits{.max_control_line = 10, .max_payload = 4});
  EXPECT_EQ(Parse(parser, "MSG a 1 4\r\nabcd\r\n").step, Step::kOp);
  EXPECT_EQ(Parse(parser, "MSG a 1 5\r\nabcde\r\n").step, Step::kError);
  EXPECT_EQ(Parse(parser, "INFO {\"a\":1234}\r\n").step, Step::kOp);  // 10 bytes
  EXPECT_EQ(Parse(parser, "INFO {\"a\":12345}").step, Step::kError);  // 11, no newline yet
}

}  // namespace
}  // namespace spate::protocol
