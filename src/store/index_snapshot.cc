// FileStore's index snapshot (docs/formats/index_snapshot.md): the in-memory index written at
// Stop (and on Sync every `snapshot_every`), so that Open reads one file instead of every block.
// It is only a cache: anything that does not match the block files makes Open scan them all.
#include <algorithm>
#include <cstring>

#include "common/logging.h"
#include "store/crc32c.h"
#include "store/file_store.h"

namespace spate::store {
namespace {

constexpr uint32_t kSnapshotMagic = 0x58495053;  // "SPIX"
constexpr uint32_t kSnapshotVersion = 1;

class Writer {
 public:
  template <class T>
  void Put(T value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out_.append(bytes, sizeof(T));
  }
  void PutString(std::string_view s) {
    Put<uint16_t>(static_cast<uint16_t>(s.size()));
    out_.append(s);
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

// Reads the snapshot in chunks (no buffer the size of the file), checksumming every byte it
// loads; the caller compares crc() with the trailer once done().
class Reader {
 public:
  Reader(File* file, uint64_t limit) : file_(file), limit_(limit) {}
  template <class T>
  bool Get(T* value) {
    if (!Ensure(sizeof(T))) return false;
    std::memcpy(value, buf_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool GetString(std::string* s) {
    uint16_t len;
    if (!Get(&len) || !Ensure(len)) return false;
    s->assign(buf_.data() + pos_, len);
    pos_ += len;
    return true;
  }
  bool done() const { return pos_ == buf_.size() && loaded_ == limit_; }
  uint64_t remaining() const { return (limit_ - loaded_) + (buf_.size() - pos_); }
  uint32_t crc() const { return crc_; }

 private:
  static constexpr size_t kChunk = 1 << 20;
  bool Ensure(size_t n) {
    if (buf_.size() - pos_ >= n) return true;
    buf_.erase(0, pos_);
    pos_ = 0;
    while (buf_.size() < n) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, limit_ - loaded_));
      if (want == 0) return false;
      const size_t old = buf_.size();
      buf_.resize(old + want);
      Result<size_t> got = file_->PRead(loaded_, want, buf_.data() + old);
      if (!got.ok() || *got != want) return false;
      crc_ = Crc32c(buf_.data() + old, want, crc_);
      loaded_ += want;
    }
    return true;
  }

  File* file_;
  uint64_t limit_;  // bytes before the trailer
  uint64_t loaded_ = 0;
  std::string buf_;
  size_t pos_ = 0;
  uint32_t crc_ = 0;
};

}  // namespace

Status FileStore::WriteIndexSnapshot() {
  // Everything the snapshot covers must be durable before the snapshot claims it.
  SPATE_RETURN_IF_ERROR(FlushPendingFloor());
  // Unchanged since the snapshot on disk (a restart with no writes): it is still exact, and
  // rewriting it would make every clean stop cost a full index write and an fsync.
  if (snapshot_on_disk_ && writes_since_snapshot_ == 0) return Status::Ok();
  SPATE_RETURN_IF_ERROR(syncer_->WaitAll());
  Writer w;
  w.Put<uint32_t>(kSnapshotMagic);
  w.Put<uint32_t>(kSnapshotVersion);
  w.Put<uint64_t>(last_seq());
  w.Put<int64_t>(last_ts_ns());
  w.Put<uint64_t>(floor_);
  w.Put<uint32_t>(static_cast<uint32_t>(blocks_.size()));
  for (const auto& [index, block] : blocks_) {
    w.Put<uint32_t>(index);
    w.Put<uint64_t>(block->size());
    w.Put<uint64_t>(block->live_msgs);
    w.Put<uint64_t>(block->live_bytes);
    w.Put<uint64_t>(block->first_record_seq);
    w.Put<uint64_t>(block->floor);
    w.Put<uint64_t>(block->max_witness);
    w.Put<uint64_t>(block->tombstone_targets.size());
    for (uint64_t target : block->tombstone_targets) w.Put<uint64_t>(target);
  }
  w.Put<uint64_t>(removed_present_.size());
  for (const auto& [seq, block] : removed_present_) {
    w.Put<uint64_t>(seq);
    w.Put<uint32_t>(block);
  }
  // Subjects get dense numbers in the snapshot; messages refer to those.
  std::unordered_map<uint32_t, uint32_t> dense;
  std::vector<uint32_t> ids;
  subjects().ForEach([&](uint32_t id) {
    dense[id] = static_cast<uint32_t>(ids.size());
    ids.push_back(id);
  });
  w.Put<uint32_t>(static_cast<uint32_t>(ids.size()));
  for (uint32_t id : ids) w.PutString(subjects().Name(id));
  w.Put<uint64_t>(index().size());
  index().ForEachFrom(0, [&](uint64_t seq, const MsgMeta& meta) {
    w.Put<uint64_t>(seq);
    w.Put<int64_t>(meta.timestamp_ns);
    w.Put<uint64_t>(meta.location);
    w.Put<uint32_t>(dense[meta.subject_id]);
    w.Put<uint32_t>(meta.stored_size);
    return true;
  });
  w.Put<uint32_t>(Crc32c(w.out()));

  const std::string tmp = SnapshotPath() + ".tmp";
  SPATE_ASSIGN_OR_RETURN(std::shared_ptr<File> file, fs_->OpenFile(tmp, /*create=*/true));
  SPATE_RETURN_IF_ERROR(file->Truncate(0));
  SPATE_RETURN_IF_ERROR(file->PWrite(0, w.out()));
  SPATE_RETURN_IF_ERROR(file->Sync());
  SPATE_RETURN_IF_ERROR(fs_->Rename(tmp, SnapshotPath()));
  SPATE_ASSIGN_OR_RETURN(std::shared_ptr<File> dir, fs_->OpenDir(options_.dir));
  SPATE_RETURN_IF_ERROR(dir->Sync());
  snapshot_on_disk_ = true;
  writes_since_snapshot_ = 0;
  last_snapshot_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

Result<bool> FileStore::LoadIndexSnapshot(std::map<uint32_t, uint64_t>* covered) {
  const std::string path = SnapshotPath();
  (void)fs_->RemoveFile(path + ".tmp");
  if (!fs_->Exists(path)) return false;
  // Undoes whatever was restored, so that the full scan starts from an empty index.
  auto reject = [&](const char* why) -> Result<bool> {
    ResetIndex();
    LOG_WARN("file store %s: index snapshot not used (%s); scanning all blocks",
             options_.dir.c_str(), why);
    SPATE_RETURN_IF_ERROR(fs_->RemoveFile(path));
    return false;
  };
  SPATE_ASSIGN_OR_RETURN(std::shared_ptr<File> file, fs_->OpenFile(path, /*create=*/false));
  SPATE_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  uint32_t stored_crc = 0;
  if (size < 8) return reject("short file");
  SPATE_ASSIGN_OR_RETURN(size_t got,
                         file->PRead(size - 4, 4, reinterpret_cast<char*>(&stored_crc)));
  if (got != 4) return reject("short file");
  // Verify before using any of it (corrupt counts or sequences must never drive allocations):
  // one streaming pass for the checksum, then one for parsing, both in 1 MiB chunks.
  {
    Reader check(file.get(), size - 4);
    uint64_t word;
    while (check.remaining() >= sizeof word) (void)check.Get(&word);
    uint8_t byte;
    while (check.remaining() > 0) (void)check.Get(&byte);
    if (!check.done() || check.crc() != stored_crc) return reject("checksum mismatch");
  }
  Reader r(file.get(), size - 4);

  uint32_t magic, version, num_blocks;
  uint64_t last_seq, floor;
  int64_t last_ts;
  if (!r.Get(&magic) || magic != kSnapshotMagic || !r.Get(&version) ||
      version != kSnapshotVersion) {
    return reject("unknown format");
  }
  if (!r.Get(&last_seq) || !r.Get(&last_ts) || !r.Get(&floor) || !r.Get(&num_blocks)) {
    return reject("truncated");
  }
  // Every block the snapshot knows must exist with at least the bytes it saw; blocks after the
  // last one it knows are new and get scanned from their start.
  std::map<uint32_t, uint64_t> sizes;
  struct BlockInfo {
    uint64_t live_msgs, live_bytes, first_record_seq, floor, max_witness;
    std::vector<uint64_t> targets;
  };
  std::map<uint32_t, BlockInfo> infos;
  for (uint32_t i = 0; i < num_blocks; ++i) {
    uint32_t index;
    uint64_t block_size, num_targets;
    BlockInfo info;
    if (!r.Get(&index) || !r.Get(&block_size) || !r.Get(&info.live_msgs) ||
        !r.Get(&info.live_bytes) || !r.Get(&info.first_record_seq) || !r.Get(&info.floor) ||
        !r.Get(&info.max_witness) || !r.Get(&num_targets)) {
      return reject("truncated");
    }
    if (num_targets > r.remaining() / 8) return reject("truncated");
    info.targets.resize(num_targets);
    for (uint64_t& target : info.targets) {
      if (!r.Get(&target)) return reject("truncated");
    }
    MsgBlock* block = FindBlock(index);
    if (block == nullptr || block->size() < block_size) return reject("block files changed");
    sizes[index] = block_size;
    infos[index] = std::move(info);
  }
  const uint32_t last_known = sizes.empty() ? 0 : sizes.rbegin()->first;
  for (const auto& [index, block] : blocks_) {
    if (index <= last_known && sizes.count(index) == 0) return reject("block files changed");
  }

  uint64_t num_removed;
  if (!r.Get(&num_removed)) return reject("truncated");
  std::unordered_map<uint64_t, uint32_t> removed;
  for (uint64_t i = 0; i < num_removed; ++i) {
    uint64_t seq;
    uint32_t block;
    if (!r.Get(&seq) || !r.Get(&block)) return reject("truncated");
    removed[seq] = block;
  }
  uint32_t num_subjects;
  if (!r.Get(&num_subjects)) return reject("truncated");
  if (num_subjects > r.remaining() / 2) return reject("truncated");
  std::vector<uint32_t> ids(num_subjects);
  for (uint32_t& id : ids) {
    std::string name;
    if (!r.GetString(&name)) return reject("truncated");
    id = subjects().Intern(name);
  }
  uint64_t num_msgs;
  if (!r.Get(&num_msgs)) return reject("truncated");
  for (uint64_t i = 0; i < num_msgs; ++i) {
    uint64_t seq;
    MsgMeta meta;
    uint32_t subject;
    if (!r.Get(&seq) || !r.Get(&meta.timestamp_ns) || !r.Get(&meta.location) || !r.Get(&subject) ||
        !r.Get(&meta.stored_size) || subject >= num_subjects || seq <= index().last() ||
        sizes.count(BlockOf(meta.location)) == 0) {
      return reject("bad message entry");
    }
    meta.subject_id = ids[subject];
    RestoreMsgWithSubjectId(seq, meta);
  }
  if (!r.done() || r.crc() != stored_crc) {
    return reject(r.done() ? "checksum mismatch" : "trailing bytes");
  }
  // Commit: block accounting, removal bookkeeping, sequence state.
  for (auto& [index, info] : infos) {
    MsgBlock* block = FindBlock(index);
    block->live_msgs = info.live_msgs;
    block->live_bytes = info.live_bytes;
    block->first_record_seq = info.first_record_seq;
    block->floor = info.floor;
    block->max_witness = info.max_witness;
    block->tombstone_targets = std::move(info.targets);
  }
  removed_present_ = std::move(removed);
  floor_ = floor;
  RestoreLastSeq(last_seq, last_ts);
  *covered = std::move(sizes);
  snapshot_on_disk_ = true;
  writes_since_snapshot_ = 0;
  return true;
}

}  // namespace spate::store
