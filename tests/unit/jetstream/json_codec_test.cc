#include "jetstream/json_codec.h"

#include <gtest/gtest.h>

#include "jetstream/go_text.h"

namespace spate::jetstream {
namespace {

using namespace std::chrono_literals;

TEST(FormatTimeTest, WritesRfc3339NanoUtcWithTrimmedFraction) {
  EXPECT_EQ(FormatTime(WallTime{0}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTime(WallTime{1'700'000'000'123'456'789}), "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(FormatTime(WallTime{1'700'000'000'120'000'000}), "2023-11-14T22:13:20.12Z");
  EXPECT_EQ(FormatTime(WallTime{-1}), "1969-12-31T23:59:59.999999999Z");
}

TEST(FormatTimeTest, GoZeroTimeForUnsetAndSentinel) {
  EXPECT_EQ(FormatTime(std::nullopt), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatTime(WallTime{kGoZeroTimeNanos}), "0001-01-01T00:00:00Z");
}

TEST(ParseTimeTest, AcceptsRfc3339WithFractionAndOffset) {
  EXPECT_EQ(ParseTime("2023-11-14T22:13:20.123456789Z"), WallTime{1'700'000'000'123'456'789});
  EXPECT_EQ(ParseTime("2023-11-14T23:13:20+01:00"), WallTime{1'700'000'000'000'000'000});
  EXPECT_EQ(ParseTime("2023-11-14T22:13:20.5Z"), WallTime{1'700'000'000'500'000'000});
}

TEST(ParseTimeTest, GoZeroTimeParsesToUnsetTime) {
  std::optional<WallTime> zero = ParseTime("0001-01-01T00:00:00Z");
  ASSERT_TRUE(zero.has_value());
  EXPECT_FALSE(zero->has_value());
}

TEST(ParseTimeTest, RejectsMalformedTimes) {
  for (std::string_view bad :
       {"", "2023-11-14", "2023-11-14 22:13:20Z", "2023-13-01T00:00:00Z", "2023-02-30T00:00:00Z",
        "2023-11-14T22:13:20", "2023-11-14T22:13:20.Z", "2023-11-14T25:00:00Z",
        "1500-01-01T00:00:00Z"}) {
    EXPECT_FALSE(ParseTime(bad).has_value()) << bad;
  }
}

TEST(JsonObjectReaderTest, MatchesKeysCaseInsensitivelyLikeGo) {
  nlohmann::json json = ParseJson(R"({"NAME":"orders","Max_Msgs":5})");
  JsonObjectReader reader(json);
  std::string name;
  int64_t max_msgs = 0;
  reader.Read("name", &name);
  reader.Read("max_msgs", &max_msgs);
  EXPECT_TRUE(reader.ok());
  EXPECT_EQ(name, "orders");
  EXPECT_EQ(max_msgs, 5);
}

TEST(JsonObjectReaderTest, NullLeavesTheZeroValue) {
  nlohmann::json json = ParseJson(R"({"name":null,"max_msgs":null})");
  JsonObjectReader reader(json);
  std::string name = "keep";
  int64_t max_msgs = 7;
  reader.Read("name", &name);
  reader.Read("max_msgs", &max_msgs);
  EXPECT_TRUE(reader.ok());
  EXPECT_EQ(name, "keep");
  EXPECT_EQ(max_msgs, 7);
}

TEST(JsonObjectReaderTest, RejectsWrongTypesAndRanges) {
  auto fails = [](std::string_view text, auto value) {
    nlohmann::json json = ParseJson(text);
    JsonObjectReader reader(json);
    reader.Read("v", &value);
    return !reader.ok();
  };
  EXPECT_TRUE(fails(R"({"v":"5"})", int64_t{}));
  EXPECT_TRUE(fails(R"({"v":1.5})", int64_t{}));
  EXPECT_TRUE(fails(R"({"v":1e3})", int64_t{}));
  EXPECT_TRUE(fails(R"({"v":-1})", uint64_t{}));
  EXPECT_TRUE(fails(R"({"v":2147483648})", int32_t{}));
  EXPECT_TRUE(fails(R"({"v":1})", std::string{}));
  EXPECT_TRUE(fails(R"({"v":"true"})", bool{}));
  EXPECT_TRUE(fails(R"({"v":"yesterday"})", std::optional<int64_t>{}));
  EXPECT_FALSE(fails(R"({"v":-2147483648})", int32_t{}));
  EXPECT_FALSE(fails(R"({"v":18446744073709551615})", uint64_t{}));
}

TEST(JsonObjectReaderTest, NonObjectFails) {
  nlohmann::json json = ParseJson("[1,2]");
  EXPECT_FALSE(JsonObjectReader(json).ok());
  EXPECT_TRUE(ParseJson("{").is_discarded());
}

TEST(GoTextTest, FormatsDurationsLikeGo) {
  EXPECT_EQ(FormatGoDuration(0ns), "0s");
  EXPECT_EQ(FormatGoDuration(2min), "2m0s");
  EXPECT_EQ(FormatGoDuration(1h), "1h0m0s");
  EXPECT_EQ(FormatGoDuration(1500ms), "1.5s");
  EXPECT_EQ(FormatGoDuration(100ms), "100ms");
  EXPECT_EQ(FormatGoDuration(1500us), "1.5ms");
  EXPECT_EQ(FormatGoDuration(2us), "2\xC2\xB5s");
  EXPECT_EQ(FormatGoDuration(42ns), "42ns");
  EXPECT_EQ(FormatGoDuration(-3s), "-3s");
  EXPECT_EQ(FormatGoDuration(90min + 1s), "1h30m1s");
}

TEST(GoTextTest, QuotesLikePercentQ) {
  EXPECT_EQ(QuoteGo("foo.*"), "\"foo.*\"");
  EXPECT_EQ(QuoteGo("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
}

}  // namespace
}  // namespace spate::jetstream

namespace spate::jetstream {
namespace {

TEST(DumpGoJsonTest, EscapesLikeGoJsonMarshal) {
  nlohmann::ordered_json value;
  value["subjects"] = {"orders.>", "a<b&c"};
  value["ctl"] = "\b\f\n\\b";
  value["sep"] = "x\xE2\x80\xA8y";
  EXPECT_EQ(DumpGoJson(value),
            R"({"subjects":["orders.\u003e","a\u003cb\u0026c"],"ctl":"\u0008\u000c\n\\b",)"
            R"("sep":"x\u2028y"})");
}

TEST(DumpGoJsonTest, InvalidUtf8DoesNotThrow) {
  nlohmann::ordered_json value;
  value["subject"] = std::string("bad\xFF");
  EXPECT_EQ(DumpGoJson(value), "{\"subject\":\"bad\xEF\xBF\xBD\"}");
}

}  // namespace
}  // namespace spate::jetstream
