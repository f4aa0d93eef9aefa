#include "jetstream/api_types.h"

#include <gtest/gtest.h>

namespace spate::jetstream {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kT0 = 1'700'000'000'000'000'000;  // 2023-11-14T22:13:20Z

StreamInfo OrdersInfo() {
  StreamInfo info;
  info.config.name = "ORDERS";
  info.config.subjects = {"orders.*"};
  info.created = kT0;
  info.timestamp = kT0 + 1'000;
  return info;
}

TEST(ApiTypesTest, EmptyStreamStateUsesGoZeroTimes) {
  EXPECT_EQ(EncodeStreamState(StreamState{}).dump(),
            R"({"messages":0,"bytes":0,"first_seq":0,"first_ts":"0001-01-01T00:00:00Z",)"
            R"("last_seq":0,"last_ts":"0001-01-01T00:00:00Z","consumer_count":0})");
}

TEST(ApiTypesTest, StreamStateOptionalParts) {
  StreamState state;
  state.messages = 3;
  state.bytes = 120;
  state.first_seq = StreamSeq{1};
  state.first_time = kT0;
  state.last_seq = StreamSeq{4};
  state.last_time = kT0 + 500'000'000;
  state.num_subjects = 2;
  state.subjects = {{"orders.a", 2}, {"orders.b", 1}};
  state.num_deleted = 1;
  state.deleted = {StreamSeq{2}};
  state.consumer_count = 1;
  EXPECT_EQ(EncodeStreamState(state).dump(),
            R"({"messages":3,"bytes":120,"first_seq":1,"first_ts":"2023-11-14T22:13:20Z",)"
            R"("last_seq":4,"last_ts":"2023-11-14T22:13:20.5Z","num_subjects":2,)"
            R"("subjects":{"orders.a":2,"orders.b":1},"num_deleted":1,"deleted":[2],)"
            R"("consumer_count":1})");
}

TEST(ApiTypesTest, StreamCreateResponse) {
  StreamInfo info = OrdersInfo();
  info.cluster = ClusterInfo{};
  info.cluster->leader = "S1";
  nlohmann::ordered_json response = MakeStreamCreateResponse(info, /*did_create=*/true);
  std::vector<std::string> keys;
  for (auto it = response.begin(); it != response.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"type", "config", "created", "state", "cluster", "ts",
                                            "did_create"}));
  EXPECT_EQ(response["type"], "io.nats.jetstream.api.v1.stream_create_response");
  EXPECT_EQ(response["created"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(response["ts"], "2023-11-14T22:13:20.000001Z");
  EXPECT_EQ(response["cluster"].dump(), R"({"leader":"S1"})");
  EXPECT_FALSE(MakeStreamCreateResponse(info, false).contains("did_create"));
}

TEST(ApiTypesTest, StreamInfoResponseCarriesPagingEvenOnError) {
  nlohmann::ordered_json ok = MakeStreamInfoResponse(OrdersInfo());
  EXPECT_EQ(ok.begin().key(), "type");
  EXPECT_EQ(ok["total"], 0);
  EXPECT_EQ(ok["limit"], 0);
  EXPECT_EQ(MakeStreamInfoErrorResponse(MakeApiError(ApiErrorId::kStreamNotFound)).dump(),
            R"({"type":"io.nats.jetstream.api.v1.stream_info_response",)"
            R"("error":{"code":404,"err_code":10059,"description":"stream not found"},)"
            R"("total":0,"offset":0,"limit":0})");
}

TEST(ApiTypesTest, ErrorResponse) {
  EXPECT_EQ(MakeApiErrorResponse(response_type::kConsumerCreate,
                                 MakeApiError(ApiErrorId::kConsumerNotFound))
                .dump(),
            R"({"type":"io.nats.jetstream.api.v1.consumer_create_response",)"
            R"("error":{"code":404,"err_code":10014,"description":"consumer not found"}})");
}

TEST(ApiTypesTest, ConsumerInfo) {
  ConsumerInfo info;
  info.stream_name = "ORDERS";
  info.name = "d";
  info.created = kT0;
  info.config = ConsumerConfig{};
  info.config->durable_name = "d";
  info.config->ack_policy = AckPolicy::kExplicit;
  info.delivered = {ConsumerSeq{5}, StreamSeq{9}, kT0};
  info.ack_floor = {ConsumerSeq{4}, StreamSeq{8}, std::nullopt};
  info.num_ack_pending = 1;
  info.num_pending = 10;
  info.timestamp = kT0;
  EXPECT_EQ(EncodeConsumerInfo(info).dump(),
            R"({"stream_name":"ORDERS","name":"d","created":"2023-11-14T22:13:20Z",)"
            R"("config":{"durable_name":"d","deliver_policy":"all","ack_policy":"explicit",)"
            R"("replay_policy":"instant","num_replicas":0},)"
            R"("delivered":{"consumer_seq":5,"stream_seq":9,)"
            R"("last_active":"2023-11-14T22:13:20Z"},)"
            R"("ack_floor":{"consumer_seq":4,"stream_seq":8},"num_ack_pending":1,)"
            R"("num_redelivered":0,"num_waiting":0,"num_pending":10,)"
            R"("ts":"2023-11-14T22:13:20Z"})");
}

TEST(ApiTypesTest, AccountInfo) {
  AccountInfo info;
  info.totals.memory = 10;
  info.totals.streams = 1;
  info.api_total = 7;
  info.api_errors = 1;
  nlohmann::ordered_json json =
      MakeApiResponse(response_type::kAccountInfo, EncodeAccountInfo(info));
  EXPECT_EQ(json.dump(),
            R"({"type":"io.nats.jetstream.api.v1.account_info_response","memory":10,)"
            R"("storage":0,"reserved_memory":0,"reserved_storage":0,"streams":1,"consumers":0,)"
            R"("limits":{"max_memory":-1,"max_storage":-1,"max_streams":-1,"max_consumers":-1,)"
            R"("max_ack_pending":-1,"memory_max_stream_bytes":-1,"storage_max_stream_bytes":-1,)"
            R"("max_bytes_required":false},"api":{"total":7,"errors":1}})");
  info.api_level = 1;
  EXPECT_EQ(EncodeAccountInfo(info)["api"].dump(), R"({"level":1,"total":7,"errors":1})");
}

TEST(ApiTypesTest, PubAckMatchesNatsServerBytes) {
  PubAck ack;
  ack.stream = "ORDERS";
  ack.seq = StreamSeq{12};
  EXPECT_EQ(EncodePubAck(ack), R"({"stream":"ORDERS", "seq":12})");
  ack.duplicate = true;
  EXPECT_EQ(EncodePubAck(ack), R"({"stream":"ORDERS", "seq":12,"duplicate": true})");
  ack.domain = "hub";
  ack.duplicate = false;
  EXPECT_EQ(EncodePubAck(ack), R"({"stream":"ORDERS", "domain":"hub", "seq":12})");
  EXPECT_EQ(nlohmann::json::parse(EncodePubAck(ack))["seq"], 12);
}

TEST(ApiTypesTest, PubAckError) {
  EXPECT_EQ(EncodePubAckError("ORDERS",
                              MakeApiError(ApiErrorId::kStreamWrongLastSequence, {{"seq", "11"}})),
            R"({"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 11"},)"
            R"("stream":"ORDERS","seq":0})");
}

}  // namespace
}  // namespace spate::jetstream
