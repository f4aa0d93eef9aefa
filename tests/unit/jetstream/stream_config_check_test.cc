#include <gtest/gtest.h>

#include "jetstream/stream_config.h"

namespace spate::jetstream {
namespace {

using namespace std::chrono_literals;

class StreamConfigCheckTest : public ::testing::Test {
 protected:
  // Decodes a request the way the API handler receives it.
  static StreamConfig Request(std::string_view json) {
    ApiResult<StreamConfig> config = DecodeStreamConfig(json);
    EXPECT_TRUE(config.ok()) << json;
    return config.ok() ? *config : StreamConfig{};
  }
  ApiResult<StreamConfig> Normalize(std::string_view json) {
    return NormalizeStreamConfig(Request(json), limits_, account_, streams_);
  }
  // The description of the error Normalize gives, or "ok".
  std::string ErrorOf(std::string_view json) {
    ApiResult<StreamConfig> config = Normalize(json);
    return config.ok() ? "ok" : config.error().description;
  }
  uint16_t ErrCodeOf(std::string_view json) {
    ApiResult<StreamConfig> config = Normalize(json);
    return config.ok() ? 0 : config.error().err_code;
  }
  void AddStream(std::string_view json) { streams_.push_back(*Normalize(json)); }

  JetStreamServerLimits limits_;
  AccountStreamLimits account_;
  std::vector<StreamConfig> streams_;
};

TEST_F(StreamConfigCheckTest, FillsNatsServerDefaults) {
  ApiResult<StreamConfig> config = Normalize(R"({"name":"ORDERS"})");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->subjects, std::vector<std::string>{"ORDERS"});
  EXPECT_EQ(config->max_msgs, -1);
  EXPECT_EQ(config->max_bytes, -1);
  EXPECT_EQ(config->max_msg_size, -1);
  EXPECT_EQ(config->max_consumers, -1);
  EXPECT_EQ(config->max_msgs_per_subject, -1);
  EXPECT_EQ(config->num_replicas, 1);
  EXPECT_EQ(config->duplicate_window, 2min);
  EXPECT_EQ(config->storage, StorageType::kFile);
  EXPECT_EQ(config->retention, RetentionPolicy::kLimits);
}

TEST_F(StreamConfigCheckTest, DuplicateWindowIsCappedByMaxAgeAndServerLimit) {
  EXPECT_EQ(Normalize(R"({"name":"S","max_age":30000000000})")->duplicate_window, 30s);
  EXPECT_EQ(Normalize(R"({"name":"S","max_age":300000000000})")->duplicate_window, 2min);
  limits_.max_duplicate_window = 1min;
  EXPECT_EQ(Normalize(R"({"name":"S"})")->duplicate_window, 1min);
  EXPECT_EQ(ErrorOf(R"({"name":"S","duplicate_window":90000000000})"),
            "duplicates window can not be larger then server limit of 1m0s");
}

TEST_F(StreamConfigCheckTest, MirrorGetsNoDefaultWindowOrSubjects) {
  ApiResult<StreamConfig> config = Normalize(R"({"name":"M","mirror":{"name":"ORDERS"}})");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->duplicate_window, 0s);
  EXPECT_TRUE(config->subjects.empty());
}

TEST_F(StreamConfigCheckTest, InvalidNamesAreInvalidConfig) {
  for (std::string_view name : {"", "a.b", "a*", "a>", "a b", "a\\tb", "a\\nb"}) {
    ApiResult<StreamConfig> config =
        Normalize(std::string(R"({"name":")") + std::string(name) + "\"}");
    ASSERT_FALSE(config.ok()) << name;
    EXPECT_EQ(config.error().code, 500);
    EXPECT_EQ(config.error().err_code, 10052);
    EXPECT_EQ(config.error().description,
              "stream name is required and can not contain '.', '*', '>'");
  }
  EXPECT_EQ(ErrorOf(R"({"name":")" + std::string(256, 'x') + "\"}"),
            "stream name is too long, maximum allowed is 255");
  EXPECT_EQ(ErrorOf(R"({"name":")" + std::string(255, 'x') + "\"}"), "ok");
  EXPECT_EQ(ErrorOf(R"({"name":"S","description":")" + std::string(4097, 'd') + "\"}"),
            "stream description is too long, maximum allowed is 4096");
}

