#include "jetstream/consumer_request.h"

#include <gtest/gtest.h>

namespace spate::jetstream {
namespace {

CreateConsumerRequest Body(std::string_view json) {
  ApiResult<CreateConsumerRequest> request = DecodeCreateConsumerRequest(json);
  EXPECT_TRUE(request.ok()) << json;
  return request.ok() ? *request : CreateConsumerRequest{};
}

uint16_t ErrCodeOf(std::string_view subject, std::string_view json) {
  ApiResult<ConsumerCreateTarget> target = ParseConsumerCreateSubject(subject);
  if (!target.ok()) return target.error().err_code;
  ApiResult<ConsumerConfig> config = CheckConsumerCreateRequest(*target, Body(json));
  return config.ok() ? 0 : config.error().err_code;
}

TEST(ConsumerRequestTest, ParsesTheThreeSubjectForms) {
  ApiResult<ConsumerCreateTarget> legacy = ParseConsumerCreateSubject("$JS.API.CONSUMER.CREATE.S");
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(legacy->form, ConsumerCreateForm::kLegacyEphemeral);
  EXPECT_EQ(legacy->stream, "S");

  ApiResult<ConsumerCreateTarget> durable =
      ParseConsumerCreateSubject("$JS.API.CONSUMER.DURABLE.CREATE.S.D");
  ASSERT_TRUE(durable.ok());
  EXPECT_EQ(durable->form, ConsumerCreateForm::kLegacyDurable);
  EXPECT_EQ(durable->consumer, "D");

  ApiResult<ConsumerCreateTarget> named =
      ParseConsumerCreateSubject("$JS.API.CONSUMER.CREATE.S.C.orders.*.new");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->form, ConsumerCreateForm::kNamed);
  EXPECT_EQ(named->consumer, "C");
  EXPECT_EQ(named->filter, "orders.*.new");

  EXPECT_EQ(ParseConsumerCreateSubject("$JS.API.CONSUMER.DURABLE.CREATE.S").error().err_code,
            10016);
  EXPECT_EQ(ParseConsumerCreateSubject("$JS.API.CONSUMER").error().err_code, 10003);
}

TEST(ConsumerRequestTest, ChecksInNatsServerOrder) {
  EXPECT_EQ(ErrCodeOf("$JS.API.CONSUMER.CREATE.S", R"({"stream_name":"T"})"), 10056);
  EXPECT_EQ(ErrCodeOf("$JS.API.CONSUMER.CREATE.S", R"({"stream_name":"S",)"
                                                   R"("config":{"durable_name":"d"}})"),
            10020);
  EXPECT_EQ(ErrCodeOf("$JS.API.CONSUMER.DURABLE.CREATE.S.D", R"({"stream_name":"S"})"), 10018);
  EXPECT_EQ(ErrCodeOf("$JS.API.CONSUMER.DURABLE.CREATE.S.D",
                      R"({"stream_name":"S","config":{"durable_name":"E"}})"),
            10017);
  EXPECT_EQ(ErrCodeOf("$JS.API.CONSUMER.CREATE.S.C\\x", R"({"stream_name":"S"})"), 10127);
  EXPECT_EQ(ErrCodeOf("$JS.API.CONSUMER.CREATE.S.C.f",
                      R"({"stream_name":"S","config":{"filter_subjects":["f"]}})"),
            10137);
  EXPECT_EQ(ErrCodeOf("$JS.API.CONSUMER.CREATE.S.C.f",
                      R"({"stream_name":"S","config":{"filter_subject":"g"}})"),
            10131);
  EXPECT_EQ(ErrCodeOf("$JS.API.CONSUMER.CREATE.S.C.f",
                      R"({"stream_name":"S","config":{"filter_subject":"f"}})"),
            0);
}

TEST(ConsumerRequestTest, NamedFormTakesTheSubjectsName) {
  ApiResult<ConsumerCreateTarget> target =
      ParseConsumerCreateSubject("$JS.API.CONSUMER.CREATE.S.C");
  ApiResult<ConsumerConfig> config =
      CheckConsumerCreateRequest(*target, Body(R"({"stream_name":"S","config":{"name":"X"}})"));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->name, "C");
}

TEST(ConsumerRequestTest, DecodesAction) {
  EXPECT_EQ(Body(R"({"stream_name":"S","action":"create"})").action, ConsumerAction::kCreate);
  EXPECT_EQ(Body(R"({"stream_name":"S","action":"update"})").action, ConsumerAction::kUpdate);
  EXPECT_EQ(Body(R"({"stream_name":"S","action":""})").action, ConsumerAction::kCreateOrUpdate);
  EXPECT_EQ(DecodeCreateConsumerRequest(R"({"action":"upsert"})").error().err_code, 10025);
  EXPECT_EQ(DecodeCreateConsumerRequest(R"({"config":{"ack_policy":1}})").error().err_code, 10025);
}

}  // namespace
}  // namespace spate::jetstream
