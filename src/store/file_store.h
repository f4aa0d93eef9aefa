#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "store/file_system.h"
#include "store/indexed_store.h"
#include "store/msg_block.h"
#include "store/record_format.h"
#include "store/store_stats.h"
#include "store/sync_worker.h"

namespace spate::store {

struct FileStoreOptions {
  std::string dir;                // the stream's directory; block files go in dir/msgs
  uint64_t block_size = 8 << 20;  // a block rolls once the next record would pass this
  SyncMode sync = SyncMode::kAlways;
  std::chrono::nanoseconds sync_interval = std::chrono::minutes(2);  // nats-server's default
  // A sealed block is rewritten when live bytes fall below this fraction of its size.
  double compact_below_live_fraction = 0.5;
  uint64_t compact_min_block_bytes = 64 << 10;
  // On Stop, and on Sync or Checkpoint when `snapshot_every` has passed; the index chunks as
  // they fill.
  bool write_index_snapshot = true;
  std::chrono::nanoseconds snapshot_every = std::chrono::minutes(1);
  FileSystem* fs = nullptr;                   // nullptr: FileSystem::Posix()
  LatencyHistogram* fsync_latency = nullptr;  // shared by the server's stores; may be null
  // The machine boot the index snapshot is tied to in kInterval mode; "" = this machine's
  // (/proc/sys/kernel/random/boot_id). For tests that simulate a reboot.
  std::string boot_id{};
};

// A stream stored in append-only block files (docs/formats/msg_block.md).
//
// Writes: every append is one record written with one pwrite to the active block, so it is in
// the OS before Append/AppendAsync returns (survives kill -9 in every mode). With SyncMode::
// kAlways the durability callback runs after the fdatasync that covers the record, batched by
// the SyncWorker (group commit); with kInterval it runs at once and the worker syncs
// periodically. Removals append tombstones (one per message) or a floor record (everything
// below a sequence: purge, compact, expiry and discard-old trims); Erase overwrites the record in
// place. Removals are made durable by the next group sync, not waited for.
//
// Memory: MsgMeta (24 bytes) per sequence between first and last, plus the subject index.
//
// Recovery (Open): loads the index snapshot if it matches the block files and scans only what
// was written after it; otherwise scans every block, verifying checksums. A torn tail is cut
// off; a bad record with a good record after it is reported (stats().corrupt_records, a log
// line with block and offset, recovery_report()) and skipped.
//
// Threading: as StreamStore (owner thread only); DurableCallbacks run on the sync thread.
class FileStore final : public IndexedStore {
 public:
  // The block a MsgMeta::location is in (a location is block << 32 | offset).
  static uint32_t BlockOf(uint64_t location) { return static_cast<uint32_t>(location >> 32); }

  static Result<std::unique_ptr<FileStore>> Open(const FileStoreOptions& options,
                                                 const StoreLimits& limits = {});
  ~FileStore() override;

  Status Sync() override;
  bool CheckpointDue() const override;
  Status Checkpoint() override;
  Status Stop() override;

  const StoreStats& stats() const { return stats_; }
  // What recovery found that was not clean ("" if nothing): one line per finding.
  const std::string& recovery_report() const { return recovery_report_; }
  size_t num_blocks() const { return blocks_.size(); }
  // Writes the index snapshot now (also done by Stop). With sync: always it first waits for the
  // blocks' fsync, so that the snapshot holds across a machine crash.
  Status WriteIndexSnapshot();

 protected:
  Status CheckWritable() const override;
  Result<uint64_t> WriteMsg(uint64_t seq, std::string_view subject, std::string_view headers,
                            std::string_view payload, int64_t timestamp_ns) override;
  Status ReadMsg(uint64_t seq, const MsgMeta& meta, StoredMsg* out) override;
  Status PersistRemovals(std::span<const uint64_t> seqs, bool erase) override;
  Status PersistFloor(uint64_t floor, bool implied_by_append) override;
  void OnRemoved(uint64_t seq, const MsgMeta& meta) override;
  void OnWritten(StreamSeq seq, DurableCallback on_durable) override;
  Status WaitDurable() override;
  void AfterChange() override;
  void AfterAppend() override;

 private:
  FileStore(const FileStoreOptions& options, const StoreLimits& limits);

  static uint64_t Location(uint32_t block, uint64_t offset) {
    return (uint64_t{block} << 32) | offset;
  }
  static uint32_t OffsetOf(uint64_t location) { return static_cast<uint32_t>(location); }
  static uint32_t RecordLength(const MsgMeta& meta) {
    return static_cast<uint32_t>(meta.stored_size - kStoredMsgOverhead + kMinRecordSize);
  }
  std::string BlockPath(uint32_t index) const;
  std::string SnapshotPath() const;
  std::string SlotsPath() const;

