// FileStore's index snapshot (docs/formats/index_snapshot.md): the in-memory index written at
// Stop (and on Sync every `snapshot_every`), so that Open reads one file instead of every block.
// It is only a cache: anything that does not match the block files makes Open scan them all.
#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

#include "common/logging.h"
#include "store/crc32c.h"
#include "store/file_store.h"

namespace spate::store {
namespace {

constexpr uint32_t kSnapshotMagic = 0x58495053;  // "SPIX"
constexpr uint32_t kSnapshotVersion = 4;
constexpr uint32_t kFlagBlocksSynced = 1;  // the blocks were fsynced up to the covered bytes
constexpr uint64_t kSlotAlign = 4096;      // the slot array starts on a page: Open maps it
using Slot = SeqIndex<MsgMeta>::Slot;
static_assert(sizeof(Slot) == sizeof(MsgMeta), "slots are the bare MsgMeta bytes");

// Streams the snapshot to its file through one 1 MiB buffer (a million-message index is 24 MiB:
// building it in memory first cost more than writing it), checksumming as it goes.
class Writer {
 public:
  explicit Writer(File* file) : file_(file), buf_(new char[kChunk]) {}
  template <class T>
  void Put(T value) {
    PutBytes(&value, sizeof(T));
  }
  void PutString(std::string_view s) {
    Put<uint16_t>(static_cast<uint16_t>(s.size()));
    PutBytes(s.data(), s.size());
  }
  void PutBytes(const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      if (len_ == kChunk) Flush();
      const size_t take = std::min(n, kChunk - len_);
      std::memcpy(buf_.get() + len_, p, take);
      len_ += take;
      p += take;
      n -= take;
    }
  }
  void PutZeros(uint64_t n) {
    while (n > 0) {
      if (len_ == kChunk) Flush();
      const size_t take = static_cast<size_t>(std::min<uint64_t>(n, kChunk - len_));
      std::memset(buf_.get() + len_, 0, take);
      len_ += take;
      n -= take;
    }
  }
  uint64_t position() const { return written_ + len_; }
  // Writes the checksum of everything before it and the rest of the buffer.
  Status Finish() {
    const uint32_t crc = Crc32c(buf_.get(), len_, crc_);
    Put<uint32_t>(crc);
    Flush();
    return status_;
  }

 private:
  static constexpr size_t kChunk = 1 << 20;
  void Flush() {
    if (status_.ok()) status_ = file_->PWrite(written_, std::string_view(buf_.get(), len_));
    crc_ = Crc32c(buf_.get(), len_, crc_);
    written_ += len_;
    len_ = 0;
  }

  File* file_;
  std::unique_ptr<char[]> buf_;
  size_t len_ = 0;
  uint64_t written_ = 0;
  uint32_t crc_ = 0;
  Status status_;
};

// This boot of the machine (Linux); "" when unknown, which no snapshot matches.
const std::string& MachineBootId() {
  static const std::string kId = [] {
    std::string id;
    if (FILE* f = std::fopen("/proc/sys/kernel/random/boot_id", "r")) {
      char line[64] = {};
      if (std::fgets(line, sizeof line, f) != nullptr) id = line;
      std::fclose(f);
    }
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    return id;
  }();
  return kId;
}

// Reads the snapshot's tables in chunks through one fixed buffer (never the size of the file),
// checksumming the bytes it hands out; crc() covers everything consumed so far, so the caller
// can go on with the slot array from position().
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
  static constexpr size_t kReadAhead = 16 << 10;
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
    // Small reads: the tables are usually a few KiB, and every byte read past them (the slot
    // array) would be read again.
    const size_t want = static_cast<size_t>(std::min<uint64_t>(
        {std::max<uint64_t>(n - len_, kReadAhead), kChunk - len_, limit_ - file_pos_ - len_}));
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

struct SubjectSpan {
  uint64_t count = 0, first = 0, last = 0;  // live slots of a subject; first and last sequence
};

// What the pass over the snapshot's slots found.
struct SlotPass {
  bool short_read = false;
  bool bad = false;  // a live slot in an unknown block or with an unknown subject
  uint32_t crc = 0;  // the file's running Crc32c, carried on over the slots
  uint64_t live = 0, bytes = 0;
  uint64_t lowest = 0, highest = 0;  // indexes of the first and last live slots
  std::vector<SubjectSpan> spans;    // by subject id
};

// Reads the slots in pieces into a small buffer (reading through the mapping would fault in
// every page of it now: ~7 ms per million slots on this kind of VM; the index touches its pages
// later, as it uses them), and checksums and checks each piece while it is in cache.
SlotPass CheckSlots(File* file, uint64_t slots_at, uint64_t num_slots, uint64_t first_seq,
                    uint32_t num_subjects, const std::map<uint32_t, uint64_t>& block_sizes,
                    uint32_t crc) {
  // Small pieces: the buffer is fresh memory, and a fresh page costs a fault.
  constexpr uint64_t kPiece = 2048;  // slots (48 KiB)
  SlotPass pass;
  pass.crc = crc;
  pass.spans.resize(num_subjects);
  if (num_slots == 0) return pass;
  std::unique_ptr<Slot[]> piece(new Slot[std::min(kPiece, num_slots)]);
  uint32_t checked_block = 0;  // the last block found in `block_sizes` (slots come in runs)
  for (uint64_t at = 0; at < num_slots; at += kPiece) {
    const uint64_t n = std::min(kPiece, num_slots - at);
    Result<size_t> got = file->PRead(slots_at + at * sizeof(Slot), n * sizeof(Slot),
                                     reinterpret_cast<char*>(piece.get()));
    if (!got.ok() || *got != n * sizeof(Slot)) {
      pass.short_read = true;
      return pass;
    }
    pass.crc = Crc32c(piece.get(), n * sizeof(Slot), pass.crc);
    for (uint64_t k = 0; k < n; ++k) {
      const MsgMeta& meta = piece[k].value;
      if (meta.IsHole()) continue;
      const uint32_t block = FileStore::BlockOf(meta.location);
      if (block != checked_block) {
        if (block_sizes.count(block) == 0) pass.bad = true;
        checked_block = block;
      }
      if (meta.subject_id >= num_subjects) pass.bad = true;
      if (pass.bad) return pass;
      SubjectSpan& span = pass.spans[meta.subject_id];
      if (span.count++ == 0) span.first = first_seq + at + k;
      span.last = first_seq + at + k;
      if (pass.live == 0) pass.lowest = at + k;
      pass.highest = at + k;
      ++pass.live;
      pass.bytes += meta.stored_size;
    }
  }
  return pass;
}

}  // namespace

