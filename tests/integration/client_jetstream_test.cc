// The C++ client's JetStream context and KV (src/client) against real servers: every scenario
// runs against spate-server (SPATE_TEST_SERVER_BIN or the build's) and against nats-server
// (NATS_SERVER_BIN or /usr/sbin/nats-server, Debian's 2.9.10; skipped when absent).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "client/connection.h"
#include "client/jetstream.h"
#include "support/test_server.h"
#include "support/wait_for.h"

namespace spate::client {
namespace {

using namespace std::chrono_literals;
using spate::test::TestServer;
using spate::test::TestServerOptions;
using spate::test::WaitFor;

class ClientJetStreamTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::string binary =
        IsNats() ? TestServer::NatsServerBinary() : TestServer::SpateBinary();
    if (::access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " not found";
    TestServerOptions server_options;
    server_options.args = {"-js"};
    server_ = std::make_unique<TestServer>(binary, std::move(server_options));
    ASSERT_TRUE(server_->Start()) << server_->error();
    Options o;
    o.servers = {server_->url()};
    o.connect_timeout = 1000ms;
    auto conn = Connection::Connect(std::move(o));
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    conn_ = std::move(*conn);
    JsOptions js_options;
    js_options.timeout = 2000ms;
    auto js = JetStream::Create(*conn_, js_options);
    ASSERT_TRUE(js.ok()) << js.status().message();
    js_ = std::make_unique<JetStream>(std::move(*js));
  }
  void TearDown() override {
    js_.reset();
    if (conn_) conn_->Close();
  }

  bool IsNats() const { return GetParam() == "nats-server"; }

  // A memory stream ORDERS on ORDERS.> unless told otherwise.
  StreamInfo MakeStream(StreamConfig cfg = {}) {
    if (cfg.name.empty()) cfg.name = "ORDERS";
    if (cfg.subjects.empty()) cfg.subjects = {cfg.name + ".>"};
    cfg.storage = StorageType::kMemory;
    Result<StreamInfo> info = js_->AddStream(cfg);
    EXPECT_TRUE(info.ok()) << info.status().message();
    return info.ok() ? *info : StreamInfo{};
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<JetStream> js_;
};

TEST_P(ClientJetStreamTest, StreamLifecycle) {
  StreamConfig cfg;
  cfg.name = "ORDERS";
  cfg.subjects = {"orders.*"};
  cfg.storage = StorageType::kMemory;
  cfg.max_msgs_per_subject = 5;
  cfg.max_age = 1h;
  cfg.allow_rollup = true;
  cfg.extra_json = R"({"description":"from extra"})";
  Result<StreamInfo> created = js_->AddStream(cfg);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(created->config.name, "ORDERS");
  EXPECT_EQ(created->config.subjects, std::vector<std::string>{"orders.*"});
  EXPECT_EQ(created->config.max_msgs_per_subject, 5);
  EXPECT_EQ(created->config.max_age, Nanos(1h));
  EXPECT_EQ(created->config.storage, StorageType::kMemory);
  EXPECT_TRUE(created->config.allow_rollup);
  EXPECT_EQ(created->config.description, "from extra");
  EXPECT_EQ(created->config.duplicate_window, Nanos(2min));  // the server's default
  EXPECT_NE(created->raw_json.find("\"config\""), std::string::npos);
  EXPECT_GT(created->created.time_since_epoch().count(), 0);

  for (int i = 0; i < 3; ++i) ASSERT_TRUE(conn_->Publish("orders.new", "x").ok());
  ASSERT_TRUE(conn_->Publish("orders.old", "y").ok());
  ASSERT_TRUE(conn_->Flush().ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto info = js_->GetStreamInfo("ORDERS");
        return info.ok() && info->state.msgs == 4;
      },
      2000ms));
  Result<StreamInfo> info = js_->GetStreamInfo("ORDERS");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state.first_seq, 1u);
  EXPECT_EQ(info->state.last_seq, 4u);
  EXPECT_EQ(info->state.num_subjects, 2u);

  // Stored messages: by sequence, last by subject, delete.
  Result<StoredMsg> m2 = js_->GetMsg("ORDERS", 2);
  ASSERT_TRUE(m2.ok()) << m2.status().message();
  EXPECT_EQ(m2->subject, "orders.new");
  EXPECT_EQ(m2->seq, 2u);
  EXPECT_EQ(m2->data, "x");
  EXPECT_GT(m2->time.time_since_epoch().count(), 0);
  Result<StoredMsg> last = js_->GetLastMsg("ORDERS", "orders.old");
  ASSERT_TRUE(last.ok()) << last.status().message();
  EXPECT_EQ(last->seq, 4u);
  EXPECT_EQ(last->data, "y");

  // Update: a changed limit shows in the info.
  cfg.max_msgs_per_subject = 10;
  cfg.extra_json.clear();
  Result<StreamInfo> updated = js_->UpdateStream(cfg);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ(updated->config.max_msgs_per_subject, 10);

  // Names and list, with and without a subject filter.
  StreamConfig other;
  other.name = "OTHER";
  MakeStream(other);
  Result<std::vector<std::string>> names = js_->StreamNames();
  ASSERT_TRUE(names.ok()) << names.status().message();
  EXPECT_EQ(std::set<std::string>(names->begin(), names->end()),
            (std::set<std::string>{"ORDERS", "OTHER"}));
  Result<std::vector<std::string>> filtered = js_->StreamNames("orders.new");
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(*filtered, std::vector<std::string>{"ORDERS"});
  Result<std::vector<StreamInfo>> list = js_->ListStreams();
  ASSERT_TRUE(list.ok()) << list.status().message();
  EXPECT_EQ(list->size(), 2u);

  // Purge keeping the newest two, then by filter (in this order: nats-server 2.9.10's memory
  // store answers a purge-with-keep after a filtered purge of the last message with "no message
  // found").
  PurgeOptions keep;
  keep.keep = 2;
  Result<uint64_t> purged = js_->PurgeStream("ORDERS", keep);
  ASSERT_TRUE(purged.ok()) << purged.status().message();
  EXPECT_EQ(*purged, 2u);  // seq 1 and 2 go, 3 and 4 stay
  PurgeOptions by_filter;
  by_filter.filter = "orders.old";
  purged = js_->PurgeStream("ORDERS", by_filter);
  ASSERT_TRUE(purged.ok()) << purged.status().message();
  EXPECT_EQ(*purged, 1u);
  // Deleting one message.
  ASSERT_TRUE(conn_->Publish("orders.new", "z").ok());
  ASSERT_TRUE(WaitFor([&] { return js_->GetMsg("ORDERS", 5).ok(); }, 2000ms));
  ASSERT_TRUE(js_->DeleteMsg("ORDERS", 3).ok());
  Result<StoredMsg> gone = js_->GetMsg("ORDERS", 3);
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(IsApiError(gone.status(), kErrNoMessageFound)) << gone.status().message();
  purged = js_->PurgeStream("ORDERS");
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1u);

  ASSERT_TRUE(js_->DeleteStream("ORDERS").ok());
  Result<StreamInfo> missing = js_->GetStreamInfo("ORDERS");
  ASSERT_FALSE(missing.ok());
  std::optional<ApiError> err = GetApiError(missing.status());
  ASSERT_TRUE(err.has_value()) << missing.status().message();
  EXPECT_EQ(err->code, 404);
  EXPECT_EQ(err->err_code, kErrStreamNotFound);
  EXPECT_EQ(err->description, "stream not found");
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

