#include "server/jwt_user_checks.h"

#include <gtest/gtest.h>

#include <ctime>

namespace spate::server {
namespace {

TEST(JwtUserChecksTest, SourceAddressesByCidr) {
  EXPECT_TRUE(CheckJwtSource({}, "203.0.113.9").ok());
  EXPECT_TRUE(CheckJwtSource({"10.0.0.0/8", "127.0.0.0/8"}, "127.0.0.1").ok());
  EXPECT_FALSE(CheckJwtSource({"10.0.0.0/8"}, "127.0.0.1").ok());
  EXPECT_TRUE(CheckJwtSource({"192.0.2.128/25"}, "192.0.2.200").ok());
  EXPECT_FALSE(CheckJwtSource({"192.0.2.128/25"}, "192.0.2.100").ok());
  EXPECT_TRUE(CheckJwtSource({"2001:db8::/32"}, "2001:db8:1::5").ok());
  EXPECT_FALSE(CheckJwtSource({"2001:db8::/32"}, "2001:db9::5").ok());
  EXPECT_TRUE(CheckJwtSource({"0.0.0.0/0"}, "198.51.100.1").ok());
  // A malformed CIDR allows nothing (nats-server treats the token as invalid).
  EXPECT_FALSE(CheckJwtSource({"127.0.0.1"}, "127.0.0.1").ok());
  EXPECT_FALSE(CheckJwtSource({"127.0.0.0/33"}, "127.0.0.1").ok());
}

TEST(JwtUserChecksTest, ConnectionTypes) {
  EXPECT_TRUE(CheckJwtConnectionType({}).ok());
  EXPECT_TRUE(CheckJwtConnectionType({"WEBSOCKET", "STANDARD"}).ok());
  EXPECT_FALSE(CheckJwtConnectionType({"WEBSOCKET"}).ok());
  EXPECT_FALSE(CheckJwtConnectionType({"SOMETHING_NEW"}).ok());
}

// 2026-11-27 at hour:minute UTC, as unix seconds.
int64_t At(int hour, int minute) {
  tm t{};
  t.tm_year = 2026 - 1900;
  t.tm_mon = 10;
  t.tm_mday = 27;
  t.tm_hour = hour;
  t.tm_min = minute;
  return static_cast<int64_t>(::timegm(&t));
}

TEST(JwtUserChecksTest, TimeRangesInUtc) {
  EXPECT_EQ(*CheckJwtTimes({}, "", At(10, 0)), 0);
  std::vector<auth::TimeRange> office = {{"09:00:00", "17:00:00"}};
  Result<int64_t> left = CheckJwtTimes(office, "UTC", At(10, 0));
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(*left, 7 * 3600);
  EXPECT_FALSE(CheckJwtTimes(office, "UTC", At(18, 0)).ok());
  // A range across midnight, before and after it; the longest of several ranges wins.
  std::vector<auth::TimeRange> night = {{"22:00:00", "06:00:00"}, {"23:00:00", "23:59:00"}};
  EXPECT_EQ(*CheckJwtTimes(night, "UTC", At(23, 30)), 6 * 3600 + 30 * 60);
  EXPECT_EQ(*CheckJwtTimes(night, "UTC", At(5, 0)), 3600);
  EXPECT_FALSE(CheckJwtTimes(night, "UTC", At(12, 0)).ok());
  EXPECT_FALSE(CheckJwtTimes({{"9:00", "17:00:00"}}, "UTC", At(10, 0)).ok());
  EXPECT_FALSE(CheckJwtTimes(office, "Europe/Berlin", At(10, 0)).ok());
}

}  // namespace
}  // namespace spate::server
