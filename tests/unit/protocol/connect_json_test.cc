#include "protocol/connect_json.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace spate::protocol {
namespace {

TEST(ConnectJsonTest, MergesKnownFieldsAndKeepsTheRest) {
  ConnectFields f;
  ASSERT_TRUE(MergeConnectJson(
      R"({"verbose":false,"headers":true,"name":"svc","protocol":1,"user":"u","pass":"p",)"
      R"("nkey":"UKEY","sig":"c2ln","jwt":"eyJ.x.y","auth_token":"t","unknown":{"a":[1]}})",
      &f));
  EXPECT_FALSE(f.verbose);
  EXPECT_TRUE(f.pedantic);  // left out: keeps its value
  EXPECT_TRUE(f.headers);
  EXPECT_EQ(f.name, "svc");
  EXPECT_EQ(f.protocol, 1);
  EXPECT_EQ(f.user, "u");
  EXPECT_EQ(f.pass, "p");
  EXPECT_EQ(f.nkey, "UKEY");
  EXPECT_EQ(f.sig, "c2ln");
  EXPECT_EQ(f.jwt, "eyJ.x.y");
  EXPECT_EQ(f.auth_token, "t");
  // A null is "not given".
  ASSERT_TRUE(MergeConnectJson(R"({"name":null,"verbose":null})", &f));
  EXPECT_EQ(f.name, "svc");
  EXPECT_FALSE(f.verbose);
}

TEST(ConnectJsonTest, WrongTypesAndNonObjectsAreRefusedWithoutChanges) {
  ConnectFields f;
  f.name = "kept";
  for (const char* bad :
       {R"({"verbose":"yes"})", R"({"protocol":1.5})", R"({"name":5})", R"({"user":["a"]})", "[]",
        "\"s\"", "{", "", "{\"name\":\"x\"} trailing"}) {
    EXPECT_FALSE(MergeConnectJson(bad, &f)) << bad;
    EXPECT_EQ(f.name, "kept") << bad;
    EXPECT_TRUE(f.verbose) << bad;
  }
  // A big integer fits Go's 64-bit int: accepted (and clamped here); a float is not an int.
  ASSERT_TRUE(MergeConnectJson(R"({"protocol":9999999999})", &f));
  EXPECT_EQ(f.protocol, INT32_MAX);
  EXPECT_FALSE(MergeConnectJson(R"({"protocol":1e30})", &f));
}

}  // namespace
}  // namespace spate::protocol