TEST_P(ClientJetStreamTest, ApiErrorsKeepTheirErrCode) {
  MakeStream();
  StreamConfig other;
  other.name = "ORDERS";
  other.subjects = {"elsewhere.>"};
  other.storage = StorageType::kMemory;
  Result<StreamInfo> clash = js_->AddStream(other);
  ASSERT_FALSE(clash.ok());
  std::optional<ApiError> err = GetApiError(clash.status());
  ASSERT_TRUE(err.has_value()) << clash.status().message();
  EXPECT_EQ(err->err_code, 10058);  // stream name already in use with a different configuration
  EXPECT_EQ(err->code, 400);

  Result<ConsumerInfo> no_consumer = js_->GetConsumerInfo("ORDERS", "nobody");
  ASSERT_FALSE(no_consumer.ok());
  EXPECT_TRUE(IsApiError(no_consumer.status(), kErrConsumerNotFound));

  // Client-side validation never reaches the server.
  EXPECT_EQ(js_->GetStreamInfo("bad.name").status().code(), Status::Code::kInvalidArgument);
  StreamConfig bad_extra;
  bad_extra.name = "X";
  bad_extra.extra_json = "[1]";
  EXPECT_EQ(js_->AddStream(bad_extra).status().code(), Status::Code::kInvalidArgument);

  // The raw API returns the server's JSON.
  Result<std::string> raw = js_->ApiRequest("STREAM.INFO.ORDERS", "");
  ASSERT_TRUE(raw.ok()) << raw.status().message();
  EXPECT_NE(raw->find("\"ORDERS\""), std::string::npos);
  EXPECT_TRUE(IsApiError(js_->ApiRequest("STREAM.INFO.NOPE", "").status(), kErrStreamNotFound));
}

