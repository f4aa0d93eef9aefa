// The FileStore index snapshot with an index of several chunks (65,536 slots each): chunks are
// written to the slot file as they fill, a stop writes the rest, and reopening maps them back,
// through removals, front trims, crashes and corruption. Small-stream snapshot behaviour is in
// file_store_test.cc.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "store/fault_injection_file_system.h"
#include "store/file_store.h"
#include "store/mem_store.h"
#include "store_test_util.h"

namespace spate::store {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kChunkSlots = SeqIndex<MsgMeta>::kSlotsPerChunk;
constexpr uint64_t kChunkBytes = SeqIndex<MsgMeta>::kChunkBytes;

class IndexSnapshotTest : public ::testing::Test {
 protected:
  FileStoreOptions Options() {
    FileStoreOptions options;
    options.dir = dir_.path() + "/s";
    options.block_size = 1 << 20;
    options.sync = SyncMode::kInterval;  // every append is in the OS either way; fast
    options.snapshot_every = std::chrono::nanoseconds(0);  // every Sync writes a snapshot
    options.fs = &faults_;
    return options;
  }
  std::unique_ptr<FileStore> Open(const FileStoreOptions& options, const StoreLimits& limits) {
    Result<std::unique_ptr<FileStore>> store = FileStore::Open(options, limits);
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  // As Append, without waiting for the sync (sync: always would fsync each message).
  static void AppendNoWait(StreamStore& store, uint64_t i) {
    std::string subject = "s.";
    subject += std::to_string(i % 23);
    std::string payload = "p";
    payload += std::to_string(i);
    Result<StreamSeq> seq =
        store.AppendAsync(subject, {}, payload, static_cast<int64_t>(i), [](StreamSeq, Status) {});
    ASSERT_TRUE(seq.ok()) << seq.status().message();
  }
  static void Append(StreamStore& store, uint64_t i) {
    std::string subject = "s.";
    subject += std::to_string(i % 23);
    std::string payload = "p";
    payload += std::to_string(i);
    Result<StreamSeq> seq = store.Append(subject, {}, payload, static_cast<int64_t>(i));
    ASSERT_TRUE(seq.ok()) << seq.status().message();
  }
  // State, deleted sequences, per-subject state and every 97th message: enough to tell two
  // big stores apart without loading every message.
  static std::string Summary(StreamStore& store) {
    StreamState state = store.State({.include_deleted = true});
    std::string out = std::to_string(state.msgs) + " " + std::to_string(state.bytes) + " " +
                      std::to_string(state.first_seq.value) + " " +
                      std::to_string(state.last_seq.value) + " " +
                      std::to_string(state.first_ts_ns) + " " + std::to_string(state.last_ts_ns) +
                      " " + std::to_string(state.num_subjects) + "\n";
    for (StreamSeq seq : state.deleted) out += std::to_string(seq.value) + ",";
    out += "\n";
    for (const auto& [subject, ss] : store.SubjectsState(">")) {
      out += subject + ":" + std::to_string(ss.msgs) + "," + std::to_string(ss.first_seq.value) +
             "," + std::to_string(ss.last_seq.value) + "\n";
    }
    for (uint64_t seq = state.first_seq.value; seq <= state.last_seq.value; seq += 97) {
      Result<StoredMsg> msg = store.Load(StreamSeq{seq});
      if (!msg.ok()) continue;
      out += std::to_string(seq) + " " + std::string(msg->subject()) + " " +
             std::string(msg->payload()) + "\n";
    }
    return out;
  }
  std::string SlotsPath(const FileStoreOptions& options) { return options.dir + "/index.slots"; }

  test::ScratchDir dir_;
  FaultInjectionFileSystem faults_;
};

// The index's full chunks reach the slot file while the stream runs; a stop writes only the
// last chunk and the tables, and the reopened store maps them back.
TEST_F(IndexSnapshotTest, ChunksAreWrittenAsTheyFillSoAStopWritesOnlyTheLast) {
  const FileStoreOptions options = Options();
  const uint64_t n = 3 * kChunkSlots + 1000;
  std::string before;
  {
    auto store = Open(options, {});
    for (uint64_t i = 1; i <= n; ++i) Append(*store, i);
    // Four chunks: the first three are full and already in the file.
    ASSERT_TRUE(fs::exists(SlotsPath(options)));
    EXPECT_GE(fs::file_size(SlotsPath(options)), 3 * kChunkBytes);
    before = Summary(*store);
    const uint64_t writes = faults_.writes();
    ASSERT_TRUE(store->Stop().ok());
    EXPECT_LE(faults_.writes() - writes, 2u) << "the last chunk and the tables";
  }
  EXPECT_EQ(fs::file_size(SlotsPath(options)), 3 * kChunkBytes + 1000 * sizeof(MsgMeta));
  auto store = Open(options, {});
  EXPECT_EQ(store->stats().snapshot_loads.load(), 1u);
  EXPECT_EQ(Summary(*store), before);
  // Appends go on in the adopted last chunk and past it; removals land in mapped chunks.
  for (uint64_t i = n + 1; i <= n + kChunkSlots; ++i) Append(*store, i);
  for (uint64_t seq = 5; seq < n; seq += 4099) ASSERT_TRUE(store->Remove(StreamSeq{seq}).ok());
  before = Summary(*store);
  store.reset();
  store = Open(options, {});
  EXPECT_EQ(store->stats().snapshot_loads.load(), 1u);
  EXPECT_EQ(Summary(*store), before);
}

// Random rounds over a stream with a message limit (the front passes whole chunks, whose file
// space goes back), removals inside written chunks, clean reopens, kill -9 copies taken with and
// without a snapshot just before, and a corrupted slot file; a MemStore is the model.
TEST_F(IndexSnapshotTest, MatchesTheModelThroughTrimsRemovalsReopensAndCrashes) {
  const StoreLimits limits{.max_msgs = 2 * kChunkSlots + 5000};
  FileStoreOptions options = Options();
  auto file = Open(options, limits);
  MemStore model(limits);
  std::mt19937 rng(7);
  uint64_t next = 1;
  int crash = 0;
  for (int round = 0; round < 8; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const uint64_t burst = 30000 + rng() % 40000;
    for (uint64_t k = 0; k < burst; ++k, ++next) {
      Append(*file, next);
      Append(model, next);
    }
    const uint64_t first = model.State().first_seq.value;
    for (int k = 0; k < 300; ++k) {
      const StreamSeq seq{first + rng() % (next - first)};
      const bool erase = k % 50 == 0;
      ASSERT_EQ((erase ? file->Erase(seq) : file->Remove(seq)).code(),
                (erase ? model.Erase(seq) : model.Remove(seq)).code());
    }
    ASSERT_EQ(Summary(*file), Summary(model));
    switch (round % 4) {
      case 0:  // clean stop
        file.reset();
        break;
      case 1:
      case 2: {  // kill -9, after a snapshot (round 1) or with changes since the last one
        if (round % 4 == 1) {
          ASSERT_TRUE(file->Sync().ok());
        }
        const std::string copy = dir_.path() + "/crash" + std::to_string(++crash);
        fs::copy(options.dir, copy, fs::copy_options::recursive);
        file.reset();
        options.dir = copy;
        break;
      }
      case 3: {  // a flipped byte in a chunk the snapshot lists: the blocks are scanned
        file.reset();
        std::fstream slots(SlotsPath(options), std::ios::in | std::ios::out | std::ios::binary);
        const auto at = static_cast<std::streamoff>(fs::file_size(SlotsPath(options)) - 100);
        slots.seekg(at);
        const char c = static_cast<char>(slots.get());
        slots.seekp(at);
        slots.put(static_cast<char>(c ^ 0x20));
        break;
      }
    }
    file = Open(options, limits);
    ASSERT_EQ(file->recovery_report(), "");
    if (round % 4 == 0 || round % 4 == 1) {
      EXPECT_EQ(file->stats().snapshot_loads.load(), 1u);
    } else if (round % 4 == 3) {
      EXPECT_EQ(file->stats().snapshot_loads.load(), 0u);
    }
    ASSERT_EQ(Summary(*file), Summary(model));
  }
  // Chunks the front passes are given back once a snapshot no longer lists them: the file's
  // allocated space stays near the index's size (3 or 4 chunks), whatever its apparent size.
  for (int burst = 0; burst < 3; ++burst) {
    for (uint64_t k = 0; k < kChunkSlots; ++k, ++next) {
      Append(*file, next);
      Append(model, next);
    }
    ASSERT_TRUE(file->Sync().ok());
  }
  file.reset();
  file = Open(options, limits);
  EXPECT_EQ(file->stats().snapshot_loads.load(), 1u);
  ASSERT_EQ(Summary(*file), Summary(model));
  file.reset();
  EXPECT_GE(fs::file_size(SlotsPath(options)), 5 * kChunkBytes);
  struct stat st;
  ASSERT_EQ(::stat(SlotsPath(options).c_str(), &st), 0);
  EXPECT_LE(static_cast<uint64_t>(st.st_blocks) * 512, 5 * kChunkBytes);
}

// A stream under a message limit that runs without a snapshot (the server writes one at a clean
// stop): the chunks its front passes give their file space back as they go.
TEST_F(IndexSnapshotTest, PassedChunksGiveTheirSpaceBackWithoutASnapshot) {
  const StoreLimits limits{.max_msgs = kChunkSlots};
  const FileStoreOptions options = Options();
  auto store = Open(options, limits);
  for (uint64_t i = 1; i <= 6 * kChunkSlots; ++i) Append(*store, i);
  EXPECT_GE(fs::file_size(SlotsPath(options)), 4 * kChunkBytes);
  struct stat st;
  ASSERT_EQ(::stat(SlotsPath(options).c_str(), &st), 0);
  EXPECT_LE(static_cast<uint64_t>(st.st_blocks) * 512, 3 * kChunkBytes);
  const std::string before = Summary(*store);
  store.reset();
  store = Open(options, limits);
  EXPECT_EQ(store->stats().snapshot_loads.load(), 1u);
  EXPECT_EQ(Summary(*store), before);
}

// The owner's periodic checkpoint: due only after `snapshot_every` and changes, written without
// waiting for the sync thread (so it holds within this boot of the machine only), and a kill -9
// afterwards reopens from it and scans only what followed.
TEST_F(IndexSnapshotTest, CheckpointWritesTheSnapshotWhenDue) {
  FileStoreOptions options = Options();
  options.sync = SyncMode::kAlways;
  options.snapshot_every = std::chrono::hours(1);
  auto store = Open(options, {});
  for (uint64_t i = 1; i <= kChunkSlots + 500; ++i) AppendNoWait(*store, i);
  EXPECT_FALSE(store->CheckpointDue()) << "not before snapshot_every has passed";
  store.reset();

  options.dir = dir_.path() + "/due";
  options.snapshot_every = std::chrono::nanoseconds(0);
  store = Open(options, {});
  for (uint64_t i = 1; i <= kChunkSlots + 500; ++i) AppendNoWait(*store, i);
  ASSERT_TRUE(store->CheckpointDue());
  ASSERT_TRUE(store->Checkpoint().ok());
  EXPECT_TRUE(fs::exists(options.dir + "/index.snap"));
  EXPECT_FALSE(store->CheckpointDue()) << "nothing changed since";
  for (uint64_t i = kChunkSlots + 501; i <= kChunkSlots + 800; ++i) AppendNoWait(*store, i);
  ASSERT_TRUE(store->Remove(StreamSeq{7}).ok());
  const std::string before = Summary(*store);
  FileStoreOptions crashed = options;
  crashed.dir = dir_.path() + "/crash";
  fs::copy(options.dir, crashed.dir, fs::copy_options::recursive);  // kill -9 now
  auto reopened = Open(crashed, {});
  EXPECT_EQ(reopened->stats().snapshot_loads.load(), 1u);
  EXPECT_EQ(Summary(*reopened), before);
  reopened.reset();
  // After a reboot the checkpoint is not trusted: the blocks were not synced when it was taken.
  FileStoreOptions rebooted = options;
  rebooted.dir = dir_.path() + "/rebooted";
  rebooted.boot_id = "another-boot";
  fs::copy(options.dir, rebooted.dir, fs::copy_options::recursive);
  reopened = Open(rebooted, {});
  EXPECT_EQ(reopened->stats().snapshot_loads.load(), 0u);
  EXPECT_EQ(Summary(*reopened), before);
  reopened.reset();
  // A clean stop right after a checkpoint, with nothing new: the stop still writes a snapshot
  // that holds across a reboot (sync: always).
  ASSERT_TRUE(store->Checkpoint().ok());
  ASSERT_TRUE(store->Stop().ok());
  rebooted.dir = options.dir;
  reopened = Open(rebooted, {});
  EXPECT_EQ(reopened->stats().snapshot_loads.load(), 1u);
  EXPECT_EQ(Summary(*reopened), before);
}

}  // namespace
}  // namespace spate::store
