#include "store/file_store.h"

#include <algorithm>

#include "common/logging.h"

namespace spate::store {

FileStore::FileStore(const FileStoreOptions& options, const StoreLimits& limits)
    : IndexedStore(limits),
      options_(options),
      fs_(options.fs != nullptr ? options.fs : FileSystem::Posix()) {}

FileStore::~FileStore() {
  if (!stopped()) (void)Stop();
}

std::string FileStore::BlockPath(uint32_t index) const {
  return options_.dir + "/msgs/" + std::to_string(index) + ".blk";
}

std::string FileStore::SnapshotPath() const { return options_.dir + "/index.snap"; }
std::string FileStore::SlotsPath() const { return options_.dir + "/index.slots"; }

Result<std::unique_ptr<FileStore>> FileStore::Open(const FileStoreOptions& options,
                                                   const StoreLimits& limits) {
  if (options.dir.empty()) return Status::InvalidArgument("file store needs a directory");
  if (options.block_size == 0 || options.block_size >= (uint64_t{1} << 31)) {
    return Status::InvalidArgument("block size must be in (0, 2 GiB)");
  }
  std::unique_ptr<FileStore> store(new FileStore(options, limits));
  const bool new_dirs = !store->fs_->Exists(options.dir + "/msgs");
  SPATE_RETURN_IF_ERROR(store->fs_->CreateDirs(options.dir + "/msgs"));
  SPATE_ASSIGN_OR_RETURN(store->msgs_dir_, store->fs_->OpenDir(options.dir + "/msgs"));
  SPATE_RETURN_IF_ERROR(store->Recover());
  // Make the directories themselves durable (a new stream's msgs/ and 1.blk entries), so that
  // the first acknowledged append cannot vanish with its directory entry. Not needed after a
  // clean stop (an exact snapshot, nothing after it, nothing created or removed): that stop
  // synced them, and a directory fsync commits the file system's journal, which took tens of ms
  // here after a big write - most of the time of reopening an unchanged store.
  const bool clean_reopen = store->snapshot_on_disk_ && store->writes_since_snapshot_ == 0 &&
                            !store->recovery_changed_dir_ && !new_dirs;
  if (!clean_reopen) {
    SPATE_RETURN_IF_ERROR(store->msgs_dir_->Sync());
    SPATE_ASSIGN_OR_RETURN(std::shared_ptr<File> stream_dir, store->fs_->OpenDir(options.dir));
    SPATE_RETURN_IF_ERROR(stream_dir->Sync());
  }
  store->syncer_ = std::make_unique<SyncWorker>(options.sync, options.sync_interval, &store->stats_,
                                                options.fsync_latency);
  store->last_snapshot_ = std::chrono::steady_clock::now();
  // Limits may have shrunk while the store was closed, and a crash may have come between an
  // append and the removal it implied.
  SPATE_RETURN_IF_ERROR(store->EnforceAllLimits());
  store->RunCompactions();
  return store;
}

MsgBlock* FileStore::FindBlock(uint32_t index) {
  auto it = blocks_.find(index);
  return it == blocks_.end() ? nullptr : it->second.get();
}

Result<MsgBlock*> FileStore::CreateBlock(uint32_t index) {
  const std::string path = BlockPath(index);
  SPATE_ASSIGN_OR_RETURN(std::shared_ptr<File> file, fs_->OpenFile(path, /*create=*/true));
  SPATE_RETURN_IF_ERROR(TruncateIfNotEmpty(*file));
  auto block = std::make_unique<MsgBlock>(index, path, std::move(file), 0);
  MsgBlock* raw = block.get();
  blocks_[index] = std::move(block);
  return raw;
}

Status FileStore::RollBlock() {
  const uint32_t next = active_ == nullptr ? 1 : active_->index() + 1;
  SPATE_ASSIGN_OR_RETURN(MsgBlock * block, CreateBlock(next));
  if (active_ != nullptr) compact_candidates_.push_back(active_->index());
  active_ = block;
  if (syncer_) syncer_->MarkDirty(msgs_dir_);  // the new directory entry must be durable too
  return Status::Ok();
}

Result<uint64_t> FileStore::AppendRecords(std::string_view records) {
  std::string_view data = records;
  size_t prefix = 0;
  if (pending_floor_ != 0) {
    prefixed_.clear();
    EncodeRecord(RecordKind::kFloor, pending_floor_, last_ts_ns(), {}, {}, {}, &prefixed_);
    prefix = prefixed_.size();
    prefixed_.append(records);
    data = prefixed_;
  }
  if (active_ == nullptr ||
      (active_->size() > 0 && active_->size() + data.size() > options_.block_size)) {
    SPATE_RETURN_IF_ERROR(RollBlock());
  }
  if (active_->size() + data.size() > UINT32_MAX) {
    return Status::InvalidArgument("record too large for a block");
  }
  bool truncate_failed = false;
  Result<uint64_t> written = active_->Append(data, &truncate_failed);
  if (truncate_failed) failed_ = true;
  if (!written.ok()) return written.status();
  const uint64_t offset = *written;
  ++writes_since_snapshot_;
  stats_.bytes_written.fetch_add(data.size(), std::memory_order_relaxed);
  syncer_->MarkDirty(active_->file());
  if (prefix > 0) {
    active_->floor = std::max(active_->floor, pending_floor_);
    active_->max_witness = std::max(active_->max_witness, pending_floor_ - 1);
    floor_ = std::max(floor_, pending_floor_);
    pending_floor_ = 0;
  }
  return offset + prefix;
}

Status FileStore::FlushPendingFloor() {
  if (pending_floor_ == 0) return Status::Ok();
  return AppendRecords({}).status();
}

Status FileStore::CheckWritable() const {
  if (failed_) return Status::IoError("file store failed a write it could not undo; reopen it");
  return syncer_->Failure();
}

Result<uint64_t> FileStore::WriteMsg(uint64_t seq, std::string_view subject,
                                     std::string_view headers, std::string_view payload,
                                     int64_t timestamp_ns) {
  if (subject.size() > kMaxSubjectLen) return Status::InvalidArgument("subject too long");
  scratch_.clear();
  EncodeRecord(RecordKind::kMessage, seq, timestamp_ns, subject, headers, payload, &scratch_);
  SPATE_ASSIGN_OR_RETURN(uint64_t offset, AppendRecords(scratch_));
  active_->live_msgs++;
  active_->live_bytes += scratch_.size();
  if (active_->first_record_seq == 0) active_->first_record_seq = seq;
  active_->max_witness = std::max(active_->max_witness, seq);
  stats_.appends.fetch_add(1, std::memory_order_relaxed);
  return Location(active_->index(), offset);
}

Status FileStore::ReadMsg(uint64_t seq, const MsgMeta& meta, StoredMsg* out) {
  const uint32_t block_index = BlockOf(meta.location);
  const uint32_t offset = OffsetOf(meta.location);
  MsgBlock* block = FindBlock(block_index);
  if (block == nullptr) {
    return Status::Internal("index points at missing block " + std::to_string(block_index));
  }
  std::string bytes;
  SPATE_RETURN_IF_ERROR(block->Read(offset, RecordLength(meta), &bytes));
  RecordView record;
  if (DecodeRecord(bytes, &record) != DecodeResult::kOk || record.kind != RecordKind::kMessage ||
      record.seq != seq) {
    return Status::Corruption("block " + std::to_string(block_index) + " offset " +
                              std::to_string(offset) + ": bad record for seq " +
                              std::to_string(seq));
  }
  const size_t subject_len = record.subject.size();
  const size_t header_len = record.headers.size();
  const size_t payload_len = record.payload.size();
  out->Adopt(std::move(bytes), StreamSeq{seq}, record.timestamp_ns, kRecordHeaderSize, subject_len,
             header_len, payload_len);
  return Status::Ok();
}

Status FileStore::PersistRemovals(std::span<const uint64_t> seqs, bool erase) {
  scratch_.clear();
  // Tombstones and floors carry the stream's last timestamp, so that it survives a restart even
  // when the last message's own record is gone.
  for (uint64_t seq : seqs) {
    EncodeRecord(RecordKind::kTombstone, seq, last_ts_ns(), {}, {}, {}, &scratch_);
  }
  SPATE_RETURN_IF_ERROR(AppendRecords(scratch_).status());
  for (uint64_t seq : seqs) {
    active_->tombstone_targets.push_back(seq);
    active_->max_witness = std::max(active_->max_witness, seq);
    if (!erase) removed_present_[seq] = BlockOf(index().Find(seq)->location);
  }
  if (!erase) return Status::Ok();
  // The tombstones above already remove the messages (also for an index snapshot that predates
  // them); now destroy the bytes by overwriting each record in place with an erased record of
  // the same length. If that fails the removal stands but the bytes may remain, so the store
  // stops accepting writes and says so.
  for (uint64_t seq : seqs) {
    const MsgMeta* meta = index().Find(seq);
    MsgBlock* block = FindBlock(BlockOf(meta->location));
    std::string erased;
    EncodeErasedRecord(seq, meta->timestamp_ns, RecordLength(*meta), &erased);
    if (Status st = block->Overwrite(OffsetOf(meta->location), erased); !st.ok()) {
      failed_ = true;
      return st;
    }
    syncer_->MarkDirty(block->file());
  }
  return Status::Ok();
}

Status FileStore::PersistFloor(uint64_t floor, bool implied_by_append) {
  if (implied_by_append && floor <= last_seq()) {
    // Written with the next record or sync; if a crash comes first, Open re-applies the limits.
    pending_floor_ = std::max(pending_floor_, floor);
    return Status::Ok();
  }
  // When the floor removes everything, start a fresh block so that every older block can go.
  if (floor > last_seq() && active_->size() > 0) SPATE_RETURN_IF_ERROR(RollBlock());
  scratch_.clear();
  EncodeRecord(RecordKind::kFloor, floor, last_ts_ns(), {}, {}, {}, &scratch_);
  SPATE_RETURN_IF_ERROR(AppendRecords(scratch_).status());
  active_->floor = std::max(active_->floor, floor);
  active_->max_witness = std::max(active_->max_witness, floor - 1);
  floor_ = std::max(floor_, floor);
  return Status::Ok();
}

void FileStore::OnRemoved(uint64_t, const MsgMeta& meta) {
  MsgBlock* block = FindBlock(BlockOf(meta.location));
  if (block == nullptr) return;
  block->live_msgs--;
  block->live_bytes -= RecordLength(meta);
  if (block != active_) compact_candidates_.push_back(block->index());
}

void FileStore::OnWritten(StreamSeq seq, DurableCallback on_durable) {
  if (!on_durable) return;
  if (options_.sync == SyncMode::kAlways) {
    syncer_->AddWaiter(seq, std::move(on_durable));
  } else {
    on_durable(seq, Status::Ok());  // in the OS already: the promise of interval mode
  }
}

Status FileStore::WaitDurable() {
  if (options_.sync == SyncMode::kAlways) return syncer_->WaitAll();
  return Status::Ok();
}

void FileStore::AfterChange() { RunCompactions(); }

void FileStore::AfterAppend() {
  // A new chunk means the one before it is full: write it out now, while it is warm, instead
  // of at the stop.
  if (index().num_chunks() == chunks_seen_) return;
  chunks_seen_ = index().num_chunks();
  if (options_.write_index_snapshot) WriteFullIndexChunks();
}

Status FileStore::Sync() {
  if (stopped()) return Status::Unavailable("store is stopped");
  SPATE_RETURN_IF_ERROR(FlushPendingFloor());
  SPATE_RETURN_IF_ERROR(syncer_->WaitAll());
  if (options_.write_index_snapshot &&
      std::chrono::steady_clock::now() - last_snapshot_ >= options_.snapshot_every) {
    return WriteIndexSnapshot();
  }
  return Status::Ok();
}

bool FileStore::CheckpointDue() const {
  return !stopped() && !failed_ && options_.write_index_snapshot &&
         (!snapshot_on_disk_ || writes_since_snapshot_ > 0) &&
         std::chrono::steady_clock::now() - last_snapshot_ >= options_.snapshot_every;
}

Status FileStore::Checkpoint() {
  if (stopped() || failed_ || !options_.write_index_snapshot) return Status::Ok();
  if (snapshot_on_disk_ && writes_since_snapshot_ == 0) return Status::Ok();
  // Without waiting for the sync thread: a snapshot that does not claim synced blocks is used
  // only within this boot, where the page cache has everything written.
  return WriteSnapshot(/*blocks_synced=*/false);
}

Status FileStore::Stop() {
  if (stopped()) return Status::Ok();
  if (syncer_ == nullptr) {  // Open failed half-way: nothing to flush or snapshot
    set_stopped();
    return Status::Ok();
  }
  Status status = failed_ ? Status::Ok() : FlushPendingFloor();
  // With a sync interval, writes are acknowledged once in the OS, and a stop leaves the last
  // ones there too (as nats-server does): the page cache outlives the process; only a machine
  // crash can take them, which that mode accepts. kAlways syncs what is left (nothing acked).
  const bool sync_dirty = options_.sync == SyncMode::kAlways;
  if (Status stopped_syncer = syncer_->Stop(sync_dirty); status.ok()) status = stopped_syncer;
  if (status.ok() && !failed_ && options_.write_index_snapshot) status = WriteIndexSnapshot();
  set_stopped();
  blocks_.clear();
  active_ = nullptr;
  return status;
}

Status FileStore::InvalidateSnapshot() {
  if (!snapshot_on_disk_) return Status::Ok();
  SPATE_RETURN_IF_ERROR(fs_->RemoveFile(SnapshotPath()));
  SPATE_ASSIGN_OR_RETURN(std::shared_ptr<File> dir, fs_->OpenDir(options_.dir));
  SPATE_RETURN_IF_ERROR(dir->Sync());
  snapshot_on_disk_ = false;
  listed_first_ = listed_end_ = 0;
  return Status::Ok();
}

void FileStore::Report(std::string line) {
  LOG_WARN("file store %s: %s", options_.dir.c_str(), line.c_str());
  recovery_report_ += line;
  recovery_report_ += '\n';
}

}  // namespace spate::store