TEST_F(StreamConfigCheckTest, LimitsAndWindows) {
  EXPECT_EQ(ErrorOf(R"({"name":"S","num_replicas":6})"), "maximum replicas is 5");
  EXPECT_EQ(ErrCodeOf(R"({"name":"S","num_replicas":-1})"), 10133);
  EXPECT_EQ(ErrorOf(R"({"name":"S","max_age":50000000})"), "max age needs to be >= 100ms");
  EXPECT_EQ(ErrorOf(R"({"name":"S","duplicate_window":-1})"),
            "duplicates window can not be negative");
  EXPECT_EQ(ErrorOf(R"({"name":"S","max_age":1000000000,"duplicate_window":2000000000})"),
            "duplicates window can not be larger then max age");
  EXPECT_EQ(ErrorOf(R"({"name":"S","duplicate_window":50000000})"),
            "duplicates window needs to be >= 100ms");
  EXPECT_EQ(ErrorOf(R"({"name":"S","deny_purge":true,"allow_rollup_hdrs":true})"),
            "roll-ups require the purge permission");
  EXPECT_EQ(ErrorOf(R"({"name":"S","discard_new_per_subject":true,"max_msgs_per_subject":1})"),
            "discard new per subject requires discard new policy to be set");
  EXPECT_EQ(ErrorOf(R"({"name":"S","discard_new_per_subject":true,"discard":"new"})"),
            "discard new per subject requires max msgs per subject > 0");
}

TEST_F(StreamConfigCheckTest, AccountByteLimits) {
  account_.max_bytes_required = true;
  EXPECT_EQ(ErrCodeOf(R"({"name":"S"})"), 10113);
  EXPECT_EQ(ErrorOf(R"({"name":"S","max_bytes":1024})"), "ok");
  account_.max_stream_bytes = 512;
  EXPECT_EQ(ErrCodeOf(R"({"name":"S","max_bytes":1024})"), 10122);
}

TEST_F(StreamConfigCheckTest, MirrorRules) {
  EXPECT_EQ(ErrCodeOf(R"({"name":"M","mirror":{"name":"O"},"subjects":["x"]})"), 10034);
  EXPECT_EQ(ErrCodeOf(R"({"name":"M","mirror":{"name":"O"},"sources":[{"name":"P"}]})"), 10031);
  EXPECT_EQ(ErrCodeOf(R"({"name":"M","mirror":{"name":"O"},"first_seq":5})"), 10143);
  EXPECT_EQ(ErrCodeOf(R"({"name":"M","mirror":{"name":"O.x"}})"), 10142);
  EXPECT_EQ(ErrCodeOf(R"({"name":"M","mirror":{"name":"O","filter_subject":"a",)"
                      R"("subject_transforms":[{"src":"b","dest":"c"}]}})"),
            10150);
  EXPECT_EQ(ErrCodeOf(R"({"name":"M","mirror":{"name":"O","subject_transforms":)"
                      R"([{"src":"a.*","dest":""},{"src":"a.b","dest":""}]}})"),
            10152);
  EXPECT_EQ(ErrCodeOf(R"({"name":"M","mirror":{"name":"O","subject_transforms":)"
                      R"([{"src":"a..b","dest":""}]}})"),
            10151);
}

TEST_F(StreamConfigCheckTest, MirrorOfKnownStreamChecksSizeAndInheritsDirect) {
  AddStream(R"({"name":"ORDERS","max_msg_size":2048,"allow_direct":true})");
  EXPECT_EQ(ErrCodeOf(R"({"name":"M","mirror":{"name":"ORDERS"},"max_msg_size":1024})"), 10030);
  ApiResult<StreamConfig> mirror = Normalize(R"({"name":"M","mirror":{"name":"ORDERS"}})");
  ASSERT_TRUE(mirror.ok());
  EXPECT_TRUE(mirror->mirror_direct);
}

