#include "jetstream/consumer_config.h"

#include <gtest/gtest.h>

namespace spate::jetstream {
namespace {

using namespace std::chrono_literals;

class ConsumerConfigTest : public ::testing::Test {
 protected:
  ConsumerConfigTest() {
    stream_.name = "ORDERS";
    stream_.subjects = {"orders.>"};
    stream_.num_replicas = 1;
  }
  static ConsumerConfig Request(std::string_view json) {
    ApiResult<ConsumerConfig> config = DecodeConsumerConfig(json);
    EXPECT_TRUE(config.ok()) << json;
    return config.ok() ? *config : ConsumerConfig{};
  }
  ConsumerConfig WithDefaults(std::string_view json) {
    return ApplyConsumerDefaults(Request(json), stream_, limits_, account_);
  }
  // Defaults then checks, as nats-server's addConsumer does; "ok" or the error description.
  std::string ErrorOf(std::string_view json) {
    ApiStatus status = CheckConsumerConfig(WithDefaults(json), stream_, limits_, account_);
    return IsOk(status) ? "ok" : std::get<ApiError>(status).description;
  }
  uint16_t ErrCodeOf(std::string_view json) {
    ApiStatus status = CheckConsumerConfig(WithDefaults(json), stream_, limits_, account_);
    return IsOk(status) ? 0 : std::get<ApiError>(status).err_code;
  }