TEST_P(ClientJetStreamTest, ConsumerManagementAndAccountInfo) {
  MakeStream();
  ConsumerConfig pull;
  pull.durable_name = "worker";
  pull.ack_wait = 10s;
  pull.max_deliver = 5;
  pull.filter_subject = "ORDERS.new";
  pull.backoff = {1s, 2s};
  Result<ConsumerInfo> created = js_->AddConsumer("ORDERS", pull);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(created->name, "worker");
  EXPECT_EQ(created->stream, "ORDERS");
  EXPECT_EQ(created->config.durable_name, "worker");
  EXPECT_EQ(created->config.ack_policy, AckPolicy::kExplicit);
  EXPECT_EQ(created->config.max_deliver, 5);
  EXPECT_EQ(created->config.filter_subject, "ORDERS.new");
  EXPECT_EQ(created->config.backoff, (std::vector<Nanos>{1s, 2s}));
  EXPECT_EQ(created->config.ack_wait, Nanos(1s));  // backoff[0] replaces ack_wait (server rule)

  ConsumerConfig push;
  push.durable_name = "pusher";
  push.deliver_subject = "deliver.here";
  push.idle_heartbeat = 1s;
  push.flow_control = true;
  push.deliver_policy = DeliverPolicy::kByStartSequence;
  push.opt_start_seq = 3;
  ASSERT_TRUE(js_->AddConsumer("ORDERS", push).ok());

  pull.max_deliver = 7;
  Result<ConsumerInfo> updated = js_->UpdateConsumer("ORDERS", pull);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ(updated->config.max_deliver, 7);
  if (!IsNats()) {
    // action "update" on a missing consumer is an error from 2.10 on; 2.9.10 ignores the action.
    ConsumerConfig ghost = pull;
    ghost.durable_name = "ghost";
    EXPECT_TRUE(IsApiError(js_->UpdateConsumer("ORDERS", ghost).status(), 10149));
  }
  // An ephemeral consumer gets a server-made name.
  ConsumerConfig ephemeral;
  ephemeral.ack_policy = AckPolicy::kNone;
  Result<ConsumerInfo> eph = js_->AddConsumer("ORDERS", ephemeral);
  ASSERT_TRUE(eph.ok()) << eph.status().message();
  EXPECT_FALSE(eph->name.empty());

  Result<std::vector<std::string>> names = js_->ConsumerNames("ORDERS");
  ASSERT_TRUE(names.ok()) << names.status().message();
  EXPECT_EQ(std::set<std::string>(names->begin(), names->end()),
            (std::set<std::string>{"worker", "pusher", eph->name}));
  Result<std::vector<ConsumerInfo>> list = js_->ListConsumers("ORDERS");
  ASSERT_TRUE(list.ok()) << list.status().message();
  EXPECT_EQ(list->size(), 3u);

  Result<ConsumerInfo> info = js_->GetConsumerInfo("ORDERS", "pusher");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->config.deliver_subject, "deliver.here");
  EXPECT_EQ(info->config.idle_heartbeat, Nanos(1s));
  EXPECT_TRUE(info->config.flow_control);
  EXPECT_EQ(info->config.deliver_policy, DeliverPolicy::kByStartSequence);
  EXPECT_EQ(info->config.opt_start_seq, 3u);

  ASSERT_TRUE(js_->DeleteConsumer("ORDERS", "pusher").ok());
  EXPECT_TRUE(IsApiError(js_->DeleteConsumer("ORDERS", "pusher"), kErrConsumerNotFound));

  Result<AccountInfo> account = js_->GetAccountInfo();
  ASSERT_TRUE(account.ok()) << account.status().message();
  EXPECT_EQ(account->streams, 1u);
  EXPECT_EQ(account->consumers, 2u);
  EXPECT_GT(account->api_total, 0u);
}

TEST_P(ClientJetStreamTest, NoJetStreamIsNoResponders) {
  TestServer plain(server_->binary());
  ASSERT_TRUE(plain.Start()) << plain.error();
  auto conn = Connection::Connect(plain.url());
  ASSERT_TRUE(conn.ok());
  JsOptions js_options;
  js_options.timeout = 1000ms;
  auto js = JetStream::Create(**conn, js_options);
  ASSERT_TRUE(js.ok());
  EXPECT_TRUE(IsNoResponders(js->GetAccountInfo().status()));
}

TEST_P(ClientJetStreamTest, SyncPublishDedupAndExpectations) {
  MakeStream();
  PubOptions with_id;
  with_id.msg_id = "order-1";
  Result<PubAck> first = js_->Publish("ORDERS.new", "one", with_id);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->stream, "ORDERS");
  EXPECT_EQ(first->seq, 1u);
  EXPECT_FALSE(first->duplicate);
  Result<PubAck> again = js_->Publish("ORDERS.new", "one", with_id);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->seq, 1u);

  PubOptions expect;
  expect.expected_last_seq = 1;
  Result<PubAck> second = js_->Publish("ORDERS.new", "two", expect);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second->seq, 2u);
  Result<PubAck> stale = js_->Publish("ORDERS.new", "three", expect);  // last is 2 now
  ASSERT_FALSE(stale.ok());
  EXPECT_TRUE(IsApiError(stale.status(), kErrStreamWrongLastSequence)) << stale.status().message();

  PubOptions per_subject;
  per_subject.expected_last_subject_seq = 0;  // ORDERS.other has no message yet
  ASSERT_TRUE(js_->Publish("ORDERS.other", "a", per_subject).ok());
  EXPECT_TRUE(IsApiError(js_->Publish("ORDERS.other", "b", per_subject).status(),
                         kErrStreamWrongLastSequence));
  PubOptions wrong_stream;
  wrong_stream.expected_stream = "NOPE";
  EXPECT_TRUE(
      IsApiError(js_->Publish("ORDERS.new", "x", wrong_stream).status(), kErrStreamNotMatch));
  PubOptions last_id;
  last_id.expected_last_msg_id = "order-0";
  EXPECT_TRUE(
      IsApiError(js_->Publish("ORDERS.new", "x", last_id).status(), kErrStreamWrongLastMsgId));

  Result<PubAck> nobody = js_->Publish("nowhere", "x");
  ASSERT_FALSE(nobody.ok());
  EXPECT_TRUE(IsNoResponders(nobody.status())) << nobody.status().message();
}