TEST_F(StreamConfigCheckTest, SourceRules) {
  EXPECT_EQ(ErrCodeOf(R"({"name":"S","sources":[{"name":"a.b"}]})"), 10141);
  EXPECT_EQ(ErrCodeOf(R"({"name":"S","sources":[{"name":"A"},{"name":"A"}]})"), 10140);
  EXPECT_EQ(ErrorOf(R"({"name":"S","sources":[{"name":"A","filter_subject":"x"},{"name":"A"}]})"),
            "ok");
  EXPECT_EQ(ErrCodeOf(R"({"name":"S","sources":[{"name":"A","filter_subject":"x",)"
                      R"("subject_transforms":[{"src":"y","dest":"z"}]}]})"),
            10144);
  EXPECT_EQ(ErrCodeOf(R"({"name":"S","sources":[{"name":"A","subject_transforms":)"
                      R"([{"src":"a.*","dest":"b.{{nope(1)}}"}]}]})"),
            10146);
  EXPECT_EQ(ErrCodeOf(R"({"name":"S","sources":[{"name":"A","subject_transforms":)"
                      R"([{"src":"a.b","dest":""},{"src":"a.*","dest":""}]}]})"),
            10147);
  AddStream(R"({"name":"BIG","max_msg_size":2048})");
  EXPECT_EQ(ErrCodeOf(R"({"name":"S","max_msg_size":100,"sources":[{"name":"BIG"}]})"), 10046);
}

TEST_F(StreamConfigCheckTest, ExternalPrefixes) {
  ApiResult<StreamConfig> bad = Normalize(
      R"({"name":"S","sources":[{"name":"A","external":{"api":"$JS.hub.API","deliver":"d.*"}}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().err_code, 10024);
  EXPECT_EQ(bad.error().description,
            "stream external delivery prefix d.* must not contain wildcards");
  ApiResult<StreamConfig> api =
      Normalize(R"({"name":"S","sources":[{"name":"A","external":{"api":"$JS.API"}}]})");
  ASSERT_FALSE(api.ok());
  EXPECT_EQ(api.error().err_code, 10021);
  EXPECT_EQ(api.error().description,
            "stream external api prefix $JS.API must not overlap with $JS.API");
  EXPECT_EQ(ErrorOf(R"({"name":"S","sources":[{"name":"A","external":{"api":"a.*"}}]})"),
            "stream external api prefix \"a.*\" must be a valid subject without wildcards");
}

TEST_F(StreamConfigCheckTest, DetectsSourceCycles) {
  AddStream(R"({"name":"B","subjects":["b"],"sources":[{"name":"A"}]})");
  EXPECT_EQ(ErrorOf(R"({"name":"A","subjects":["a"],"sources":[{"name":"B"}]})"), "detected cycle");
  AddStream(R"({"name":"MB","mirror":{"name":"MA"}})");
  EXPECT_EQ(ErrorOf(R"({"name":"MA","mirror":{"name":"MB"}})"), "detected cycle");
}

TEST_F(StreamConfigCheckTest, SubjectRules) {
  EXPECT_EQ(ErrorOf(R"({"name":"S","subjects":["a..b"]})"), "invalid subject");
  EXPECT_EQ(ErrorOf(R"({"name":"S","subjects":["a b"]})"), "invalid subject");
  EXPECT_EQ(ErrorOf(R"({"name":"S","subjects":["a","a"]})"), "duplicate subjects detected");
  EXPECT_EQ(ErrorOf(R"({"name":"S","subjects":[">"]})"),
            "capturing all subjects requires no-ack to be true");
  EXPECT_EQ(ErrorOf(R"({"name":"S","subjects":[">"],"no_ack":true,"num_replicas":3})"),
            "capturing all subjects requires replicas of 1");
  EXPECT_EQ(ErrorOf(R"({"name":"S","subjects":["$JS.API.>"]})"),
            "subjects that overlap with jetstream api require no-ack to be true");
  EXPECT_EQ(ErrorOf(R"({"name":"S","subjects":["$JS.API.>"],"no_ack":true})"), "ok");
  EXPECT_EQ(ErrorOf(R"({"name":"S","subjects":["$JS.EVENT.>"]})"), "ok");
  EXPECT_EQ(ErrorOf(R"({"name":"S","subjects":["$SYS.>"]})"),
            "subjects that overlap with system api require no-ack to be true");
  EXPECT_EQ(ErrorOf(R"({"name":"S","subjects":["$SYS.ACCOUNT.>"]})"), "ok");
  EXPECT_EQ(ErrorOf(R"({"name":"S","subjects":["orders.*","orders.new"]})"),
            R"(subject "orders.*" overlaps with "orders.new")");
}

TEST_F(StreamConfigCheckTest, RepublishRules) {
  ApiResult<StreamConfig> config =
      Normalize(R"({"name":"S","subjects":["orders.>"],"republish":{"dest":"copy.>"}})");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->republish->source, ">");
  EXPECT_EQ(ErrorOf(R"({"name":"S","subjects":["orders.>"],"republish":{"dest":"orders.x"}})"),
            "stream configuration for republish destination forms a cycle");
  EXPECT_EQ(ErrorOf(R"({"name":"S","subjects":["orders.>"],)"
                    R"("republish":{"src":"orders.*","dest":"copy.$2"}})"),
            "stream configuration for republish with transform from 'orders.*' to 'copy.$2' not "
            "valid");
}

