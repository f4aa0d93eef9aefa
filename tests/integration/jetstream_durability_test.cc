// JetStream's durability promises, checked with the official C client (libnats): every
// acknowledged message survives kill -9, a corrupt or torn block file never stops the server and
// costs only the damaged records, and a write failure (a full disk) gets an error PubAck while
// the server goes on serving.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/nats_client.h"
#include "support/test_server.h"
#include "support/wait_for.h"

namespace spate::test {
namespace {

struct JsCtxDeleter {
  void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
};
using JsCtx = std::unique_ptr<jsCtx, JsCtxDeleter>;

// What the publisher learned from PubAcks: payload id -> stream sequence.
struct AckLog {
  std::mutex mu;
  std::vector<std::pair<uint64_t, uint64_t>> acked;  // (id, seq)
  int errors = 0;
  std::string last_error;

  static void OnAck(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
    auto* self = static_cast<AckLog*>(closure);
    std::lock_guard lock(self->mu);
    if (pa != nullptr) {
      self->acked.emplace_back(std::stoull(Payload(msg).substr(3)), pa->Sequence);
    } else if (pae != nullptr) {
      ++self->errors;
      self->last_error = pae->ErrText != nullptr ? pae->ErrText : "";
    }
    natsMsg_Destroy(msg);
  }
};

JsCtx JetStream(natsConnection* nc, jsOptions* opts = nullptr) {
  jsCtx* js = nullptr;
  EXPECT_EQ(natsConnection_JetStream(&js, nc, opts), NATS_OK);
  return JsCtx(js);
}

void AddStream(jsCtx* js, const char* name, const char* subject) {
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = name;
  const char* subjects[] = {subject};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  ASSERT_EQ(js_AddStream(&si, js, &cfg, nullptr, &jerr), NATS_OK) << "jerr " << jerr;
  jsStreamInfo_Destroy(si);
}

struct StoredState {
  uint64_t msgs = 0, first = 0, last = 0;
};

StoredState StreamState(jsCtx* js, const char* name) {
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  StoredState out;
  natsStatus s = js_GetStreamInfo(&si, js, name, nullptr, &jerr);
  EXPECT_EQ(s, NATS_OK) << natsStatus_GetText(s) << " jerr " << jerr;
  if (s != NATS_OK) return out;
  out = {si->State.Msgs, si->State.FirstSeq, si->State.LastSeq};
  jsStreamInfo_Destroy(si);
  return out;
}

// Every stored message in order as (seq, payload), read with an ephemeral push consumer.
std::vector<std::pair<uint64_t, std::string>> ReadAll(natsConnection* nc, jsCtx* js,
                                                      const char* subject, uint64_t count) {
  std::vector<std::pair<uint64_t, std::string>> out;
  if (count == 0) return out;
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Config.AckPolicy = js_AckNone;
  so.Config.DeliverPolicy = js_DeliverAll;
  natsSubscription* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  EXPECT_EQ(js_SubscribeSync(&raw, js, subject, nullptr, &so, &jerr), NATS_OK) << jerr;
  NatsSubscription sub(raw);
  natsSubscription_SetPendingLimits(sub.get(), -1, -1);
  while (out.size() < count) {
    natsMsg* m = nullptr;
    if (natsSubscription_NextMsg(&m, sub.get(), 5000) != NATS_OK) break;
    NatsMsg msg(m);
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, msg.get()) != NATS_OK) continue;  // a status message
    out.emplace_back(meta->Sequence.Stream, Payload(msg.get()));
    jsMsgMetaData_Destroy(meta);
  }
  (void)nc;
  return out;
}

std::string IdPayload(uint64_t id) { return "id-" + std::to_string(id); }

class JetStreamDurabilityTest : public ::testing::Test {
 protected:
  std::unique_ptr<TestServer> StartServer(TestServerOptions options = {}) {
    options.args.push_back("-js");
    auto server = TestServer::Spate(options);
    EXPECT_TRUE(server->Start()) << server->error();
    return server;
  }
};