TEST_P(ClientJetStreamTest, AsyncPublishWindowAndDedup) {
  MakeStream();
  JsOptions small;
  small.max_async_pending = 8;
  small.timeout = 2000ms;
  auto js = JetStream::Create(*conn_, small);
  ASSERT_TRUE(js.ok());
  constexpr int kCount = 500;
  std::mutex mu;
  std::vector<uint64_t> seqs;
  int errors = 0;
  for (int i = 0; i < kCount; ++i) {
    PubOptions o;
    o.msg_id = "m";                       // (not "m" + to_string: g++ 12 warns falsely, -Wrestrict)
    o.msg_id += std::to_string(i % 250);  // the second half are duplicates
    ASSERT_TRUE(js->PublishAsync("ORDERS.async", std::to_string(i), o, [&](Result<PubAck> ack) {
                    std::lock_guard lock(mu);
                    if (!ack.ok() || ack->duplicate) {
                      errors += ack.ok() ? 0 : 1;
                      return;
                    }
                    seqs.push_back(ack->seq);
                  }).ok());
    EXPECT_LE(js->PublishAsyncPending(), 8u);
  }
  ASSERT_TRUE(js->PublishAsyncComplete(5000ms).ok());
  EXPECT_EQ(js->PublishAsyncPending(), 0u);
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(errors, 0);
    EXPECT_EQ(seqs.size(), 250u);
  }
  Result<StreamInfo> info = js_->GetStreamInfo("ORDERS");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->state.msgs, 250u);

  // Futures, and errors coming back through them.
  std::future<Result<PubAck>> ok = js->PublishAsync("ORDERS.async", "f");
  PubOptions stale;
  stale.expected_last_seq = 1;
  std::future<Result<PubAck>> bad = js->PublishAsync("ORDERS.async", "g", stale);
  std::future<Result<PubAck>> none = js->PublishAsync("nowhere", "h");
  ASSERT_EQ(ok.wait_for(5s), std::future_status::ready);
  Result<PubAck> ok_ack = ok.get();
  ASSERT_TRUE(ok_ack.ok()) << ok_ack.status().message();
  EXPECT_EQ(ok_ack->seq, 251u);
  EXPECT_TRUE(IsApiError(bad.get().status(), kErrStreamWrongLastSequence));
  EXPECT_TRUE(IsNoResponders(none.get().status()));
}

TEST_P(ClientJetStreamTest, AsyncPublishFullWindowFailsWhenNotBlocking) {
  MakeStream();
  JsOptions o;
  o.max_async_pending = 2;
  o.async_block_when_full = false;
  o.async_ack_timeout = 200ms;
  auto js = JetStream::Create(*conn_, o);
  ASSERT_TRUE(js.ok());
  // Subscribers that never answer keep the window full (nothing stores "silent.*").
  auto silent = conn_->Subscribe("silent.*", [](const Msg&) {});
  ASSERT_TRUE(silent.ok());
  ASSERT_TRUE(conn_->Flush().ok());
  std::atomic<int> timeouts{0};
  auto count_timeout = [&](Result<PubAck> r) { timeouts += IsTimeout(r.status()) ? 1 : 0; };
  ASSERT_TRUE(js->PublishAsync("silent.a", "1", {}, count_timeout).ok());
  ASSERT_TRUE(js->PublishAsync("silent.b", "2", {}, count_timeout).ok());
  Status full = js->PublishAsync("silent.c", "3", {}, count_timeout);
  EXPECT_EQ(full.code(), Status::Code::kUnavailable) << full.message();
  // The overdue acks time out and free the window.
  EXPECT_TRUE(js->PublishAsyncComplete(2000ms).ok());
  EXPECT_EQ(timeouts, 2);
}

