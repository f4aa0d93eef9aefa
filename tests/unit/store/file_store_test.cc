// FileStore-only behaviour: restart, recovery from torn and corrupt records, fault injection,
// group commit, compaction and the index snapshot. Shared semantics are in stream_store_test.cc.
#include "store/file_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "store/fault_injection_file_system.h"
#include "store/mem_store.h"
#include "store/record_format.h"
#include "store_test_util.h"

namespace spate::store {
namespace {

namespace fs = std::filesystem;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class FileStoreTest : public ::testing::Test {
 protected:
  FileStoreOptions Options() {
    FileStoreOptions options;
    options.dir = dir_.path() + "/s";
    options.block_size = 4096;
    options.compact_min_block_bytes = 0;
    options.fs = &faults_;
    return options;
  }
  std::unique_ptr<FileStore> Open(const FileStoreOptions& options, const StoreLimits& limits = {}) {
    Result<std::unique_ptr<FileStore>> store = FileStore::Open(options, limits);
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  std::unique_ptr<FileStore> Open() { return Open(Options()); }
  std::string BlockPath(uint32_t index) {
    return Options().dir + "/msgs/" + std::to_string(index) + ".blk";
  }
  std::string SnapshotPath() { return Options().dir + "/index.snap"; }
  static void Put(StreamStore& store, std::string_view subject, std::string_view payload,
                  int64_t ts = 1) {
    Result<StreamSeq> seq = store.Append(subject, {}, payload, ts);
    ASSERT_TRUE(seq.ok()) << seq.status().message();
  }
  // Everything observable, for before/after comparisons.
  static std::string Dump(StreamStore& store) {
    StreamState state = store.State({.include_deleted = true});
    std::string out;
    auto add = [&out](std::string_view label, uint64_t value) {
      out.append(label);
      out.append(std::to_string(value));
      out.push_back(' ');
    };
    add("msgs=", state.msgs);
    add("bytes=", state.bytes);
    add("first=", state.first_seq.value);
    add("last=", state.last_seq.value);
    add("first_ts=", static_cast<uint64_t>(state.first_ts_ns));
    add("last_ts=", static_cast<uint64_t>(state.last_ts_ns));
    add("subjects=", state.num_subjects);
    add("deleted=", state.num_deleted);
    out.push_back('\n');
    for (StreamSeq seq : state.deleted) add("d", seq.value);
    out.push_back('\n');
    for (uint64_t seq = state.first_seq.value; seq <= state.last_seq.value; ++seq) {
      Result<StoredMsg> msg = store.Load(StreamSeq{seq});
      if (!msg.ok()) continue;
      add("", seq);
      out.append(msg->subject()).append(" [").append(msg->headers()).append("] ");
      out.append(msg->payload());
      add(" @", static_cast<uint64_t>(msg->timestamp_ns()));
      out.push_back('\n');
    }
    for (const auto& [subject, ss] : store.SubjectsState(">")) {
      out.append(subject);
      add(":", ss.msgs);
      add(",", ss.first_seq.value);
      add(",", ss.last_seq.value);
      out.push_back('\n');
    }
    return out;
  }

  test::ScratchDir dir_;
  FaultInjectionFileSystem faults_;
};

// A workload that touches every kind of record: messages over several blocks, tombstones,
// erased records, floors.
void BusyWorkload(StreamStore& store) {
  for (int i = 0; i < 300; ++i) {
    const std::string subject = "orders." + std::to_string(i % 5);
    ASSERT_TRUE(store
                    .Append(subject, i % 3 ? "" : "NATS/1.0\r\nX: y\r\n\r\n",
                            "payload-" + std::to_string(i) + std::string(i % 40, 'p'), 1000 + i)
                    .ok());
  }
  for (uint64_t seq = 10; seq < 200; seq += 7) ASSERT_TRUE(store.Remove(StreamSeq{seq}).ok());
  ASSERT_TRUE(store.Erase(StreamSeq{250}).ok());
  ASSERT_TRUE(store.PurgeFiltered("orders.3", StreamSeq{150}, 0).ok());
  ASSERT_TRUE(store.Compact(StreamSeq{40}).ok());
}

TEST_F(FileStoreTest, RestartPreservesEverythingWithAndWithoutTheSnapshot) {
  auto store = Open();
  BusyWorkload(*store);
  const std::string before = Dump(*store);
  EXPECT_GT(store->num_blocks(), 3u);
  ASSERT_TRUE(store->Stop().ok());
  store.reset();

  store = Open();
  EXPECT_EQ(store->stats().snapshot_loads.load(), 1u);
  EXPECT_EQ(Dump(*store), before);
  EXPECT_EQ(store->recovery_report(), "");
  ASSERT_TRUE(store->Stop().ok());
  store.reset();

  ASSERT_TRUE(fs::remove(SnapshotPath()));
  store = Open();
  EXPECT_EQ(store->stats().snapshot_loads.load(), 0u);
  EXPECT_EQ(Dump(*store), before);
  EXPECT_EQ(store->recovery_report(), "");
  // And the store goes on from where it was.
  Result<StreamSeq> seq = store->Append("orders.9", {}, "more", 5);
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(seq->value, 301u);
}

// A stop with nothing written since the snapshot was loaded keeps that snapshot as it is (no
// index rewrite on a clean stop), and a stop after a write replaces it.
TEST_F(FileStoreTest, StopRewritesTheSnapshotOnlyAfterChanges) {
  auto store = Open();
  for (int i = 0; i < 20; ++i) Put(*store, "a", "x");
  ASSERT_TRUE(store->Stop().ok());
  store.reset();
  const auto written = fs::last_write_time(SnapshotPath());
  store = Open();
  EXPECT_EQ(store->stats().snapshot_loads.load(), 1u);
  ASSERT_TRUE(store->Stop().ok());
  store.reset();
  EXPECT_EQ(fs::last_write_time(SnapshotPath()), written);
  store = Open();
  Put(*store, "a", "y");
  ASSERT_TRUE(store->Stop().ok());
  store.reset();
  EXPECT_NE(fs::last_write_time(SnapshotPath()), written);
  store = Open();
  EXPECT_EQ(store->stats().snapshot_loads.load(), 1u);
  EXPECT_EQ(store->State().msgs, 21u);
}

// With a sync interval a stop leaves the last writes to the OS (no fsync) and the snapshot is
// tied to the machine's boot: reused in the same boot, refused after a "reboot" (the blocks are
// scanned, nothing is lost). With sync: always the snapshot holds across boots.
TEST_F(FileStoreTest, IntervalModeSnapshotHoldsOnlyWithinTheSameBoot) {
  FileStoreOptions options = Options();
  options.sync = SyncMode::kInterval;
  options.boot_id = "boot-1";
  auto store = Open(options);
  for (int i = 0; i < 30; ++i) Put(*store, "a." + std::to_string(i % 3), std::to_string(i));
  const uint64_t fsyncs_before_stop = store->stats().fsyncs.load();
  ASSERT_TRUE(store->Stop().ok());
  EXPECT_EQ(store->stats().fsyncs.load(), fsyncs_before_stop);
  store.reset();

  store = Open(options);
  EXPECT_EQ(store->stats().snapshot_loads.load(), 1u);
  EXPECT_EQ(store->State().msgs, 30u);
  store.reset();  // unchanged: the snapshot stays as it was

  options.boot_id = "boot-2";
  store = Open(options);
  EXPECT_EQ(store->stats().snapshot_loads.load(), 0u);
  EXPECT_EQ(store->State().msgs, 30u);
  EXPECT_EQ(store->LoadLast("a.2")->payload(), "29");
  store.reset();

  options.sync = SyncMode::kAlways;
  options.boot_id = "boot-3";
  store = Open(options);
  Put(*store, "a.0", "30");
  store.reset();
  options.boot_id = "boot-4";
  store = Open(options);
  EXPECT_EQ(store->stats().snapshot_loads.load(), 1u);
  EXPECT_EQ(store->State().msgs, 31u);
}

TEST_F(FileStoreTest, CrashAfterSnapshotScansOnlyTheTail) {
  auto store = Open();
  for (int i = 0; i < 50; ++i) Put(*store, "a", "before");
  ASSERT_TRUE(store->WriteIndexSnapshot().ok());
  for (int i = 0; i < 50; ++i) Put(*store, "b", "after");
  ASSERT_TRUE(store->Remove(StreamSeq{3}).ok());
  ASSERT_TRUE(store->Erase(StreamSeq{4}).ok());
  ASSERT_TRUE(store->Sync().ok());
  const std::string before = Dump(*store);
  // A crash: copy the files as they are while the store is still open.
  const std::string crashed = dir_.path() + "/crashed";
  fs::copy(Options().dir, crashed, fs::copy_options::recursive);
  ASSERT_TRUE(store->Stop().ok());

  FileStoreOptions options = Options();
  options.dir = crashed;
  auto reopened = Open(options);
  EXPECT_EQ(reopened->stats().snapshot_loads.load(), 1u);
  EXPECT_EQ(Dump(*reopened), before);
}

TEST_F(FileStoreTest, PurgeAndCompactPastTheEndSurviveRestart) {
  auto store = Open();
  for (int i = 0; i < 100; ++i) Put(*store, "a", std::string(100, 'x'));
  ASSERT_TRUE(store->Purge().ok());
  EXPECT_EQ(store->num_blocks(), 1u);  // every old block went
  ASSERT_TRUE(store->Stop().ok());
  store.reset();
  ASSERT_TRUE(fs::remove(SnapshotPath()));
  store = Open();
  EXPECT_EQ(store->State().last_seq.value, 100u);
  EXPECT_EQ(store->State().msgs, 0u);
  ASSERT_TRUE(store->Compact(StreamSeq{500}).ok());
  store.reset();  // the destructor stops it
  ASSERT_TRUE(fs::remove(SnapshotPath()));
  store = Open();
  EXPECT_EQ(store->State().first_seq.value, 500u);
  Result<StreamSeq> seq = store->Append("a", {}, "x", 1);
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(seq->value, 500u);
}

TEST_F(FileStoreTest, LastSequenceSurvivesRemovingEverythingOneByOne) {
  auto store = Open();
  for (int i = 0; i < 200; ++i) Put(*store, "a", std::string(60, 'x'));  // several blocks
  for (uint64_t seq = 200; seq >= 1; --seq) ASSERT_TRUE(store->Remove(StreamSeq{seq}).ok());
  Put(*store, "b", "x");  // seals the block holding the tombstones
  ASSERT_TRUE(store->Remove(StreamSeq{201}).ok());
  store.reset();
  ASSERT_TRUE(fs::remove(SnapshotPath()));
  store = Open();
  EXPECT_EQ(store->State().msgs, 0u);
  EXPECT_EQ(store->State().last_seq.value, 201u);
}

TEST_F(FileStoreTest, TornTailAtEveryOffsetKeepsEveryEarlierMessage) {
  std::string block;
  uint64_t last_record_start = 0;
  {
    auto store = Open();
    for (int i = 0; i < 9; ++i)
      Put(*store, "t." + std::to_string(i), "payload " + std::to_string(i));
    last_record_start = ReadBytes(BlockPath(1)).size();
    ASSERT_TRUE(store->Append("t.last", "NATS/1.0\r\n\r\n", "the last one", 7).ok());
    ASSERT_TRUE(store->Stop().ok());
    block = ReadBytes(BlockPath(1));
  }
  ASSERT_GT(block.size(), last_record_start);
  for (uint64_t cut = last_record_start; cut < block.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    WriteBytes(BlockPath(1), block.substr(0, cut));
    fs::remove(SnapshotPath());
    auto store = Open();
    ASSERT_NE(store, nullptr);
    StreamState state = store->State();
    EXPECT_EQ(state.msgs, 9u);
    EXPECT_EQ(state.last_seq.value, 9u);
    for (uint64_t seq = 1; seq <= 9; ++seq) {
      Result<StoredMsg> msg = store->Load(StreamSeq{seq});
      ASSERT_TRUE(msg.ok()) << msg.status().message();
      EXPECT_EQ(msg->payload(), "payload " + std::to_string(seq - 1));
    }
    EXPECT_EQ(store->stats().corrupt_records.load(), 0u);
    EXPECT_EQ(store->stats().truncated_tails.load(), cut > last_record_start ? 1u : 0u);
    // Appends continue right after the last good record.
    Result<StreamSeq> seq = store->Append("t.new", {}, "again", 8);
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(seq->value, 10u);
    ASSERT_TRUE(store->Stop().ok());
  }
}

class FileStoreCorruptionTest : public FileStoreTest {
 protected:
  // Ten messages in one block; returns the offset of each record.
  std::vector<uint64_t> WriteTen() {
    std::vector<uint64_t> offsets;
    auto store = Open();
    for (int i = 0; i < 10; ++i) {
      offsets.push_back(ReadBytes(BlockPath(1)).size());
      Put(*store, "c." + std::to_string(i), "payload-" + std::to_string(i));
    }
    EXPECT_TRUE(store->Stop().ok());
    fs::remove(SnapshotPath());
    return offsets;
  }
  void Corrupt(uint64_t offset) {
    std::string bytes = ReadBytes(BlockPath(1));
    bytes[offset] = static_cast<char>(bytes[offset] ^ 0x5A);
    WriteBytes(BlockPath(1), bytes);
  }
  void ExpectAllBut(FileStore& store, uint64_t missing) {
    for (uint64_t seq = 1; seq <= 10; ++seq) {
      Result<StoredMsg> msg = store.Load(StreamSeq{seq});
      if (seq == missing) {
        EXPECT_EQ(msg.status().code(), Status::Code::kNotFound);
      } else {
        ASSERT_TRUE(msg.ok()) << seq << ": " << msg.status().message();
        EXPECT_EQ(msg->payload(), "payload-" + std::to_string(seq - 1));
      }
    }
  }
};

TEST_F(FileStoreCorruptionTest, FlippedPayloadByteInTheMiddleIsReportedAndSkipped) {
  std::vector<uint64_t> offsets = WriteTen();
  Corrupt(offsets[4] + kRecordHeaderSize + 5);
  auto store = Open();
  EXPECT_EQ(store->stats().corrupt_records.load(), 1u);
  EXPECT_EQ(store->stats().truncated_tails.load(), 0u);
  EXPECT_NE(store->recovery_report().find("block 1 offset " + std::to_string(offsets[4])),
            std::string::npos)
      << store->recovery_report();
  EXPECT_EQ(store->State().msgs, 9u);
  EXPECT_EQ(store->State().last_seq.value, 10u);
  ExpectAllBut(*store, 5);
}

TEST_F(FileStoreCorruptionTest, FlippedLengthFieldIsSkippedByResynchronising) {
  std::vector<uint64_t> offsets = WriteTen();
  Corrupt(offsets[4] + 1);  // the length field itself
  auto store = Open();
  EXPECT_EQ(store->stats().corrupt_records.load(), 1u);
  ExpectAllBut(*store, 5);
}

TEST_F(FileStoreCorruptionTest, CorruptLastRecordIsCutLikeATornTail) {
  std::vector<uint64_t> offsets = WriteTen();
  Corrupt(offsets[9] + kRecordHeaderSize + 2);
  auto store = Open();
  EXPECT_EQ(store->stats().truncated_tails.load(), 1u);
  EXPECT_NE(store->recovery_report().find("truncated"), std::string::npos);
  EXPECT_EQ(store->State().msgs, 9u);
}

TEST_F(FileStoreCorruptionTest, LoadOfACorruptedRecordReportsCorruption) {
  auto store = Open();
  Put(*store, "a", "hello");
  ASSERT_TRUE(store->Sync().ok());
  std::string bytes = ReadBytes(BlockPath(1));
  bytes[kRecordHeaderSize + 2] ^= 1;
  WriteBytes(BlockPath(1), bytes);
  Result<StoredMsg> msg = store->Load(StreamSeq{1});
  EXPECT_EQ(msg.status().code(), Status::Code::kCorruption);
  EXPECT_NE(msg.status().message().find("block 1 offset 0"), std::string::npos);
}

TEST_F(FileStoreTest, FailedWriteReturnsAnErrorAndLeavesTheStoreConsistent) {
  auto store = Open();
  Put(*store, "a", "one");
  faults_.FailWriteAt(1);
  Result<StreamSeq> failed = store->Append("a", {}, "two", 1);
  EXPECT_EQ(failed.status().code(), Status::Code::kIoError);
  EXPECT_EQ(store->State().msgs, 1u);
  EXPECT_EQ(store->State().last_seq.value, 1u);

  faults_.ShortWriteAt(1);
  failed = store->Append("a", {}, std::string(100, 's'), 1);
  EXPECT_EQ(failed.status().code(), Status::Code::kIoError);
  EXPECT_EQ(store->State().msgs, 1u);

  faults_.FailWriteAt(1);
  EXPECT_EQ(store->Remove(StreamSeq{1}).code(), Status::Code::kIoError);
  EXPECT_EQ(store->State().msgs, 1u);

  Result<StreamSeq> seq = store->Append("a", {}, "three", 1);
  ASSERT_TRUE(seq.ok()) << seq.status().message();
  EXPECT_EQ(seq->value, 2u);
  const std::string before = Dump(*store);
  ASSERT_TRUE(store->Stop().ok());
  store.reset();
  fs::remove(SnapshotPath());
  store = Open();
  EXPECT_EQ(Dump(*store), before);
  EXPECT_EQ(store->recovery_report(), "");  // the short write left nothing behind
}

TEST_F(FileStoreTest, FailedSyncFailsThePendingAppendsAndLaterWrites) {
  faults_.SetSyncDelay(std::chrono::milliseconds(2));
  auto store = Open();
  faults_.FailSyncAt(1);
  std::atomic<int> failed{0};
  std::atomic<int> done{0};
  for (int i = 0; i < 20; ++i) {
    Result<StreamSeq> seq = store->AppendAsync("a", {}, "x", 1, [&](StreamSeq, Status st) {
      if (!st.ok()) failed.fetch_add(1);
      done.fetch_add(1);
    });
    if (!seq.ok()) break;  // the failure may already be known
  }
  ASSERT_TRUE(test::WaitFor([&] { return done.load() == static_cast<int>(store->State().msgs); }));
  EXPECT_GT(failed.load(), 0);
  EXPECT_EQ(failed.load(), done.load());  // nothing after the failed sync was reported durable
  EXPECT_EQ(store->Append("a", {}, "x", 1).status().code(), Status::Code::kIoError);
  EXPECT_FALSE(store->Sync().ok());
}

TEST_F(FileStoreTest, GroupCommitCoversManyAppendsWithFewSyncs) {
  faults_.SetSyncDelay(std::chrono::milliseconds(1));
  auto store = Open();
  const uint64_t syncs_before = faults_.syncs();
  std::atomic<int> done{0};
  constexpr int kAppends = 1000;
  for (int i = 0; i < kAppends; ++i) {
    ASSERT_TRUE(store
                    ->AppendAsync("g." + std::to_string(i % 10), {}, "payload", i,
                                  [&](StreamSeq, Status st) {
                                    EXPECT_TRUE(st.ok());
                                    done.fetch_add(1);
                                  })
                    .ok());
  }
  ASSERT_TRUE(test::WaitFor([&] { return done.load() == kAppends; }));
  const uint64_t syncs = faults_.syncs() - syncs_before;
  std::printf("group commit: %d appends, %llu fsyncs\n", kAppends,
              static_cast<unsigned long long>(syncs));
  EXPECT_LT(syncs, kAppends / 10u);
}

TEST_F(FileStoreTest, IntervalModeAcksAtOnceAndSyncsPeriodically) {
  FileStoreOptions options = Options();
  options.sync = SyncMode::kInterval;
  options.sync_interval = std::chrono::milliseconds(10);
  auto store = Open(options);
  faults_.SetSyncDelay(std::chrono::milliseconds(50));  // acks must not wait for this
  bool acked = false;
  ASSERT_TRUE(
      store->AppendAsync("a", {}, "x", 1, [&](StreamSeq, Status st) { acked = st.ok(); }).ok());
  EXPECT_TRUE(acked);  // inline: written to the OS is the promise of interval mode
  ASSERT_TRUE(test::WaitFor([&] { return store->stats().fsyncs.load() > 0; }));
}

TEST_F(FileStoreTest, CompactionRewritesHollowBlocksAndDeletesEmptyOnes) {
  auto store = Open();
  for (int i = 0; i < 400; ++i)
    Put(*store, "k." + std::to_string(i % 4), std::string(80, 'a' + i % 26));
  const size_t blocks_before = store->num_blocks();
  ASSERT_GT(blocks_before, 5u);
  // Remove most of the first half (rewrites), then everything in a middle range (deletes).
  for (uint64_t seq = 1; seq <= 200; ++seq) {
    if (seq % 4 != 0) {
      ASSERT_TRUE(store->Remove(StreamSeq{seq}).ok());
    }
  }
  for (uint64_t seq = 201; seq <= 300; ++seq) ASSERT_TRUE(store->Remove(StreamSeq{seq}).ok());
  EXPECT_GT(store->stats().blocks_compacted.load(), 0u);
  const std::string before = Dump(*store);
  uint64_t bytes_on_disk = 0;
  for (const auto& entry : fs::directory_iterator(Options().dir + "/msgs")) {
    bytes_on_disk += entry.file_size();
  }
  // What must remain: the live records, the 250 tombstones (in blocks that still hold live
  // messages), and at most one block's worth of not-yet-hollow space.
  const uint64_t live = 150 * RecordSize(3, 0, 80);
  const uint64_t tombstones = 250 * kMinRecordSize;
  EXPECT_LT(bytes_on_disk, live + tombstones + Options().block_size);
  EXPECT_LT(bytes_on_disk, 400 * RecordSize(3, 0, 80) * 2 / 3);
  ASSERT_TRUE(store->Stop().ok());
  store.reset();
  fs::remove(SnapshotPath());
  store = Open();
  EXPECT_EQ(Dump(*store), before);  // no removed message came back
  EXPECT_EQ(store->recovery_report(), "");
}

TEST_F(FileStoreTest, EraseDestroysTheBytesOnDisk) {
  auto store = Open();
  Put(*store, "a", "top-secret-value");
  Put(*store, "a", "ordinary");
  ASSERT_TRUE(store->Erase(StreamSeq{1}).ok());
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(ReadBytes(BlockPath(1)).find("top-secret-value"), std::string::npos);
  store.reset();
  fs::remove(SnapshotPath());
  store = Open();
  EXPECT_EQ(store->Load(StreamSeq{1}).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store->Load(StreamSeq{2})->payload(), "ordinary");
  EXPECT_EQ(store->recovery_report(), "");
}

TEST_F(FileStoreTest, LimitsRemovalsSurviveRestart) {
  const StoreLimits limits{.max_msgs = 10, .max_msgs_per_subject = 3};
  auto store = Open(Options(), limits);
  for (int i = 0; i < 100; ++i) Put(*store, "s." + std::to_string(i % 5), std::to_string(i));
  const std::string before = Dump(*store);
  store.reset();
  fs::remove(SnapshotPath());
  store = Open(Options(), limits);
  EXPECT_EQ(Dump(*store), before);
  EXPECT_EQ(store->State().msgs, 10u);
}

TEST_F(FileStoreTest, DeferredLimitTrimIsRedoneAfterACrash) {
  const StoreLimits limits{.max_msgs = 10};
  auto store = Open(Options(), limits);
  for (int i = 0; i < 100; ++i) Put(*store, "s", std::to_string(i));
  const std::string before = Dump(*store);
  // A crash right after the last append: the trim it implied may not be on disk yet.
  FileStoreOptions crashed = Options();
  crashed.dir = dir_.path() + "/crashed";
  fs::copy(Options().dir, crashed.dir, fs::copy_options::recursive);
  auto reopened = Open(crashed, limits);
  EXPECT_EQ(Dump(*reopened), before);
}

TEST_F(FileStoreTest, TighterLimitsAtOpenAreApplied) {
  {
    auto store = Open();
    for (int i = 0; i < 20; ++i) Put(*store, "a", "x");
  }
  auto store = Open(Options(), StoreLimits{.max_msgs = 5});
  EXPECT_EQ(store->State().msgs, 5u);
  EXPECT_EQ(store->State().first_seq.value, 16u);
}

TEST_F(FileStoreTest, UnusableSnapshotFallsBackToAFullScan) {
  {
    auto store = Open();
    for (int i = 0; i < 20; ++i) Put(*store, "a", std::to_string(i));
  }
  std::string snapshot = ReadBytes(SnapshotPath());
  ASSERT_FALSE(snapshot.empty());
  snapshot[snapshot.size() / 2] ^= 1;
  WriteBytes(SnapshotPath(), snapshot);
  auto store = Open();
  EXPECT_EQ(store->stats().snapshot_loads.load(), 0u);
  EXPECT_EQ(store->State().msgs, 20u);
  EXPECT_EQ(store->Load(StreamSeq{20})->payload(), "19");
}

// Random operations applied to a FileStore with tiny blocks (so that compaction, block deletion
// and the snapshot's invalidation happen constantly) and to a MemStore as the model; the
// FileStore is reopened now and then, cleanly or from a copy of its files taken while open (a
// crash), and must always look exactly like the model.
class FileStoreDifferentialTest : public FileStoreTest,
                                  public ::testing::WithParamInterface<uint32_t> {};

TEST_P(FileStoreDifferentialTest, MatchesTheMemoryStoreThroughReopensAndCrashes) {
  const uint32_t seed = GetParam();
  std::mt19937 rng(seed);
  const StoreLimits limits = seed % 2 ? StoreLimits{.max_msgs = 150, .max_msgs_per_subject = 20}
                                      : StoreLimits{.max_age_ns = 500};
  FileStoreOptions options = Options();
  options.block_size = 512;
  options.sync = SyncMode::kInterval;  // appends are in the OS either way; keeps the test fast
  auto file = Open(options, limits);
  MemStore model(limits);
  int64_t now = 0;
  int crash = 0;
  for (int op = 0; op < 1500; ++op) {
    SCOPED_TRACE("seed " + std::to_string(seed) + " op " + std::to_string(op));
    const uint32_t dice = rng() % 100;
    const uint64_t last = model.State().last_seq.value;
    const StreamSeq any{last == 0 ? 1 : 1 + rng() % last};
    if (dice < 60) {
      const std::string subject = "s." + std::to_string(rng() % 12);
      const std::string payload(rng() % 90, static_cast<char>('a' + op % 26));
      ++now;
      Result<StreamSeq> a =
          file->Append(subject, dice < 10 ? "NATS/1.0\r\n\r\n" : "", payload, now);
      Result<StreamSeq> b =
          model.Append(subject, dice < 10 ? "NATS/1.0\r\n\r\n" : "", payload, now);
      ASSERT_EQ(a.ok(), b.ok());
      if (a.ok()) {
        ASSERT_EQ(a->value, b->value);
      }
    } else if (dice < 75) {
      ASSERT_EQ(file->Remove(any).code(), model.Remove(any).code());
    } else if (dice < 78) {
      ASSERT_EQ(file->Erase(any).code(), model.Erase(any).code());
    } else if (dice < 81) {
      const std::string filter = rng() % 2 ? "s.*" : "s." + std::to_string(rng() % 12);
      const uint64_t keep = rng() % 3;
      const StreamSeq up_to{rng() % 2 ? any.value : 0};
      ASSERT_EQ(*file->PurgeFiltered(filter, up_to, keep),
                *model.PurgeFiltered(filter, up_to, keep));
    } else if (dice < 83) {
      const StreamSeq to{any.value + rng() % 5};
      ASSERT_EQ(*file->Compact(to), *model.Compact(to));
    } else if (dice < 85) {
      ASSERT_EQ(*file->ExpireOlderThan(now), *model.ExpireOlderThan(now));
    } else if (dice < 86) {
      ASSERT_EQ(*file->Purge(), *model.Purge());
    } else if (dice < 93) {
      file.reset();  // a clean stop: snapshot written
      if (rng() % 2) fs::remove(options.dir + "/index.snap");
      file = Open(options, limits);
      ASSERT_EQ(file->recovery_report(), "");
    } else if (dice < 96) {
      if (rng() % 2) {
        ASSERT_TRUE(file->Sync().ok());  // else: a kill -9 right after the last call
      }
      const std::string copy = dir_.path() + "/crash" + std::to_string(++crash);
      fs::copy(options.dir, copy, fs::copy_options::recursive);
      file.reset();
      options.dir = copy;
      file = Open(options, limits);
      ASSERT_EQ(file->recovery_report(), "");
    } else {
      ASSERT_EQ(Dump(*file), Dump(model));
    }
  }
  EXPECT_EQ(Dump(*file), Dump(model));
  file.reset();
  file = Open(options, limits);
  EXPECT_EQ(Dump(*file), Dump(model));
}

// 8 seeds by default; SPATE_STORE_SEEDS=<n> runs more (a soak).
uint32_t NumSeeds() {
  const char* env = std::getenv("SPATE_STORE_SEEDS");
  return env != nullptr ? static_cast<uint32_t>(std::atoi(env)) : 8u;
}
INSTANTIATE_TEST_SUITE_P(Seeds, FileStoreDifferentialTest, ::testing::Range(1u, 1u + NumSeeds()));

}  // namespace
}  // namespace spate::store