Status FileStore::WriteIndexSnapshot() {
  SPATE_RETURN_IF_ERROR(FlushPendingFloor());
  // Unchanged since the snapshot on disk (a restart with no writes): it is still exact, and
  // rewriting it would make every clean stop cost a full index write.
  if (snapshot_on_disk_ && writes_since_snapshot_ == 0) return Status::Ok();
  // The snapshot may only claim what is on disk. With sync: always everything written is made
  // durable first (already, but for the last group commit), so the snapshot holds across a
  // machine crash. With a sync interval the blocks are left to the OS, as every write is in
  // that mode: the snapshot records this boot of the machine and Open trusts it only within the
  // same boot, where the page cache still holds the blocks; after a reboot it scans them.
  const bool blocks_synced = options_.sync == SyncMode::kAlways;
  if (blocks_synced) SPATE_RETURN_IF_ERROR(syncer_->WaitAll());
  const std::string& boot_id = options_.boot_id.empty() ? MachineBootId() : options_.boot_id;

  const std::string tmp = SnapshotPath() + ".tmp";
  SPATE_ASSIGN_OR_RETURN(std::shared_ptr<File> file, fs_->OpenFile(tmp, /*create=*/true));
  SPATE_RETURN_IF_ERROR(TruncateIfNotEmpty(*file));
  Writer w(file.get());
  w.Put<uint32_t>(kSnapshotMagic);
  w.Put<uint32_t>(kSnapshotVersion);
  w.Put<uint32_t>(blocks_synced ? kFlagBlocksSynced : 0);
  w.PutString(boot_id);
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
  w.PutZeros(RoundUpToPage(w.position()) - w.position());
  uint64_t next = first;  // holes are zero slots
  index().ForEachFrom(0, [&](uint64_t seq, const MsgMeta& meta) {
    w.PutZeros((seq - next) * sizeof(MsgMeta));
    MsgMeta slot = meta;
    slot.subject_id = dense[meta.subject_id];
    w.Put(slot);
    next = seq + 1;
    return true;
  });
  SPATE_RETURN_IF_ERROR(w.Finish());
  // No fsync of the snapshot or its directory: it is a cache, checked by its checksum (a
  // snapshot torn by a crash is refused and the blocks are scanned), and fsyncing 24 MiB made
  // a clean stop of a million-message stream take a second. InvalidateSnapshot, which must
  // outlive a crash, still syncs the directory.
  SPATE_RETURN_IF_ERROR(fs_->Rename(tmp, SnapshotPath()));
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
  uint32_t flags;
  std::string boot_id;
  if (!r.Get(&flags) || !r.GetString(&boot_id)) return reject("truncated");
  const std::string& this_boot = options_.boot_id.empty() ? MachineBootId() : options_.boot_id;
  if (!(flags & kFlagBlocksSynced) && (boot_id.empty() || boot_id != this_boot)) {
    return reject("written before the machine restarted, over blocks that were not synced");
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
  // The index takes the slot array as it is in the file: a private mapping, placed in a range of
  // whole index chunks so that the last, partly filled chunk can take appends where it is (the
  // rest of it is anonymous memory).
  void* region = nullptr;
  size_t region_bytes = 0;
  if (num_slots > 0) {
    constexpr uint64_t kChunkBytes = SeqIndex<MsgMeta>::kChunkBytes;
    const uint64_t file_bytes = num_slots * sizeof(Slot);
    region_bytes = static_cast<size_t>((file_bytes + kChunkBytes - 1) / kChunkBytes * kChunkBytes);
    region = mmap(nullptr, region_bytes, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED) {
      region = nullptr;
      return reject("cannot map the slots");
    }
    if (!file->MapPrivate(slots_at, file_bytes, region).ok()) {
      munmap(region, region_bytes);
      region = nullptr;
      return reject("cannot map the slots");
    }
  }
  auto unmap = [&] {
    if (region != nullptr) munmap(region, region_bytes);
    region = nullptr;
  };
  // Every live slot must point into a known block and carry a known subject, and the counts must
  // add up; nothing is used before the checksum over the whole file has matched.
  const SlotPass pass =
      CheckSlots(file.get(), slots_at, num_slots, first_seq, num_subjects, sizes, r.crc());
  if (pass.short_read) {
    unmap();
    return reject("truncated");
  }
  if (pass.bad) {
    unmap();
    return reject("bad message entry");
  }
  if (pass.crc != stored_crc) {
    unmap();
    return reject("checksum mismatch");
  }
  const std::vector<SubjectSpan>& spans = pass.spans;
  bool bad = pass.live != num_msgs ||
             (num_slots > 0 && (pass.lowest != 0 || pass.highest != num_slots - 1));
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
  RestoreAdopted(first_seq, region, region_bytes, num_slots, pass.live, pass.bytes);
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
