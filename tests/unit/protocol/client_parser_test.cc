#include "protocol/client_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocol/errors.h"

namespace spate::protocol {
namespace {

using Step = ClientParser::Step;

struct Result {
  Step step;
  size_t consumed;
  ClientOp op;
};

Result Parse(ClientParser& parser, std::string_view wire) {
  Result r{Step::kError, 12345, {}};
  r.step = parser.Next({wire.data(), wire.size()}, &r.consumed, &r.op);
  return r;
}

Result Parse(std::string_view wire) {
  ClientParser parser;
  return Parse(parser, wire);
}

template <class T>
T OpAs(std::string_view wire) {
  Result r = Parse(wire);
  EXPECT_EQ(r.step, Step::kOp) << wire;
  EXPECT_EQ(r.consumed, wire.size()) << wire;
  EXPECT_TRUE(std::holds_alternative<T>(r.op)) << wire;
  return std::holds_alternative<T>(r.op) ? std::get<T>(r.op) : T{};
}

// --- Every op ------------------------------------------------------------------------------

TEST(ClientParserTest, Pub) {
  PubOp pub = OpAs<PubOp>("PUB orders.new 5\r\nhello\r\n");
  EXPECT_EQ(pub.subject, "orders.new");
  EXPECT_EQ(pub.reply, "");
  EXPECT_EQ(pub.payload, "hello");
  EXPECT_EQ(pub.headers, "");
  EXPECT_FALSE(pub.has_headers);
}

TEST(ClientParserTest, PubWithReply) {
  PubOp pub = OpAs<PubOp>("PUB orders.new _INBOX.abc 5\r\nhello\r\n");
  EXPECT_EQ(pub.subject, "orders.new");
  EXPECT_EQ(pub.reply, "_INBOX.abc");
  EXPECT_EQ(pub.payload, "hello");
}

TEST(ClientParserTest, PubEmptyPayload) {
  PubOp pub = OpAs<PubOp>("PUB a 0\r\n\r\n");
  EXPECT_EQ(pub.subject, "a");
  EXPECT_EQ(pub.payload, "");
}

TEST(ClientParserTest, PubPayloadMayHoldCrlfAndOpNames) {
  PubOp pub = OpAs<PubOp>("PUB a 13\r\nPING\r\nPUB x\r\n\r\n");
  EXPECT_EQ(pub.payload, "PING\r\nPUB x\r\n");
}

TEST(ClientParserTest, PayloadIsAViewIntoTheInput) {
  std::string wire = "PUB a 5\r\nhello\r\n";
  ClientParser parser;
  Result r = Parse(parser, wire);
  ASSERT_EQ(r.step, Step::kOp);
  const PubOp& pub = std::get<PubOp>(r.op);
  EXPECT_EQ(pub.payload.data(), wire.data() + 9);
  EXPECT_EQ(pub.subject.data(), wire.data() + 4);
}

TEST(ClientParserTest, HeaderPub) {
  PubOp pub = OpAs<PubOp>("HPUB a 22 27\r\nNATS/1.0\r\nFoo: bar\r\n\r\nhello\r\n");
  EXPECT_EQ(pub.subject, "a");
  EXPECT_EQ(pub.reply, "");
  EXPECT_EQ(pub.headers, "NATS/1.0\r\nFoo: bar\r\n\r\n");
  EXPECT_EQ(pub.payload, "hello");
  EXPECT_TRUE(pub.has_headers);
}

TEST(ClientParserTest, HeaderPubWithReply) {
  PubOp pub = OpAs<PubOp>("HPUB a r 12 12\r\nNATS/1.0\r\n\r\n\r\n");
  EXPECT_EQ(pub.reply, "r");
  EXPECT_EQ(pub.headers, "NATS/1.0\r\n\r\n");
  EXPECT_EQ(pub.payload, "");
}

TEST(ClientParserTest, HeaderPubDoesNotCheckTheHeaderBlock) {
  // nats-server 2.9.10 accepts both; what the block holds is not the parser's business.
  EXPECT_EQ(OpAs<PubOp>("HPUB a 2 2\r\nab\r\n").headers, "ab");
  PubOp zero = OpAs<PubOp>("HPUB a 0 2\r\nhi\r\n");
  EXPECT_TRUE(zero.has_headers);
  EXPECT_EQ(zero.headers, "");
  EXPECT_EQ(zero.payload, "hi");
}

TEST(ClientParserTest, Sub) {
  SubOp sub = OpAs<SubOp>("SUB orders.* 1\r\n");
  EXPECT_EQ(sub.subject, "orders.*");
  EXPECT_EQ(sub.queue, "");
  EXPECT_EQ(sub.sid, "1");
}

TEST(ClientParserTest, SubWithQueue) {
  SubOp sub = OpAs<SubOp>("SUB orders.> workers 42\r\n");
  EXPECT_EQ(sub.subject, "orders.>");
  EXPECT_EQ(sub.queue, "workers");
  EXPECT_EQ(sub.sid, "42");
}

TEST(ClientParserTest, Unsub) {
  UnsubOp now = OpAs<UnsubOp>("UNSUB 7\r\n");
  EXPECT_EQ(now.sid, "7");
  EXPECT_EQ(now.max, 0u);
  UnsubOp later = OpAs<UnsubOp>("UNSUB 7 10\r\n");
  EXPECT_EQ(later.sid, "7");
  EXPECT_EQ(later.max, 10u);
}

TEST(ClientParserTest, UnsubWithBadMaxUnsubscribesNow) {
  // nats-server reads a bad max as -1 and removes the subscription at once.
  EXPECT_EQ(OpAs<UnsubOp>("UNSUB 7 x\r\n").max, 0u);
  EXPECT_EQ(OpAs<UnsubOp>("UNSUB 7 -3\r\n").max, 0u);
  EXPECT_EQ(OpAs<UnsubOp>("UNSUB 7 1234567890\r\n").max, 0u);
  EXPECT_EQ(OpAs<UnsubOp>("UNSUB 7 999999999\r\n").max, 999999999u);
}

TEST(ClientParserTest, Connect) {
  EXPECT_EQ(OpAs<ConnectOp>("CONNECT {\"verbose\":false}\r\n").json, "{\"verbose\":false}");
  EXPECT_EQ(OpAs<ConnectOp>("CONNECT{}\r\n").json, "{}");  // the blank is optional
  EXPECT_EQ(OpAs<ConnectOp>("CONNECT \t {} \r\n").json, "{} ");
}

TEST(ClientParserTest, ConnectTextIsPassedOnUnchecked) {
  // nats-server closes without -ERR on bad JSON; the session decides that, not the parser.
  EXPECT_EQ(OpAs<ConnectOp>("CONNECT {bad\r\n").json, "{bad");
  EXPECT_EQ(OpAs<ConnectOp>("CONNECTX\r\n").json, "X");
  // nats-server takes the first byte after the blanks into the argument unseen, a '\r' too.
  EXPECT_EQ(OpAs<ConnectOp>("CONNECT\r\n").json, "\r");
}

TEST(ClientParserTest, PingPong) {
  OpAs<PingOp>("PING\r\n");
  OpAs<PongOp>("PONG\r\n");
}

TEST(ClientParserTest, PingIgnoresEverythingUpToTheNewline) {
  OpAs<PingOp>("PING \r\n");
  OpAs<PingOp>("PINGXYZ\r\n");
  OpAs<PongOp>("PONGx\r\n");
}

// --- Framing -------------------------------------------------------------------------------

TEST(ClientParserTest, BareNewlineEndsAControlLine) {
  EXPECT_EQ(OpAs<PubOp>("PUB a 5\nhello\r\n").payload, "hello");
  EXPECT_EQ(OpAs<SubOp>("SUB a 1\n").sid, "1");
  OpAs<PingOp>("PING\n");
}

TEST(ClientParserTest, BlanksAreSpacesOrTabsInRuns) {
  PubOp pub = OpAs<PubOp>("PUB\ta\t\tr  \t 5 \t\r\nhello\r\n");
  EXPECT_EQ(pub.subject, "a");
  EXPECT_EQ(pub.reply, "r");
  SubOp sub = OpAs<SubOp>("SUB  a   q  1 \r\n");
  EXPECT_EQ(sub.subject, "a");
  EXPECT_EQ(sub.queue, "q");
  EXPECT_EQ(sub.sid, "1");
  EXPECT_EQ(OpAs<UnsubOp>("UNSUB\t1\r\n").sid, "1");
}

TEST(ClientParserTest, CarriageReturnSplitsSubArgumentsButNotPubArguments) {
  // As in nats-server: SUB/UNSUB split on " \t\r\n", PUB/HPUB on " \t" only.
  SubOp sub = OpAs<SubOp>("SUB a\rb 1\r\n");
  EXPECT_EQ(sub.subject, "a");
  EXPECT_EQ(sub.queue, "b");
  EXPECT_EQ(OpAs<PubOp>("PUB a\rb 5\r\nhello\r\n").subject, "a\rb");
  EXPECT_EQ(OpAs<SubOp>("SUB a 1\r\r\n").sid, "1");
}

TEST(ClientParserTest, StrayCarriageReturnDropsTheByteBeforeTheNewline) {
  // nats-server 2.9.10, whole line in one read: once a '\r' was seen in the argument, the byte
  // before the '\n' is left out, whatever it is.
  SubOp sub = OpAs<SubOp>("SUB a q 1\r6\n");
  EXPECT_EQ(sub.queue, "q");
  EXPECT_EQ(sub.sid, "1");
  EXPECT_EQ(OpAs<ConnectOp>("CONNECT {}\rb\n").json, "{}\r");
  EXPECT_EQ(OpAs<PubOp>("PUB a\rb 55\nhello\r\n").subject, "a\rb");  // size "5"
  ClientParser parser;
  EXPECT_EQ(Parse(parser, "SUB a1\r2\n").step, Step::kError);  // one argument left: "a1"
  EXPECT_EQ(parser.error_text(), "");
}

TEST(ClientParserTest, FirstArgumentByteIsNeverAnEndOfLine) {
  // nats-server 2.9.10 answers "PUB \nfoo 3\r\nabc\r\n" as a publish to "\nfoo".
  EXPECT_EQ(OpAs<PubOp>("PUB \nfoo 3\r\nabc\r\n").subject, "\nfoo");
  EXPECT_EQ(OpAs<SubOp>("SUB \na 1\r\n").subject, "a");
}

TEST(ClientParserTest, OpsAreCaseInsensitive) {
  EXPECT_EQ(OpAs<PubOp>("pub a 1\r\nx\r\n").subject, "a");
  EXPECT_EQ(OpAs<PubOp>("Pub a 1\r\nx\r\n").subject, "a");
  EXPECT_TRUE(OpAs<PubOp>("hPuB a 0 1\r\nx\r\n").has_headers);
  EXPECT_EQ(OpAs<SubOp>("sUb a 1\r\n").sid, "1");
  EXPECT_EQ(OpAs<UnsubOp>("unSUB 1\r\n").sid, "1");
  EXPECT_EQ(OpAs<ConnectOp>("connect {}\r\n").json, "{}");
  OpAs<PingOp>("ping\r\n");
  OpAs<PongOp>("PoNg\r\n");
}

TEST(ClientParserTest, SeveralOpsInOneBuffer) {
  const std::string wire =
      "CONNECT {}\r\nSUB a 1\r\nPUB a 2\r\nhi\r\nHPUB a r 12 14\r\nNATS/1.0\r\n\r\nyo\r\n"
      "UNSUB 1\r\nPING\r\nPONG\r\n";
  ClientParser parser;
  std::vector<size_t> kinds;
  std::vector<std::string_view> payloads;
  size_t offset = 0;
  for (;;) {
    Result r = Parse(parser, std::string_view(wire).substr(offset));
    if (r.step != Step::kOp) {
      EXPECT_EQ(r.step, Step::kNeedMore);
      EXPECT_EQ(r.consumed, 0u);
      break;
    }
    kinds.push_back(r.op.index());
    if (auto* pub = std::get_if<PubOp>(&r.op)) payloads.push_back(pub->payload);
    offset += r.consumed;
  }
  EXPECT_EQ(offset, wire.size());
  EXPECT_EQ(kinds, (std::vector<size_t>{0, 2, 1, 1, 3, 4, 5}));
  EXPECT_EQ(payloads, (std::vector<std::string_view>{"hi", "yo"}));
}

// Feeds every prefix of `wire` (which holds one frame), then the whole.
void ExpectNeedMoreUntilWhole(std::string_view wire) {
  ClientParser parser;
  for (size_t n = 0; n < wire.size(); ++n) {
    Result r = Parse(parser, wire.substr(0, n));
    ASSERT_EQ(r.step, Step::kNeedMore) << "prefix " << n << " of " << wire;
    ASSERT_EQ(r.consumed, 0u);
  }
  Result r = Parse(parser, wire);
  ASSERT_EQ(r.step, Step::kOp) << wire;
  ASSERT_EQ(r.consumed, wire.size()) << wire;
}

TEST(ClientParserTest, EveryOpSplitAtEveryByte) {
  for (std::string_view wire : {
           "PUB orders.new 5\r\nhello\r\n",
           "PUB orders.new reply.to 5\r\nhello\r\n",
           "PUB a 0\r\n\r\n",
           "HPUB a 12 17\r\nNATS/1.0\r\n\r\nhello\r\n",
           "HPUB a r 12 17\r\nNATS/1.0\r\n\r\nhello\r\n",
           "SUB a 1\r\n",
           "SUB a q 1\r\n",
           "UNSUB 1\r\n",
           "UNSUB 1 5\r\n",
           "CONNECT {\"verbose\":false}\r\n",
           "PING\r\n",
           "PONG\r\n",
           "pub a 1\nx\r\n",
       }) {
    ExpectNeedMoreUntilWhole(wire);
  }
}

TEST(ClientParserTest, NeededGivesTheFrameSizeOnceTheControlLineIsIn) {
  const std::string payload(1 << 20, 'x');
  const std::string line = "PUB big 1048576\r\n";
  const std::string wire = line + payload + "\r\n";
  ClientParser parser;
  EXPECT_EQ(Parse(parser, std::string_view(wire).substr(0, 5)).step, Step::kNeedMore);
  EXPECT_EQ(parser.needed(), 0u);  // not known before the control line ends
  for (size_t n : {line.size(), line.size() + 1000, wire.size() - 1}) {
    Result r = Parse(parser, std::string_view(wire).substr(0, n));
    EXPECT_EQ(r.step, Step::kNeedMore);
    EXPECT_EQ(parser.needed(), wire.size());
  }
  Result r = Parse(parser, wire);
  ASSERT_EQ(r.step, Step::kOp);
  EXPECT_EQ(std::get<PubOp>(r.op).payload.size(), payload.size());
  EXPECT_EQ(parser.needed(), 0u);
}

TEST(ClientParserTest, NeededForHeaderPubCountsHeadersAndPayload) {
  const std::string wire = "HPUB a 12 1012\r\nNATS/1.0\r\n\r\n" + std::string(1000, 'y') + "\r\n";
  ClientParser parser;
  EXPECT_EQ(Parse(parser, std::string_view(wire).substr(0, 20)).step, Step::kNeedMore);
  EXPECT_EQ(parser.needed(), wire.size());
}

// --- Frames that carry no op ---------------------------------------------------------------

TEST(ClientParserTest, InfoAndOkFromAClientAreSkipped) {
  const std::string_view wire = "+OK\r\nINFO {}\r\n+okay\r\nPING\r\n";
  Result r = Parse(wire);
  ASSERT_EQ(r.step, Step::kOp);
  EXPECT_TRUE(std::holds_alternative<PingOp>(r.op));
  EXPECT_EQ(r.consumed, wire.size());
}

TEST(ClientParserTest, SkippedFramesAreReportedWhenMoreIsNeeded) {
  ClientParser parser;
  Result r = Parse(parser, "+OK\r\nINFO {}\r\nPUB a 5\r\nhel");
  EXPECT_EQ(r.step, Step::kNeedMore);
  EXPECT_EQ(r.consumed, 14u);
  EXPECT_EQ(parser.needed(), std::string_view("PUB a 5\r\nhello\r\n").size());
}

TEST(ClientParserTest, SkippedFramesSplitAtEveryByte) {
  const std::string_view wire = "+OK\r\nINFO {}\r\nPING\r\n";
  ClientParser parser;
  for (size_t n = 0; n < wire.size(); ++n) {
    Result r = Parse(parser, wire.substr(0, n));
    ASSERT_EQ(r.step, Step::kNeedMore) << n;
    size_t expected = n < 5 ? 0 : n < 14 ? 5 : 14;
    EXPECT_EQ(r.consumed, expected) << n;
  }
  Result r = Parse(parser, wire);
  ASSERT_EQ(r.step, Step::kOp);
  EXPECT_EQ(r.consumed, wire.size());
}

TEST(ClientParserTest, HeaderMsgFromAClientIsIgnoredWhenEmpty) {
  // nats-server 2.9.10: "HMSG a 1 2 2\r\n\r\n" is accepted and does nothing.
  Result r = Parse("HMSG a 1 2 2\r\n\r\nPING\r\n");
  ASSERT_EQ(r.step, Step::kOp);
  EXPECT_TRUE(std::holds_alternative<PingOp>(r.op));
}

// --- Bad input: the -ERR text nats-server 2.9.10 sends, or none when it just closes ------------

struct BadInput {
  std::string_view wire;
  std::string_view error;  // empty: close without -ERR
};

class ClientParserBadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(ClientParserBadInputTest, FailsWithNatsServerText) {
  const BadInput& bad = GetParam();
  ClientParser parser;
  Result r = Parse(parser, bad.wire);
  ASSERT_EQ(r.step, Step::kError) << bad.wire;
  EXPECT_EQ(parser.error_text(), bad.error) << bad.wire;
  EXPECT_FALSE(parser.error_detail().empty());
  EXPECT_EQ(r.consumed, 0u);
}

constexpr std::string_view kUnknown = kErrUnknownOp;
constexpr std::string_view kClose = "";

INSTANTIATE_TEST_SUITE_P(
    Observed, ClientParserBadInputTest,
    ::testing::Values(
        // Unknown or malformed op names.
        BadInput{"XYZ\r\n", kUnknown}, BadInput{"\r\n", kUnknown}, BadInput{"\n", kUnknown},
        BadInput{" PING\r\n", kUnknown}, BadInput{"PIN\r\n", kUnknown},
        BadInput{"PUBX a 1\r\n", kUnknown}, BadInput{"PUB\r\n", kUnknown},
        BadInput{"SUB\r\n", kUnknown}, BadInput{"UNSUB\r\n", kUnknown},
        BadInput{"HPUBa\r\n", kUnknown}, BadInput{"MSG a 1 1\r\nx\r\n", kUnknown},
        BadInput{"HMSG\r\n", kUnknown}, BadInput{"+O\r\n", kUnknown},
        BadInput{"-ERR\r\n", kUnknown}, BadInput{"RS+ a 1\r\n", kUnknown},
        BadInput{"LS+ a 1\r\n", kUnknown}, BadInput{"A+ a\r\n", kUnknown},
        // The payload must be followed by exactly CRLF.
        BadInput{"PUB a 5\r\nhelloX\r\n", kUnknown}, BadInput{"PUB a 5\r\nhello\n", kUnknown},
        BadInput{"PUB a 5\r\nhello\r\r\n", kUnknown}, BadInput{"HMSG a 1 2 2\r\nab\r\n", kUnknown},
        // Wrong arguments close the connection without -ERR.
        BadInput{"PUB a\r\n", kClose}, BadInput{"PUB \r\n", kClose},
        BadInput{"PUB a b c 5\r\n", kClose}, BadInput{"PUB a x\r\n", kClose},
        BadInput{"PUB a -1\r\n", kClose}, BadInput{"PUB a +5\r\n", kClose},
        BadInput{"PUB a 1234567890\r\n", kClose}, BadInput{"PUB a 1\r\r\nx\r\n", kClose},
        BadInput{"HPUB a 5\r\n", kClose}, BadInput{"HPUB a 5 2\r\n", kClose},
        BadInput{"HPUB a r x 12 14\r\n", kClose}, BadInput{"HPUB a x 2\r\n", kClose},
        BadInput{"HPUB a 2 x\r\n", kClose}, BadInput{"SUB a\r\n", kClose},
        BadInput{"SUB \r\n", kClose}, BadInput{"SUB a q 1 x\r\n", kClose},
        BadInput{"UNSUB \r\n", kClose}, BadInput{"UNSUB 1 2 3\r\n", kClose},
        BadInput{"-ERR \r\n", kClose}, BadInput{"-ERR 'oops'\r\n", kClose},
        // Limits.
        BadInput{"PUB a 2000000\r\n", kErrMaxPayload},
        BadInput{"PUB a 999999999\r\n", kErrMaxPayload},
        BadInput{"HPUB a 2 2000000\r\n", kErrMaxPayload},
        BadInput{"HPUB a 2000000 2000000\r\n", kErrMaxPayload}));

TEST(ClientParserTest, HeaderPubWithoutHeadersEnabledClosesWithoutError) {
  ClientParser parser;
  parser.set_headers_enabled(false);
  Result r = Parse(parser, "HPUB a 2 2\r\nab\r\n");
  ASSERT_EQ(r.step, Step::kError);
  EXPECT_EQ(parser.error_text(), "");
  EXPECT_EQ(Parse(parser, "PUB a 2\r\nab\r\n").step, Step::kOp);
}

TEST(ClientParserTest, ErrorIsReportedBeforeThePayloadArrives) {
  ClientParser parser;
  EXPECT_EQ(Parse(parser, "PUB a 2000000\r\n").step, Step::kError);
  EXPECT_EQ(Parse(parser, "PUB a 5\r\nhelloX").step, Step::kError);  // no wait for the '\n'
  EXPECT_EQ(Parse(parser, "PUB a 5\r\nhello\r").step, Step::kNeedMore);
}

TEST(ClientParserTest, OpsBeforeAnErrorAreReturnedFirst) {
  const std::string_view wire = "PING\r\nBAD\r\n";
  ClientParser parser;
  Result first = Parse(parser, wire);
  ASSERT_EQ(first.step, Step::kOp);
  EXPECT_EQ(Parse(parser, wire.substr(first.consumed)).step, Step::kError);
}

// --- Limits --------------------------------------------------------------------------------

// A control line whose argument (what follows "PUB ", without CRLF) has `arg_size` bytes.
std::string PubWithArgSize(size_t arg_size) {
  return "PUB " + std::string(arg_size - 2, 'a') + " 0\r\n\r\n";
}

TEST(ClientParserTest, MaxControlLineCountsTheArgumentOnly) {
  // nats-server 2.9.10 with the 4096 default: an argument of 4096 bytes passes, 4097 fails.
  ClientParser parser;
  EXPECT_EQ(Parse(parser, PubWithArgSize(4096)).step, Step::kOp);
  EXPECT_EQ(Parse(parser, PubWithArgSize(4097)).step, Step::kError);
  EXPECT_EQ(parser.error_text(), kErrMaxControlLine);
  EXPECT_EQ(parser.error_text(), "-ERR 'maximum control line exceeded'\r\n");
}

TEST(ClientParserTest, MaxControlLineAppliesToEveryOp) {
  ClientParser parser(ParserLimits{.max_control_line = 8, .max_payload = 100});
  EXPECT_EQ(Parse(parser, "SUB abcdef 1\r\n").step, Step::kOp);      // "abcdef 1": 8 bytes
  EXPECT_EQ(Parse(parser, "SUB abcdefg 1\r\n").step, Step::kError);  // 9 bytes
  EXPECT_EQ(Parse(parser, "CONNECT {\"a\":11}\r\n").step, Step::kOp);
  EXPECT_EQ(Parse(parser, "CONNECT {\"a\":111}\r\n").step, Step::kError);
  EXPECT_EQ(Parse(parser, "UNSUB 12345678\r\n").step, Step::kOp);
  EXPECT_EQ(Parse(parser, "UNSUB 123456789\r\n").step, Step::kError);
}

TEST(ClientParserTest, LongLineFailsBeforeItsNewlineArrives) {
  ClientParser parser(ParserLimits{.max_control_line = 8, .max_payload = 100});
  EXPECT_EQ(Parse(parser, "SUB abcdef 1").step, Step::kNeedMore);
  EXPECT_EQ(Parse(parser, "SUB abcdef 1\r").step, Step::kNeedMore);
  EXPECT_EQ(Parse(parser, "SUB abcdef 12").step, Step::kError);
  EXPECT_EQ(parser.error_text(), kErrMaxControlLine);
  // Endless garbage after PING or blanks after an op name hit the limit too (our addition).
  EXPECT_EQ(Parse(parser, "PING" + std::string(9, 'x')).step, Step::kError);
  EXPECT_EQ(Parse(parser, "PUB" + std::string(9, ' ')).step, Step::kError);
}

TEST(ClientParserTest, LongLineVerdictDoesNotDependOnSplits) {
  ParserLimits limits{.max_control_line = 16, .max_payload = 100};
  for (size_t arg = 10; arg < 22; ++arg) {
    std::string wire = "SUB " + std::string(arg - 2, 'a') + " 1\r\n";
    ClientParser parser(limits);
    Step whole = Parse(parser, wire).step;
    EXPECT_EQ(whole, arg <= 16 ? Step::kOp : Step::kError);
    for (size_t n = 0; n < wire.size(); ++n) {
      Step step = Parse(parser, std::string_view(wire).substr(0, n)).step;
      if (step == Step::kError) {
        EXPECT_EQ(whole, Step::kError) << wire << " at " << n;
      }
    }
  }
}

TEST(ClientParserTest, MaxPayloadBoundary) {
  ClientParser parser(ParserLimits{.max_control_line = 4096, .max_payload = 5});
  EXPECT_EQ(Parse(parser, "PUB a 5\r\nhello\r\n").step, Step::kOp);
  EXPECT_EQ(Parse(parser, "PUB a 6\r\nhello!\r\n").step, Step::kError);
  EXPECT_EQ(parser.error_text(), kErrMaxPayload);
  EXPECT_EQ(Parse(parser, "HPUB a 2 5\r\nabcde\r\n").step, Step::kOp);
  EXPECT_EQ(Parse(parser, "HPUB a 2 6\r\nabcdef\r\n").step, Step::kError);
  EXPECT_EQ(parser.error_text(), kErrMaxPayload);
}

TEST(ClientParserTest, SetLimitsTakesEffect) {
  ClientParser parser;
  EXPECT_EQ(Parse(parser, "PUB a 6\r\nhello!\r\n").step, Step::kOp);
  parser.set_limits(ParserLimits{.max_control_line = 4096, .max_payload = 5});
  EXPECT_EQ(Parse(parser, "PUB a 6\r\nhello!\r\n").step, Step::kError);
}

}  // namespace
}  // namespace spate::protocol