TEST_P(ClientJetStreamTest, PullFetchAckAndNakRedelivery) {
  MakeStream();
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(js_->Publish("ORDERS.new", std::to_string(i)).ok());
  ConsumerConfig cfg;
  cfg.ack_wait = 30s;
  auto sub = js_->PullSubscribe("ORDERS", "worker", cfg);
  ASSERT_TRUE(sub.ok()) << sub.status().message();

  Result<std::vector<JsMsg>> batch = sub->Fetch(3, 2000ms);
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  ASSERT_EQ(batch->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*batch)[i].data(), std::to_string(i + 1));
    Result<MsgMetadata> md = (*batch)[i].Metadata();
    ASSERT_TRUE(md.ok()) << md.status().message();
    EXPECT_EQ(md->stream, "ORDERS");
    EXPECT_EQ(md->consumer, "worker");
    EXPECT_EQ(md->stream_seq.value, i + 1);
    EXPECT_EQ(md->consumer_seq.value, i + 1);
    EXPECT_EQ(md->num_delivered, 1u);
    EXPECT_EQ(md->num_pending, 4 - i);
  }
  ASSERT_TRUE((*batch)[0].AckSync(2000ms).ok());
  EXPECT_FALSE((*batch)[0].Ack().ok());  // already acknowledged
  ASSERT_TRUE((*batch)[1].Ack().ok());
  ASSERT_TRUE((*batch)[2].Nak().ok());  // redelivered at once

  // The rest, plus the nak'd one again (redelivered first or last, as the server orders it).
  std::vector<std::string> got;
  ASSERT_TRUE(WaitFor(
      [&] {
        Result<std::vector<JsMsg>> more = sub->Fetch(10, 200ms);
        if (!more.ok()) return false;
        for (JsMsg& m : *more) {
          got.push_back(m.data());
          if (m.data() == "3") {
            EXPECT_EQ(m.Metadata()->num_delivered, 2u);
          }
          EXPECT_TRUE(m.AckSync(2000ms).ok());
        }
        return got.size() >= 3;
      },
      5000ms));
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"3", "4", "5"}));

  // Nothing left: an empty batch, not an error, and within the timeout.
  const auto t0 = std::chrono::steady_clock::now();
  Result<std::vector<JsMsg>> empty = sub->Fetch(5, 300ms);
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_TRUE(empty->empty());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
  ASSERT_TRUE(WaitFor(
      [&] {
        auto info = js_->GetConsumerInfo("ORDERS", "worker");
        return info.ok() && info->num_ack_pending == 0 && info->ack_floor.stream_seq == 5;
      },
      2000ms));

  // Term and in-progress are accepted; a delayed nak comes back after its delay.
  ASSERT_TRUE(js_->Publish("ORDERS.new", "6").ok());
  ASSERT_TRUE(js_->Publish("ORDERS.new", "7").ok());
  batch = sub->Fetch(2, 2000ms);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 2u);
  ASSERT_TRUE((*batch)[0].InProgress().ok());
  ASSERT_TRUE((*batch)[0].Term("bad order").ok());
  ASSERT_TRUE((*batch)[1].Nak(Nanos(200ms)).ok());
  const auto nak_at = std::chrono::steady_clock::now();
  Result<std::vector<JsMsg>> again = sub->Fetch(1, 3000ms);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].data(), "7");
  EXPECT_GE(std::chrono::steady_clock::now() - nak_at, 150ms);
  ASSERT_TRUE((*again)[0].Ack().ok());

  // A batch larger than what is left returns what is left at once, not after the timeout.
  for (int i = 8; i <= 9; ++i) ASSERT_TRUE(js_->Publish("ORDERS.new", std::to_string(i)).ok());
  const auto rest_at = std::chrono::steady_clock::now();
  Result<std::vector<JsMsg>> rest = sub->Fetch(100, 10000ms);
  ASSERT_TRUE(rest.ok()) << rest.status().message();
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_LT(std::chrono::steady_clock::now() - rest_at, 5000ms);
  for (JsMsg& m : *rest) ASSERT_TRUE(m.Ack().ok());

  // Binding to an existing consumer; a missing one is an API error.
  EXPECT_TRUE(js_->PullSubscribe("ORDERS", "worker").ok());
  EXPECT_TRUE(IsApiError(js_->PullSubscribe("ORDERS", "nobody").status(), kErrConsumerNotFound));
}

TEST_P(ClientJetStreamTest, PushDurableManualAck) {
  MakeStream();
  std::mutex mu;
  std::vector<std::string> seen;
  std::atomic<int> acked{0};
  ConsumerConfig cfg;
  cfg.durable_name = "pusher";
  cfg.flow_control = true;
  cfg.idle_heartbeat = 200ms;
  auto sub = js_->Subscribe("ORDERS", cfg, [&](JsMsg& m) {
    {
      std::lock_guard lock(mu);
      seen.push_back(m.data());
    }
    if (m.Ack().ok()) acked++;
  });
  ASSERT_TRUE(sub.ok()) << sub.status().message();
  EXPECT_EQ(sub->consumer(), "pusher");
  constexpr int kCount = 200;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(
        js_->PublishAsync("ORDERS.push", std::to_string(i), {}, [](Result<PubAck>) {}).ok());
  }
  ASSERT_TRUE(js_->PublishAsyncComplete(5000ms).ok());
  ASSERT_TRUE(WaitFor([&] { return acked == kCount; }, 5000ms)) << acked;
  {
    std::lock_guard lock(mu);
    for (int i = 0; i < kCount; ++i) ASSERT_EQ(seen[i], std::to_string(i));  // in order
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        auto info = js_->GetConsumerInfo("ORDERS", "pusher");
        return info.ok() && info->num_ack_pending == 0 && info->num_pending == 0;
      },
      3000ms));
  ASSERT_TRUE(sub->Unsubscribe().ok());
  EXPECT_TRUE(js_->GetConsumerInfo("ORDERS", "pusher").ok());  // a durable stays

  // Sync, ephemeral: heartbeats pass unseen, the consumer goes with the subscription.
  ConsumerConfig eph;
  eph.idle_heartbeat = 100ms;
  eph.deliver_policy = DeliverPolicy::kLast;
  auto sync = js_->SubscribeSync("ORDERS", eph);
  ASSERT_TRUE(sync.ok()) << sync.status().message();
  Result<JsMsg> last = sync->NextMsg(2000ms);
  ASSERT_TRUE(last.ok()) << last.status().message();
  EXPECT_EQ(last->data(), std::to_string(kCount - 1));
  ASSERT_TRUE(last->Ack().ok());
  EXPECT_TRUE(IsTimeout(sync->NextMsg(350ms).status()));  // > 3 heartbeats, none returned
  const std::string name = sync->consumer();
  ASSERT_TRUE(sync->Unsubscribe().ok());
  EXPECT_TRUE(IsApiError(js_->GetConsumerInfo("ORDERS", name).status(), kErrConsumerNotFound));
}

