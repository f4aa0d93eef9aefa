#include "protocol/client_encoder.h"

#include <gtest/gtest.h>

#include "protocol/client_parser.h"

namespace spate::protocol {
namespace {

ClientOp ParseOne(const std::string& wire) {
  ClientParser parser;
  ClientOp op;
  size_t used = 0;
  EXPECT_EQ(parser.Next({wire.data(), wire.size()}, &used, &op), ClientParser::Step::kOp) << wire;
  EXPECT_EQ(used, wire.size()) << wire;
  return op;
}

TEST(ClientEncoderTest, Pub) {
  std::string out;
  AppendPub(&out, "orders.new", "", "", "hello");
  EXPECT_EQ(out, "PUB orders.new 5\r\nhello\r\n");
  out.clear();
  AppendPub(&out, "a", "_INBOX.x.y", "", "");
  EXPECT_EQ(out, "PUB a _INBOX.x.y 0\r\n\r\n");
}

TEST(ClientEncoderTest, HpubRoundTripsThroughClientParser) {
  std::string out;
  const std::string hdr = "NATS/1.0\r\nK: v\r\n\r\n";
  AppendPub(&out, "a.b", "r.1", hdr, "xy");
  EXPECT_EQ(out, "HPUB a.b r.1 18 20\r\n" + hdr + "xy\r\n");
  ClientOp op = ParseOne(out);
  ASSERT_TRUE(std::holds_alternative<PubOp>(op));
  const PubOp& pub = std::get<PubOp>(op);
  EXPECT_TRUE(pub.has_headers);
  EXPECT_EQ(pub.subject, "a.b");
  EXPECT_EQ(pub.reply, "r.1");
  EXPECT_EQ(pub.headers, hdr);
  EXPECT_EQ(pub.payload, "xy");
}

TEST(ClientEncoderTest, SubAndUnsub) {
  std::string out;
  AppendSub(&out, "work.>", "", 7);
  AppendSub(&out, "work.*", "q", 18446744073709551615ULL);
  AppendUnsub(&out, 7);
  AppendUnsub(&out, 8, 3);
  EXPECT_EQ(out, "SUB work.> 7\r\nSUB work.* q 18446744073709551615\r\nUNSUB 7\r\nUNSUB 8 3\r\n");
  const std::string line = "SUB work.* q 9\r\n";
  ClientOp op = ParseOne(line);
  ASSERT_TRUE(std::holds_alternative<SubOp>(op));
  EXPECT_EQ(std::get<SubOp>(op).queue, "q");
  EXPECT_EQ(std::get<SubOp>(op).sid, "9");
  std::string unsub;
  AppendUnsub(&unsub, 9, 5);
  op = ParseOne(unsub);
  ASSERT_TRUE(std::holds_alternative<UnsubOp>(op));
  EXPECT_EQ(std::get<UnsubOp>(op).max, 5u);
}

}  // namespace
}  // namespace spate::protocol
