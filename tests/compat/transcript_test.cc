// The transcript language itself: escapes and syntax errors (no server needed).

#include "compat/transcript.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace spate::test {
namespace {

TEST(TranscriptEscapesTest, DecodesControlCharactersAndHex) {
  std::string out;
  ASSERT_TRUE(DecodeEscapes(R"(PUB a 2\r\nhi\r\n\t\\\x00\x7c)", &out));
  EXPECT_EQ(out, std::string("PUB a 2\r\nhi\r\n\t\\\0|", 17));
  EXPECT_EQ(EscapeBytes(out), R"(PUB a 2\r\nhi\r\n\t\\\x00|)");
}

TEST(TranscriptEscapesTest, RejectsBrokenEscapes) {
  std::string out;
  EXPECT_FALSE(DecodeEscapes(R"(abc\)", &out));
  EXPECT_FALSE(DecodeEscapes(R"(\q)", &out));
  EXPECT_FALSE(DecodeEscapes(R"(\x4)", &out));
  EXPECT_FALSE(DecodeEscapes(R"(\xzz)", &out));
}

TEST(TranscriptParseTest, ParsesCommandsAndDirectives) {
  TempDir dir;
  const std::string path = dir.WriteFile("t.nats",
                                         "# comment\n"
                                         "skip nats-server needs 2.11\n"
                                         "server_conf max_payload: 16\n"
                                         "server_arg -D\n"
                                         "connect c1\n"
                                         "expect_info c1 ordered server_id port\n"
                                         "send   c1 PING\\r\\n\n"
                                         "expect_one_of c1 A\\r\\n || B\\r\\n\n"
                                         "expect_any c1,c2 MSG\\r\\n\n"
                                         "expect_closed c1\n");
  Transcript t;
  std::string error;
  ASSERT_TRUE(ParseTranscript(path, &t, &error)) << error;
  EXPECT_EQ(t.skip_servers, std::vector<std::string>{"nats-server"});
  EXPECT_EQ(t.skip_reason, "needs 2.11");
  EXPECT_EQ(t.server_config, "max_payload: 16\n");
  EXPECT_EQ(t.server_args, std::vector<std::string>{"-D"});
  ASSERT_EQ(t.steps.size(), 6u);
  EXPECT_EQ(t.steps[2].command, "send");
  EXPECT_EQ(t.steps[2].arguments, std::vector<std::string>{"PING\r\n"});
  EXPECT_EQ(t.steps[2].line, 7);
  EXPECT_EQ(t.steps[3].arguments, (std::vector<std::string>{"A\r\n", "B\r\n"}));
  EXPECT_EQ(t.steps[4].connections, (std::vector<std::string>{"c1", "c2"}));
}

TEST(TranscriptParseTest, ReportsErrorsWithLineNumbers) {
  TempDir dir;
  Transcript t;
  std::string error;
  EXPECT_FALSE(ParseTranscript(dir.WriteFile("a.nats", "connect c1\nsned c1 PING\n"), &t, &error));
  EXPECT_NE(error.find("a.nats:2: unknown command sned"), std::string::npos) << error;
  EXPECT_FALSE(ParseTranscript(dir.WriteFile("b.nats", "send c1 \\q\n"), &t, &error));
  EXPECT_NE(error.find("b.nats:1: bad escape"), std::string::npos) << error;
  EXPECT_FALSE(ParseTranscript(dir.WriteFile("c.nats", "expect c1\n"), &t, &error));
  EXPECT_NE(error.find("c.nats:1: expect needs bytes"), std::string::npos) << error;
}

}  // namespace
}  // namespace spate::test