// Both delivery modes: on the dispatcher thread, and inline on the I/O thread.
TEST_P(ClientJetStreamTest, OrderedConsumerDeliversInOrderAndRecovers) {
  MakeStream();
  for (int i = 1; i <= 50; ++i) ASSERT_TRUE(js_->Publish("ORDERS.a", std::to_string(i)).ok());
  uint64_t published = 50;
  for (bool deliver_inline : {false, true}) {
    SCOPED_TRACE(deliver_inline ? "inline" : "dispatcher");
    std::mutex mu;
    std::vector<uint64_t> seqs;
    bool on_io_thread = !deliver_inline;  // set by the handler: wrong until it runs
    OrderedConsumerOptions o;
    o.idle_heartbeat = 100ms;
    o.deliver_inline = deliver_inline;
    auto oc = js_->SubscribeOrdered("ORDERS", o, [&](JsMsg& m) {
      std::lock_guard lock(mu);
      seqs.push_back(m.Metadata()->stream_seq.value);
      on_io_thread = conn_->OnIoThread();
    });
    ASSERT_TRUE(oc.ok()) << oc.status().message();
    ASSERT_TRUE(WaitFor(
        [&] {
          std::lock_guard lock(mu);
          return seqs.size() == published;
        },
        3000ms));
    // Deleting the consumer under it: heartbeats stop, it is recreated after the last sequence
    // it delivered.
    const std::string first = (*oc)->ConsumerName();
    ASSERT_TRUE(js_->DeleteConsumer("ORDERS", first).ok());
    ASSERT_TRUE(WaitFor([&] { return (*oc)->Resets() >= 1; }, 3000ms));
    EXPECT_NE((*oc)->ConsumerName(), first);
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(js_->Publish("ORDERS.a", std::to_string(++published)).ok());
    }
    ASSERT_TRUE(WaitFor(
        [&] {
          std::lock_guard lock(mu);
          return seqs.size() == published;
        },
        3000ms));
    (*oc)->Stop();
    std::lock_guard lock(mu);
    for (size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], i + 1);
    EXPECT_EQ(on_io_thread, deliver_inline) << "the handler ran on the wrong thread";
  }
}

// Inline delivery of more than the flow-control window: the consumer answers the server's
// flow-control requests from the I/O thread, and everything arrives in order.
TEST_P(ClientJetStreamTest, InlineOrderedConsumerPassesFlowControl) {
  MakeStream();
  const std::string payload(1024, 'p');
  constexpr int kCount = 3000;  // 3 MiB: several flow-control windows of either server
  for (int i = 0; i < kCount; ++i) ASSERT_TRUE(js_->Publish("ORDERS.a", payload).ok());
  std::atomic<uint64_t> next{1};
  std::atomic<bool> out_of_order{false};
  OrderedConsumerOptions o;
  o.deliver_inline = true;
  auto oc = js_->SubscribeOrdered("ORDERS", o, [&](JsMsg& m) {
    if (m.Metadata()->stream_seq.value != next.load() || m.data().size() != payload.size()) {
      out_of_order = true;
    }
    next.fetch_add(1);
  });
  ASSERT_TRUE(oc.ok()) << oc.status().message();
  ASSERT_TRUE(WaitFor([&] { return next.load() == kCount + 1; }, 10000ms)) << next.load();
  EXPECT_FALSE(out_of_order.load());
  EXPECT_EQ((*oc)->Resets(), 0u);
  (*oc)->Stop();
}

// A watcher's Next on the I/O thread (an inline handler) fails at once instead of stalling the
// connection that brings its entries; off that thread the watcher works on.
TEST_P(ClientJetStreamTest, KvWatcherNextFailsAtOnceOnTheIoThread) {
  KvConfig cfg;
  cfg.bucket = "inline";
  cfg.storage = StorageType::kMemory;
  Result<KeyValue> kv = js_->CreateKeyValue(cfg);
  ASSERT_TRUE(kv.ok()) << kv.status().message();
  auto watch = kv->WatchAll();
  ASSERT_TRUE(watch.ok()) << watch.status().message();
  std::promise<Status> from_handler;
  std::atomic<int> calls{0};
  auto sub = conn_->SubscribeInline("poke", [&](const MsgView&) {
    if (calls++ == 0) from_handler.set_value((*watch)->Next(10000ms).status());
  });
  ASSERT_TRUE(sub.ok()) << sub.status().message();
  ASSERT_TRUE(conn_->Flush().ok());
  ASSERT_TRUE(conn_->Publish("poke", "").ok());
  std::future<Status> result = from_handler.get_future();
  ASSERT_EQ(result.wait_for(2000ms), std::future_status::ready);
  const Status status = result.get();
  EXPECT_TRUE(IsIoThreadError(status)) << status.message();
  Result<std::optional<KvEntry>> marker = (*watch)->Next(2000ms);
  ASSERT_TRUE(marker.ok()) << marker.status().message();
  EXPECT_FALSE(marker->has_value());
}

