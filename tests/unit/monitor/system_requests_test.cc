// Request bodies of $SYS.REQ.SERVER.*: decoded as nats-server's Go structs are, into the option
// structs the HTTP handlers use.
#include "monitor/system_requests.h"

#include <gtest/gtest.h>

namespace spate::monitor {
namespace {

ServerRequestOptions Decode(std::string_view name, std::string_view body, std::string* err) {
  ServerRequestOptions o;
  *err = DecodeRequestOptions(name, body, &o);
  return o;
}

TEST(SystemRequestsTest, EmptyAndNullBodiesKeepTheDefaults) {
  std::string err;
  for (std::string_view body : {"", "  \r\n", "null", "{}"}) {
    ServerRequestOptions o = Decode("CONNZ", body, &err);
    EXPECT_EQ(err, "") << body;
    EXPECT_FALSE(o.connz.subs);
    EXPECT_EQ(o.connz.state, ConnzOptions::State::kOpen);
  }
}

TEST(SystemRequestsTest, ConnzOptionsUseNatsServerJsonNames) {
  std::string err;
  ServerRequestOptions o =
      Decode("CONNZ",
             R"({"sort":"msgs_to","auth":true,"subscriptions":true,"subscriptions_detail":true,)"
             R"("offset":2,"limit":5,"cid":9,"state":1,"user":"u","acc":"APP","unknown":[1]})",
             &err);
  ASSERT_EQ(err, "");
  EXPECT_EQ(o.connz.sort, "msgs_to");
  EXPECT_TRUE(o.connz.auth);
  EXPECT_TRUE(o.connz.subs);
  EXPECT_TRUE(o.connz.subs_detail);
  EXPECT_EQ(o.connz.offset, 2);
  EXPECT_EQ(o.connz.limit, 5);
  EXPECT_EQ(o.connz.cid, 9u);
  EXPECT_EQ(o.connz.state, ConnzOptions::State::kClosed);
  EXPECT_EQ(o.connz.user, "u");
  EXPECT_EQ(o.connz.account, "APP");
  EXPECT_EQ(Decode("CONNZ", R"({"state":2})", &err).connz.state, ConnzOptions::State::kAll);
}

TEST(SystemRequestsTest, OtherEndpointsOptions) {
  std::string err;
  ServerRequestOptions o =
      Decode("SUBSZ", R"({"subscriptions":true,"account":"A","test":"a.b","limit":3})", &err);
  ASSERT_EQ(err, "");
  EXPECT_TRUE(o.subsz.subs);
  EXPECT_EQ(o.subsz.account, "A");
  EXPECT_EQ(o.subsz.test, "a.b");
  EXPECT_EQ(o.subsz.limit, 3);
  o = Decode("JSZ", R"({"accounts":true,"streams":true,"consumer":true,"config":true})", &err);
  ASSERT_EQ(err, "");
  EXPECT_TRUE(o.jsz.accounts && o.jsz.streams && o.jsz.consumers && o.jsz.config);
  EXPECT_EQ(Decode("ACCOUNTZ", R"({"account":"SYS"})", &err).accountz.account, "SYS");
  EXPECT_TRUE(Decode("HEALTHZ", R"({"js-enabled-only":true})", &err).healthz.js_enabled_only);
}

TEST(SystemRequestsTest, ErrorsAreGoEncodingJsonTexts) {
  std::string err;
  Decode("CONNZ", R"({"subscriptions":"yes"})", &err);
  EXPECT_EQ(err,
            "json: cannot unmarshal string into Go struct field ConnzEventOptions.subscriptions of "
            "type bool");
  Decode("CONNZ", R"({"limit":1.5})", &err);
  EXPECT_EQ(
      err,
      "json: cannot unmarshal number 1.5 into Go struct field ConnzEventOptions.limit of type "
      "int");
  Decode("CONNZ", R"({"cid":-1})", &err);
  EXPECT_EQ(err,
            "json: cannot unmarshal number -1 into Go struct field ConnzEventOptions.cid of type "
            "uint64");
  Decode("VARZ", "[1]", &err);
  EXPECT_EQ(err, "json: cannot unmarshal array into Go value of type server.VarzEventOptions");
  Decode("STATSZ", "x", &err);
  EXPECT_EQ(err, "invalid character 'x' looking for beginning of value");
  Decode("STATSZ", R"({"server_name":)", &err);
  EXPECT_FALSE(err.empty());
}

TEST(SystemRequestsTest, FiltersSelectTheServer) {
  std::string err;
  ServerRequestOptions o = Decode("VARZ", R"({"server_name":"east","host":"10.0"})", &err);
  ASSERT_EQ(err, "");
  EXPECT_TRUE(o.filter.Matches("us-east-1", "10.0.0.1"));  // substrings, as nats-server
  EXPECT_FALSE(o.filter.Matches("us-west-1", "10.0.0.1"));
  EXPECT_FALSE(o.filter.Matches("us-east-1", "192.168.0.1"));
  EXPECT_TRUE(EventFilter{}.Matches("any", "any"));
  // No clusters, tags or JetStream domains here: such a filter selects nobody.
  EXPECT_FALSE(Decode("VARZ", R"({"cluster":"c"})", &err).filter.Matches("a", "b"));
  EXPECT_FALSE(Decode("VARZ", R"({"tags":["t"]})", &err).filter.Matches("a", "b"));
}

}  // namespace
}  // namespace spate::monitor
