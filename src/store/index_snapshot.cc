// FileStore's index snapshot (docs/formats/index_snapshot.md): the in-memory index written at
// Stop (and on Sync every `snapshot_every`), so that Open reads one file instead of every block.
// It is only a cache: anything that does not match the block files makes Open scan them all.
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "common/logging.h"
#include "store/crc32c.h"
#include "store/file_store.h"

namespace spate::store {
namespace {

constexpr uint32_t kSnapshotMagic = 0x58495053;  // "SPIX"
constexpr uint32_t kSnapshotVersion = 3;
constexpr uint64_t kSlotAlign = 4096;  // the slot array starts on a page: Open maps it
using Slot = SeqIndex<MsgMeta>::Slot;
static_assert(sizeof(Slot) == sizeof(MsgMeta), "slots are the bare MsgMeta bytes");

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

// Reads the snapshot's tables in chunks through one fixed buffer (never the size of the file),
// checksumming the bytes it hands out; crc() covers everything consumed so far, so the caller
// can go on with the mapped slot array from position().
class Reader {
 public:
  Reader(File* file, uint64_t limit) : file_(file), limit_(limit), buf_(new char[kChunk]) {}
  template <class T>
  bool Get(T* value) {
    const char* p = Take(sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(value, p, sizeof(T));
    return true;
  }
  bool GetString(std::string* s) {
    uint16_t len;
    if (!Get(&len)) return false;
    const char* p = Take(len);
    if (p == nullptr) return false;
    s->assign(p, len);
    return true;
  }
  // The next n bytes (valid until the next call), or nullptr past the end.
  const char* Take(size_t n) {
    if (!Ensure(n)) return nullptr;
    const char* p = buf_.get() + pos_;
    pos_ += n;
    return p;
  }
  uint64_t position() const { return file_pos_ + pos_; }  // file offset of the next byte
  uint64_t remaining() const { return limit_ - position(); }
  uint32_t crc() {
    FoldCrc();
    return crc_;
  }

 private:
  static constexpr size_t kChunk = 1 << 20;
  void FoldCrc() {
    crc_ = Crc32c(buf_.get() + crc_from_, pos_ - crc_from_, crc_);
    crc_from_ = pos_;
  }
  bool Ensure(size_t n) {
    if (len_ - pos_ >= n) return true;
    if (n > kChunk || n > remaining()) return false;
    FoldCrc();
    std::memmove(buf_.get(), buf_.get() + pos_, len_ - pos_);
    file_pos_ += pos_;
    len_ -= pos_;
    pos_ = 0;
    crc_from_ = 0;
    const size_t want =
        static_cast<size_t>(std::min<uint64_t>(kChunk - len_, limit_ - file_pos_ - len_));
    Result<size_t> got = file_->PRead(file_pos_ + len_, want, buf_.get() + len_);
    if (!got.ok() || *got != want) return false;
    len_ += want;
    return len_ - pos_ >= n;
  }

  File* file_;
  uint64_t limit_;         // bytes before the trailer
  uint64_t file_pos_ = 0;  // file offset of buf_[0]
  std::unique_ptr<char[]> buf_;
  size_t len_ = 0;  // bytes in buf_
  size_t pos_ = 0;  // next byte to hand out
  size_t crc_from_ = 0;
  uint32_t crc_ = 0;
};

uint64_t RoundUpToPage(uint64_t n) { return (n + kSlotAlign - 1) & ~(kSlotAlign - 1); }

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
  // Subjects get dense numbers in the snapshot; slots refer to those. In memory ids are dense
  // too after a load (Open relies on that) but not after removals reuse them.
  std::vector<uint32_t> dense;
  std::vector<uint32_t> ids;
  subjects().ForEach([&](uint32_t id) {
    if (id >= dense.size()) dense.resize(id + 1, SubjectIndex::kNoSubject);
    dense[id] = static_cast<uint32_t>(ids.size());
    ids.push_back(id);
  });
  w.Put<uint32_t>(static_cast<uint32_t>(ids.size()));
  for (uint32_t id : ids) {
    w.PutString(subjects().Name(id));
    w.Put<uint64_t>(subjects().Count(id));
  }
  const uint64_t first = index().first();
  const uint64_t slots = index().empty() ? 0 : index().last() - first + 1;
  w.Put<uint64_t>(index().size());
  w.Put<uint64_t>(first);
  w.Put<uint64_t>(slots);
  std::string& out = w.out();
  out.resize(RoundUpToPage(out.size()), '\0');
  const size_t slots_at = out.size();
  out.resize(slots_at + slots * sizeof(MsgMeta), '\0');  // holes stay zero bytes
  index().ForEachFrom(0, [&](uint64_t seq, const MsgMeta& meta) {
    MsgMeta slot = meta;
    slot.subject_id = dense[meta.subject_id];
    std::memcpy(out.data() + slots_at + (seq - first) * sizeof(MsgMeta), &slot, sizeof slot);
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
  // The tables are parsed as they are read (checksummed on the way), then the slot array is
  // mapped, not copied, and the checksum over everything is compared before any slot is used.
  // Corrupt counts cannot drive big allocations: each one is checked against the bytes left
  // before anything is sized by it; whatever was built is undone (ResetIndex) on a mismatch.
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
  if (num_subjects > r.remaining() / 10) return reject("truncated");
  std::vector<uint64_t> counts(num_subjects);
  uint64_t counted = 0;
  for (uint32_t i = 0; i < num_subjects; ++i) {
    std::string name;
    if (!r.GetString(&name) || !r.Get(&counts[i])) return reject("truncated");
    // Slots carry these numbers as they are: a fresh index hands out ids 0, 1, ... in order.
    if (subjects().Intern(name) != i) return reject("duplicate subject");
    counted += counts[i];
    if (counted > r.remaining() / sizeof(MsgMeta)) return reject("bad subject count");
  }
  uint64_t num_msgs, first_seq, num_slots;
  if (!r.Get(&num_msgs) || !r.Get(&first_seq) || !r.Get(&num_slots)) return reject("truncated");
  const uint64_t slots_at = RoundUpToPage(r.position());
  if (num_msgs != counted || num_slots > r.remaining() / sizeof(MsgMeta) ||
      slots_at + num_slots * sizeof(MsgMeta) != size - 4 || (num_slots == 0) != (num_msgs == 0) ||
      (num_slots > 0 && (first_seq == 0 || first_seq + num_slots - 1 > last_seq))) {
    return reject("bad message count");
  }
  if (r.Take(slots_at - r.position()) == nullptr) return reject("truncated");
  uint32_t crc = r.crc();
  void* region = nullptr;
  const size_t region_bytes = num_slots * sizeof(MsgMeta);
  if (num_slots > 0) {
    Result<void*> mapped = file->MapPrivate(slots_at, region_bytes);
    if (!mapped.ok()) return reject("cannot map the slots");
    region = *mapped;
  }
  auto unmap = [&] {
    if (region != nullptr) munmap(region, region_bytes);
    region = nullptr;
  };
  // One pass over the slots, in pieces that stay in cache between the checksum and the checks:
  // every live slot must point into a known block and carry a known subject, and the counts
  // must add up. Nothing is used before the checksum over the whole file has matched.
  const Slot* slots = static_cast<const Slot*>(region);
  constexpr uint64_t kPiece = 2048;  // slots (48 KiB)
  struct SubjectSpan {
    uint64_t count = 0, first = 0, last = 0;
  };
  std::vector<SubjectSpan> spans(num_subjects);
  uint32_t checked_block = 0;  // the last block found in `sizes` (slots come in runs)
  uint64_t live = 0, bytes = 0;
  bool bad = false;
  for (uint64_t at = 0; at < num_slots; at += kPiece) {
    const uint64_t n = std::min(kPiece, num_slots - at);
    crc = Crc32c(slots + at, n * sizeof(Slot), crc);
    for (uint64_t i = at; i < at + n && !bad; ++i) {
      const MsgMeta& meta = slots[i].value;
      if (meta.IsHole()) continue;
      const uint32_t block = BlockOf(meta.location);
      if (block != checked_block) {
        if (sizes.count(block) == 0) bad = true;
        checked_block = block;
      }
      if (meta.subject_id >= num_subjects) {
        bad = true;
        break;
      }
      SubjectSpan& span = spans[meta.subject_id];
      if (span.count++ == 0) span.first = first_seq + i;
      span.last = first_seq + i;
      ++live;
      bytes += meta.stored_size;
    }
  }
  if (crc != stored_crc) {
    unmap();
    return reject("checksum mismatch");
  }
  bad = bad || live != num_msgs ||
        (num_slots > 0 && (slots[0].value.IsHole() || slots[num_slots - 1].value.IsHole()));
  for (uint32_t id = 0; id < num_subjects && !bad; ++id) bad = spans[id].count != counts[id];
  if (bad) {
    unmap();
    return reject("bad message entry");
  }
  for (uint32_t id = 0; id < num_subjects; ++id) {
    if (spans[id].count > 0) {
      subjects().RestoreDeferred(id, spans[id].count, spans[id].first, spans[id].last);
    }
  }
  RestoreAdopted(first_seq, region, region_bytes, num_slots, live, bytes);
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