TEST_P(ClientJetStreamTest, KeyValueOperations) {
  KvConfig cfg;
  cfg.bucket = "config";
  cfg.history = 5;
  cfg.storage = StorageType::kMemory;
  Result<KeyValue> kv = js_->CreateKeyValue(cfg);
  ASSERT_TRUE(kv.ok()) << kv.status().message();
  Result<StreamInfo> stream = js_->GetStreamInfo("KV_config");
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(stream->config.subjects, std::vector<std::string>{"$KV.config.>"});
  EXPECT_EQ(stream->config.max_msgs_per_subject, 5);
  EXPECT_TRUE(stream->config.allow_rollup);
  EXPECT_TRUE(stream->config.deny_delete);
  EXPECT_TRUE(stream->config.allow_direct);
  EXPECT_EQ(stream->config.discard, DiscardPolicy::kNew);
  EXPECT_TRUE(js_->CreateKeyValue(cfg).ok());  // same settings: fine

  // A watcher started on the empty bucket: the marker first, then live updates.
  auto watch = kv->WatchAll();
  ASSERT_TRUE(watch.ok()) << watch.status().message();
  Result<std::optional<KvEntry>> marker = (*watch)->Next(2000ms);
  ASSERT_TRUE(marker.ok()) << marker.status().message();
  EXPECT_FALSE(marker->has_value());

  Result<uint64_t> r1 = kv->Put("app.color", "red");
  ASSERT_TRUE(r1.ok()) << r1.status().message();
  Result<KvEntry> got = kv->Get("app.color");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->value, "red");
  EXPECT_EQ(got->revision, *r1);
  EXPECT_EQ(got->bucket, "config");
  EXPECT_EQ(got->key, "app.color");
  EXPECT_EQ(got->operation, KvOp::kPut);
  EXPECT_GT(got->created.time_since_epoch().count(), 0);

  // Create only when absent; Update only from the current revision.
  EXPECT_TRUE(IsKeyExists(kv->Create("app.color", "blue").status()));
  Result<uint64_t> r2 = kv->Update("app.color", "blue", *r1);
  ASSERT_TRUE(r2.ok()) << r2.status().message();
  EXPECT_TRUE(
      IsApiError(kv->Update("app.color", "green", *r1).status(), kErrStreamWrongLastSequence));
  Result<uint64_t> created = kv->Create("app.size", "10");
  ASSERT_TRUE(created.ok()) << created.status().message();

  // Delete leaves a marker: Get says not found, Create works again over it.
  ASSERT_TRUE(kv->Delete("app.size").ok());
  EXPECT_TRUE(IsKeyNotFound(kv->Get("app.size").status()));
  Result<uint64_t> recreated = kv->Create("app.size", "12");
  ASSERT_TRUE(recreated.ok()) << recreated.status().message();
  EXPECT_EQ(kv->Get("app.size")->value, "12");
  EXPECT_TRUE(IsKeyNotFound(kv->Get("never.set").status()));
  EXPECT_EQ(kv->Put("bad key", "x").status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(kv->Put(".dot", "x").status().code(), Status::Code::kInvalidArgument);

  // History keeps every revision (markers too); purge drops them all but the purge marker.
  Result<std::vector<KvEntry>> hist = kv->History("app.size");
  ASSERT_TRUE(hist.ok()) << hist.status().message();
  ASSERT_EQ(hist->size(), 3u);
  EXPECT_EQ((*hist)[0].value, "10");
  EXPECT_EQ((*hist)[1].operation, KvOp::kDelete);
  EXPECT_EQ((*hist)[2].value, "12");
  ASSERT_TRUE(kv->Purge("app.size").ok());
  hist = kv->History("app.size");
  ASSERT_TRUE(hist.ok());
  ASSERT_EQ(hist->size(), 1u);
  EXPECT_EQ((*hist)[0].operation, KvOp::kPurge);
  EXPECT_TRUE(IsKeyNotFound(kv->History("never.set").status()));

  Result<std::vector<std::string>> keys = kv->Keys();
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  EXPECT_EQ(*keys, std::vector<std::string>{"app.color"});

  // The watcher saw every change in order.
  std::vector<std::string> seen;
  while (true) {
    Result<std::optional<KvEntry>> e = (*watch)->Next(500ms);
    if (!e.ok()) break;
    ASSERT_TRUE(e->has_value());
    const KvEntry& entry = **e;
    seen.push_back(entry.key + "=" +
                   (entry.operation == KvOp::kPut      ? entry.value
                    : entry.operation == KvOp::kDelete ? "DEL"
                                                       : "PURGE"));
    if (seen.size() == 6) break;
  }
  EXPECT_TRUE(IsTimeout((*watch)->Next(50ms).status()));  // nothing more
  EXPECT_EQ(seen, (std::vector<std::string>{"app.color=red", "app.color=blue", "app.size=10",
                                            "app.size=DEL", "app.size=12", "app.size=PURGE"}))
      << seen.size();

  // A watcher on existing data: current values, then the marker.
  auto later = kv->Watch("app.*");
  ASSERT_TRUE(later.ok());
  Result<std::optional<KvEntry>> first = (*later)->Next(2000ms);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->value, "blue");
  EXPECT_EQ((*first)->delta, 1u);
  Result<std::optional<KvEntry>> second = (*later)->Next(2000ms);
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->operation, KvOp::kPurge);
  Result<std::optional<KvEntry>> done = (*later)->Next(2000ms);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(done->has_value());

  ASSERT_TRUE(js_->GetKeyValue("config").ok());
  ASSERT_TRUE(js_->DeleteKeyValue("config").ok());
  Result<KeyValue> gone = js_->GetKeyValue("config");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), Status::Code::kNotFound);
}