// Many rounds of: publish asynchronously (256 in flight) for a random time, kill -9 the server
// at that moment, restart it, and check that every acknowledged message is stored at the
// sequence its PubAck named, in order, with no duplicates and no gaps but at the crash.
TEST_F(JetStreamDurabilityTest, EveryAckedMessageSurvivesKill9) {
  auto server = StartServer();
  std::mt19937 rng(12345);
  uint64_t next_id = 1;
  std::vector<std::pair<uint64_t, uint64_t>> all_acked;
  constexpr int kRounds = 8;
  for (int round = 0; round < kRounds; ++round) {
    AckLog log;
    {
      NatsConnection nc;
      ASSERT_EQ(Connect(server->url(), &nc), NATS_OK);
      jsOptions jo;
      jsOptions_Init(&jo);
      jo.PublishAsync.MaxPending = 256;
      jo.PublishAsync.AckHandler = &AckLog::OnAck;
      jo.PublishAsync.AckHandlerClosure = &log;
      JsCtx js = JetStream(nc.get(), &jo);
      if (round == 0) AddStream(js.get(), "CRASH", "crash.>");
      std::atomic<bool> stop{false};
      std::thread publisher([&] {
        while (!stop.load()) {
          std::string p = IdPayload(next_id);
          if (js_PublishAsync(js.get(), "crash.data", p.data(), static_cast<int>(p.size()),
                              nullptr) != NATS_OK) {
            break;
          }
          ++next_id;
        }
      });
      // The load runs for a random time: the kill lands at a random point of the stream.
      std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng() % 300));
      server->Kill();
      stop = true;
      publisher.join();
    }
    ASSERT_TRUE(server->Start()) << server->error();
    {
      std::lock_guard lock(log.mu);
      all_acked.insert(all_acked.end(), log.acked.begin(), log.acked.end());
      ASSERT_GT(log.acked.size(), 0u) << "round " << round << ": nothing was acknowledged";
    }
    NatsConnection nc;
    ASSERT_EQ(Connect(server->url(), &nc), NATS_OK);
    JsCtx js = JetStream(nc.get());
    StoredState st = StreamState(js.get(), "CRASH");
    auto stored = ReadAll(nc.get(), js.get(), "crash.>", st.msgs);
    ASSERT_EQ(stored.size(), st.msgs) << "round " << round;
    // In order, no duplicates: ids grow strictly with the sequence.
    std::map<uint64_t, uint64_t> id_at_seq;
    uint64_t prev_id = 0;
    for (auto& [seq, payload] : stored) {
      uint64_t id = std::stoull(payload.substr(3));
      ASSERT_GT(id, prev_id) << "seq " << seq << " breaks the order (round " << round << ")";
      prev_id = id;
      id_at_seq[seq] = id;
    }
    for (auto& [id, seq] : all_acked) {
      auto it = id_at_seq.find(seq);
      ASSERT_NE(it, id_at_seq.end()) << "acked id " << id << " at seq " << seq << " is lost";
      ASSERT_EQ(it->second, id) << "seq " << seq << " holds another message than acked";
    }
  }
  EXPECT_GT(all_acked.size(), 1000u) << "too little load to mean anything";
}

// A JetStream context for PublishIds: 1,024 PubAcks outstanding at most.
JsCtx PublishingJetStream(natsConnection* nc) {
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = 1024;
  return JetStream(nc, &jo);  // the options are copied
}

