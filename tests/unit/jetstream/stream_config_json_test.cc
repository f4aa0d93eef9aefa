#include <gtest/gtest.h>

#include "jetstream/stream_config.h"

namespace spate::jetstream {
namespace {

using namespace std::chrono_literals;

TEST(StreamConfigJsonTest, DecodesEveryField) {
  ApiResult<StreamConfig> config = DecodeStreamConfig(R"({
    "name":"ORDERS","description":"all orders","subjects":["orders.*"],
    "retention":"workqueue","max_consumers":10,"max_msgs":1000,"max_bytes":4096,
    "max_age":3600000000000,"max_msgs_per_subject":5,"max_msg_size":1024,"discard":"new",
    "storage":"memory","num_replicas":3,"no_ack":true,"duplicate_window":60000000000,
    "placement":{"cluster":"east","tags":["ssd"]},
    "sources":[{"name":"A","opt_start_seq":7,"opt_start_time":"2023-11-14T22:13:20Z",
                "filter_subject":"a.>","external":{"api":"$JS.hub.API","deliver":"dlv"}}],
    "compression":"s2","first_seq":100,
    "subject_transform":{"src":"orders.*","dest":"o.{{wildcard(1)}}"},
    "republish":{"src":"orders.>","dest":"repub.>","headers_only":true},
    "allow_direct":true,"mirror_direct":false,"discard_new_per_subject":true,
    "sealed":false,"deny_delete":true,"deny_purge":true,"allow_rollup_hdrs":false,
    "consumer_limits":{"inactive_threshold":5000000000,"max_ack_pending":20},
    "metadata":{"owner":"team-a"}})");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->name, "ORDERS");
  EXPECT_EQ(config->retention, RetentionPolicy::kWorkQueue);
  EXPECT_EQ(config->max_age, 1h);
  EXPECT_EQ(config->discard, DiscardPolicy::kNew);
  EXPECT_EQ(config->storage, StorageType::kMemory);
  EXPECT_EQ(config->compression, Compression::kS2);
  EXPECT_EQ(config->duplicate_window, 1min);
  ASSERT_EQ(config->sources.size(), 1u);
  EXPECT_EQ(config->sources[0].opt_start_time, 1'700'000'000'000'000'000);
  ASSERT_TRUE(config->sources[0].external.has_value());
  EXPECT_EQ(config->sources[0].external->deliver_prefix, "dlv");
  ASSERT_TRUE(config->republish.has_value());
  EXPECT_TRUE(config->republish->headers_only);
  EXPECT_EQ(config->consumer_limits.max_ack_pending, 20);
  EXPECT_EQ(config->metadata.at("owner"), "team-a");
}

TEST(StreamConfigJsonTest, BadJsonAndBadValuesAreInvalidJson) {
  for (std::string_view bad :
       {"", "{", "[]", R"({"name":5})", R"({"max_msgs":"5"})", R"({"max_msgs":1.5})",
        R"({"retention":"forever"})", R"({"retention":"Limits"})", R"({"storage":"disk"})",
        R"({"retention":null})", R"({"compression":""})", R"({"compression":"gzip"})",
        R"({"max_msg_size":4294967296})", R"({"first_seq":-1})", R"({"subjects":"a"})",
        R"({"subjects":[1]})", R"({"sources":{}})", R"({"metadata":{"a":1}})",
        R"({"sources":[{"opt_start_time":"yesterday"}]})"}) {
    ApiResult<StreamConfig> config = DecodeStreamConfig(bad);
    ASSERT_FALSE(config.ok()) << bad;
    EXPECT_EQ(config.error().err_code, 10025) << bad;
    EXPECT_EQ(config.error().description, "invalid JSON");
  }
}

TEST(StreamConfigJsonTest, DiscardIsCaseInsensitiveAndUnknownKeysAreIgnored) {
  ApiResult<StreamConfig> config =
      DecodeStreamConfig(R"({"name":"S","discard":"NEW","future_field":{"x":1}})");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->discard, DiscardPolicy::kNew);
}

TEST(StreamConfigJsonTest, EncodesLikeNatsServer) {
  StreamConfig config;
  config.name = "ORDERS";
  config.subjects = {"orders.*"};
  config.max_consumers = config.max_msgs = config.max_bytes = config.max_msgs_per_subject = -1;
  config.max_msg_size = -1;
  config.num_replicas = 1;
  config.duplicate_window = 2min;
  EXPECT_EQ(EncodeStreamConfig(config).dump(),
            R"({"name":"ORDERS","subjects":["orders.*"],"retention":"limits",)"
            R"("max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,)"
            R"("max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file",)"
            R"("num_replicas":1,"duplicate_window":120000000000,"compression":"none",)"
            R"("allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,)"
            R"("deny_purge":false,"allow_rollup_hdrs":false,"consumer_limits":{}})");
}

TEST(StreamConfigJsonTest, EncodesOptionalPartsOnlyWhenSet) {
  StreamConfig config;
  config.name = "M";
  config.mirror.emplace();
  config.mirror->name = "ORDERS";
  config.mirror->opt_start_time = 1'700'000'000'500'000'000;
  config.republish.emplace();
  config.republish->source = ">";
  config.republish->destination = "r.>";
  config.metadata = {{"k", "v"}};
  nlohmann::ordered_json json = EncodeStreamConfig(config);
  EXPECT_EQ(json["mirror"].dump(),
            R"({"name":"ORDERS","opt_start_time":"2023-11-14T22:13:20.5Z"})");
  EXPECT_EQ(json["republish"].dump(), R"({"src":">","dest":"r.>"})");
  EXPECT_EQ(json["metadata"].dump(), R"({"k":"v"})");
  EXPECT_FALSE(json.contains("subjects"));
  EXPECT_FALSE(json.contains("max_msg_size"));  // omitempty: 0 only before normalisation
  EXPECT_FALSE(json.contains("duplicate_window"));
  EXPECT_FALSE(json.contains("discard_new_per_subject"));
}

TEST(StreamConfigJsonTest, RoundTrips) {
  ApiResult<StreamConfig> config = DecodeStreamConfig(
      R"({"name":"KV_x","subjects":["$KV.x.>"],"max_msgs_per_subject":1,"discard":"new",)"
      R"("allow_rollup_hdrs":true,"deny_delete":true,"allow_direct":true,)"
      R"("sources":[{"name":"a","subject_transforms":[{"src":"a.*","dest":"b.$1"}]}]})");
  ASSERT_TRUE(config.ok());
  ApiResult<StreamConfig> again = DecodeStreamConfig(EncodeStreamConfig(*config).dump());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*config, *again);
}

}  // namespace
}  // namespace spate::jetstream