// Publishes with acks while the server restarts on the same port and store: the connection
// reconnects by itself (publishes made meanwhile wait in its reconnect buffer), and afterwards
// every message whose PubAck came back is in the stream with the acknowledged sequence, and no
// message is stored twice. Acks must have come back from both sides of the restart.
TEST_P(ClientJetStreamTest, AcknowledgedPublishesSurviveAServerRestart) {
  Options o;
  o.servers = {server_->url()};
  o.reconnect_wait = 20ms;
  o.max_reconnect_wait = 100ms;
  o.reconnect_jitter = 10ms;
  o.max_reconnect_attempts = -1;
  auto conn = Connection::Connect(std::move(o));
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  JsOptions js_options;
  js_options.timeout = 1500ms;  // how long a publish lost in the restart keeps its slot
  js_options.max_async_pending = 64;
  auto js = JetStream::Create(**conn, js_options);
  ASSERT_TRUE(js.ok());
  StreamConfig cfg;
  cfg.name = "DURABLE";
  cfg.subjects = {"durable.>"};
  cfg.storage = StorageType::kFile;
  ASSERT_TRUE(js->AddStream(cfg).ok());

  constexpr int kCount = 2000;
  constexpr int kRestartAt = 800;
  std::mutex mu;
  std::vector<uint64_t> acked_seq(kCount, 0);  // 0: no PubAck
  for (int i = 0; i < kCount; ++i) {
    if (i == kRestartAt) {
      ASSERT_TRUE(server_->Restart()) << server_->error();
    }
    PubOptions p;
    p.msg_id = "m";
    p.msg_id += std::to_string(i);
    Status s = js->PublishAsync("durable.x", std::to_string(i), p, [&, i](Result<PubAck> ack) {
      if (!ack.ok()) return;  // lost in the restart: allowed, as long as it was not acked
      std::lock_guard lock(mu);
      acked_seq[i] = ack->seq;
    });
    ASSERT_TRUE(s.ok()) << "publish " << i << ": " << s.message();
  }
  (void)js->PublishAsyncComplete(10s);  // some may time out (sent just before the stop)
  std::vector<uint64_t> acked;
  {
    // Not held below: a late ack's callback may still want it while we read the stream.
    std::lock_guard lock(mu);
    acked = acked_seq;
  }

  int acked_before = 0, acked_after = 0;
  for (int i = 0; i < kCount; ++i) {
    if (acked[i] == 0) continue;
    (i < kRestartAt ? acked_before : acked_after) += 1;
    Result<StoredMsg> m = js->GetMsg("DURABLE", acked[i]);
    ASSERT_TRUE(m.ok()) << "acked message " << i << " (seq " << acked[i]
                        << ") missing: " << m.status().message();
    EXPECT_EQ(m->data, std::to_string(i));
  }
  EXPECT_GT(acked_before, 0);
  EXPECT_GT(acked_after, kCount - kRestartAt - 100);  // after reconnecting nearly all are acked
  Result<StreamInfo> info = js->GetStreamInfo("DURABLE");
  ASSERT_TRUE(info.ok());
  std::set<std::string> seen;
  for (uint64_t seq = info->state.first_seq; seq <= info->state.last_seq; ++seq) {
    Result<StoredMsg> m = js->GetMsg("DURABLE", seq);
    if (!m.ok()) continue;
    EXPECT_TRUE(seen.insert(m->data).second) << "stored twice: " << m->data;
  }
  (*conn)->Close();
}

INSTANTIATE_TEST_SUITE_P(Servers, ClientJetStreamTest,
                         ::testing::Values(std::string("spate"), std::string("nats-server")),
                         [](const auto& info) {
                           return info.param == "spate" ? std::string("Spate")
                                                        : std::string("NatsServer");
                         });

}  // namespace
}  // namespace spate::client