  StreamConfig stream_;
  JetStreamServerLimits limits_;
  AccountStreamLimits account_;
};

TEST_F(ConsumerConfigTest, DecodesAndEncodesLikeNatsServer) {
  ConsumerConfig config = Request(
      R"({"durable_name":"d","deliver_policy":"by_start_time",)"
      R"("opt_start_time":"2023-11-14T22:13:20Z","ack_policy":"explicit","ack_wait":5000000000,)"
      R"("max_deliver":5,"backoff":[1000000000,2000000000],"filter_subjects":["orders.a"],)"
      R"("replay_policy":"original","max_ack_pending":10,"max_waiting":4,"max_batch":8,)"
      R"("max_expires":1000000000,"max_bytes":1024,"inactive_threshold":3000000000,)"
      R"("num_replicas":1,"mem_storage":true,"metadata":{"k":"v"}})");
  EXPECT_EQ(config.deliver_policy, DeliverPolicy::kByStartTime);
  EXPECT_EQ(config.ack_policy, AckPolicy::kExplicit);
  EXPECT_EQ(config.backoff, (std::vector<Duration>{1s, 2s}));
  EXPECT_EQ(EncodeConsumerConfig(config).dump(),
            R"({"durable_name":"d","deliver_policy":"by_start_time",)"
            R"("opt_start_time":"2023-11-14T22:13:20Z","ack_policy":"explicit",)"
            R"("ack_wait":5000000000,"max_deliver":5,"backoff":[1000000000,2000000000],)"
            R"("filter_subjects":["orders.a"],"replay_policy":"original","max_waiting":4,)"
            R"("max_ack_pending":10,"max_batch":8,"max_expires":1000000000,"max_bytes":1024,)"
            R"("inactive_threshold":3000000000,"num_replicas":1,"mem_storage":true,)"
            R"("metadata":{"k":"v"}})");
  EXPECT_EQ(EncodeConsumerConfig(ConsumerConfig{}).dump(),
            R"({"deliver_policy":"all","ack_policy":"none","replay_policy":"instant",)"
            R"("num_replicas":0})");
}

TEST_F(ConsumerConfigTest, BadJsonIsInvalidJson) {
  for (std::string_view bad : {R"({"ack_policy":"sometimes"})", R"({"deliver_policy":"first"})",
                               R"({"replay_policy":null})", R"({"backoff":["1s"]})",
                               R"({"ack_wait":"30s"})", R"({"rate_limit_bps":-1})"}) {
    ApiResult<ConsumerConfig> config = DecodeConsumerConfig(bad);
    ASSERT_FALSE(config.ok()) << bad;
    EXPECT_EQ(config.error().err_code, 10025);
  }
  EXPECT_EQ(Request(R"({"deliver_policy":"undefined"})").deliver_policy, DeliverPolicy::kAll);
}

TEST_F(ConsumerConfigTest, PullDefaults) {
  ConsumerConfig config = WithDefaults(R"({"durable_name":"d","ack_policy":"explicit"})");
  EXPECT_EQ(config.ack_wait, 30s);
  EXPECT_EQ(config.max_deliver, -1);
  EXPECT_EQ(config.max_ack_pending, 1000);
  EXPECT_EQ(config.max_waiting, 512);
  EXPECT_EQ(config.max_batch, 0);
}

TEST_F(ConsumerConfigTest, PushAckNoneDefaults) {
  ConsumerConfig config = WithDefaults(R"({"deliver_subject":"dlv","ack_policy":"none"})");
  EXPECT_EQ(config.ack_wait, 0s);
  EXPECT_EQ(config.max_ack_pending, 0);
  EXPECT_EQ(config.max_waiting, 0);
}

TEST_F(ConsumerConfigTest, DefaultsFollowLimitsAndBackoff) {
  limits_.max_ack_pending = 300;
  account_.max_ack_pending = 200;
  limits_.max_request_batch = 50;
  ConsumerConfig config = WithDefaults(R"({"ack_policy":"all","backoff":[2000000000,4000000000]})");
  EXPECT_EQ(config.max_ack_pending, 200);
  EXPECT_EQ(config.ack_wait, 2s);
  EXPECT_EQ(config.max_batch, 50);
  stream_.consumer_limits.max_ack_pending = 20;
  stream_.consumer_limits.inactive_threshold = 10s;
  ConsumerConfig limited = WithDefaults(R"({"ack_policy":"explicit"})");
  EXPECT_EQ(limited.max_ack_pending, 20);
  EXPECT_EQ(limited.inactive_threshold, 10s);
}

TEST_F(ConsumerConfigTest, ReplicaRules) {
  EXPECT_EQ(ErrCodeOf(R"({"num_replicas":3})"), 10126);
  EXPECT_EQ(ErrCodeOf(R"({"num_replicas":-1})"), 10133);
  stream_.num_replicas = 3;
  stream_.retention = RetentionPolicy::kInterest;
  EXPECT_EQ(ErrCodeOf(R"({"num_replicas":1})"), 10134);
  EXPECT_EQ(ErrorOf(R"({"num_replicas":3})"), "ok");
}

TEST_F(ConsumerConfigTest, PushRules) {
  EXPECT_EQ(ErrCodeOf(R"({"deliver_subject":"dlv.*"})"), 10079);
  EXPECT_EQ(ErrCodeOf(R"({"deliver_subject":"dlv x"})"), 10112);
  EXPECT_EQ(ErrCodeOf(R"({"deliver_subject":"orders.dlv"})"), 10081);
  EXPECT_EQ(ErrCodeOf(R"({"deliver_subject":"dlv","max_waiting":5})"), 10080);
  EXPECT_EQ(ErrCodeOf(R"({"deliver_subject":"dlv","max_ack_pending":5})"), 10082);
  EXPECT_EQ(ErrCodeOf(R"({"deliver_subject":"dlv","idle_heartbeat":50000000})"), 10083);
  EXPECT_EQ(ErrCodeOf(R"({"deliver_subject":"dlv","flow_control":true})"), 10108);
  EXPECT_EQ(ErrorOf(R"({"deliver_subject":"dlv","flow_control":true,)"
                    R"("idle_heartbeat":5000000000,"deliver_group":"q","durable_name":"d"})"),
            "ok");
}

TEST_F(ConsumerConfigTest, PullRules) {
  EXPECT_EQ(ErrCodeOf(R"({"rate_limit_bps":100})"), 10086);
  EXPECT_EQ(ErrCodeOf(R"({"max_waiting":-1})"), 10087);
  EXPECT_EQ(ErrCodeOf(R"({"idle_heartbeat":1000000000})"), 10088);
  EXPECT_EQ(ErrCodeOf(R"({"flow_control":true})"), 10089);
  EXPECT_EQ(ErrCodeOf(R"({"max_batch":-1})"), 10114);
  EXPECT_EQ(ErrCodeOf(R"({"max_expires":10})"), 10115);
  limits_.max_request_batch = 10;
  EXPECT_EQ(ErrorOf(R"({"max_batch":11})"),
            "consumer max request batch exceeds server limit of 10");
  stream_.retention = RetentionPolicy::kWorkQueue;
  EXPECT_EQ(ErrCodeOf(R"({"ack_policy":"none"})"), 10084);
}

TEST_F(ConsumerConfigTest, AckPendingAndInactivityLimits) {
  limits_.max_ack_pending = 100;
  EXPECT_EQ(ErrorOf(R"({"ack_policy":"explicit","max_ack_pending":101})"),
            "consumer max ack pending exceeds system limit of 100");
  stream_.consumer_limits.inactive_threshold = 60s;
  EXPECT_EQ(ErrorOf(R"({"inactive_threshold":120000000000})"),
            "consumer inactive threshold exceeds system limit of 1m0s");
}

TEST_F(ConsumerConfigTest, BackoffNeedsRoomInMaxDeliver) {
  EXPECT_EQ(
      ErrCodeOf(R"({"ack_policy":"explicit","max_deliver":1,"backoff":[1000000000,2000000000]})"),
      10116);
  EXPECT_EQ(
      ErrorOf(R"({"ack_policy":"explicit","max_deliver":2,"backoff":[1000000000,2000000000]})"),
      "ok");
  EXPECT_EQ(ErrorOf(R"({"ack_policy":"explicit","backoff":[1000000000,2000000000]})"), "ok");
}

TEST_F(ConsumerConfigTest, FilterRules) {
  EXPECT_EQ(ErrCodeOf(R"({"filter_subject":"a","filter_subjects":["b"]})"), 10136);
  EXPECT_EQ(ErrorOf(R"({"filter_subject":"a..b"})"), "invalid subject");
  EXPECT_EQ(ErrCodeOf(R"({"filter_subjects":["a",""]})"), 10139);
  EXPECT_EQ(ErrCodeOf(R"({"filter_subjects":["a.*","a.b"]})"), 10138);
  // 2.10 no longer requires filters to be inside the stream's subjects.
  EXPECT_EQ(ErrorOf(R"({"filter_subject":"elsewhere"})"), "ok");
}

TEST_F(ConsumerConfigTest, StartPositionRules) {
  EXPECT_EQ(ErrorOf(R"({"opt_start_seq":5})"),
            "consumer delivery policy is deliver all, but optional start sequence is also set");
  EXPECT_EQ(ErrorOf(R"({"deliver_policy":"last","opt_start_time":"2023-11-14T22:13:20Z"})"),
            "consumer delivery policy is deliver last, but optional start time is also set");
  EXPECT_EQ(ErrorOf(R"({"deliver_policy":"last_per_subject"})"),
            "consumer delivery policy is deliver last per subject, but optional filter subject "
            "is not set");
  EXPECT_EQ(ErrorOf(R"({"deliver_policy":"by_start_sequence"})"),
            "consumer delivery policy is deliver by start sequence, but optional start sequence "
            "is not set");
  EXPECT_EQ(ErrorOf(R"({"deliver_policy":"by_start_time","opt_start_seq":1,)"
                    R"("opt_start_time":"2023-11-14T22:13:20Z"})"),
            "consumer delivery policy is deliver by start time, but optional start start "
            "sequence is also set");
  EXPECT_EQ(ErrCodeOf(R"({"deliver_policy":"by_start_time"})"), 10094);
  EXPECT_EQ(ErrorOf(R"({"deliver_policy":"by_start_sequence","opt_start_seq":3})"), "ok");
}

TEST_F(ConsumerConfigTest, SampleFrequencyAndNames) {
  EXPECT_EQ(ErrorOf(R"({"sample_freq":"50%"})"), "ok");
  EXPECT_EQ(ErrorOf(R"({"sample_freq":"often"})"),
            "failed to parse consumer sampling configuration: strconv.Atoi: parsing \"often\": "
            "invalid syntax");
  EXPECT_EQ(ErrorOf(R"({"sample_freq":"-5"})"),
            "failed to parse consumer sampling configuration: <nil>");
  EXPECT_EQ(ErrCodeOf(R"({"durable_name":"a","name":"b"})"), 10132);
  EXPECT_EQ(ErrorOf(R"({"description":")" + std::string(4097, 'x') + "\"}"),
            "consumer description is too long, maximum allowed is 4096");
}

TEST_F(ConsumerConfigTest, NameChecks) {
  EXPECT_TRUE(IsOk(CheckConsumerName("processor", true)));
  EXPECT_EQ(std::get<ApiError>(CheckConsumerName(std::string(256, 'c'), true)).description,
            "consumer name is too long, maximum allowed is 255");
  EXPECT_TRUE(IsOk(CheckConsumerName(std::string(256, 'c'), false)));
  EXPECT_EQ(std::get<ApiError>(CheckConsumerName("a.b", false)).err_code, 10103);
  EXPECT_EQ(std::get<ApiError>(CheckConsumerName("a b", true)).err_code, 10103);
}

TEST_F(ConsumerConfigTest, UpdateRules) {
  const ConsumerConfig current =
      WithDefaults(R"({"durable_name":"d","ack_policy":"explicit","deliver_subject":"dlv"})");
  auto error_of = [&](std::string_view json, bool in_use = false) {
    ApiStatus status = CheckConsumerUpdate(current, WithDefaults(json), in_use);
    return IsOk(status) ? std::string("ok") : std::get<ApiError>(status).description;
  };
  const std::string base = R"("durable_name":"d","ack_policy":"explicit")";
  EXPECT_EQ(error_of("{" + base + R"(,"deliver_subject":"dlv","max_ack_pending":5})"), "ok");
  EXPECT_EQ(error_of("{" + base + R"(,"deliver_subject":"dlv2"})"), "ok");
  EXPECT_EQ(error_of("{" + base + R"(,"deliver_subject":"dlv2"})", true),
            "consumer name already in use");
  EXPECT_EQ(error_of(R"({"durable_name":"d","ack_policy":"all","deliver_subject":"dlv"})"),
            "ack policy can not be updated");
  EXPECT_EQ(error_of("{" + base + R"(,"deliver_subject":"dlv","deliver_policy":"new"})"),
            "deliver policy can not be updated");
  EXPECT_EQ(error_of("{" + base + R"(,"deliver_subject":"dlv","idle_heartbeat":1000000000})"),
            "heart beats can not be updated");
  EXPECT_EQ(error_of("{" + base + "}"), "can not update push consumer to pull based");
  ApiStatus wrapped = CheckConsumerUpdate(current, WithDefaults("{" + base + "}"), false);
  EXPECT_EQ(std::get<ApiError>(wrapped).err_code, 10012);
  EXPECT_EQ(std::get<ApiError>(wrapped).code, 500);
}

}  // namespace
}  // namespace spate::jetstream
