#include "jetstream/api_error.h"

#include <gtest/gtest.h>

#include <set>

namespace spate::jetstream {
namespace {

TEST(ApiErrorTest, TableHoldsEveryNatsServer210Error) {
  EXPECT_EQ(AllApiErrors().size(), 152u);
  std::set<uint16_t> codes;
  for (const ApiErrorSpec& spec : AllApiErrors()) {
    EXPECT_TRUE(codes.insert(spec.err_code).second) << "duplicate err_code " << spec.err_code;
    EXPECT_TRUE(spec.code == 400 || spec.code == 404 || spec.code == 500 || spec.code == 503)
        << spec.name;
    EXPECT_FALSE(spec.description.empty()) << spec.name;
  }
}

TEST(ApiErrorTest, WellKnownEntriesMatchNatsServer) {
  struct Expected {
    ApiErrorId id;
    int code;
    uint16_t err_code;
    std::string_view description;
  };
  const Expected expected[] = {
      {ApiErrorId::kStreamNotFound, 404, 10059, "stream not found"},
      {ApiErrorId::kStreamNameExist, 400, 10058,
       "stream name already in use with a different configuration"},
      {ApiErrorId::kConsumerNotFound, 404, 10014, "consumer not found"},
      {ApiErrorId::kBadRequest, 400, 10003, "bad request"},
      {ApiErrorId::kNotEnabledForAccount, 503, 10039, "JetStream not enabled for account"},
      {ApiErrorId::kNotEnabled, 503, 10076, "JetStream not enabled"},
      {ApiErrorId::kInvalidJSON, 400, 10025, "invalid JSON"},
      {ApiErrorId::kStreamInvalidConfig, 500, 10052, "{err}"},
      {ApiErrorId::kStreamWrongLastSequence, 400, 10071, "wrong last sequence: {seq}"},
      {ApiErrorId::kStreamWrongLastMsgID, 400, 10070, "wrong last msg ID: {id}"},
      {ApiErrorId::kStreamNotMatch, 400, 10060, "expected stream does not match"},
      {ApiErrorId::kStreamMessageExceedsMaximum, 400, 10054,
       "message size exceeds maximum allowed"},
      {ApiErrorId::kNoMessageFound, 404, 10037, "no message found"},
      {ApiErrorId::kStreamSealed, 400, 10109, "invalid operation on sealed stream"},
      {ApiErrorId::kConsumerBadDurableName, 400, 10103,
       "durable name can not contain '.', '*', '>'"},
      {ApiErrorId::kConsumerInactiveThresholdExcess, 400, 10153,
       "consumer inactive threshold exceeds system limit of {limit}"},
  };
  for (const Expected& e : expected) {
    const ApiErrorSpec& spec = SpecOf(e.id);
    EXPECT_EQ(spec.code, e.code) << spec.name;
    EXPECT_EQ(spec.err_code, e.err_code) << spec.name;
    EXPECT_EQ(spec.description, e.description) << spec.name;
  }
}

TEST(ApiErrorTest, FillsPlaceholders) {
  ApiError error = MakeApiError(ApiErrorId::kStreamWrongLastSequence, {{"seq", "41"}});
  EXPECT_EQ(error.code, 400);
  EXPECT_EQ(error.err_code, 10071);
  EXPECT_EQ(error.description, "wrong last sequence: 41");
  EXPECT_TRUE(error.Is(ApiErrorId::kStreamWrongLastSequence));

  ApiError two = MakeApiError(ApiErrorId::kStreamExternalDelPrefixOverlaps,
                              {{"prefix", "dlv"}, {"subject", "orders.*"}});
  EXPECT_EQ(two.description,
            "stream external delivery prefix dlv overlaps with stream subject orders.*");
}

TEST(ApiErrorTest, ValuesAreNotRescannedAndMissingPlaceholdersStay) {
  EXPECT_EQ(MakeApiError(ApiErrorId::kStreamInvalidConfig, {{"err", "a {err} b"}}).description,
            "a {err} b");
  EXPECT_EQ(MakeApiError(ApiErrorId::kSequenceNotFound).description, "sequence {seq} not found");
}

TEST(ApiErrorTest, WrapUnlessPassesApiErrorsThrough) {
  ApiError inner = MakeApiError(ApiErrorId::kMirrorWithSubjects);
  EXPECT_EQ(WrapUnless(ApiErrorId::kStreamCreate, inner), inner);
  ApiError wrapped = WrapUnless(ApiErrorId::kStreamCreate, std::string("disk full"));
  EXPECT_EQ(wrapped.code, 500);
  EXPECT_EQ(wrapped.err_code, 10049);
  EXPECT_EQ(wrapped.description, "disk full");
}

TEST(ApiErrorTest, EncodesInNatsServerFieldOrder) {
  EXPECT_EQ(ToJson(MakeApiError(ApiErrorId::kStreamNameExist)).dump(),
            R"({"code":400,"err_code":10058,"description":"stream name already in use with a )"
            R"(different configuration"})");
}

}  // namespace
}  // namespace spate::jetstream