  // --- file_store.cc ---
  // Appends encoded records to the active block, rolling first if they do not fit, preceded by
  // the pending floor if there is one (same write). Returns the offset of `records`.
  Result<uint64_t> AppendRecords(std::string_view records);
  Status FlushPendingFloor();
  Status RollBlock();
  Result<MsgBlock*> CreateBlock(uint32_t index);
  MsgBlock* FindBlock(uint32_t index);
  Status InvalidateSnapshot();

  // --- file_store_recovery.cc ---
  Status Recover();
  Status ScanBlock(MsgBlock* block, uint64_t from, bool is_last);
  void ApplyRecord(MsgBlock* block, uint64_t offset, const RecordView& record);
  void Report(std::string line);

  // --- file_store_compaction.cc ---
  // Rewrites or deletes sealed blocks that removals have hollowed out.
  void RunCompactions();
  Status CompactBlock(MsgBlock* block);
  Status DeleteBlock(MsgBlock* block);
  bool TombstoneNeeded(uint64_t target, uint32_t rewritten_block) const;
  bool FloorNeeded(uint64_t floor, uint32_t holder) const;
  // True if no block other than `holder` has a record showing that last_seq was assigned.
  bool LastSeqWitnessNeeded(uint32_t holder) const;
  void ForgetRemovedIn(uint32_t block_index);

  // --- index_snapshot.cc ---
  // `blocks_synced`: the blocks are fsynced up to their size (else the snapshot holds only
  // within this boot of the machine).
  Status WriteSnapshot(bool blocks_synced);
  // False: no usable snapshot (then scan everything). Fills `covered` with the bytes of each
  // block that the snapshot accounts for.
  Result<bool> LoadIndexSnapshot(std::map<uint32_t, uint64_t>* covered);
  // Writes the index chunks that filled up and are not in the slot file yet (so that a stop
  // has only the last one left to write).
  void WriteFullIndexChunks();
  Status WriteIndexChunk(size_t chunk);
  // The slot file's chunk numbers must line up with the index's chunks; when they do not (a
  // new index), the file starts over.
  bool SlotGridFits() const;
  Status ResetSlotGrid();
  uint64_t ChunkNumber(size_t chunk) const;
  // Gives back the file space of chunks that neither the index nor the snapshot on disk has.
  void ReleaseDeadChunks();
  void ForgetSlotFile();

  const FileStoreOptions options_;
  FileSystem* fs_;
  StoreStats stats_;
  std::shared_ptr<File> msgs_dir_;
  std::map<uint32_t, std::unique_ptr<MsgBlock>> blocks_;
  MsgBlock* active_ = nullptr;  // the last block; appends go here
  // Removed messages whose records are still in a block (seq -> block), each with a tombstone
  // somewhere after it that must survive as long as the record does.
  std::unordered_map<uint64_t, uint32_t> removed_present_;
  uint64_t floor_ = 0;          // highest floor written
  uint64_t pending_floor_ = 0;  // a discard-old trim floor not written yet (0: none)
  std::string prefixed_;        // pending floor + records, reused
  std::vector<uint32_t> compact_candidates_;
  bool failed_ = false;  // a write could not be undone; refuse writes until reopened
  bool snapshot_on_disk_ = false;
  bool snapshot_synced_ = false;        // the snapshot on disk says the blocks were fsynced
  bool recovery_changed_dir_ = false;   // Recover created or removed a file in msgs/
  uint64_t writes_since_snapshot_ = 0;  // block writes since the snapshot on disk
  std::chrono::steady_clock::time_point last_snapshot_{};
  std::string recovery_report_;
  std::string scratch_;  // encode buffer, reused
  // The index snapshot's slot file (docs/formats/index_snapshot.md): index chunk number n, whose
  // first sequence is slots_origin_ + n * SeqIndex::kSlotsPerChunk, at offset n * kChunkBytes.
  struct WrittenChunk {
    uint32_t bytes = 0;  // from the chunk's start
    uint32_t crc = 0;
  };
  std::shared_ptr<File> slots_file_;
  bool slots_grid_ = false;  // slots_origin_ is set
  uint64_t slots_origin_ = 0;
  std::map<uint64_t, WrittenChunk> written_chunks_;  // by chunk number: what the file holds
  uint64_t listed_first_ = 0, listed_end_ = 0;       // chunk numbers the snapshot on disk lists
  size_t chunks_seen_ = 0;                           // index chunks at the last append
  std::unique_ptr<SyncWorker> syncer_;
};

}  // namespace spate::store
