#include "conf/duration.h"

#include <gtest/gtest.h>

namespace spate::conf {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

nanoseconds Ok(std::string_view text) {
  Result<nanoseconds> r = ParseDuration(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? *r : nanoseconds(-12345);
}

TEST(Duration, GoSyntax) {
  EXPECT_EQ(Ok("2m"), minutes(2));
  EXPECT_EQ(Ok("10s"), seconds(10));
  EXPECT_EQ(Ok("1h30m"), minutes(90));
  EXPECT_EQ(Ok("1.5h"), minutes(90));
  EXPECT_EQ(Ok("300ms"), milliseconds(300));
  EXPECT_EQ(Ok("2m10.5s"), milliseconds(130500));
  EXPECT_EQ(Ok("100us"), microseconds(100));
  EXPECT_EQ(Ok("100\xC2\xB5s"), microseconds(100));
  EXPECT_EQ(Ok("7ns"), nanoseconds(7));
  EXPECT_EQ(Ok("0"), nanoseconds(0));
  EXPECT_EQ(Ok("-1s"), seconds(-1));
  EXPECT_EQ(Ok("+5s"), seconds(5));
  EXPECT_EQ(Ok(".5s"), milliseconds(500));
  EXPECT_EQ(Ok("2562047h"), hours(2562047));
}

TEST(Duration, Rejects) {
  for (const char* bad : {"", "5", "s", "1x", "5mins", "1 s", "1h-5m", "--1s", "1.2.3s",
                          "9999999999999999999s", "2562048h"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(Duration, FormatsAsGo) {
  EXPECT_EQ(FormatDuration(nanoseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(seconds(30)), "30s");
  EXPECT_EQ(FormatDuration(minutes(2)), "2m0s");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(FormatDuration(milliseconds(500)), "500ms");
  EXPECT_EQ(FormatDuration(hours(1) + seconds(1)), "1h0m1s");
  EXPECT_EQ(FormatDuration(microseconds(1500)), "1.5ms");
  EXPECT_EQ(FormatDuration(nanoseconds(1500)), "1.5\xC2\xB5s");
  EXPECT_EQ(FormatDuration(seconds(-3)), "-3s");
  EXPECT_EQ(Ok(FormatDuration(minutes(90) + milliseconds(250))), minutes(90) + milliseconds(250));
}

}  // namespace
}  // namespace spate::conf