TEST_F(StreamConfigCheckTest, CreateRequestChecks) {
  auto create = [&](std::string_view subject_name, std::string_view json) {
    return CheckStreamCreate(subject_name, Request(json), limits_, account_, streams_);
  };
  EXPECT_EQ(create("OTHER", R"({"name":"S"})").error().err_code, 10056);
  EXPECT_EQ(create("S/x", R"({"name":"S/x"})").error().err_code, 10128);
  EXPECT_EQ(create("S", R"({"name":"S","sealed":true})").error().description,
            "stream configuration for create can not be sealed");
  EXPECT_EQ(create("S", R"({"name":"S","mirror_direct":true})").error().description,
            "stream has no mirror but does have mirror direct");
  EXPECT_TRUE(create("S", R"({"name":"S"})").ok());
}

TEST_F(StreamConfigCheckTest, UpdateRules) {
  const StreamConfig current =
      *Normalize(R"({"name":"S","subjects":["s.*"],"deny_delete":true,"max_consumers":5})");
  auto update = [&](std::string_view json) {
    return CheckStreamUpdate("S", current, Request(json), limits_, account_, streams_);
  };
  auto error_of = [&](std::string_view json) {
    ApiResult<StreamConfig> result = update(json);
    return result.ok() ? std::string("ok") : result.error().description;
  };
  const std::string base = R"("name":"S","deny_delete":true,"max_consumers":5)";
  EXPECT_EQ(error_of("{" + base + R"(,"subjects":["s.*","t"],"max_msgs":10})"), "ok");
  EXPECT_EQ(error_of(R"({"name":"S","deny_delete":true})"),
            "stream configuration update can not change MaxConsumers");
  EXPECT_EQ(error_of("{" + base + R"(,"storage":"memory"})"),
            "stream configuration update can not change storage type");
  EXPECT_EQ(error_of("{" + base + R"(,"retention":"workqueue"})"),
            "stream configuration update can not change retention policy to/from workqueue");
  EXPECT_EQ(error_of("{" + base + R"(,"retention":"interest"})"), "ok");
  EXPECT_EQ(error_of(R"({"name":"S","max_consumers":5})"),
            "stream configuration update can not cancel deny message deletes");
  EXPECT_EQ(error_of("{" + base + R"(,"template_owner":"T"})"),
            "stream configuration update can not be owned by a template");
  EXPECT_EQ(update("{" + base + R"(,"mirror":{"name":"X"}})").error().err_code,
            10055);  // StreamMirrorNotUpdatable
  EXPECT_EQ(update(R"({"name":"T"})").error().err_code, 10056);

  ApiResult<StreamConfig> sealed = update("{" + base + R"(,"sealed":true,"max_age":60000000000})");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->max_age, 0s);
  EXPECT_EQ(sealed->discard, DiscardPolicy::kNew);
  EXPECT_TRUE(sealed->deny_purge);
  EXPECT_FALSE(sealed->allow_rollup_hdrs);
  EXPECT_EQ(CheckStreamUpdate("S", *sealed, Request("{" + base + "}"), limits_, account_)
                .error()
                .description,
            "stream configuration update can not unseal a sealed stream");
}

TEST_F(StreamConfigCheckTest, OverlapWithOtherStreams) {
  const std::vector<std::string> mine = {"orders.*"};
  const std::vector<std::vector<std::string>> others = {{"billing.>"}, {"orders.new"}};
  ApiStatus overlap = CheckSubjectsOverlap(mine, others);
  ASSERT_FALSE(IsOk(overlap));
  EXPECT_EQ(std::get<ApiError>(overlap).err_code, 10065);
  EXPECT_EQ(std::get<ApiError>(overlap).description, "subjects overlap with an existing stream");
  EXPECT_TRUE(IsOk(CheckSubjectsOverlap(mine, std::span(others).first(1))));
}

}  // namespace
}  // namespace spate::jetstream