// Publishes ids first..last (payload "id-<n>") to big.<n % 7> and waits for every PubAck.
void PublishIds(jsCtx* js, uint64_t first, uint64_t last) {
  for (uint64_t id = first; id <= last; ++id) {
    std::string subject = "big." + std::to_string(id % 7);
    std::string p = IdPayload(id);
    ASSERT_EQ(js_PublishAsync(js, subject.c_str(), p.data(), static_cast<int>(p.size()), nullptr),
              NATS_OK);
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = 60000;
  ASSERT_EQ(js_PublishAsyncComplete(js, &po), NATS_OK);
}

// Every 997th sequence up to `last` and each of `deleted`: the message at a sequence is the id
// published as that sequence, a deleted one is gone.
void ExpectMessages(jsCtx* js, uint64_t last, const std::set<uint64_t>& deleted) {
  std::set<uint64_t> seqs(deleted);
  for (uint64_t seq = 1; seq <= last; seq += 997) seqs.insert(seq);
  seqs.insert(last);
  for (uint64_t seq : seqs) {
    natsMsg* raw = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    const natsStatus s = js_GetMsg(&raw, js, "BIG", seq, nullptr, &jerr);
    NatsMsg msg(raw);
    if (deleted.count(seq) > 0) {
      EXPECT_NE(s, NATS_OK) << "deleted seq " << seq << " came back";
      continue;
    }
    ASSERT_EQ(s, NATS_OK) << "seq " << seq << ": " << natsStatus_GetText(s) << " jerr " << jerr;
    EXPECT_EQ(Payload(msg.get()), IdPayload(seq));
  }
}

// A stream of several index chunks (65,536 messages each) restarts from its index snapshot,
// written a chunk at a time: after a clean stop with messages deleted inside chunks already
// written, and after kill -9 with more published since (the snapshot of the clean stop plus a scan
// of what came after). No restart has to scan the whole stream.
TEST_F(JetStreamDurabilityTest, BigStreamRestartsFromItsSnapshotCleanlyAndAfterKill9) {
  auto server = StartServer();
  constexpr uint64_t kFirst = 140000;  // two full chunks and part of a third
  constexpr uint64_t kMore = 70000;    // fills the third, into a fifth
  const std::set<uint64_t> deleted = {10, 70000, 70001, 131077, kFirst - 1};
  {
    NatsConnection nc;
    ASSERT_EQ(Connect(server->url(), &nc), NATS_OK);
    JsCtx js = PublishingJetStream(nc.get());
    AddStream(js.get(), "BIG", "big.>");
    PublishIds(js.get(), 1, kFirst);
    for (uint64_t seq : deleted) {
      jsErrCode jerr = static_cast<jsErrCode>(0);
      ASSERT_EQ(js_DeleteMsg(js.get(), "BIG", seq, nullptr, &jerr), NATS_OK) << jerr;
    }
  }
  server->Stop();
  // The stop left the tables and every slot: 24 bytes per sequence, from the first.
  const std::string stream_dir = server->dir() + "/store/jetstream/$G/streams/BIG/";
  ASSERT_TRUE(std::filesystem::exists(stream_dir + "index.snap"));
  EXPECT_EQ(std::filesystem::file_size(stream_dir + "index.slots"), kFirst * 24);
  ASSERT_TRUE(server->Start()) << server->error();
  {
    NatsConnection nc;
    ASSERT_EQ(Connect(server->url(), &nc), NATS_OK);
    JsCtx js = PublishingJetStream(nc.get());
    StoredState st = StreamState(js.get(), "BIG");
    EXPECT_EQ(st.msgs, kFirst - deleted.size());
    EXPECT_EQ(st.first, 1u);
    EXPECT_EQ(st.last, kFirst);
    ExpectMessages(js.get(), kFirst, deleted);
    PublishIds(js.get(), kFirst + 1, kFirst + kMore);
  }
  // The third chunk filled up while the server ran, and went to the file whole.
  EXPECT_GE(std::filesystem::file_size(stream_dir + "index.slots"), 3 * 65536 * 24);
  server->Kill();
  ASSERT_TRUE(server->Start()) << server->error();
  NatsConnection nc;
  ASSERT_EQ(Connect(server->url(), &nc), NATS_OK);
  JsCtx js = JetStream(nc.get());
  StoredState st = StreamState(js.get(), "BIG");
  EXPECT_EQ(st.msgs, kFirst + kMore - deleted.size());
  EXPECT_EQ(st.last, kFirst + kMore);
  ExpectMessages(js.get(), kFirst + kMore, deleted);
  EXPECT_EQ(server->Log().find("index snapshot not used"), std::string::npos) << server->Log();
}

// Recovery after damage: a flipped byte in the middle of a block costs that one record (and is
// reported), a torn tail is cut off, and the server starts and serves the rest unchanged.
TEST_F(JetStreamDurabilityTest, CorruptAndTornBlocksAreReportedAndSkipped) {
  auto server = StartServer();
  constexpr int kCount = 500;
  {
    NatsConnection nc;
    ASSERT_EQ(Connect(server->url(), &nc), NATS_OK);
    JsCtx js = JetStream(nc.get());
    AddStream(js.get(), "DMG", "dmg.>");
    for (int i = 1; i <= kCount; ++i) {
      std::string p = IdPayload(static_cast<uint64_t>(i)) + "-payload-" + std::string(40, 'x');
      jsPubAck* pa = nullptr;
      ASSERT_EQ(js_Publish(&pa, js.get(), "dmg.data", p.data(), static_cast<int>(p.size()), nullptr,
                           nullptr),
                NATS_OK);
      jsPubAck_Destroy(pa);
    }
  }
  server->Kill();  // no clean shutdown: no index snapshot, recovery scans the blocks
  std::string msgs_dir = server->dir() + "/store/jetstream/$G/streams/DMG/msgs";
  std::string block;
  for (auto& e : std::filesystem::directory_iterator(msgs_dir)) {
    if (e.path().extension() == ".blk") block = e.path().string();
  }
  ASSERT_FALSE(block.empty()) << "no block file in " << msgs_dir;
  std::string bytes;
  {
    std::ifstream in(block, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Flip one byte inside message 250's payload, and tear the last record in half.
  size_t pos = bytes.find(IdPayload(250) + "-payload-");
  ASSERT_NE(pos, std::string::npos);
  bytes[pos + 12] ^= 0x5a;
  size_t last = bytes.find(IdPayload(kCount) + "-payload-");
  ASSERT_NE(last, std::string::npos);
  bytes.resize(last + 10);
  {
    std::ofstream out(block, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  ASSERT_TRUE(server->Start()) << server->error();
  NatsConnection nc;
  ASSERT_EQ(Connect(server->url(), &nc), NATS_OK);
  JsCtx js = JetStream(nc.get());
  StoredState st = StreamState(js.get(), "DMG");
  EXPECT_EQ(st.msgs, static_cast<uint64_t>(kCount - 2));
  auto stored = ReadAll(nc.get(), js.get(), "dmg.>", st.msgs);
  ASSERT_EQ(stored.size(), static_cast<size_t>(kCount - 2));
  uint64_t expect = 1;
  for (auto& [seq, payload] : stored) {
    if (expect == 250) ++expect;  // the corrupt record is gone, its neighbours are not
    EXPECT_EQ(seq, expect);
    EXPECT_EQ(payload, IdPayload(expect) + "-payload-" + std::string(40, 'x'));
    ++expect;
  }
  // The damage is reported in the log, with the stream's name.
  std::ifstream log(server->log_path());
  std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(text.find("Stream '$G > DMG' recovery"), std::string::npos) << text;
  // And the stream takes new messages after the damaged tail.
  jsPubAck* pa = nullptr;
  ASSERT_EQ(js_Publish(&pa, js.get(), "dmg.data", "after", 5, nullptr, nullptr), NATS_OK);
  EXPECT_EQ(pa->Sequence, static_cast<uint64_t>(kCount));
  jsPubAck_Destroy(pa);
}

// A write that fails (here: past RLIMIT_FSIZE, as on a full disk) answers the publisher with an
// error PubAck; the stream keeps what it had and the server serves everything else.
TEST_F(JetStreamDurabilityTest, WriteFailureGivesErrorPubAckAndServerKeepsServing) {
  TestServerOptions options;
  options.max_file_size = 256 * 1024;
  auto server = StartServer(options);
  NatsConnection nc;
  ASSERT_EQ(Connect(server->url(), &nc), NATS_OK);
  JsCtx js = JetStream(nc.get());
  AddStream(js.get(), "FULL", "full.>");
  std::string payload(4096, 'p');
  uint64_t ok = 0;
  natsStatus last = NATS_OK;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  for (int i = 0; i < 200 && last == NATS_OK; ++i) {
    jsPubAck* pa = nullptr;
    last = js_Publish(&pa, js.get(), "full.data", payload.data(), static_cast<int>(payload.size()),
                      nullptr, &jerr);
    if (last == NATS_OK) {
      ++ok;
      jsPubAck_Destroy(pa);
    }
  }
  ASSERT_NE(last, NATS_OK) << "the file size limit was never hit";
  EXPECT_EQ(jerr, 10077) << "expected a store failure (10077), got " << jerr << " / "
                         << natsStatus_GetText(last) << " " << nats_GetLastError(nullptr);
  EXPECT_GT(ok, 10u);
  // The stream still answers and holds exactly the acknowledged messages.
  StoredState st = StreamState(js.get(), "FULL");
  EXPECT_EQ(st.msgs, ok);
  EXPECT_EQ(st.last, ok);
  // Core messaging is unaffected.
  NatsSubscription sub;
  {
    natsSubscription* raw = nullptr;
    ASSERT_EQ(natsConnection_SubscribeSync(&raw, nc.get(), "core.ping"), NATS_OK);
    sub.reset(raw);
  }
  ASSERT_EQ(natsConnection_PublishString(nc.get(), "core.ping", "still here"), NATS_OK);
  natsMsg* m = nullptr;
  ASSERT_EQ(natsSubscription_NextMsg(&m, sub.get(), 5000), NATS_OK);
  NatsMsg msg(m);
  EXPECT_EQ(Payload(msg.get()), "still here");
  EXPECT_TRUE(server->Running());
}

}  // namespace
}  // namespace spate::test
